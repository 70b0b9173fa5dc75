"""The worklist nurture blocks carry: the engine's due accounts, their people, their drafts.

The ranking is the planner's (``pipeline.next_plan``: dream clients first, coldest and most
overdue first). People are those the plan drafts for, else the account's due contacts;
drafts are the waiting ones recorded in the store's ``drafts`` table (issue 5), linked so
the rep opens them in one click.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from agent.app.pipeline import next_plan
from agent.config.schema import Config
from agent.core.blocks.notes import WorkItem
from agent.core.briefs import PEOPLE_PER_ACCOUNT, DueAccount, person
from agent.core.history import CLOSED
from agent.model import Action, ActionKind
from agent.model.tables import DRAFTS, DraftRecord
from agent.store.db import Store

GMAIL_DRAFT_LINK = "https://mail.google.com/mail/u/0/#drafts?compose={id}"


def worklist(config: Config, store: Store, now: datetime) -> list[WorkItem]:
    # The cycle's own plan (the daily volume lowered when drafts expire): its drafts are
    # the ones the blocks list, and it is made once for both steps.
    plan = next_plan(config, store, now)
    drafts = open_drafts(store.view(DRAFTS).values(), config.provider)
    planned = [a for a in plan.actions if a.kind is ActionKind.DRAFT]
    return [
        WorkItem(
            account=due.account,
            reason=due.reason,
            people=people(due, planned),
            drafts=tuple(drafts.get(due.account, ())),
        )
        for due in plan.worklist
    ]


def people(due: DueAccount, planned: Sequence[Action]) -> tuple[str, ...]:
    """Those the plan drafts for at this account, else its due people; three at most."""
    chosen = [person(a.contact_name, a.contact or "") for a in planned if a.account == due.account]
    shown: list[str] = []
    for text in chosen or due.due_people:
        if text and text not in shown:
            shown.append(text)
    return tuple(shown[:PEOPLE_PER_ACCOUNT])


def open_drafts(records: Iterable[DraftRecord], provider: str) -> dict[str, list[str]]:
    """Account name → "subject: link" for every draft still waiting for the rep."""
    found: dict[str, list[str]] = {}
    for doc in records:
        status = str(doc.get("status") or "").lower()
        link = draft_link(doc, provider)
        if status in CLOSED or not link or not doc.get("account"):
            continue
        subject = str(doc.get("subject") or "draft")
        found.setdefault(str(doc["account"]), []).append(f"{subject}: {link}")
    return found


def draft_link(doc: DraftRecord, provider: str) -> str:
    """Where the rep opens the draft: its recorded link, else one made from its id."""
    if doc.get("link"):
        return str(doc["link"])
    provider_id = str(doc.get("provider_id") or "")
    if not provider_id:
        return ""
    # Gmail opens a draft from its message id; the local provider's id is the .eml path.
    return GMAIL_DRAFT_LINK.format(id=provider_id) if provider == "google" else provider_id
