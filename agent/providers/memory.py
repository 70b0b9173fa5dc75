"""The in-memory provider: the smallest honest implementation of every protocol.

Mail, meetings, drafts and blocks live in lists and dicts. The contract suites run on it
beside the real providers (so a rule the memory provider keeps is a rule every provider
keeps), and use-case tests can drive the pipeline with it without files or a network.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agent.errors import UserError
from agent.model import (
    Address,
    DraftRef,
    Interval,
    MailMessage,
    Meeting,
    NurtureBlock,
    OutgoingMail,
)
from agent.providers.base import Interest, Progress, Pull, StoredMeetings
from agent.providers.mail.draft_match import made_from
from agent.providers.mail.mime import build_mime, refuse_unless_to_me
from agent.providers.registry import Connection


class MemoryProvider:
    """Observations in lists; the cursor counts what was handed out already."""

    name = "memory"
    busy_from_sync = False

    def __init__(self) -> None:
        self.messages: list[MailMessage] = []
        self.meetings: list[Meeting] = []

    def check(self) -> str:
        return f"{len(self.messages)} messages and {len(self.meetings)} meetings in memory"

    def pull(
        self, cursor: Mapping[str, Any], interest: Interest, progress: Progress | None = None
    ) -> Pull:
        seen = int(cursor.get("messages", 0))
        new = [m for m in self.messages[seen:] if interest.since <= m.sent_at]
        return Pull(
            messages=tuple(new),
            meetings=tuple(self.meetings),
            cursor={"messages": len(self.messages)},
        )


@dataclass
class MemoryMailbox:
    """Drafts in a dict keyed by draft id; what was sent, in the order it left.

    Like Gmail, it has no client-chosen ids: a create whose answer was lost is recognised
    among the drafts nobody claims (``draft_match.made_from``), as the Google mailbox does.
    """

    me: tuple[str, ...]
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    drafts_by_id: dict[str, tuple[OutgoingMail, int, datetime]] = field(default_factory=dict)
    sent: list[OutgoingMail] = field(default_factory=list)
    _counter: int = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def _ref(self, draft_id: str) -> DraftRef:
        mail, version, written = self.drafts_by_id[draft_id]
        return DraftRef(
            draft_id,
            f"{draft_id}.{version}",
            thread=mail.thread or f"t-{draft_id}",
            link=f"memory:{draft_id}",
            rfc822_id=mail.rfc822_id,
            to=tuple(a.email.lower() for a in mail.to),
            subject=mail.subject,
            written_at=written,
        )

    def create_draft(
        self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
    ) -> DraftRef:
        found = made_from(self.unclaimed(claimed), mail, since) if since is not None else None
        if found is not None:
            return found
        draft_id = f"d{self._next()}"
        self.drafts_by_id[draft_id] = (mail, self._next(), self.now())
        return self._ref(draft_id)

    def drafts(self) -> list[DraftRef]:
        return [self._ref(i) for i in self.drafts_by_id]

    def unclaimed(self, claimed: Collection[str]) -> list[DraftRef]:
        return [d for d in self.drafts() if d.id not in claimed]

    def update_draft(self, draft_id: str, mail: OutgoingMail) -> DraftRef:
        self._existing(draft_id)
        self.drafts_by_id[draft_id] = (mail, self._next(), self.now())
        return self._ref(draft_id)

    def delete_draft(self, draft_id: str) -> None:
        self.drafts_by_id.pop(draft_id, None)

    def send_draft(self, draft_id: str) -> str:
        mail = self._existing(draft_id)
        del self.drafts_by_id[draft_id]
        self.sent.append(mail)
        return f"sent-{self._next()}"

    def draft_message(self, draft_id: str) -> tuple[str, bytes]:
        mail = self._existing(draft_id)
        _, version, written = self.drafts_by_id[draft_id]
        return str(version), build_mime(mail, Address(self.me[0]), written).as_bytes()

    def send_to_self(self, mail: OutgoingMail) -> str:
        refuse_unless_to_me(mail, self.me)
        self.sent.append(mail)
        return f"sent-{self._next()}"

    def _existing(self, draft_id: str) -> OutgoingMail:
        if draft_id not in self.drafts_by_id:
            raise UserError(f"draft {draft_id} is gone (sent or deleted)", "run `nurture sync`")
        return self.drafts_by_id[draft_id][0]


class MemoryBlockCalendar:
    """Busy intervals and our blocks in memory."""

    def __init__(self) -> None:
        self.meetings: list[Interval] = []
        self.events: dict[str, NurtureBlock] = {}
        self.writes = 0

    def busy(
        self, start: datetime, end: datetime, *, stored: StoredMeetings | None = None
    ) -> list[Interval]:
        del stored  # the intervals are here already
        return [m for m in self.meetings if m.start < end and start < m.end]

    def blocks(self, start: datetime, end: datetime) -> list[NurtureBlock]:
        return [b for b in self.events.values() if b.start < end and start < b.end]

    def put_block(self, block: NurtureBlock) -> None:
        if self.events.get(block.id) != block:
            self.events[block.id] = block
            self.writes += 1

    def delete_block(self, block_id: str) -> None:
        self.events.pop(block_id, None)


def memory_connection(me: Iterable[str]) -> Connection:
    """A fresh connection whose three parts are in memory."""
    return Connection(
        MemoryProvider(), MemoryMailbox(tuple(e.lower() for e in me)), MemoryBlockCalendar()
    )
