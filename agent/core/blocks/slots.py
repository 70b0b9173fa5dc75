"""Free-time search for nurture blocks. Pure: (busy intervals, policy, now) → slots.

All arithmetic on instants happens in UTC. Python's aware-datetime ``+`` works on the wall
clock when both sides share a tzinfo, so ``start + 2h`` on a clock-change day would be one
or three real hours; here a 2 h block always lasts two real hours. Wall times are used
only to say where a working day starts and ends and which start is preferred.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agent.model import Interval

GRID = timedelta(minutes=15)  # blocks start on the quarter hour (every zone's offset is too)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SlotPolicy:
    """Where and how long blocks may be: resolved from config by ``blocks_cycle``."""

    tz: ZoneInfo
    days: frozenset[int]  # weekday numbers, Monday 0
    start: time  # working day, wall clock
    end: time
    length: timedelta  # real elapsed time
    buffer: timedelta = timedelta(0)  # kept free on both sides of anything busy
    prefer: time = time(9, 0)
    off: frozenset[date] = frozenset()  # days away and public holidays: no block

    def works(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.off


def wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant the wall clock in ``tz`` shows ``at`` on ``day``, in UTC.

    A wall time inside a spring-forward gap means the instant just after the gap (02:30
    that never happens is read as 03:30); one repeated by a fall-back is its first time.
    """
    return datetime.combine(day, at).replace(tzinfo=tz).astimezone(UTC)


def working_window(day: date, policy: SlotPolicy) -> Interval:
    return Interval(wall(day, policy.start, policy.tz), wall(day, policy.end, policy.tz))


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def working_days(first: date, count: int, policy: SlotPolicy) -> list[date]:
    """The first ``count`` working days from ``first`` on (``first`` included)."""
    days: list[date] = []
    day = first
    while len(days) < count and policy.days:
        if policy.works(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def working_days_back(last: date, count: int, policy: SlotPolicy) -> list[date]:
    """The ``count`` working days ending with ``last`` (``last`` included if it works)."""
    days: list[date] = []
    day = last
    while len(days) < count and policy.days:
        if policy.works(day):
            days.append(day)
        day -= timedelta(days=1)
    return days


def horizon(policy: SlotPolicy, now: datetime, count: int) -> list[date]:
    """The next ``count`` working days; today counts only while a block still fits in it."""
    today = local_day(now, policy.tz)
    first = today
    if _ceil(now) + policy.length > working_window(today, policy).end:
        first = today + timedelta(days=1)
    return working_days(first, count, policy)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping, non-empty intervals covering the same time (in UTC)."""
    merged: list[Interval] = []
    for item in sorted(_utc(i) for i in intervals if i.end > i.start):
        if merged and item.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, item.end))
        else:
            merged.append(item)
    return merged


def free_gaps(window: Interval, busy: Iterable[Interval]) -> list[Interval]:
    """The parts of ``window`` not covered by ``busy``."""
    gaps: list[Interval] = []
    cursor = window.start
    for item in merge(busy):
        if item.end <= cursor:
            continue
        if item.start >= window.end:
            break
        if item.start > cursor:
            gaps.append(Interval(cursor, item.start))
        cursor = max(cursor, item.end)
    if cursor < window.end:
        gaps.append(Interval(cursor, window.end))
    return gaps


def best_slot(
    day: date, busy: Sequence[Interval], policy: SlotPolicy, now: datetime
) -> Interval | None:
    """The free slot on ``day`` closest to the preferred start, or None when there is no room.

    Free means: inside working hours, not before ``now``, and at least ``policy.buffer``
    away from anything in ``busy`` (meetings and other blocks alike).
    """
    window = working_window(day, policy)
    window = Interval(max(window.start, now.astimezone(UTC)), window.end)
    if window.end - window.start < policy.length:
        return None
    padded = [Interval(b.start - policy.buffer, b.end + policy.buffer) for b in busy]
    target = wall(day, policy.prefer, policy.tz)
    best: Interval | None = None
    for gap in free_gaps(window, padded):
        first, last = _ceil(gap.start), _floor(gap.end - policy.length)
        if first > last:
            continue
        start = min(max(_round(target), first), last)
        if best is None or abs(start - target) < abs(best.start - target):
            best = Interval(start, start + policy.length)
    return best


def place(
    days: Sequence[date], busy: Sequence[Interval], policy: SlotPolicy, now: datetime, count: int
) -> tuple[list[Interval], list[date]]:
    """Up to ``count`` blocks, at most one per day, trying ``days`` in order.

    Returns the slots and the days that had no room (their block went to a later day).
    """
    slots: list[Interval] = []
    no_room: list[date] = []
    for day in days:
        if len(slots) == count:
            break
        slot = best_slot(day, [*busy, *slots], policy, now)
        if slot is None:
            no_room.append(day)
        else:
            slots.append(slot)
    return slots, no_room


def overlaps(a: Interval, b: Interval) -> bool:
    return a.start < b.end and b.start < a.end


def _utc(interval: Interval) -> Interval:
    return Interval(interval.start.astimezone(UTC), interval.end.astimezone(UTC))


def _ceil(moment: datetime) -> datetime:
    steps = -((_EPOCH - moment.astimezone(UTC)) // GRID)
    return _EPOCH + steps * GRID


def _floor(moment: datetime) -> datetime:
    return _EPOCH + ((moment.astimezone(UTC) - _EPOCH) // GRID) * GRID


def _round(moment: datetime) -> datetime:
    return _floor(moment + GRID / 2)
