"""The weekly digest as data: what moved, what is going cold, what to do next. Pure.

``build_digest(config, snapshot, now)`` turns touches and what the store remembers (drafts,
nurture blocks, stages), handed in as plain values, into one frozen :class:`Digest`. Weeks
are ISO weeks (Monday to Sunday) in the rep's time zone; "this week" runs from Monday
00:00 to ``now``. Rendering is ``agent.render.jinja``; sending is ``agent.app.digest``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from agent.config.schema import Config
from agent.core.accounts.state import account_states
from agent.core.accounts.status import AccountStatus, StageChange
from agent.core.blocks.reconcile import BlockRecord, BlockStatus
from agent.core.digest.rows import (
    ColdRow,
    CoverageRow,
    LostRow,
    NeverRow,
    PatternRow,
    ReplyRow,
    SignalRow,
    StalledRow,
    coverage,
    going_cold,
    lost,
    never_touched,
    patterns,
    replies,
    signals,
    stalled,
)
from agent.core.digest.work import (
    BlockHours,
    BlockRow,
    DigestDraft,
    DraftCounts,
    block_hours,
    draft_counts,
    next_blocks,
)
from agent.core.forecast import covering_block, forecast, last_chances, skipping
from agent.model import Action, Signal, Tier, Touch

# The sections every digest has, in the order the email shows them; templates mark each
# with data-section="<name>" (the browser test looks for every one).
SECTIONS = (
    "touches",
    "trend",
    "time",
    "drafts",
    "cold",
    "forecast",
    "never",
    "todo",
    "coverage",
    "signals",
    "lost",
    "replies",
    "stalled",
    "patterns",
    "blocks",
)


@dataclass(frozen=True)
class Snapshot:
    """What the digest reads, as plain values (``agent.app.digest`` fills it from the store)."""

    touches: tuple[Touch, ...]
    signals: tuple[Signal, ...] = ()
    stages: Mapping[str, StageChange] = field(default_factory=dict)
    drafts: tuple[DigestDraft, ...] = ()
    block_weeks: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    blocks: tuple[BlockRecord, ...] = ()
    no_play: tuple[Action, ...] = ()  # the plan's due accounts with no play, and why


@dataclass(frozen=True)
class SoonRow:
    """A dream client going cold within 14 days, and the last coming block before it."""

    account: str
    cold_on: date
    days_left: int
    block: date | None  # the last nurture block before it; None: none comes in time

    @property
    def sentence(self) -> str:
        when = f"goes cold on {self.cold_on:%a %d %b}"
        if self.block is None:
            return f"{when}; no nurture block comes before then: touch it yourself"
        return f"{when}; {self.block:%A}'s block ({self.block:%d %b}) is the last one before"


@dataclass(frozen=True)
class TodoRow:
    """A due account nurture could plan nothing for: why, and what the rep can add."""

    account: str
    tier: str
    reason: str
    fix: str


@dataclass(frozen=True)
class WeekCount:
    """One bar of the trend: distinct messages and meetings in one ISO week."""

    week: str  # "2026-W47"
    start: date  # its Monday
    dream: int
    other: int

    @property
    def total(self) -> int:
        return self.dream + self.other


@dataclass(frozen=True)
class AccountWeek:
    """A dream client touched this week."""

    account: str
    touches: int
    people: int


@dataclass(frozen=True)
class Digest:
    week: str  # ISO week, e.g. "2026-W47": the digest's identity (sent once per week)
    start: date  # Monday
    end: date  # Sunday
    made_at: datetime  # in the rep's time zone
    timezone: str
    dream_this_week: int
    dream_last_week: int
    other_this_week: int
    other_last_week: int
    trend: tuple[WeekCount, ...]  # oldest first; the last one is this week
    moved: tuple[AccountWeek, ...]
    going_cold: tuple[ColdRow, ...]
    never_touched: tuple[NeverRow, ...]
    todo: tuple[TodoRow, ...]
    coverage: tuple[CoverageRow, ...]
    blocks_this_week: BlockHours
    blocks_last_week: BlockHours
    drafts: DraftCounts
    stalled: tuple[StalledRow, ...]
    lost: tuple[LostRow, ...]
    signals: tuple[SignalRow, ...]
    patterns: tuple[PatternRow, ...]
    next_blocks: tuple[BlockRow, ...]
    replies: tuple[ReplyRow, ...]
    rows: int  # the longest a list is shown; the rest is counted ("and 3 more")
    cold_soon: tuple[SoonRow, ...] = ()  # dream clients going cold in the next 14 days
    skipping: tuple[str, ...] = ()  # "Skipping Thursday's block leaves A and B cold by 12 Dec."
    sections: tuple[str, ...] = SECTIONS

    @property
    def dream_change(self) -> int:
        return self.dream_this_week - self.dream_last_week

    @property
    def trend_max(self) -> int:
        return max((w.total for w in self.trend), default=0)

    @property
    def dream_share(self) -> int:
        """Percent of this week's touches that were with dream clients."""
        total = self.dream_this_week + self.other_this_week
        return round(100 * self.dream_this_week / total) if total else 0

    @property
    def next_block_hours(self) -> float:
        return sum(b.hours for b in self.next_blocks)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(config: Config, now: datetime) -> tuple[str, date]:
    """The ISO week ``now`` falls in, in the rep's time zone, and its Monday."""
    today = now.astimezone(config.tz).date()
    monday = today - timedelta(days=today.weekday())
    return iso_week(monday), monday


def build_digest(config: Config, snapshot: Snapshot, now: datetime) -> Digest:
    week, monday = week_of(config, now)
    tz = config.tz
    states = account_states(config, snapshot.touches, snapshot.signals, now, snapshot.stages)
    past = [t for t in snapshot.touches if t.at <= now]
    trend = weekly_counts(config, past, monday, config.digest.trend_weeks)
    this_week, last_week = trend[-1], trend[-2] if len(trend) > 1 else WeekCount("", monday, 0, 0)
    week_start = datetime.combine(monday, time(0), tz)
    prev_week = iso_week(monday - timedelta(days=7))
    return Digest(
        week=week,
        start=monday,
        end=monday + timedelta(days=6),
        made_at=now.astimezone(tz),
        timezone=config.timezone,
        dream_this_week=this_week.dream,
        dream_last_week=last_week.dream,
        other_this_week=this_week.other,
        other_last_week=last_week.other,
        trend=trend,
        moved=moved(config, past, week_start),
        going_cold=going_cold(states),
        never_touched=never_touched(states),
        todo=todo(config, snapshot.no_play),
        coverage=coverage(states),
        blocks_this_week=block_hours(snapshot.block_weeks.get(week)),
        blocks_last_week=block_hours(snapshot.block_weeks.get(prev_week)),
        drafts=draft_counts(snapshot.drafts, week_start, now),
        stalled=stalled(states, snapshot.drafts),
        lost=lost(config, states, snapshot.drafts, now),
        signals=signals(states),
        patterns=patterns(states),
        next_blocks=next_blocks(snapshot.blocks, monday + timedelta(days=7), tz),
        replies=replies(states),
        rows=config.digest.rows,
        **_forecast(config, [s.status for s in states], snapshot.blocks, now),
    )


def _forecast(
    config: Config, statuses: Sequence[AccountStatus], blocks: Sequence[BlockRecord], now: datetime
) -> dict[str, Any]:
    """The cold forecast against the nurture blocks still to come (issue 19)."""
    today = now.astimezone(config.tz).date()
    soon = forecast(statuses, today, config.tz)
    days = sorted(
        {
            b.where.start.astimezone(config.tz).date()
            for b in blocks
            if b.status is not BlockStatus.DELETED and b.where.end > now
        }
    )
    rows = tuple(
        SoonRow(f.account, f.cold_on, (f.cold_on - today).days, covering_block(f, days))
        for f in soon
    )
    chances = last_chances(soon, days)
    return {
        "cold_soon": rows,
        "skipping": tuple(skipping(day, chances[day]) for day in sorted(chances)),
    }


def todo(config: Config, no_play: Sequence[Action]) -> tuple[TodoRow, ...]:
    tiers = {a.name: a.tier.value for a in config.accounts}
    return tuple(TodoRow(a.account, tiers.get(a.account, ""), a.reason, a.fix) for a in no_play)


def _dream(config: Config) -> frozenset[str]:
    return frozenset(a.name for a in config.accounts if a.tier is Tier.DREAM)


def weekly_counts(
    config: Config, touches: Iterable[Touch], monday: date, weeks: int
) -> tuple[WeekCount, ...]:
    """Distinct messages and meetings per ISO week, dream clients apart from the rest.

    A message to a dream client and another account counts once in each column.
    """
    dream = _dream(config)
    first = monday - timedelta(days=7 * (weeks - 1))
    sources: dict[tuple[date, bool], set[str]] = defaultdict(set)
    for touch in touches:
        day = touch.at.astimezone(config.tz).date()
        start = day - timedelta(days=day.weekday())
        if first <= start <= monday:
            sources[(start, touch.account in dream)].add(touch.source)
    return tuple(
        WeekCount(
            week=iso_week(start),
            start=start,
            dream=len(sources[(start, True)]),
            other=len(sources[(start, False)]),
        )
        for start in (first + timedelta(days=7 * i) for i in range(weeks))
    )


def moved(config: Config, touches: Sequence[Touch], since: datetime) -> tuple[AccountWeek, ...]:
    """Dream clients touched since Monday, the most touched first."""
    dream = _dream(config)
    sources: dict[str, set[str]] = defaultdict(set)
    people: dict[str, set[str]] = defaultdict(set)
    for touch in touches:
        if touch.account in dream and touch.at >= since:
            sources[touch.account].add(touch.source)
            people[touch.account].add(touch.contact)
    rows = [AccountWeek(name, len(sources[name]), len(people[name])) for name in sources]
    return tuple(sorted(rows, key=lambda r: (-r.touches, r.account.lower())))
