"""Read models: the small answers commands keep of a plan and of the book. Pure.

A full ``Plan`` carries every ``AccountState``; the cycle only needs its actions and the
worklist as nurture blocks show it (``PlanBrief``), and the sync summary only three counts
(``BookNumbers``). Both are plain frozen values, so the store can keep them between
commands (``agent.app.derived``) without knowing what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.model import Action, ActionKind

if TYPE_CHECKING:  # a brief read from the store needs neither the roll-ups nor the planner
    from agent.core.accounts.state import AccountState
    from agent.core.forecast import ColdForecast
    from agent.core.planner import Plan

PEOPLE_PER_ACCOUNT = 3


@dataclass(frozen=True)
class DueAccount:
    """One account of the worklist as nurture blocks show it."""

    account: str
    reason: str
    due_people: tuple[str, ...]  # "Name (role) <email>" of its due, listed people


@dataclass(frozen=True)
class PlanBrief:
    """What the cycle needs of a plan: its actions and its worklist, in order."""

    actions: tuple[Action, ...]
    worklist: tuple[DueAccount, ...]
    soon: tuple[ColdForecast, ...] = ()  # dream clients going cold in the next 14 days
    never_touched: tuple[str, ...] = ()  # accounts never touched, in config order

    def of_kind(self, kind: ActionKind) -> list[Action]:
        return [a for a in self.actions if a.kind is kind]


@dataclass(frozen=True)
class BookNumbers:
    """The sync summary's counts."""

    touches: int
    accounts_touched: int
    cold_accounts: int


def brief_of(plan: Plan) -> PlanBrief:
    worklist = tuple(_due(state) for state in plan.worklist)
    return PlanBrief(plan.actions, worklist, plan.soon, plan.never_touched)


def _due(state: AccountState) -> DueAccount:
    people = tuple(person(c.label, c.email) for c in state.contacts if c.due and c.known)
    return DueAccount(state.name, reason(state), people)


def person(name: str, email: str) -> str:
    return f"{name} <{email}>" if name and email else (name or email)


def reason(state: AccountState) -> str:
    status = state.status
    if status.days_since_touch is None:
        why = "never touched"
    else:
        why = f"{status.days_since_touch} days since the last touch"
    why += f" ({status.cadence_days}-day rhythm, {status.tier.value}, {status.stage.value})"
    if status.coverage_gap:
        why += f"; {status.recent_people} of {status.coverage_target} people reached"
    return why
