"""Drafts as data: a planned play → the mail the rep reviews, and the records kept of it.

Pure: no store, no provider, no clock. ``compose`` renders an action's template (through
``agent.render.jinja``) into an :class:`OutgoingMail` whose key is the action's key; the
store's ``drafts`` table keeps one record per key, whose fields the engine's history
(``agent.app.book.load_history``), the digest and the block notes read.

Every value from outside that reaches the template is made one harmless line first
(``agent.headersafe.header_text``: no line breaks, no encoded words), and only a plain
address is written to: a contact or title crafted to add a header or a recipient cannot.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.config.schema import Config
from agent.core import names
from agent.errors import UserError
from agent.model import Action, ActionKind, Address, Offer, OutgoingMail
from agent.model.tables import DraftRecord, DraftStatus
from agent.untrusted.headers import (
    NAME_CHARS,
    SUBJECT_CHARS,
    RefusedDraft,
    header_text,
    plain_address,
)

if TYPE_CHECKING:
    from agent.render.jinja import RenderedDraft

_BLANK_RUNS = re.compile(r"\n{3,}")


def one_line(value: str, limit: int = SUBJECT_CHARS) -> str:
    """No control characters, line breaks or encoded words, single spaces, capped."""
    return header_text(value, limit)


def first_name(name: str, email: str) -> str:
    """What follows "Hi": the first word of the name, else of a ``first.last@`` address,
    else "" (the templates then greet without a name; sales@, cfo@, jdoe@ say none)."""
    return names.first_name(one_line(name, NAME_CHARS) or names.name_from_local_part(email))


def templates_dir(config: Config) -> Path:
    """The rep's own templates: ``drafts.templates``, else ``templates/`` beside config.yaml."""
    if config.drafts.templates is not None:
        return config.path(config.drafts.templates)
    return config.base_dir / "templates"


def signature(config: Config) -> str:
    return config.drafts.signature or config.drafts.sender_name


def context_of(action: Action, config: Config) -> dict[str, Any]:
    """Everything a play template may use; names and titles already one line."""
    email = (action.contact or "").strip().lower()
    account = next((a for a in config.accounts if a.name == action.account), None)
    person = next((c for c in account.contacts if c.email == email), None) if account else None
    name = one_line(action.contact_name or (person.name if person else ""), NAME_CHARS)
    first = first_name(name, email)
    return {
        "play": str(action.play) if action.play else "",
        "contact": {
            "name": name or names.name_from_local_part(email),
            "first_name": first,
            "has_name": bool(first),
            "email": email,
            "role": one_line(person.role, NAME_CHARS) if person else "",
        },
        "account": {
            "name": one_line(action.account, NAME_CHARS),
            "tags": list(account.tags) if account else [],
            "needs": list(account.needs) if account else [],
        },
        "offer": _offer(action.offer),
        "asks": [one_line(a) for a in action.asks],
        "meeting": one_line(action.meeting),
        "subject_hint": one_line(action.subject_hint),
        "rep": {"name": config.drafts.sender_name, "email": config.me[0]},
        "signature": signature(config),
    }


def _offer(offer: Offer | None) -> dict[str, Any] | None:
    if offer is None:
        return None
    prefix = offer.key.partition(":")[0]
    return {
        # What sort of give: content (a link), or one that needs none.
        "give": prefix if prefix in ("introduction", "invitation", "insight") else "content",
        "kind": offer.kind,
        "kind_label": offer.kind.replace("_", " "),
        "title": one_line(offer.title),
        "url": one_line(offer.url, 2000),
        "detail": one_line(offer.detail),
        "when": _day(offer.when),
    }


def _day(day: date | None) -> str:
    return f"{day:%A} {day.day} {day:%B}" if day else ""


def compose(action: Action, config: Config) -> OutgoingMail:
    """The draft for one planned play; UserError when its template cannot be rendered."""
    if action.kind is not ActionKind.DRAFT or action.play is None or not action.contact:
        raise ValueError(f"{action.key} is not a draft action")
    to = action.contact.strip()
    if plain_address(to) is None:
        raise RefusedDraft(
            f"{action.account}: {to[:254]!r} is not an address nurture will write to",
            "fix the contact's email in the config",
        )
    from agent.render.jinja import render_draft  # Jinja2: only when a draft is written

    rendered = render_draft(str(action.play), context_of(action, config), templates_dir(config))
    return finish(rendered, action, to, config)


def finish(rendered: RenderedDraft, action: Action, to: str, config: Config) -> OutgoingMail:
    subject = one_line(rendered.subject) or one_line(action.subject_hint)
    if not subject:
        raise UserError(
            f"the {action.play} template rendered an empty subject",
            "give its `subject:` line some text",
        )
    name = one_line(action.contact_name, NAME_CHARS)
    return OutgoingMail(
        to=(Address(to, name),),
        subject=subject,
        text=tidy(rendered.text),
        html=rendered.html.strip() + "\n" if rendered.html.strip() else "",
        key=action.key,
    )


def tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, one newline at the end."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_RUNS.sub("\n\n", lines).strip("\n") + "\n"


# --- records in the store's drafts table ------------------------------------------------


def pending_record(
    action: Action,
    mail: OutgoingMail,
    now: datetime,
    provider: str,
    reply: DraftRecord | None = None,
) -> DraftRecord:
    """Written (and committed) before the draft is created: enough to finish the job
    without the plan, which a re-run would no longer produce. ``reply``: the conversation
    it continues (``drafts_threads.reply_fields``)."""
    return {
        "key": action.key,
        "account": action.account,
        "contact": (action.contact or "").lower(),
        "contact_name": mail.to[0].name,
        "play": str(action.play) if action.play else "",
        "content_url": action.offer.key if action.offer else "",
        "reason": action.reason,
        "subject": mail.subject,
        "text": mail.text,
        "html": mail.html,
        "status": DraftStatus.PENDING,
        "created_at": now.isoformat(),
        "status_at": now.isoformat(),
        "provider": provider,
        "provider_id": "",  # the draft id: how the draft is tracked
        "message_id": "",  # the provider's id of the message nurture last wrote into it
        "rfc822_id": mail.rfc822_id,  # its Message-ID (agent.providers.mail.draft_match)
        "thread": "",  # the thread the draft is in, as last seen
        "link": "",
        "edited": False,
        "in_reply_to": mail.in_reply_to,
        "references": list(mail.references),
        "reply_thread": mail.thread,
        **(reply or {}),
    }


def failed_record(
    action: Action, reason: str, now: datetime, provider: str, mail: OutgoingMail | None = None
) -> DraftRecord:
    """A planned draft refused before it reached the mailbox: kept (so the play rests like
    any other and the rep sees why in `nurture drafts list`), never written or sent."""
    empty = OutgoingMail(
        to=(Address(action.contact or "", action.contact_name),), subject="", text=""
    )
    record = pending_record(action, mail or empty, now, provider)
    return {**record, "status": DraftStatus.FAILED, "failed_reason": one_line(reason, 500)}


def mail_of(record: DraftRecord) -> OutgoingMail:
    """The mail a record stands for (to finish a pending create, or to edit)."""
    to = Address(str(record["contact"]), str(record.get("contact_name") or ""))
    return OutgoingMail(
        to=(to,),
        subject=str(record.get("subject") or ""),
        text=str(record.get("text") or ""),
        html=str(record.get("html") or ""),
        key=str(record["key"]),
        rfc822_id=str(record.get("rfc822_id") or ""),
        thread=str(record.get("reply_thread") or ""),
        in_reply_to=str(record.get("in_reply_to") or ""),
        references=tuple(str(r) for r in record.get("references") or ()),
    )


# --- sample data: `nurture templates check` renders every template with it -------------


def sample_action(play: str) -> Action:
    """A draft of ``play`` for its template's check, from the play's own sample."""
    from agent.core.plays.registry import plays  # the engine: not for writing a draft

    sample = plays()[play].sample
    return Action(
        kind=ActionKind.DRAFT,
        account="Sample Foods",
        contact="kate.morgan@samplefoods.example",
        play=play,
        reason="a sample",
        key=f"sample-{play}",
        contact_name="Kate Morgan",
        offer=sample.offer,
        asks=sample.asks,
        subject_hint="A sample subject",
        meeting=sample.meeting,
    )


def sample_actions(play: str) -> list[Action]:
    """A full sample, and one without the optional parts (no name, offer or meeting)."""
    from agent.core.plays.registry import plays

    full = sample_action(play)
    keep_offer = plays()[play].sample.offer_required
    sparse = replace(full, contact_name="", offer=full.offer if keep_offer else None, meeting="")
    return [full, sparse]
