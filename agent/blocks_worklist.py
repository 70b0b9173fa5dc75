"""The worklist nurture blocks carry: the engine's due accounts, their people, their drafts.

The ranking is the planner's (``cycle.current_plan``: dream clients first, coldest and most
overdue first). People are those the plan drafts for, else the account's due contacts;
drafts are the waiting ones recorded in the store's ``drafts`` table (issue 5), linked so
the rep opens them in one click.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from agent import cycle
from agent.config import Config
from agent.engine.accounts import AccountState
from agent.engine.blocknotes import WorkItem
from agent.engine.history import CLOSED
from agent.model import Action, ActionKind
from agent.store import Store

PEOPLE_PER_ACCOUNT = 3
GMAIL_DRAFT_LINK = "https://mail.google.com/mail/u/0/#drafts?compose={id}"


def worklist(config: Config, store: Store, now: datetime) -> list[WorkItem]:
    plan = cycle.current_plan(config, store, now)
    drafts = open_drafts(store.items("drafts").values(), config.provider)
    planned = [a for a in plan.actions if a.kind is ActionKind.DRAFT]
    return [
        WorkItem(
            account=state.name,
            reason=reason(state),
            people=people(state, planned),
            drafts=tuple(drafts.get(state.name, ())),
        )
        for state in plan.worklist
    ]


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


def people(state: AccountState, planned: Sequence[Action]) -> tuple[str, ...]:
    chosen = [(a.contact_name, a.contact or "") for a in planned if a.account == state.name]
    if not chosen:
        chosen = [(c.label, c.email) for c in state.contacts if c.due and c.known]
    shown: list[str] = []
    for name, email in chosen:
        text = f"{name} <{email}>" if name and email else (name or email)
        if text and text not in shown:
            shown.append(text)
    return tuple(shown[:PEOPLE_PER_ACCOUNT])


def open_drafts(records: Iterable[Mapping[str, Any]], provider: str) -> dict[str, list[str]]:
    """Account name → "subject: link" for every draft still waiting for the rep."""
    found: dict[str, list[str]] = {}
    for doc in records:
        status = str(doc.get("status") or "").lower()
        link = _link(doc, provider)
        if status in CLOSED or not link or not doc.get("account"):
            continue
        subject = str(doc.get("subject") or "draft")
        found.setdefault(str(doc["account"]), []).append(f"{subject}: {link}")
    return found


def _link(doc: Mapping[str, Any], provider: str) -> str:
    if doc.get("link"):
        return str(doc["link"])
    provider_id = str(doc.get("provider_id") or "")
    if not provider_id:
        return ""
    # Gmail opens a draft from its message id; the local provider's id is the .eml path.
    return GMAIL_DRAFT_LINK.format(id=provider_id) if provider == "google" else provider_id
