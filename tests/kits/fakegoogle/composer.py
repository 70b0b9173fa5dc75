"""The rep in Gmail's web interface: what the composer does to drafts, which no API call shows.

Gmail's composer rebuilds a draft on every autosave (GOOGLE.md; checked on Gmail web and
iOS in taylorwilsdon/google_workspace_mcp#920): the draft keeps its id, but its message is
a new one (a new message id) written by Gmail, so the client's custom ``X-`` headers are
gone and the Message-ID is Gmail's own. A draft keeps its thread while its subject is the
same; a new subject moves it to a thread of its own (Gmail threads by subject). Opening a
draft is enough for a save. Sending from the UI removes the draft and adds a SENT message,
with a Message-ID Google made, to the draft's thread; discarding removes the draft.

Use it through ``fake.composer``: ``open(draft_id)``, ``edit(draft_id, text=, subject=)``,
``send(draft_id)``, ``discard(draft_id)``. Sends land in ``fake.sends`` with method ``"ui"``.
"""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING

from .core import not_found
from .gmail_write import google_message_id, send_raw
from .mime import Parsed, same_subject

if TYPE_CHECKING:
    from .server import FakeServer

# What the composer carries over from the message it rebuilds; everything else is dropped.
KEPT = ("From", "To", "Cc", "Bcc", "Subject", "In-Reply-To", "References")


class Composer:
    def __init__(self, server: FakeServer) -> None:
        self.server = server

    def open(self, draft_id: str) -> str:
        """The rep opens the draft: the composer saves it. Returns the new message id."""
        return self.edit(draft_id)

    def edit(self, draft_id: str, *, text: str | None = None, subject: str | None = None) -> str:
        """An autosave after the rep typed: ``text`` replaces the body, ``subject`` the
        subject. Returns the draft's new message id."""
        box, store = self.server.mailbox, self.server.draft_store
        with self.server.lock:
            old = box.get(self._message_of(draft_id))
            was = old.parsed.header("Subject") or ""
            raw = rebuilt(old.parsed, self.server.clock(), text=text, subject=subject)
            moved = subject is not None and not same_subject(subject, was)
            box.remove(old.id)
            thread = "" if moved else old.thread_id
            msg = box.insert(raw, {"DRAFT"}, thread_id=thread, internal_ms=box.now_ms())
            store.drafts[draft_id] = msg.id
            return msg.id

    def send(self, draft_id: str) -> str:
        """The rep presses Send: the draft goes, a SENT message joins its thread. Returns
        the sent message's id."""
        box, store = self.server.mailbox, self.server.draft_store
        with self.server.lock:
            old = box.get(self._message_of(draft_id))
            raw = rebuilt(old.parsed, self.server.clock())
            sent = send_raw(box, store, raw, thread_id=old.thread_id, how="ui", draft_id=draft_id)
            box.remove(old.id)
            del store.drafts[draft_id]
            return sent.id

    def discard(self, draft_id: str) -> None:
        """The rep discards the draft (the bin icon in the composer)."""
        with self.server.lock:
            self.server.mailbox.remove(self._message_of(draft_id))
            del self.server.draft_store.drafts[draft_id]

    def _message_of(self, draft_id: str) -> str:
        found = self.server.draft_store.drafts.get(draft_id)
        if found is None:
            raise not_found()
        return found


def rebuilt(
    parsed: Parsed, now: datetime, *, text: str | None = None, subject: str | None = None
) -> bytes:
    """The message as Gmail's composer writes it: the addressing and threading headers,
    Gmail's Message-ID, text and HTML; no other header survives."""
    message = EmailMessage(policy=SMTP)
    for name in KEPT:
        value = subject if name == "Subject" and subject is not None else parsed.header(name)
        if value is not None:
            message[name] = " ".join(value.split())
    message["Date"] = format_datetime(now)
    message["Message-ID"] = google_message_id()
    body = parsed.text if text is None else text
    message.set_content(body)
    lines = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in body.splitlines())
    message.add_alternative(f'<div dir="ltr">{lines}</div>', subtype="html")
    return message.as_bytes()
