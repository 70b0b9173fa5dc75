"""Account roll-ups: last touch, coverage, cadence. Pure: (config, touches, now) → data."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agent.config.schema import Account, Config
from agent.model import Stage, Tier, Touch

TIER_ORDER = {Tier.DREAM: 0, Tier.TARGET: 1, Tier.OTHER: 2}
# Cold and lost dream clients are the ones reps neglect, so they come first.
STAGE_ORDER = {Stage.COLD: 0, Stage.LOST: 1, Stage.STALLED: 2, Stage.HOT: 3, Stage.WON: 4}


@dataclass(frozen=True)
class StageChange:
    stage: Stage
    since: date


@dataclass(frozen=True)
class AccountStatus:
    name: str
    tier: Tier
    stage: Stage
    stage_since: date | None
    last_touch: Touch | None
    days_since_touch: int | None
    touches: int  # distinct messages and meetings, all time
    contacts_touched: int  # distinct people, all time
    recent_touches: int  # within config.coverage_days
    recent_people: int  # coverage: distinct people within config.coverage_days
    coverage_target: int
    cadence_days: int
    due: bool
    days_overdue: int  # 0 when not due; cadence days for an account never touched

    @property
    def coverage_gap(self) -> int:
        return max(0, self.coverage_target - self.recent_people)


def account_status(
    config: Config,
    account: Account,
    touches: Sequence[Touch],
    now: datetime,
    stage: StageChange | None = None,
    *,
    ordered: bool = False,
) -> AccountStatus:
    """Roll up one account's touches (already filtered to that account). ``ordered``: they
    are sorted by time and none is after ``now``, as account states hold them."""
    today = now.astimezone(config.tz).date()
    window_start = now - timedelta(days=config.coverage_days)
    if ordered:
        past = touches
        # The first of the newest (max's choice among touches at the same time).
        last = touches[bisect_left(touches, touches[-1].at, key=_at)] if touches else None
        recent = touches[bisect_left(touches, window_start, key=_at) :]
    else:
        past = [t for t in touches if t.at <= now]
        last = max(past, key=_at, default=None)
        recent = [t for t in past if t.at >= window_start]
    current_stage = stage.stage if stage else account.stage
    cadence = config.cadence.days(account.tier, current_stage)
    days_since = (today - last.at.astimezone(config.tz).date()).days if last else None
    overdue = cadence if days_since is None else max(0, days_since - cadence)
    return AccountStatus(
        name=account.name,
        tier=account.tier,
        stage=current_stage,
        stage_since=stage.since if stage else account.stage_since,
        last_touch=last,
        days_since_touch=days_since,
        touches=len({t.source for t in past}),
        contacts_touched=len({t.contact for t in past}),
        recent_touches=len({t.source for t in recent}),
        recent_people=len({t.contact for t in recent}),
        coverage_target=config.coverage_target,
        cadence_days=cadence,
        due=days_since is None or days_since >= cadence,
        days_overdue=overdue,
    )


def _at(touch: Touch) -> datetime:
    return touch.at


def board(
    config: Config,
    touches: Sequence[Touch],
    now: datetime,
    stages: Mapping[str, StageChange] | None = None,
) -> list[AccountStatus]:
    """Every account, the ones that need attention first."""
    by_account: dict[str, list[Touch]] = {a.name: [] for a in config.accounts}
    for touch in touches:
        by_account.setdefault(touch.account, []).append(touch)
    stages = stages or {}
    rows = [
        account_status(config, a, by_account[a.name], now, stages.get(a.name))
        for a in config.accounts
    ]
    return in_attention_order(rows)


def in_attention_order(rows: Iterable[AccountStatus]) -> list[AccountStatus]:
    """The board's order: due first, then tier, stage, the most overdue, the name."""
    return sorted(rows, key=_attention_order)


def _attention_order(row: AccountStatus) -> tuple[int, int, int, int, str]:
    never = row.days_since_touch is None
    return (
        0 if row.due else 1,
        TIER_ORDER[row.tier],
        STAGE_ORDER[row.stage],
        -(row.days_overdue + (10_000 if never else 0)),
        row.name.lower(),
    )
