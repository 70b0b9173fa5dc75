"""Free-time search, as properties over random busy calendars, zones and clock changes.

The horizon starts a few days before a DST transition (America/New_York, Europe/London,
Australia/Lord_Howe's 30-minute shift) with working hours that often span the small hours,
so blocks straddle the change. A brute-force scan of every quarter hour is the oracle for
"there was no room" and "this is the slot closest to the preferred time".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.core.blocks.notes import WorkItem
from agent.core.blocks.reconcile import BlockPolicy, BlockRecord, Scene, plan_blocks
from agent.core.blocks.slots import (
    GRID,
    SlotPolicy,
    best_slot,
    horizon,
    local_day,
    overlaps,
    place,
    wall,
    working_window,
)
from agent.model import Interval, NurtureBlock

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC", "Asia/Kathmandu"]
TRANSITIONS = [
    date(2026, 3, 8),  # New York springs forward 02:00 → 03:00
    date(2026, 11, 1),  # New York falls back 02:00 → 01:00
    date(2026, 3, 29),  # London 01:00 → 02:00
    date(2026, 10, 25),  # London 02:00 → 01:00
    date(2026, 4, 5),  # Lord Howe 02:00 → 01:30
    date(2026, 10, 4),  # Lord Howe 02:00 → 02:30
]


@st.composite
def policies(draw: st.DrawFn, small_hours: bool = False) -> SlotPolicy:
    """Working hours and preferences; ``small_hours`` puts them across the clock change."""
    start_q = draw(st.integers(0, 8) if small_hours else st.integers(0, 80))
    length_q = draw(st.integers(1, min(16, 95 - start_q)))
    span_q = draw(st.integers(length_q, min(95 - start_q, length_q + 40)))
    if small_hours:
        days: frozenset[int] = frozenset(range(7))  # transitions happen on Sundays
        prefer_q = draw(st.integers(0, 12))
    else:
        days = draw(st.frozensets(st.integers(0, 6), min_size=1))
        prefer_q = draw(st.integers(0, 95))
    return SlotPolicy(
        tz=ZoneInfo(draw(st.sampled_from(ZONES))),
        days=days,
        start=_quarter(start_q),
        end=_quarter(start_q + span_q),
        length=GRID * length_q,
        buffer=timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30]))),
        prefer=_quarter(prefer_q),
    )


def _quarter(n: int) -> time:
    return time(n // 4, (n % 4) * 15)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[SlotPolicy, datetime, list[Interval]]:
    small_hours = draw(st.booleans())
    policy = draw(policies(small_hours))
    if small_hours:
        first = draw(st.sampled_from(TRANSITIONS)) - timedelta(days=draw(st.integers(0, 2)))
        now = wall(first, time(0), policy.tz) - timedelta(minutes=draw(st.integers(0, 600)))
    else:
        first = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
        now = wall(first, _quarter(draw(st.integers(0, 95))), policy.tz)
        now += timedelta(minutes=draw(st.integers(0, 14)))
    meetings = st.tuples(st.integers(0, 12), st.integers(0, 1439), st.integers(1, 900))
    busy = [
        Interval(s, s + timedelta(minutes=length))
        for s, length in (
            (wall(first + timedelta(days=d), time(0), policy.tz) + timedelta(minutes=m), n)
            for d, m, n in draw(st.lists(meetings, max_size=25))
        )
    ]
    return policy, now, busy


def _fits(
    start: datetime, policy: SlotPolicy, day: date, busy: list[Interval], now: datetime
) -> bool:
    window = working_window(day, policy)
    end = start + policy.length
    if start < now or start < window.start or end > window.end:
        return False
    pad = policy.buffer
    return not any(start < b.end + pad and b.start - pad < end for b in busy)


def _candidates(day: date, policy: SlotPolicy) -> list[datetime]:
    window = working_window(day, policy)
    moment = window.start - timedelta(hours=1)
    moment = moment.replace(minute=(moment.minute // 15) * 15, second=0, microsecond=0)
    found = []
    while moment <= window.end:
        found.append(moment)
        moment += GRID
    return found


@settings(max_examples=300, deadline=None)
@given(scenes(), st.integers(1, 7))
def test_placement_properties(
    scene: tuple[SlotPolicy, datetime, list[Interval]], count: int
) -> None:
    policy, now, busy = scene
    days = horizon(policy, now, count + 3)
    slots, no_room = place(days, busy, policy, now, count)

    assert len(slots) <= count
    assert len({local_day(s.start, policy.tz) for s in slots}) == len(slots)  # one per day
    if len(slots) < count:
        assert len(slots) + len(no_room) == len(days)  # every day was tried
    for index, slot in enumerate(slots):
        day = local_day(slot.start, policy.tz)
        assert day in days and day.weekday() in policy.days
        assert slot.end - slot.start == policy.length  # real elapsed time, DST or not
        assert _fits(slot.start, policy, day, [*busy, *slots[:index]], now)
        assert slot.start.astimezone(policy.tz).minute % 15 == 0
        for other in slots[index + 1 :]:
            assert not overlaps(slot, other)
        # the slot is the valid start closest to the preferred time
        target = wall(day, policy.prefer, policy.tz)
        valid = [
            c
            for c in _candidates(day, policy)
            if _fits(c, policy, day, [*busy, *slots[:index]], now)
        ]
        assert min(abs(c - target) for c in valid) == abs(slot.start - target)
    for day in no_room:
        earlier = [s for s in slots if local_day(s.start, policy.tz) < day]
        assert not any(
            _fits(c, policy, day, [*busy, *earlier], now) for c in _candidates(day, policy)
        )


@settings(max_examples=200, deadline=None)
@given(policies(small_hours=True), st.sampled_from(TRANSITIONS))
def test_blocks_on_clock_change_days(policy: SlotPolicy, day: date) -> None:
    """On the transition day itself, with working hours across the change."""
    now = wall(day, time(0), policy.tz) - timedelta(hours=1)
    slots, no_room = place([day], [], policy, now, 1)
    window = working_window(day, policy)
    if window.end - window.start >= policy.length:
        (slot,) = slots
        assert slot.end - slot.start == policy.length
        assert window.start <= slot.start and slot.end <= window.end
    else:  # the clock change made the working day shorter than a block
        assert slots == [] and no_room == [day]


@settings(max_examples=150, deadline=None)
@given(scenes(), st.integers(1, 5), st.integers(0, 4))
def test_reconciling_twice_changes_nothing(
    scene: tuple[SlotPolicy, datetime, list[Interval]], count: int, extra: int
) -> None:
    slots_policy, now, busy = scene
    policy = BlockPolicy(slots_policy, count, count + extra, "NURTURE", "rep@seller.com")
    work = [WorkItem(f"Account {n}", "due") for n in range(6)]
    live: dict[str, NurtureBlock] = {}
    records: dict[str, BlockRecord] = {}
    first = plan_blocks(policy, Scene(now, busy, live, records), work)
    for action in first.actions:
        live[action.block.id] = action.block
    records.update(first.records)

    blocks = sorted(live.values(), key=lambda b: b.start)
    assert len(blocks) + first.shortfall == min(count, len(first.window))
    for index, block in enumerate(blocks):
        assert block.end - block.start == slots_policy.length
        assert not any(overlaps(Interval(block.start, block.end), b) for b in busy)
        assert all(b.start >= block.end for b in blocks[index + 1 :])
    second = plan_blocks(policy, Scene(now, busy, live, records), work)
    assert second.actions == () and second.records == first.records


def _ny() -> ZoneInfo:
    return ZoneInfo("America/New_York")


def test_a_two_hour_block_on_spring_forward_lasts_two_real_hours() -> None:
    tz = _ny()
    policy = SlotPolicy(
        tz, frozenset(range(7)), time(0), time(6), timedelta(hours=2), prefer=time(1)
    )
    day = date(2026, 3, 8)
    slot = best_slot(day, [], policy, datetime(2026, 3, 7, tzinfo=UTC))
    assert slot is not None
    assert slot.start.astimezone(tz).time() == time(1) and slot.end.astimezone(tz).time() == time(4)
    assert slot.end - slot.start == timedelta(hours=2)


def test_a_two_hour_block_on_fall_back_lasts_two_real_hours() -> None:
    tz = _ny()
    policy = SlotPolicy(
        tz, frozenset(range(7)), time(0), time(6), timedelta(hours=2), prefer=time(0, 30)
    )
    slot = best_slot(date(2026, 11, 1), [], policy, datetime(2026, 10, 31, tzinfo=UTC))
    assert slot is not None
    assert slot.start.astimezone(tz).time() == time(0, 30)
    assert slot.end.astimezone(tz).time() == time(1, 30) and slot.end.astimezone(tz).fold == 1
    assert slot.end - slot.start == timedelta(hours=2)


def test_lord_howe_half_hour_shift() -> None:
    tz = ZoneInfo("Australia/Lord_Howe")
    policy = SlotPolicy(
        tz, frozenset(range(7)), time(0), time(6), timedelta(hours=2), prefer=time(1)
    )
    slot = best_slot(date(2026, 10, 4), [], policy, datetime(2026, 10, 1, tzinfo=UTC))
    assert slot is not None
    assert slot.start.astimezone(tz).time() == time(1) and slot.end.astimezone(tz).time() == time(
        3, 30
    )
    assert slot.end - slot.start == timedelta(hours=2)


def test_a_working_day_shortened_by_the_clock_change_can_be_too_short() -> None:
    # 01:00–04:00 on spring-forward day is two real hours: a 2.5 h block cannot fit.
    policy = SlotPolicy(_ny(), frozenset(range(7)), time(1), time(4), timedelta(hours=2.5))
    assert best_slot(date(2026, 3, 8), [], policy, datetime(2026, 3, 1, tzinfo=UTC)) is None
    assert best_slot(date(2026, 3, 9), [], policy, datetime(2026, 3, 1, tzinfo=UTC)) is not None


def test_today_is_in_the_horizon_only_while_a_block_still_fits() -> None:
    tz = _ny()
    policy = SlotPolicy(tz, frozenset(range(5)), time(9), time(17), timedelta(hours=2))
    monday = date(2026, 11, 23)
    assert horizon(policy, datetime.combine(monday, time(14, 50), tz), 2) == [
        monday,
        date(2026, 11, 24),
    ]
    assert horizon(policy, datetime.combine(monday, time(15, 1), tz), 2) == [
        date(2026, 11, 24),
        date(2026, 11, 25),
    ]
