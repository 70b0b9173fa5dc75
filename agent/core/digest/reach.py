"""The digest's two sections on whom to reach and how: the buying committee the rep has
not written to yet (``agent.core.committee``) and the accounts whose last three touches
were asks (``agent.core.giveask``). Pure, from the engine's account states."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent.core.accounts.state import AccountState
from agent.core.accounts.status import TIER_ORDER
from agent.model import Tier

PER_ACCOUNT = 2  # committee members shown per account: the most central


@dataclass(frozen=True)
class CommitteeRow:
    account: str
    tier: Tier
    name: str
    email: str
    bridge: str  # who brought them in
    thread: str  # the latest subject or meeting title shared with that bridge
    sightings: int


@dataclass(frozen=True)
class AskingRow:
    account: str
    tier: Tier
    ratio: str  # gives:asks of the rep's mail there
    detail: str


def committee(states: Sequence[AccountState]) -> tuple[CommitteeRow, ...]:
    """Dream clients first; each account's most central members, best first."""
    rows = [
        CommitteeRow(s.name, s.status.tier, m.name, m.email, m.bridge_name, m.thread, m.sightings)
        for s in sorted(states, key=lambda s: TIER_ORDER[s.status.tier])
        for m in s.committee[:PER_ACCOUNT]
    ]
    return tuple(rows)


def asking(states: Sequence[AccountState]) -> tuple[AskingRow, ...]:
    """Accounts whose last three touches were asks, dream clients first."""
    return tuple(
        AskingRow(s.name, s.status.tier, s.give_ask.ratio, s.give_ask.note())
        for s in sorted(states, key=lambda s: TIER_ORDER[s.status.tier])
        if s.give_ask.asks_in_a_row
    )
