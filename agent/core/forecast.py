"""When each account goes cold, and which nurture block is the last one before it. Pure.

An account is due (cold, on the board) from the day its days since the last touch reach
its cadence: ``last touch (local date) + cadence``. That is the date forecast here, on
the same clock the engine uses, so it holds as long as nothing new happens: a touch
before then moves it, a stage change (a new cadence) moves it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from agent.core.accounts.status import AccountStatus
from agent.model import Tier

HORIZON_DAYS = 14  # how far ahead the digest and the blocks look


@dataclass(frozen=True)
class ColdForecast:
    account: str
    tier: Tier
    cold_on: date  # the first day the engine calls it due
    last_touch: date  # the day of the touch the cadence counts from
    cadence_days: int


def cold_on(status: AccountStatus, tz: ZoneInfo) -> date | None:
    """The day ``status``'s account crosses its cadence; None when never touched."""
    if status.last_touch is None:
        return None
    return status.last_touch.at.astimezone(tz).date() + timedelta(days=status.cadence_days)


def forecast(
    statuses: Iterable[AccountStatus],
    today: date,
    tz: ZoneInfo,
    *,
    days: int = HORIZON_DAYS,
    tiers: frozenset[Tier] = frozenset({Tier.DREAM}),
) -> tuple[ColdForecast, ...]:
    """Accounts of ``tiers`` not due today that go cold within ``days``: soonest first."""
    rows = []
    for status in statuses:
        when = cold_on(status, tz)
        if status.tier not in tiers or status.due or when is None or status.last_touch is None:
            continue
        if when <= today + timedelta(days=days):
            touched = status.last_touch.at.astimezone(tz).date()
            rows.append(ColdForecast(status.name, status.tier, when, touched, status.cadence_days))
    return tuple(sorted(rows, key=lambda r: (r.cold_on, r.account.lower())))


def last_chances(
    forecasts: Sequence[ColdForecast], block_days: Iterable[date]
) -> dict[date, tuple[ColdForecast, ...]]:
    """Block day → the accounts for which it is the last block before they go cold.

    An account going cold before every block has none (it needs a touch today)."""
    days = sorted(set(block_days))
    found: dict[date, list[ColdForecast]] = {}
    for item in forecasts:
        before = [d for d in days if d < item.cold_on]
        if before:
            found.setdefault(before[-1], []).append(item)
    return {day: tuple(items) for day, items in found.items()}


def covering_block(item: ColdForecast, block_days: Iterable[date]) -> date | None:
    before = [d for d in block_days if d < item.cold_on]
    return max(before, default=None)


def names(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def skipping(day: date, items: Sequence[ColdForecast]) -> str:
    """The sentence a block carries: what skipping it costs."""
    if not items:
        return ""
    latest = max(i.cold_on for i in items)
    who = names([i.account for i in items])
    return f"Skipping {day:%A}'s block leaves {who} cold by {latest:%d %b}."


def by_account(forecasts: Iterable[ColdForecast]) -> Mapping[str, ColdForecast]:
    return {f.account: f for f in forecasts}
