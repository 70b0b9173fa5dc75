"""What every provider offers the pipeline, in domain types only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agent.model import Address, MailMessage, Meeting

# Called with (done, total) while a long pull is under way; total may be None.
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Interest:
    """What could be a touch: mail and meetings involving these domains since ``since``.

    Providers use it to fetch as little as possible (Gmail filters on the server); the
    touch detector still decides what counts.
    """

    domains: frozenset[str]
    me: frozenset[str]
    since: datetime
    until: datetime  # meetings are expanded up to here (future meetings matter to blocks)


@dataclass(frozen=True)
class Pull:
    """The result of one sync, applied to the store in a single write.

    ``cursor`` is opaque to everyone but the provider that made it and is saved only
    together with the observations, so a failed sync never moves it.
    """

    messages: tuple[MailMessage, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    removed_meetings: tuple[str, ...] = ()  # uids of cancelled or deleted occurrences
    reset_calendars: tuple[str, ...] = ()  # drop every stored meeting of these first
    cursor: Mapping[str, Any] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()  # "path: reason" for inputs that were skipped


class Provider(Protocol):
    """A source of observations (and, in later issues, a target for drafts and blocks)."""

    name: str

    def pull(
        self, cursor: Mapping[str, Any], interest: Interest, progress: Progress | None = None
    ) -> Pull:
        """Fetch what changed since ``cursor`` (empty: everything in the interest window)."""
        ...


@dataclass(frozen=True)
class OutgoingMail:
    """A message nurture prepares: a draft for the rep, or the digest to the rep themself."""

    to: tuple[Address, ...]
    subject: str
    text: str
    html: str = ""  # optional HTML alternative
    marker: str = ""  # idempotency key, carried in MARKER_HEADER
    thread: str = ""  # provider thread id when the mail continues a conversation
    in_reply_to: str = ""  # Message-ID of the message answered, if any


@dataclass(frozen=True)
class DraftRef:
    """A draft as it exists in the rep's mailbox now."""

    id: str  # provider draft id (Gmail draft id; local: the .eml file name)
    message_id: str  # provider message id of the draft's current content
    marker: str
    link: str = ""  # where the rep opens it (a Gmail URL or a file path)


class Mailbox(Protocol):
    """Draft and send operations. Only ``send_draft`` (on the rep's approval) and
    ``send_to_self`` (the digest) ever send anything."""

    def create_draft(self, mail: OutgoingMail) -> DraftRef:
        """Create a draft; if a draft with ``mail.marker`` exists, return it instead."""
        ...

    def drafts(self) -> list[DraftRef]:
        """nurture's drafts (those with a marker) that still exist."""
        ...

    def send_draft(self, draft_id: str) -> str:
        """Send an existing draft as it is now; returns the sent message's id."""
        ...

    def send_to_self(self, mail: OutgoingMail) -> str:
        """Send ``mail`` to the rep's own address(es); refuses any other recipient."""
        ...
