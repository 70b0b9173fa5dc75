"""Per-person status: last touch, replies the rep owes, out-of-office holds.

Pure: (config, account, its touches and signals, now) → data. A person is anyone listed in
the config for the account or seen in its touches.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

from agent.config.schema import Account, Config
from agent.core.names import best_name, name_from_local_part
from agent.model import OUT_OF_OFFICE, Channel, Direction, Signal, Touch

PERIODS = (7, 30, 90, 365)  # days: touches per period, for the board and the digest


class ContactStatus(NamedTuple):
    """One person's status. A named tuple, not a frozen dataclass: a large book makes
    20,000 of them per command, and a frozen dataclass's ``__init__`` (a ``__setattr__``
    per field) costs eight times a tuple's."""

    account: str
    email: str
    name: str  # what to call them in a sentence: their name, else their address
    role: str
    known: bool  # listed in the config (or the CRM export)
    last_touch: Touch | None
    days_since_touch: int | None
    touches: int  # distinct messages and meetings, all time
    recent_touches: int  # within config.coverage_days
    touches_by_period: tuple[tuple[int, int], ...]  # (days, touches) for PERIODS
    reply_owed: Touch | None  # their message that is waiting for the rep's answer
    held_until: date | None  # away: the first day they may hear from us again
    due: bool  # not touched within the account's cadence
    has_name: bool = True  # False: no name is known, ``name`` is the address

    @property
    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


def contact_statuses(
    config: Config,
    account: Account,
    touches: Sequence[Touch],
    signals: Sequence[Signal],
    now: datetime,
    *,
    cadence_days: int,
    day: Day | None = None,
) -> tuple[ContactStatus, ...]:
    """Listed people first, in config order, then the others, most recently touched first.
    ``touches``: the account's, oldest first and none after ``now``, as account states
    hold them."""
    by_person: dict[str, list[Touch]] = {c.email: [] for c in account.contacts}
    for touch in touches:
        by_person.setdefault(touch.contact, []).append(touch)
    listed = {c.email: c for c in account.contacts}
    away: dict[str, list[Signal]] = {}
    for signal in signals:
        away.setdefault(signal.contact, []).append(signal)
    # The same for every person: worked out once (``day``: once for every account).
    day = day or Day(config, now)
    rows = []
    for email, mine in by_person.items():
        contact = listed.get(email)
        name = best_name(
            email, contact.name if contact else "", (t.name for t in reversed(mine) if t.name)
        )
        rows.append(
            _status(
                config,
                day,
                cadence_days,
                account=account.name,
                email=email,
                name=name,
                role=contact.role if contact else "",
                touches=mine,
                signals=away.get(email, []),
                known=contact is not None,
            )
        )
    unlisted = sorted((r for r in rows if not r.known), key=_recent_first)
    return (*(r for r in rows if r.known), *unlisted)


class Day:
    """``now`` and what follows from it alone: the rep's zone, today, the period starts."""

    def __init__(self, config: Config, now: datetime) -> None:
        self.now = now
        self.tz = config.tz
        self.today = now.astimezone(self.tz).date()
        self.starts = {
            days: now - timedelta(days=days) for days in (*PERIODS, config.coverage_days)
        }


def _recent_first(row: ContactStatus) -> tuple[float, str]:
    return (-(row.last_touch.at.timestamp() if row.last_touch else 0.0), row.email)


def _status(
    config: Config,
    day: Day,
    cadence_days: int,
    *,
    account: str,
    email: str,
    name: str,
    role: str,
    touches: list[Touch],
    signals: list[Signal],
    known: bool,
) -> ContactStatus:
    now = day.now
    last = touches[-1] if touches else None
    days = (day.today - last.at.astimezone(day.tz).date()).days if last else None
    distinct = len({t.source for t in touches})
    counts = _counts(touches, now, distinct == len(touches), day.starts)
    return ContactStatus(
        account=account,
        email=email,
        name=name or email,
        has_name=bool(name),
        role=role,
        known=known,
        last_touch=last,
        days_since_touch=days,
        touches=distinct,
        recent_touches=counts[config.coverage_days],
        touches_by_period=tuple([(p, counts[p]) for p in PERIODS]),
        reply_owed=reply_owed(touches, now, config.holds.reply_window_days),
        held_until=held_until(config, touches, signals, now) if signals else None,
        due=days is None or days >= cadence_days,
    )


def _counts(
    touches: list[Touch], now: datetime, distinct: bool, starts: dict[int, datetime]
) -> dict[int, int]:
    """``count_since`` for one person's touches (sorted by time) and each of ``starts``
    (``now`` - days, by days): when no source repeats, a binary search per period."""
    if not touches:
        return dict.fromkeys(starts, 0)
    if not distinct:
        return {days: count_since(touches, now, days) for days in starts}
    times = [t.at for t in touches]
    return {days: len(times) - bisect_left(times, start) for days, start in starts.items()}


def count_since(touches: Sequence[Touch], now: datetime, days: int) -> int:
    start = now - timedelta(days=days)
    return len({t.source for t in touches if t.at >= start})


def reply_owed(touches: Sequence[Touch], now: datetime, window_days: int) -> Touch | None:
    """Their newest email, if it is inbound, recent, and nothing from us followed it
    (``touches``: one person's, in time order).

    A meeting after it counts as an answer: the conversation happened. An old unanswered
    message is history, not a debt; the cadence takes over from there.
    """
    newest, after = None, []
    for touch in reversed(touches):
        if touch.channel is Channel.EMAIL:
            newest = touch
            break
        after.append(touch)  # in time order, all that follows the newest email is meetings
    if newest is None or newest.direction is not Direction.INBOUND:
        return None
    if newest.at < now - timedelta(days=window_days):
        return None
    return None if any(t.at > newest.at for t in after) else newest


def held_until(
    config: Config, touches: Sequence[Touch], signals: Sequence[Signal], now: datetime
) -> date | None:
    """The first day after an out-of-office ends: the return date plus one business day."""
    today = now.astimezone(config.tz).date()
    away = [s for s in signals if s.kind == OUT_OF_OFFICE and s.at <= now]
    if not away:
        return None
    latest = max(away, key=lambda s: s.at)
    if any(t.direction is Direction.INBOUND and t.at > latest.at for t in touches):
        return None  # they wrote to us since: they are back
    back = latest.until or (
        latest.at.astimezone(config.tz).date() + timedelta(days=config.holds.out_of_office_days)
    )
    first_day = next_business_day(back, config.working_hours.weekday_numbers())
    return first_day if first_day > today else None


def next_business_day(day: date, workdays: frozenset[int]) -> date:
    following = day + timedelta(days=1)
    for _ in range(7):
        if not workdays or following.weekday() in workdays:
            return following
        following += timedelta(days=1)
    return following


def name_from_email(email: str) -> str:
    """'omar.haddad@x.org' → 'Omar Haddad'; the address itself unless it clearly says a name."""
    return name_from_local_part(email) or email
