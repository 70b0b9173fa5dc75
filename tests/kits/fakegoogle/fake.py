"""FakeGoogle: the public face — lifecycle, seeding helpers, inspection, fault injection."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any

from .composer import Composer
from .core import Call
from .discovery import discovery_doc
from .faults import FaultRule
from .gmail import StoredMessage, newest_first
from .gmail_write import SentMessage
from .mime import compose, parse, to_bytes
from .server import FakeServer


@dataclass(frozen=True)
class MessageView:
    """A read-only snapshot of a stored message."""

    id: str
    thread_id: str
    labels: frozenset[str]
    internal_date: datetime
    history_id: int
    raw: bytes

    def header(self, name: str) -> str | None:
        return parse(self.raw).header(name)

    @classmethod
    def of(cls, msg: StoredMessage) -> MessageView:
        moment = datetime.fromtimestamp(msg.internal_ms / 1000, UTC)
        return cls(msg.id, msg.thread_id, frozenset(msg.labels), moment, msg.history_id, msg.raw)


def _ms(value: datetime | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    if value.tzinfo is None:
        raise ValueError("internal_date must be timezone-aware (or epoch milliseconds)")
    return int(value.timestamp() * 1000)


class FakeGoogle(FakeServer):
    """A stateful Gmail + Calendar API on 127.0.0.1. Use ``with FakeGoogle() as fake:``."""

    def __enter__(self) -> FakeGoogle:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- clock ----------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.clock()

    @now.setter
    def now(self, value: datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self._now = value

    def advance(self, delta: timedelta | float) -> None:
        """Move a frozen clock forward (freezing the real time first if needed)."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        self.now = self.clock() + step

    # --- client helpers (tests only) ------------------------------------------------------

    def discovery_doc(self, api: str) -> dict[str, Any]:
        """The bundled discovery document of ``"gmail"`` or ``"calendar"`` aimed at the fake."""
        return discovery_doc(api, self.base_url)

    def build(self, api: str, http: Any = None) -> Any:
        """A real googleapiclient Resource talking to the fake (``http`` default: Http(10s))."""
        import httplib2
        from googleapiclient.discovery import build_from_document

        client = http if http is not None else httplib2.Http(timeout=10)
        return build_from_document(self.discovery_doc(api), http=client)

    # --- Gmail seeding --------------------------------------------------------------------

    def add_message(
        self,
        raw: bytes | str | Message | None = None,
        *,
        labels: Iterable[str] | None = None,
        thread_id: str | None = None,
        internal_date: datetime | int | None = None,
        from_: str | None = None,
        to: str | Sequence[str] = (),
        cc: str | Sequence[str] = (),
        bcc: str | Sequence[str] = (),
        subject: str = "",
        body: str = "",
        date: datetime | None = None,
        message_id: str | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Deliver a message (a history ``messageAdded``) and return its id."""
        if raw is None:
            when = date or (
                datetime.fromtimestamp(internal_date / 1000, UTC)
                if isinstance(internal_date, int)
                else internal_date
            )
            raw = compose(
                from_=from_ or "someone@example.org",
                to=to or self.email,
                cc=cc,
                bcc=bcc,
                subject=subject,
                body=body,
                date=when or self.clock(),
                message_id=message_id,
                in_reply_to=in_reply_to,
                references=references,
                headers=headers,
            )
        elif from_ or to or cc or bcc or subject or body or message_id or headers:
            raise ValueError("pass either raw bytes or message fields, not both")
        data = to_bytes(raw)
        parsed = parse(data)
        if labels is None:
            mine = any(addr == self.email.lower() for _, addr in parsed.addresses("From"))
            labels = ("SENT",) if mine else ("INBOX", "UNREAD")
        with self.lock:
            msg = self.mailbox.insert(
                data, labels, thread_id=thread_id, internal_ms=_ms(internal_date), parsed=parsed
            )
            return msg.id

    def modify_labels(
        self, message_id: str, add: Iterable[str] = (), remove: Iterable[str] = ()
    ) -> None:
        """Add/remove labels (history ``labelAdded``/``labelRemoved``)."""
        with self.lock:
            self.mailbox.relabel(message_id, add, remove)

    def add_alias(self, address: str) -> None:
        """A send-as address of the account (another domain, a nickname): listed by
        ``settings.sendAs.list`` and marked ``self`` in the owner's calendar entries. Mail
        keeps whatever From it was given: Gmail does no alias expansion."""
        with self.lock:
            self.mailbox.aliases.append(address.lower())
            self.calendars.aliases.append(address.lower())

    def delete_message(self, message_id: str) -> None:
        """Delete for good (history ``messageDeleted``)."""
        with self.lock:
            self.mailbox.remove(message_id)

    def prune_history(self, before: int | None = None) -> None:
        """Forget history up to ``before`` (default: now); older start ids then get 404."""
        with self.lock:
            self.mailbox.prune_history(before)

    @property
    def history_id(self) -> int:
        return self.mailbox.history_id

    def message(self, message_id: str) -> MessageView:
        with self.lock:
            return MessageView.of(self.mailbox.messages[message_id])

    def messages(self) -> list[MessageView]:
        """Every stored message (drafts and sent included), newest first."""
        with self.lock:
            ordered = sorted(self.mailbox.messages.values(), key=newest_first)
            return [MessageView.of(m) for m in ordered]

    def drafts(self) -> dict[str, MessageView]:
        """Draft id → its current message."""
        with self.lock:
            box = self.mailbox.messages
            return {d: MessageView.of(box[m]) for d, m in self.draft_store.drafts.items()}

    @property
    def sends(self) -> list[SentMessage]:
        """Every message sent (messages.send, drafts.send, and "ui": the rep in Gmail)."""
        return self.draft_store.sends

    @property
    def composer(self) -> Composer:
        """The rep in Gmail's web UI: open, edit, send or discard a draft (composer.py)."""
        return Composer(self)

    def gmail_as_it_is(self) -> None:
        """Both Gmail switches on (see ``DraftStore``): ``threadId`` only honoured under
        Gmail's conditions, and Message-IDs of sent mail replaced by Google's."""
        with self.lock:
            self.draft_store.strict_threads = True
            self.draft_store.replace_message_ids = True

    # --- Calendar seeding -----------------------------------------------------------------

    def add_calendar(self, calendar_id: str, time_zone: str = "UTC") -> None:
        with self.lock:
            self.calendars.add_calendar(calendar_id, time_zone)

    def add_event(self, event: Mapping[str, Any], calendar_id: str = "primary") -> dict[str, Any]:
        """Store an event as if created elsewhere; Google's defaults are filled in. An
        occurrence of a recurring event may carry Google's instance id ``<series>_<start>``
        with ``recurringEventId`` and ``originalStartTime``."""
        with self.lock:
            if calendar_id not in ("primary", *self.calendars.events):
                self.calendars.add_calendar(calendar_id)
            return self.calendars.insert(calendar_id, dict(event), seeding=True)

    def change_event(
        self, event_id: str, changes: Mapping[str, Any], calendar_id: str = "primary"
    ) -> dict[str, Any]:
        """Patch an event as another client would (it shows up in the next sync)."""
        with self.lock:
            return self.calendars.patch(calendar_id, event_id, dict(changes))

    def cancel_event(self, event_id: str, calendar_id: str = "primary") -> None:
        """Delete an event as another client would: it stays, as ``status: cancelled``."""
        with self.lock:
            self.calendars.cancel(calendar_id, event_id)

    def event(self, event_id: str, calendar_id: str = "primary") -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.calendars.find(calendar_id, event_id).data)

    def events(
        self, calendar_id: str = "primary", *, cancelled: bool = True
    ) -> list[dict[str, Any]]:
        """All events of a calendar in change order (cancelled ones unless cancelled=False)."""
        with self.lock:
            stored = sorted(
                self.calendars.events[self.calendars.resolve(calendar_id)].values(),
                key=lambda ev: ev.seq,
            )
            return [copy.deepcopy(ev.data) for ev in stored if cancelled or not ev.cancelled]

    def expire_sync_tokens(self) -> None:
        """Every sync token handed out so far now answers 410 fullSyncRequired."""
        with self.lock:
            self.calendars.generation += 1

    # --- faults ---------------------------------------------------------------------------

    def inject(
        self,
        fault: int | str,
        count: int = 1,
        match: str | Callable[[Call], bool] | None = None,
        *,
        reason: str | None = None,
        seconds: float = 1.0,
        after: bool | None = None,
        retry_after: int | None = None,
    ) -> FaultRule:
        """Make the next ``count`` matching calls fail. See the package docstring."""
        kind: int | str = fault
        if isinstance(fault, str) and fault.isdigit():
            kind = int(fault)
        rule = FaultRule(
            kind=kind,
            remaining=count,
            match=match,
            reason=reason,
            seconds=seconds,
            after=(kind in ("truncate", "cut")) if after is None else after,
            retry_after=retry_after,
        )
        with self.lock:
            return self.faults.add(rule)

    @property
    def token_uri(self) -> str:
        """Google's OAuth token endpoint, on the fake (a token's ``token_uri``)."""
        return self.base_url + "token"

    @property
    def auth_uri(self) -> str:
        """Google's consent page, on the fake (see ``oauth``; a browser: ``browser``)."""
        return self.base_url + "o/oauth2/auth"

    def client_secrets(self, path: Path) -> Path:
        """Write a 'Desktop app' OAuth client's JSON whose endpoints are the fake's."""
        client = {
            "client_id": "nurture-test.apps.googleusercontent.com",
            "client_secret": "fake-secret",
            "auth_uri": self.auth_uri,
            "token_uri": self.token_uri,
            "redirect_uris": ["http://localhost"],
        }
        path.write_text(json.dumps({"installed": client}))
        return path

    def revoke_refresh_tokens(self) -> None:
        """Refreshing a token fails from now on with 400 ``invalid_grant``."""
        self.oauth.revoke()

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.rules.clear()

    @property
    def pending_faults(self) -> int:
        with self.lock:
            return self.faults.pending

    def count(self, method: str) -> int:
        """How many logical calls of a method (full id or suffix, e.g. "messages.get")."""
        with self.lock:
            return sum(1 for _, m in self.requests if m == method or m.endswith("." + method))
