"""In-memory Gmail mailbox: messages, threads, the history log, and the read-side methods."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .core import (
    ApiError,
    Call,
    b64url,
    bad_request,
    not_found,
    paginate,
    scope_of,
)
from .mime import Parsed, add_header, parse
from .query import Context, MailFacts, Query, QueryError, index_keys, parse_query

# Gmail quota units per method (GOOGLE.md); anything not listed costs 5.
QUOTA_UNITS = {
    "gmail.users.getProfile": 1,
    "gmail.users.settings.sendAs.list": 1,
    "gmail.users.history.list": 2,
    "gmail.users.messages.list": 5,
    "gmail.users.messages.get": 5,
    "gmail.users.threads.get": 10,
    "gmail.users.threads.list": 10,
    "gmail.users.drafts.create": 10,
    "gmail.users.drafts.get": 5,
    "gmail.users.drafts.list": 5,
    "gmail.users.drafts.update": 15,
    "gmail.users.drafts.delete": 10,
    "gmail.users.messages.send": 100,
    "gmail.users.drafts.send": 100,
}
DEFAULT_UNITS = 5
FIRST_HISTORY_ID = 100_000
_HIDDEN = frozenset({"SPAM", "TRASH"})


def quota_cost(method_id: str) -> int:
    return QUOTA_UNITS.get(method_id, DEFAULT_UNITS)


@dataclass
class StoredMessage:
    id: str
    thread_id: str
    raw: bytes
    parsed: Parsed
    labels: set[str]
    internal_ms: int
    history_id: int
    _facts: MailFacts | None = None

    def facts(self) -> MailFacts:
        if self._facts is None:
            self._facts = self.parsed.facts(frozenset(), self.internal_ms)
        self._facts.labels = frozenset(self.labels)
        return self._facts

    def ref(self, with_labels: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "threadId": self.thread_id}
        if with_labels and self.labels:
            out["labelIds"] = sorted(self.labels)
        return out


@dataclass
class HistoryRecord:
    id: int
    kind: str  # messageAdded | messageDeleted | labelAdded | labelRemoved
    message: dict[str, Any]  # {id, threadId, labelIds?} at the time of the change
    label_ids: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"message": self.message}
        if self.kind in ("labelAdded", "labelRemoved"):
            entry["labelIds"] = self.label_ids
        key = {
            "messageAdded": "messagesAdded",
            "messageDeleted": "messagesDeleted",
            "labelAdded": "labelsAdded",
            "labelRemoved": "labelsRemoved",
        }[self.kind]
        ref = {"id": self.message["id"], "threadId": self.message["threadId"]}
        return {"id": str(self.id), "messages": [ref], key: [entry]}


class Mailbox:
    """The mailbox of one user. Not locked itself: the server holds one lock around it."""

    def __init__(self, email: str, clock: Callable[[], datetime]) -> None:
        self.email = email
        self.clock = clock
        self.messages: dict[str, StoredMessage] = {}
        self.history: list[HistoryRecord] = []
        self.history_id = FIRST_HISTORY_ID
        self.pruned_before = 0
        self.aliases: list[str] = []  # send-as addresses besides the account's own
        # Whether ``to:`` also matches Bcc. Google documents no header list for it; the
        # realistic switch takes the narrow reading (To and Cc only), so that a client that
        # wants Bcc'd mail must say ``bcc:``.
        self.to_matches_bcc = True
        self._next_id = 0
        self._threads_by_message_id: dict[str, str] = {}
        # Paging re-runs the search for every page; the answer only changes with the mailbox
        # (every change moves history_id) or, for relative dates, with the clock.
        self._searches: dict[tuple[Any, ...], list[StoredMessage]] = {}
        # Address index (key → message ids), built by the first search that can use it.
        self._index: dict[tuple[str, ...], set[str]] | None = None

    # --- mutations (seeding helpers and write methods share them) -------------------------

    def new_id(self) -> str:
        self._next_id += 1
        return f"{0x18F0_0000_0000_0000 + self._next_id * 0x1_0000_0001:016x}"

    def _record(self, kind: str, msg: StoredMessage, label_ids: Iterable[str] = ()) -> None:
        self.history_id += 1
        msg.history_id = self.history_id
        record = HistoryRecord(self.history_id, kind, msg.ref(with_labels=True), list(label_ids))
        self.history.append(record)

    def now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

    def insert(
        self,
        raw: bytes,
        labels: Iterable[str],
        *,
        thread_id: str | None = None,
        internal_ms: int | None = None,
        parsed: Parsed | None = None,
    ) -> StoredMessage:
        labels = set(labels)
        parsed = parsed or parse(raw)
        if not labels & {"SENT", "DRAFT"} and parsed.header("Delivered-To") is None:
            raw = add_header(raw, "Delivered-To", self.email)
            parsed = parsed.with_header("Delivered-To", self.email)
        if internal_ms is None:
            date = parsed.date()
            internal_ms = int(date.timestamp() * 1000) if date else self.now_ms()
        msg_id = self.new_id()
        # thread_id "" asks for a thread of its own (see gmail_write.thread_for).
        by_headers = self._thread_for(parsed) if thread_id is None else None
        thread = thread_id or by_headers or msg_id
        msg = StoredMessage(msg_id, thread, raw, parsed, labels, internal_ms, 0)
        self.messages[msg_id] = msg
        for header in parsed.header_all("Message-ID"):
            self._threads_by_message_id.setdefault(header.strip().strip("<>"), thread)
        self._record("messageAdded", msg)
        self._file(msg)
        return msg

    def _thread_for(self, parsed: Parsed) -> str | None:
        """Gmail threads a reply with the message its In-Reply-To/References name."""
        refs = " ".join(parsed.header_all("In-Reply-To") + parsed.header_all("References"))
        for ref in refs.split():
            if ref.strip("<>") in self._threads_by_message_id:
                return self._threads_by_message_id[ref.strip("<>")]
        return None

    def remove(self, msg_id: str) -> StoredMessage:
        msg = self.get(msg_id)
        del self.messages[msg_id]
        self._record("messageDeleted", msg)
        return msg

    def relabel(self, msg_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
        msg = self.get(msg_id)
        added = sorted(set(add) - msg.labels)
        removed = sorted(set(remove) & msg.labels)
        msg.labels |= set(added)
        msg.labels -= set(removed)
        if added:
            self._record("labelAdded", msg, added)
        if removed:
            self._record("labelRemoved", msg, removed)

    def prune_history(self, before: int | None = None) -> None:
        self.pruned_before = self.history_id if before is None else before
        self.history = [r for r in self.history if r.id > self.pruned_before]

    def get(self, msg_id: str) -> StoredMessage:
        try:
            return self.messages[msg_id]
        except KeyError:
            raise not_found() from None

    # --- searching --------------------------------------------------------------------------

    def search(
        self, q: str | None, label_ids: list[str], include_spam_trash: bool
    ) -> list[StoredMessage]:
        try:
            query: Query | None = parse_query(q) if q and q.strip() else None
        except QueryError as exc:
            message = f"Invalid search query {q!r}: {exc}"
            raise bad_request(message, "invalidArgument", violation=True) from exc
        if query is not None and query.mentions_spam_trash:
            include_spam_trash = True
        ctx = Context(self.email, self.now_ms(), self.to_matches_bcc)
        key = (q, tuple(label_ids), include_spam_trash, self.history_id, ctx.now_ms, ctx.bcc)
        if key in self._searches:
            return list(self._searches[key])
        found = []
        for msg in self._candidates(query, ctx):
            if not set(label_ids) <= msg.labels:
                continue
            if not include_spam_trash and msg.labels & _HIDDEN:
                continue
            if query is None or query.matches(msg.facts(), ctx):
                found.append(msg)
        found.sort(key=newest_first)
        if len(self._searches) >= 16:
            self._searches.clear()
        self._searches[key] = found
        return list(found)

    def _candidates(self, query: Query | None, ctx: Context) -> list[StoredMessage]:
        """The messages a query can match: all, or those the address index names."""
        keys = query.index_keys(ctx) if query is not None else None
        if keys is None:
            return list(self.messages.values())
        if self._index is None:
            self._index = {}
            for msg in self.messages.values():
                self._file(msg)
        ids = set().union(*(self._index.get(k, set()) for k in keys))
        return [self.messages[i] for i in ids if i in self.messages]  # removed ones stay filed

    def _file(self, msg: StoredMessage) -> None:
        if self._index is None:
            return
        facts = msg.facts()
        for address in (*facts.senders, *facts.to, *facts.cc, *facts.bcc, *facts.delivered_to):
            for key in index_keys(address):
                self._index.setdefault(key, set()).add(msg.id)

    # --- rendering --------------------------------------------------------------------------

    def render(self, msg: StoredMessage, fmt: str, headers: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = msg.ref(with_labels=True)
        out.update(
            snippet=msg.parsed.snippet(),
            sizeEstimate=len(msg.raw),
            historyId=str(msg.history_id),
            internalDate=str(msg.internal_ms),
        )
        if fmt == "metadata":
            wanted = {h.lower() for h in headers}
            out["payload"] = {
                "mimeType": msg.parsed.mime_type,
                "headers": [
                    {"name": k, "value": v}
                    for k, v in msg.parsed.headers
                    if not wanted or k.lower() in wanted
                ],
            }
        elif fmt == "full":
            out["payload"] = msg.parsed.payload
        elif fmt == "raw":
            out["raw"] = b64url(msg.raw)
        return out


def check_user(mailbox: Mailbox, call: Call) -> None:
    user = call.path_params.get("userId", "me")
    if user not in ("me", mailbox.email):
        raise ApiError(403, f"Delegation denied for {mailbox.email}", "forbidden")


def newest_first(msg: StoredMessage) -> list[Any]:
    """Gmail lists newest first; as an ascending key for cursor paging."""
    return [-msg.internal_ms, -int(msg.id, 16)]


def page_of(
    call: Call, items: list[Any], key: Callable[[Any], list[Any]], scope: str
) -> tuple[list[Any], str | None]:
    page, token, _ = paginate(call, items, key, scope, default=100, maximum=500)
    return page, token


# --- read methods -------------------------------------------------------------------------


def get_profile(box: Mailbox, call: Call) -> dict[str, Any]:
    return {
        "emailAddress": box.email,
        "messagesTotal": len(box.messages),
        "threadsTotal": len({m.thread_id for m in box.messages.values()}),
        "historyId": str(box.history_id),
    }


def list_send_as(box: Mailbox, call: Call) -> dict[str, Any]:
    """The account's own address first (``isPrimary``), then its aliases."""
    own = {"sendAsEmail": box.email, "displayName": "", "isPrimary": True, "isDefault": True}
    others = [
        {
            "sendAsEmail": a,
            "displayName": "",
            "treatAsAlias": True,
            "verificationStatus": "accepted",
        }
        for a in box.aliases
    ]
    return {"sendAs": [own, *others]}


def list_messages(box: Mailbox, call: Call) -> dict[str, Any]:
    q, labels = call.param("q"), call.params("labelIds")
    found = box.search(q, labels, call.flag("includeSpamTrash"))
    page, token = page_of(call, found, newest_first, scope_of("messages", q, labels))
    out: dict[str, Any] = {}
    if page:
        out["messages"] = [m.ref() for m in page]
    if token:
        out["nextPageToken"] = token
    out["resultSizeEstimate"] = len(found)
    return out


def get_message(box: Mailbox, call: Call) -> dict[str, Any]:
    msg = box.get(call.path_params["id"])
    return box.render(msg, call.param("format", "full") or "full", call.params("metadataHeaders"))


def get_thread(box: Mailbox, call: Call) -> dict[str, Any]:
    thread_id = call.path_params["id"]
    members = sorted(
        (m for m in box.messages.values() if m.thread_id == thread_id),
        key=lambda m: (m.internal_ms, m.id),
    )
    if not members:
        raise not_found()
    fmt, headers = call.param("format", "full") or "full", call.params("metadataHeaders")
    return {
        "id": thread_id,
        "historyId": str(max(m.history_id for m in members)),
        "messages": [box.render(m, fmt, headers) for m in members],
    }


def list_threads(box: Mailbox, call: Call) -> dict[str, Any]:
    q, labels = call.param("q"), call.params("labelIds")
    seen: dict[str, StoredMessage] = {}
    for msg in box.search(q, labels, call.flag("includeSpamTrash")):
        seen.setdefault(msg.thread_id, msg)
    page, token = page_of(call, list(seen.values()), newest_first, scope_of("threads", q, labels))
    out: dict[str, Any] = {}
    if page:
        out["threads"] = [
            {"id": m.thread_id, "snippet": m.parsed.snippet(), "historyId": str(m.history_id)}
            for m in page
        ]
    if token:
        out["nextPageToken"] = token
    out["resultSizeEstimate"] = len(seen)
    return out


def list_history(box: Mailbox, call: Call) -> dict[str, Any]:
    start_text = call.param("startHistoryId")
    if start_text is None or not start_text.isdigit():
        raise bad_request("Invalid startHistoryId", "invalidArgument", location="startHistoryId")
    start = int(start_text)
    if start < box.pruned_before:
        # Gmail keeps history for a limited time; an older start id is simply not found.
        raise not_found()
    types = set(call.params("historyTypes"))
    label = call.param("labelId")
    records = [
        r
        for r in box.history
        if r.id > start
        and (not types or r.kind in types)
        and (label is None or label in r.message.get("labelIds", []) or label in r.label_ids)
    ]
    scope = scope_of("history", start, sorted(types), label)
    page, token = page_of(call, records, lambda r: [r.id], scope)
    out: dict[str, Any] = {}
    if page:
        out["history"] = [r.json() for r in page]
    if token:
        out["nextPageToken"] = token
    out["historyId"] = str(box.history_id)
    return out
