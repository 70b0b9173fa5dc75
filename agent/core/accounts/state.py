"""Everything the engine knows about one account at ``now``: the board's roll-up plus its
people, patterns and suggested stage changes. Pure: (config, touches, signals, stages, now).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from agent.config.never import is_never
from agent.config.schema import Account, Config
from agent.core.accounts.clocks import Clocks, clocks
from agent.core.accounts.contacts import (
    PERIODS,
    ContactStatus,
    Day,
    contact_statuses,
    count_since,
)
from agent.core.accounts.patterns import Pattern, account_patterns
from agent.core.accounts.stages import Suggestion, suggestions
from agent.core.accounts.status import AccountStatus, StageChange, account_status
from agent.core.committee import SIGHTINGS, Member, committee
from agent.core.giveask import GiveAsk, give_ask
from agent.model import Signal, Touch


@dataclass(frozen=True)
class AccountState:
    account: Account
    status: AccountStatus
    contacts: tuple[ContactStatus, ...]
    touches: tuple[Touch, ...]  # this account's, oldest first
    patterns: tuple[Pattern, ...]
    suggestions: tuple[Suggestion, ...]
    days_in_stage: int | None
    touches_by_period: tuple[tuple[int, int], ...]  # (days, distinct touches)
    roles_missing: tuple[str, ...]  # listed roles with nobody reached in the window
    committee: tuple[Member, ...] = ()  # copied or invited by contacts, never written to
    give_ask: GiveAsk = field(default_factory=GiveAsk)  # the rep's outbound mail as gives and asks
    clocks: Clocks = field(default_factory=Clocks)  # yours, their reply, the last meeting

    @property
    def name(self) -> str:
        return self.account.name

    def contact(self, email: str) -> ContactStatus | None:
        return next((c for c in self.contacts if c.email == email), None)


def account_states(
    config: Config,
    touches: Sequence[Touch],
    signals: Sequence[Signal],
    now: datetime,
    stages: Mapping[str, StageChange] | None = None,
    *,
    plays: Mapping[str, str] | None = None,
    ordered: bool = False,
) -> list[AccountState]:
    """One state per configured account, in config order. ``plays``: Message-ID → play of
    each draft nurture wrote (``History.plays_by_message``). ``ordered``: ``touches`` are
    sorted by (at, source, contact) already, as a ``Detection``'s are."""
    by_account: dict[str, list[Touch]] = {a.name: [] for a in config.accounts}
    in_order = touches if ordered else sorted(touches, key=lambda t: (t.at, t.source, t.contact))
    for touch in in_order:
        if touch.account in by_account and touch.at <= now:
            by_account[touch.account].append(touch)
    away: dict[str, list[Signal]] = {a.name: [] for a in config.accounts}
    for signal in signals:
        away.setdefault(signal.account, []).append(signal)
    stages = stages or {}
    day = Day(config, now)
    return [
        account_state(
            config,
            a,
            by_account[a.name],
            away[a.name],
            now,
            stage=stages.get(a.name),
            ordered=True,
            plays=plays,
            day=day,
        )
        for a in config.accounts
    ]


def account_state(
    config: Config,
    account: Account,
    touches: Sequence[Touch],
    signals: Sequence[Signal],
    now: datetime,
    *,
    stage: StageChange | None = None,
    ordered: bool = False,
    plays: Mapping[str, str] | None = None,
    day: Day | None = None,
) -> AccountState:
    """``ordered``: ``touches`` are sorted by (at, source, contact), none after ``now``.
    ``day``: what follows from ``now`` alone, when the caller has it (``Day``)."""
    day = day or Day(config, now)
    today = day.today
    status = account_status(config, account, touches, now, stage, ordered=ordered)
    # The committee's sightings are many and say nothing about a person's own status.
    own = [s for s in signals if s.kind not in SIGHTINGS]
    contacts = contact_statuses(
        config,
        account,
        touches,
        own,
        now,
        cadence_days=status.cadence_days,
        ordered=ordered,
        day=day,
    )
    return AccountState(
        account=account,
        status=status,
        contacts=contacts,
        touches=tuple(touches),
        patterns=account_patterns(
            config, status, touches, today, {c.email: c.name for c in contacts}, ordered=ordered
        ),
        suggestions=suggestions(config, status, touches, today),
        days_in_stage=_days_in_stage(status, today),
        touches_by_period=_by_period(touches, now, ordered=ordered),
        roles_missing=tuple(
            c.role for c in contacts if c.known and c.role and not c.recent_touches
        ),
        committee=committee(
            signals,
            contacts,
            touches,
            now,
            listed={c.email for c in account.contacts},
            never=lambda email: is_never(email, config.never_contact),
        ),
        give_ask=give_ask(_in_order(touches, now, ordered), now, config.coverage_days, plays),
        clocks=clocks(t for t in touches if t.at <= now),
    )


def _in_order(touches: Sequence[Touch], now: datetime, ordered: bool) -> Sequence[Touch]:
    if ordered:
        return touches
    return sorted((t for t in touches if t.at <= now), key=lambda t: (t.at, t.source, t.contact))


def _by_period(
    touches: Sequence[Touch], now: datetime, *, ordered: bool
) -> tuple[tuple[int, int], ...]:
    """Distinct sources per period; on time-ordered touches one pass back from the newest."""
    if not ordered:
        return tuple((days, count_since(touches, now, days)) for days in PERIODS)
    seen: set[str] = set()
    counts, index = [], len(touches)
    for days in sorted(PERIODS):
        start = now - timedelta(days=days)
        while index and touches[index - 1].at >= start:
            index -= 1
            seen.add(touches[index].source)
        counts.append((days, len(seen)))
    order = dict(counts)
    return tuple((days, order[days]) for days in PERIODS)


def _days_in_stage(status: AccountStatus, today: date) -> int | None:
    return (today - status.stage_since).days if status.stage_since else None
