"""The store's tables: each one's name, record type and status enum, declared only here.

Every module that reads or writes a table names it through one of the :class:`Table`
constants below (``store.get(DRAFTS, key)``), so a table's name appears in this file and
nowhere else, and each reader gets the same typed record. Records are JSON documents
(``TypedDict``); :meth:`Table.read` turns a stored ``status`` string back into its enum,
so ``record["status"]`` is a :class:`DraftStatus` (and still compares equal to its text).

The block tables keep :class:`agent.core.blocks.types.BlockRecord` documents (written
with ``agent.store.codec.to_json``), whose status enum is ``BlockStatus``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Generic, TypedDict, TypeVar, cast

R_co = TypeVar("R_co", bound=Mapping[str, Any], covariant=True)


class DraftStatus(StrEnum):
    """Where a draft nurture wrote stands."""

    PENDING = "pending"  # recorded, not (known to be) in the mailbox yet
    CREATED = "created"  # waiting in the mailbox for the rep's review
    SENT = "sent"
    REJECTED = "rejected"  # by the rep (command, web page, or deleting the draft)
    EXPIRED = "expired"  # left unreviewed past the expiry
    WITHDRAWN = "withdrawn"  # overtaken: the conversation moved on before it was sent
    FAILED = "failed"  # refused before it reached the mailbox (``failed_reason``)


class DraftRecord(TypedDict, total=False):
    """One draft nurture wrote (table ``drafts``, keyed by the planned action's key)."""

    key: str
    account: str
    contact: str
    contact_name: str
    play: str
    content_url: str
    reason: str
    subject: str
    text: str
    html: str
    status: DraftStatus
    created_at: str  # ISO 8601 with offset
    status_at: str
    provider: str
    provider_id: str  # the draft id: how the draft is tracked
    message_id: str  # the provider's id of the message nurture last wrote into it
    rfc822_id: str  # its Message-ID
    thread: str  # the thread the draft is in, as last seen
    link: str
    edited: bool  # the rep changed it in the mailbox
    removed: bool  # gone from the mailbox
    in_reply_to: str
    references: list[str]
    reply_thread: str
    reply_to: str  # the contact's message it answers
    reply_at: str
    failed_reason: str
    reject_reason: str
    rejected_by: str  # "deleted" when the rep deleted the draft in the mailbox
    sent_by: str  # "approve" when sent through nurture
    sent_id: str  # the sent message's uid, once seen in the mail
    sent_provider_id: str
    sent_subject: str
    edits: dict[str, Any]  # what the rep changed before sending
    edit_summary: str
    stage: str  # the account's stage when it was written
    stale: str  # why it no longer fits: withdrawn, or (edited by the rep) kept and flagged


class StageRecord(TypedDict):
    """An account's stage as the rep set it (table ``stages``, keyed by account name)."""

    stage: str  # a :class:`agent.model.Stage` value
    since: str  # ISO date


class DigestStatus(StrEnum):
    PENDING = "pending"  # recorded before sending: a crash cannot send it twice
    SENT = "sent"


class DigestRecord(TypedDict, total=False):
    """The week's digest (table ``digests``, keyed by ISO week ``2026-W49``)."""

    status: DigestStatus
    sends: int
    to: str
    marker: str
    at: str
    where: str


class ActionStatus(StrEnum):
    PENDING = "pending"  # recorded before the calendar is changed
    DONE = "done"  # the calendar said yes


class BlockActionRecord(TypedDict):
    """A calendar change recorded before it is made (table ``block_actions``)."""

    step: str  # a ``BlockStep`` value: place, move, restore, ...
    block: str  # the block's id
    status: ActionStatus
    at: str


class IgnoredRecord(TypedDict):
    """Someone the rep said is not a contact (table ``ignored_people``, by address)."""

    account: str
    at: str


@dataclass(frozen=True)
class Table(Generic[R_co]):
    """A store table: its name, and the enum its records' ``status`` holds."""

    name: str
    status: type[StrEnum] | None = None

    def read(self, doc: Mapping[str, Any]) -> R_co:
        """A stored document as this table's record (a status string becomes its enum;
        an unknown one stays text, which ``agent.store.state_check`` reports)."""
        found = doc.get("status")
        if isinstance(found, str) and found in self._statuses:
            doc = {**doc, "status": self._statuses[found]}
        return cast(R_co, doc)

    @cached_property
    def _statuses(self) -> Mapping[str, StrEnum]:
        """Status text → member: a dictionary lookup per record, not the enum's own call
        (a year of drafts is 2,500 records, read by several steps of a command)."""
        return {member.value: member for member in self.status} if self.status else {}


DRAFTS: Table[DraftRecord] = Table("drafts", DraftStatus)
STAGES: Table[StageRecord] = Table("stages")
DIGESTS: Table[DigestRecord] = Table("digests", DigestStatus)
BLOCKS: Table[dict[str, Any]] = Table("blocks")  # BlockRecord documents
BLOCK_ACTIONS: Table[BlockActionRecord] = Table("block_actions", ActionStatus)
BLOCK_WEEKS: Table[dict[str, float]] = Table("block_weeks")  # week → hours per outcome
IGNORED_PEOPLE: Table[IgnoredRecord] = Table("ignored_people")

TABLES: tuple[Table[Any], ...] = (
    DRAFTS,
    STAGES,
    DIGESTS,
    BLOCKS,
    BLOCK_ACTIONS,
    BLOCK_WEEKS,
    IGNORED_PEOPLE,
)
