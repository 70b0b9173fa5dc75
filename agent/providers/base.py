"""What every provider offers the pipeline, in domain types only."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agent.model import (
    DraftRef,
    Interval,
    MailMessage,
    Meeting,
    NurtureBlock,
    OutgoingMail,
)

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


@dataclass(frozen=True)
class StoredMeetings:
    """The meetings the last sync stored, offered to a calendar that can answer busy time
    from them instead of reading its source again (local .ics files; Google ignores it)."""

    cursor: Callable[[str], Mapping[str, Any]]  # provider name → its cursor as last saved
    meetings: Callable[[str], Sequence[Meeting] | None]  # calendar → its meetings, or None


class Provider(Protocol):
    """A source of observations (and, in later issues, a target for drafts and blocks)."""

    name: str
    # True when busy time is best answered from the meetings a sync stored (files that
    # are slow to parse); False when the calendar service answers it (Google freebusy).
    busy_from_sync: bool

    def check(self) -> str:
        """One cheap look that the sources can be read (`nurture doctor`): a sentence about
        what was found, or ``UserError`` saying what to fix."""
        ...

    def pull(
        self, cursor: Mapping[str, Any], interest: Interest, progress: Progress | None = None
    ) -> Pull:
        """Fetch what changed since ``cursor`` (empty: everything in the interest window)."""
        ...


class Mailbox(Protocol):
    """Draft and send operations. Only ``send_draft`` (on the rep's approval) and
    ``send_to_self`` (the digest) ever send anything."""

    def create_draft(
        self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
    ) -> DraftRef:
        """Create a draft, once. When the create's answer is lost, the draft it may have
        made is looked for (``agent.draft_match.made_from``) among the drafts whose ids are
        not in ``claimed`` (those nurture tracks already) before trying again; ``since`` is
        when the draft was recorded pending. Copies a repeated request made are removed."""
        ...

    def drafts(self) -> list[DraftRef]:
        """Every draft in the mailbox now: id, current message id, thread and link."""
        ...

    def unclaimed(self, claimed: Collection[str]) -> list[DraftRef]:
        """The drafts whose ids are not in ``claimed``, with their Message-ID, recipients,
        subject and time written: enough to recognise one nurture wrote."""
        ...

    def update_draft(self, draft_id: str, mail: OutgoingMail) -> DraftRef:
        """Replace a draft's content (the rep edited it through nurture); a new message id."""
        ...

    def delete_draft(self, draft_id: str) -> None:
        """Remove a draft; no error when it is already gone."""
        ...

    def send_draft(self, draft_id: str) -> str:
        """Send an existing draft as it is now; returns the sent message's id."""
        ...

    def draft_message(self, draft_id: str) -> tuple[str, bytes]:
        """(version, RFC 822 bytes) of the draft as it would be sent now: what the rep is
        shown before approving. ``version`` changes whenever the content does."""
        ...

    def send_to_self(self, mail: OutgoingMail) -> str:
        """Send ``mail`` to the rep's own address(es); refuses any other recipient."""
        ...


class BlockCalendar(Protocol):
    """The calendar side of nurture blocks (issue 6): read busy time, keep our own blocks.

    Every datetime is timezone-aware; a block is ours when it carries our tag (Google:
    ``extendedProperties.private = {"nurture": "block", "nurture_day": "YYYY-MM-DD"}``;
    local: ``X-NURTURE-BLOCK:1`` and ``X-NURTURE-DAY`` in ``<outbox>/blocks.ics``). Errors
    the rep can fix raise ``UserError``; transient API errors are retried inside.
    """

    def busy(
        self, start: datetime, end: datetime, *, stored: StoredMeetings | None = None
    ) -> list[Interval]:
        """The rep's busy time overlapping ``[start, end)``, *never counting our blocks*.

        Busy: events that are not cancelled, are opaque (shown as busy) and that the rep
        has not declined (tentative and unanswered invitations are busy), over every
        configured calendar. An all-day event counts for its whole days in the calendar's
        zone when it is opaque (vacation, out of office) and not at all when transparent
        (holiday markers, birthdays). Zero-length events are not busy.

        Google: ``events.list(calendarId, timeMin, timeMax, singleEvents=True)`` for each
        of ``config.google.calendars``, skipping ``status == "cancelled"``,
        ``transparency == "transparent"``, events where the attendee with ``self: true``
        has ``responseStatus == "declined"``, ``eventType == "workingLocation"``, and our
        own blocks (``extendedProperties.private.nurture == "block"``). ``freebusy.query``
        cannot leave our blocks out, so it must not be used for the calendar holding them
        (it is fine for other calendars).
        """
        ...

    def blocks(self, start: datetime, end: datetime) -> list[NurtureBlock]:
        """Our blocks that exist now and overlap ``[start, end)``, as the rep left them.

        A deleted block is absent (Google: skip ``status == "cancelled"``). ``day`` comes
        from the tag; ``start``/``end`` are where the event is now, even if the rep moved
        it. Google: ``events.list(calendarId="primary", privateExtendedProperty=
        "nurture=block", timeMin, timeMax, singleEvents=True, showDeleted=False)``, all
        pages; ``colour`` from ``colorId`` (blocks_settings.GOOGLE_COLOUR_IDS reversed),
        ``busy`` from ``transparency``.
        """
        ...

    def put_block(self, block: NurtureBlock) -> None:
        """Make the event ``block.id`` look exactly like ``block``: insert or update.

        Idempotent: the second call with the same block changes nothing. Google:
        ``events.insert(calendarId="primary", body={"id": block.id, "start": {"dateTime":
        ...}, "end": ..., "summary": title, "description": description, "transparency":
        "opaque"|"transparent", "colorId": GOOGLE_COLOUR_IDS[colour] (omit for ""),
        "extendedProperties": {"private": {"nurture": "block", "nurture_day": day}},
        "reminders": {"useDefault": False}})``; on **409** (the id exists, also when the
        event was deleted) ``events.patch`` the same fields plus ``"status": "confirmed"``.
        The client retries POSTs, so a 409 after a retried insert is normal.
        """
        ...

    def delete_block(self, block_id: str) -> None:
        """Remove our block ``block_id``; no error when it is already gone (404/410)."""
        ...
