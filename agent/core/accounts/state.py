"""Everything the engine knows about one account at ``now``: the board's roll-up plus its
people, patterns and suggested stage changes. Pure: (config, touches, signals, stages, now).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from agent.config.never import is_never
from agent.config.schema import Account, Config
from agent.core.accounts.clocks import Clocks, clocks
from agent.core.accounts.contacts import PERIODS, ContactStatus, Day, contact_statuses
from agent.core.accounts.patterns import Pattern, account_patterns
from agent.core.accounts.stages import Suggestion, suggestions
from agent.core.accounts.status import AccountStatus, StageChange, account_status
from agent.core.committee import SIGHTINGS, Member, committee
from agent.core.giveask import GiveAsk, give_ask
from agent.model import Signal, Touch


@dataclass(frozen=True)
class AccountState:
    """An account's roll-up. Its patterns and touches per period are worked out when first
    read: the board, the account page and the digest show them, while the plan reads the
    patterns of stalled accounts alone (a large book has 2,000 accounts)."""

    account: Account
    status: AccountStatus
    contacts: tuple[ContactStatus, ...]
    touches: tuple[Touch, ...]  # this account's up to ``day.now``, oldest first
    days_in_stage: int | None
    roles_missing: tuple[str, ...]  # listed roles with nobody reached in the window
    suggestions: tuple[Suggestion, ...]
    config: Config = field(repr=False, compare=False)
    day: Day = field(repr=False, compare=False)  # ``now`` and what follows from it
    committee: tuple[Member, ...] = ()  # copied or invited by contacts, never written to
    give_ask: GiveAsk = field(default_factory=GiveAsk)  # the rep's outbound mail as gives and asks
    clocks: Clocks = field(default_factory=Clocks)  # yours, their reply, the last meeting

    @property
    def name(self) -> str:
        return self.account.name

    def contact(self, email: str) -> ContactStatus | None:
        return next((c for c in self.contacts if c.email == email), None)

    @cached_property
    def patterns(self) -> tuple[Pattern, ...]:
        names = {c.email: c.name for c in self.contacts}
        return account_patterns(self.config, self.status, self.touches, self.day.today, names)

    @cached_property
    def touches_by_period(self) -> tuple[tuple[int, int], ...]:
        """(days, distinct touches) for each of ``PERIODS``."""
        return _by_period(self.touches, self.day)


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
    touches = _in_order(touches, now, ordered)
    status = account_status(config, account, touches, now, stage, ordered=True)
    # The committee's sightings are many and say nothing about a person's own status.
    own = [s for s in signals if s.kind not in SIGHTINGS]
    contacts = contact_statuses(
        config,
        account,
        touches,
        own,
        now,
        cadence_days=status.cadence_days,
        day=day,
    )
    return AccountState(
        account=account,
        status=status,
        contacts=contacts,
        touches=tuple(touches),
        days_in_stage=_days_in_stage(status, day.today),
        roles_missing=tuple(
            c.role for c in contacts if c.known and c.role and not c.recent_touches
        ),
        suggestions=suggestions(config, status, touches, day.today),
        config=config,
        day=day,
        committee=committee(
            signals,
            contacts,
            touches,
            now,
            listed={c.email for c in account.contacts},
            never=lambda email: is_never(email, config.never_contact),
        ),
        give_ask=give_ask(touches, now, config.coverage_days, plays),
        clocks=clocks(touches),
    )


def _in_order(touches: Sequence[Touch], now: datetime, ordered: bool) -> Sequence[Touch]:
    if ordered:
        return touches
    return sorted((t for t in touches if t.at <= now), key=lambda t: (t.at, t.source, t.contact))


def _by_period(touches: Sequence[Touch], day: Day) -> tuple[tuple[int, int], ...]:
    """Distinct sources per period: one pass back from the newest of time-ordered touches."""
    seen: set[str] = set()
    counts, index = [], len(touches)
    for days in sorted(PERIODS):
        start = day.starts[days]
        while index and touches[index - 1].at >= start:
            index -= 1
            seen.add(touches[index].source)
        counts.append((days, len(seen)))
    order = dict(counts)
    return tuple((days, order[days]) for days in PERIODS)


def _days_in_stage(status: AccountStatus, today: date) -> int | None:
    return (today - status.stage_since).days if status.stage_since else None
