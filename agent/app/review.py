"""The rep's side of drafts: find, show, approve (the only sending path), reject, edit.

Approval is the one place in nurture that calls ``Mailbox.send_draft``; the CLI shows the
message as it is in the mailbox (``agent.app.draft_preview``: recipients, subject, text) and
asks for confirmation before it (``nurture drafts approve ID``, unless ``--yes``), and the
draft is sent only if it is still the message that was shown. Each use case
changes the mailbox first and then the record: a crash in between is caught up by the
next sync, which sees the draft gone and the sent message (or none) in the mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from agent.app.draft_preview import Preview, read_preview
from agent.app.drafts import claimed
from agent.core.drafts import mail_of, one_line, tidy
from agent.core.outcomes import moment
from agent.errors import UnknownName, UserError, did_you_mean
from agent.model.tables import DRAFTS, DraftRecord, DraftStatus
from agent.providers.base import Mailbox
from agent.providers.mail.draft_match import made_from
from agent.store.db import Store

log = logging.getLogger(__name__)

SUBJECT = "Subject:"


def records(store: Store) -> list[DraftRecord]:
    """Every draft record, newest first (records without a key get theirs)."""
    found: list[DraftRecord] = [{**doc, "key": key} for key, doc in store.items(DRAFTS).items()]
    return sorted(found, key=lambda r: (str(r.get("created_at") or ""), r["key"]), reverse=True)


def find(store: Store, wanted: str) -> DraftRecord:
    """The record whose key is ``wanted``, or the only one whose key contains it."""
    text = wanted.strip()
    everything = records(store)
    exact = [r for r in everything if r["key"] == text]
    matches = exact or [r for r in everything if text and text in r["key"]]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownName(
            f"{wanted!r} matches {len(matches)} drafts", "give more of the id (nurture drafts list)"
        )
    close = did_you_mean(text, (r["key"] for r in everything), n=1)
    raise UnknownName(f"no draft {wanted!r}", close or "see the ids with `nurture drafts list`")


def _open(record: DraftRecord, config_provider: str, verb: str) -> str:
    """The provider draft id of a draft the rep can still act on; else why not."""
    status: str | None = record.get("status")
    if status == DraftStatus.EXPIRED and record.get("removed"):
        status = "expired and removed"
    elif status == DraftStatus.EXPIRED:
        status = (
            DraftStatus.CREATED
        )  # expired but edited: it is still in the mailbox, the rep's call
    if status != DraftStatus.CREATED or not record.get("provider_id"):
        raise UserError(
            f"draft {record['key']} is {status}: there is nothing to {verb}",
            "see the drafts waiting for you with `nurture drafts list --status created`",
        )
    if record.get("provider") and record["provider"] != config_provider:
        raise UserError(
            f"draft {record['key']} was written to the {record['provider']} mailbox, "
            f"but the config now uses {config_provider}",
            "act on it where it is, or switch `provider:` back",
        )
    return str(record["provider_id"])


def refuse_stale(record: DraftRecord, *, force: bool) -> None:
    """UserError for a draft events overtook (the rep edited it, so it was kept), unless
    the rep sends it anyway."""
    if record.get("stale") and not force:
        raise UserError(
            f"draft {record['key']} is stale: {record['stale']}",
            f"read it again (nurture drafts show {record['key']}); add --force to send it anyway",
        )


def in_mailbox(record: DraftRecord) -> bool:
    """Whether the draft should be in the rep's mailbox now (created, or expired but kept)."""
    status = record.get("status")
    kept = status == DraftStatus.EXPIRED and not record.get("removed")
    return bool(record.get("provider_id")) and (status == DraftStatus.CREATED or kept)


def preview(mailbox: Mailbox, record: DraftRecord, provider: str, verb: str = "show") -> Preview:
    """The draft as the mailbox holds it now: what approving it would send."""
    draft_id = _open(record, provider, verb)
    version, raw = mailbox.draft_message(draft_id)
    return read_preview(draft_id, version, raw)


def edit_text(record: DraftRecord) -> str:
    """What the rep's editor shows: a Subject line, a blank line, the text."""
    return f"{SUBJECT} {record.get('subject', '')}\n\n{record.get('text', '')}"


def parse_edit(edited: str) -> tuple[str, str]:
    head, _, body = edited.lstrip("\n").partition("\n")
    if not head.startswith(SUBJECT):
        raise UserError("the edited draft must start with a `Subject:` line", "run the edit again")
    subject = one_line(head.removeprefix(SUBJECT))
    if not subject or not body.strip():
        raise UserError("the edited draft needs a subject and some text", "run the edit again")
    return subject, tidy(body)


@dataclass(frozen=True)
class Desk:
    """Where the rep's decisions land: the store, the mailbox and the moment."""

    store: Store
    mailbox: Mailbox
    provider: str  # config.provider: a draft is acted on in the mailbox it was written to
    now: datetime

    def approve(self, record: DraftRecord, shown: Preview, *, force: bool = False) -> str:
        """Send the draft the rep was ``shown`` and confirmed, if the mailbox still holds
        exactly that message (else nothing is sent). Returns the sent message's id. A stale
        draft (``agent.core.overtaken``) goes only with ``force``."""
        refuse_stale(record, force=force)
        draft_id = _open(record, self.provider, "send")
        version, _ = self.mailbox.draft_message(draft_id)
        if draft_id != shown.draft_id or version != shown.version:
            raise UserError(
                f"draft {record['key']} changed in your mailbox after it was shown: not sent",
                "run `nurture drafts approve` again to see it as it is now",
            )
        sent = self.mailbox.send_draft(draft_id)
        # The local mailbox "sends" by moving the file to outbox/sent: the link follows it.
        moved = {"link": sent} if self.provider == "local" else {}
        self._save(
            record, status=DraftStatus.SENT, sent_by="approve", sent_provider_id=sent, **moved
        )
        log.info("sent draft %s on the rep's approval", record["key"])
        return sent

    def reject(self, record: DraftRecord, reason: str = "") -> None:
        """Delete the draft from the mailbox and remember the no: that play rests for them.

        A draft left pending or refused (failed) has no recorded mailbox id: any copy
        it made (written by a run that stopped before recording it) is removed."""
        if record.get("status") in (DraftStatus.PENDING, DraftStatus.FAILED):
            found = str(record.get("provider_id") or "") or self._made_by(record)
            if found:
                self.mailbox.delete_draft(found)
        else:
            self.mailbox.delete_draft(_open(record, self.provider, "reject"))
        self._save(
            record, status=DraftStatus.REJECTED, rejected_by="you", reject_reason=one_line(reason)
        )

    def _made_by(self, record: DraftRecord) -> str:
        """The id of a draft a run that stopped before recording it wrote for ``record``."""
        since = moment(record.get("created_at") or self.now)
        taken = claimed(self.store)
        found = made_from(self.mailbox.unclaimed(taken), mail_of(record), since)
        return found.id if found is not None else ""

    def edit(self, record: DraftRecord, edited: str) -> bool:
        """Replace the draft's subject and text; False when nothing changed. Refuses when
        the draft was changed in the mailbox since nurture wrote it (edit it there)."""
        draft_id = _open(record, self.provider, "edit")
        subject, text = parse_edit(edited)
        if subject == record.get("subject") and text == record.get("text"):
            return False
        live = next((d for d in self.mailbox.drafts() if d.id == draft_id), None)
        if live is None or live.message_id != record.get("message_id"):
            where = (
                "is no longer in your mailbox" if live is None else "was changed in your mailbox"
            )
            raise UserError(
                f"draft {record['key']} {where} since nurture last wrote it",
                "edit it in your mail program, or run `nurture sync` first",
            )
        # The HTML part was the template's: the rep's own words go out as text only.
        mail = replace(mail_of(record), subject=subject, text=text, html="")
        ref = self.mailbox.update_draft(draft_id, mail)
        self._save(
            record,
            status=str(record["status"]),
            subject=subject,
            text=text,
            html="",
            provider_id=ref.id,
            message_id=ref.message_id,
            thread=ref.thread or record.get("thread", ""),
            link=ref.link or record.get("link", ""),
            edited=True,
            edited_at=self.now.isoformat(),
        )
        return True

    def _save(self, record: DraftRecord, *, status: str, **fields: Any) -> None:
        moved = {"status_at": self.now.isoformat()} if status != record.get("status") else {}
        self.store.put(DRAFTS, str(record["key"]), {**record, **fields, "status": status, **moved})
        self.store.commit()
