"""Gmail's write side: messages.send and drafts.*; every send is recorded for tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses, make_msgid
from typing import Any

from .core import Call, b64url_decode, bad_request, not_found, scope_of
from .gmail import Mailbox, StoredMessage, newest_first, page_of
from .mime import Parsed, add_header, parse, replace_header, same_subject


@dataclass(frozen=True)
class SentMessage:
    """One message that left the mailbox, through messages.send or drafts.send."""

    id: str
    thread_id: str
    raw: bytes
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    method: str  # "messages.send" | "drafts.send" | "ui" (the rep, in Gmail)
    draft_id: str | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc + self.bcc

    @property
    def message(self) -> Message:
        return message_from_bytes(self.raw, policy=policy.default)

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)


@dataclass
class DraftStore:
    """Draft id → the id of the message that currently holds its content.

    Two switches make the fake behave as Gmail does where it matters to threading and to
    recognising sent mail (both off by default, so older tests keep their simpler world):

    * ``strict_threads``: a ``threadId`` sent with a draft or a message is honoured only
      when Gmail's three conditions hold (the documented ``Message.threadId`` rule): the
      In-Reply-To or References header names a message of that thread, and the Subject
      matches the thread's (``Re:``/``Fwd:`` aside). Otherwise the message starts a new
      thread; without a ``threadId`` it is never threaded by its headers either.
    * ``replace_message_ids``: a message sent through the API gets a Message-ID made by
      Google in place of the client's (GOOGLE.md, lieer #198).
    """

    drafts: dict[str, str] = field(default_factory=dict)
    sends: list[SentMessage] = field(default_factory=list)
    next_id: int = 0
    strict_threads: bool = False
    replace_message_ids: bool = False

    def new_id(self) -> str:
        self.next_id += 1
        return f"r{7_300_000_000_000_000_000 + self.next_id * 7919}"


_NO_RAW = "'raw' RFC822 payload message string or uploading message via /upload/* URL required"


def _upload_parts(call: Call) -> tuple[dict[str, Any], bytes | None]:
    """Split a media upload into (JSON metadata, raw RFC 822 bytes)."""
    kind = call.param("uploadType")
    if kind == "media":
        return {}, call.body
    if kind != "multipart":
        message = f"uploadType={kind} is not modelled by the fake"
        raise bad_request(message, "invalidArgument", violation=True)
    match = re.search(r'boundary="?([^";]+)"?', call.content_type)
    if match is None:
        raise bad_request("multipart upload without a boundary", "invalidArgument")
    chunks = call.body.split(b"--" + match.group(1).encode())
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head_end = re.search(rb"\r?\n\r?\n", chunk)
        if head_end is None:
            continue
        parts.append(re.sub(rb"\r?\n$", b"", chunk[head_end.end() :]))
    if len(parts) != 2:
        raise bad_request("a multipart upload needs metadata and media parts", "invalidArgument")
    return json.loads(parts[0] or b"{}"), parts[1]


def _message_input(call: Call, wrapped: bool) -> tuple[bytes, str | None, dict[str, Any]]:
    """(raw, threadId, metadata) from a JSON body ({"raw"} or {"message": {"raw"}}) or upload."""
    media: bytes | None = None
    if call.upload:
        meta, media = _upload_parts(call)
    else:
        meta = call.json()
    message = meta.get("message", {}) if wrapped else meta
    if media is None:
        if not message.get("raw"):
            missing = "Invalid draft" if wrapped else _NO_RAW
            raise bad_request(missing, "invalidArgument")
        media = b64url_decode(message["raw"])
    return media, message.get("threadId"), meta


def _addresses(raw_value: list[str]) -> tuple[str, ...]:
    return tuple(addr for _, addr in getaddresses(raw_value) if addr)


def google_message_id() -> str:
    """A Message-ID as Gmail makes one (``<CA+...@mail.gmail.com>``)."""
    return make_msgid(idstring="CA", domain="mail.gmail.com")


def thread_for(box: Mailbox, store: DraftStore, raw: bytes, thread_id: str | None) -> str | None:
    """The thread a written message joins: ``thread_id`` as asked, unless ``strict_threads``
    and Gmail's conditions for joining it fail (then a thread of its own)."""
    if not store.strict_threads:
        return thread_id
    if thread_id is None:
        return ""  # "": a new thread, even if the headers name a known message
    members = [m for m in box.messages.values() if m.thread_id == thread_id]
    if not members:
        raise not_found()
    parsed = parse(raw)
    return thread_id if _may_join(parsed, members) else ""


def _may_join(parsed: Parsed, members: list[StoredMessage]) -> bool:
    named = " ".join(parsed.header_all("In-Reply-To") + parsed.header_all("References"))
    ids = {ref.strip("<>") for ref in named.split()}
    known = {v.strip().strip("<>") for m in members for v in m.parsed.header_all("Message-ID")}
    first = min(members, key=lambda m: (m.internal_ms, m.id))
    subject = parsed.header("Subject") or ""
    return bool(ids & known) and same_subject(subject, first.parsed.header("Subject") or "")


def send_raw(
    box: Mailbox,
    store: DraftStore,
    raw: bytes,
    *,
    thread_id: str | None,
    how: str,
    draft_id: str | None = None,
) -> StoredMessage:
    parsed = parse(raw)
    to = _addresses(parsed.header_all("To"))
    cc = _addresses(parsed.header_all("Cc"))
    bcc = _addresses(parsed.header_all("Bcc"))
    if not to + cc + bcc:
        raise bad_request("Recipient address required", "invalidArgument")
    if parsed.header("From") is None:
        raw = add_header(raw, "From", box.email)
    if store.replace_message_ids:
        raw = replace_header(raw, "Message-ID", google_message_id())
    elif parsed.header("Message-ID") is None:
        raw = add_header(raw, "Message-ID", make_msgid(domain="mail.gmail.com"))
    msg = box.insert(raw, {"SENT"}, thread_id=thread_id, internal_ms=box.now_ms())
    store.sends.append(
        SentMessage(
            msg.id,
            msg.thread_id,
            msg.raw,
            msg.parsed.header("From") or box.email,
            to,
            cc,
            bcc,
            msg.parsed.header("Subject") or "",
            how,
            draft_id,
        )
    )
    return msg


def send_message(box: Mailbox, store: DraftStore, call: Call) -> dict[str, Any]:
    raw, thread_id, _ = _message_input(call, wrapped=False)
    thread = thread_for(box, store, raw, thread_id)
    return send_raw(box, store, raw, thread_id=thread, how="messages.send").ref(with_labels=True)


def _draft_json(box: Mailbox, draft_id: str, msg_id: str) -> dict[str, Any]:
    return {"id": draft_id, "message": box.messages[msg_id].ref(with_labels=True)}


def _draft_message(box: Mailbox, store: DraftStore, draft_id: str) -> StoredMessage:
    if draft_id not in store.drafts:
        raise not_found()
    return box.messages[store.drafts[draft_id]]


def create_draft(box: Mailbox, store: DraftStore, call: Call) -> dict[str, Any]:
    raw, thread_id, _ = _message_input(call, wrapped=True)
    thread = thread_for(box, store, raw, thread_id)
    msg = box.insert(raw, {"DRAFT"}, thread_id=thread, internal_ms=box.now_ms())
    draft_id = store.new_id()
    store.drafts[draft_id] = msg.id
    return _draft_json(box, draft_id, msg.id)


def update_draft(box: Mailbox, store: DraftStore, call: Call) -> dict[str, Any]:
    draft_id = call.path_params["id"]
    old = _draft_message(box, store, draft_id)
    raw, thread_id, _ = _message_input(call, wrapped=True)
    # Gmail replaces the draft's message: a new message id, the old one deleted. Strict:
    # a reply draft updated without its threadId leaves the conversation.
    thread = thread_for(box, store, raw, thread_id) if store.strict_threads else None
    box.remove(old.id)
    kept = (thread_id or old.thread_id) if thread is None else thread
    msg = box.insert(raw, {"DRAFT"}, thread_id=kept, internal_ms=box.now_ms())
    store.drafts[draft_id] = msg.id
    return _draft_json(box, draft_id, msg.id)


def delete_draft(box: Mailbox, store: DraftStore, call: Call) -> None:
    msg = _draft_message(box, store, call.path_params["id"])
    box.remove(msg.id)
    del store.drafts[call.path_params["id"]]


def get_draft(box: Mailbox, store: DraftStore, call: Call) -> dict[str, Any]:
    draft_id = call.path_params["id"]
    msg = _draft_message(box, store, draft_id)
    fmt = call.param("format", "full") or "full"
    return {"id": draft_id, "message": box.render(msg, fmt, [])}


def list_drafts(box: Mailbox, store: DraftStore, call: Call) -> dict[str, Any]:
    q = call.param("q")
    matching = {m.id for m in box.search(q, ["DRAFT"], call.flag("includeSpamTrash"))}
    ordered = sorted(
        ((d, box.messages[m]) for d, m in store.drafts.items() if m in matching),
        key=lambda pair: newest_first(pair[1]),
    )
    page, token = page_of(call, ordered, lambda pair: newest_first(pair[1]), scope_of("drafts", q))
    out: dict[str, Any] = {}
    if page:
        out["drafts"] = [{"id": d, "message": m.ref()} for d, m in page]
    if token:
        out["nextPageToken"] = token
    out["resultSizeEstimate"] = len(ordered)
    return out


def send_draft(box: Mailbox, store: DraftStore, call: Call) -> dict[str, Any]:
    meta = _upload_parts(call)[0] if call.upload else call.json()
    draft_id = meta.get("id")
    if not draft_id:
        raise bad_request("Invalid draft", "invalidArgument")
    old = _draft_message(box, store, draft_id)
    raw, thread_id = old.raw, old.thread_id
    if call.upload or meta.get("message", {}).get("raw"):
        raw, new_thread, _ = _message_input(call, wrapped=True)
        thread_id = new_thread or thread_id
    # The sent copy replaces the draft: the draft and its message disappear.
    sent = send_raw(box, store, raw, thread_id=thread_id, how="drafts.send", draft_id=draft_id)
    box.remove(old.id)
    del store.drafts[draft_id]
    return sent.ref(with_labels=True)
