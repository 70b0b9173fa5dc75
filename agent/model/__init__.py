"""Domain types shared by every room: observations, touches and their vocabulary.

Providers turn MIME, iCalendar and API dicts into these frozen dataclasses at the edge;
nothing past the edge sees raw headers or API payloads. All datetimes are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple


class Tier(StrEnum):
    DREAM = "dream"
    TARGET = "target"
    OTHER = "other"


class Stage(StrEnum):
    COLD = "cold"
    HOT = "hot"
    STALLED = "stalled"
    LOST = "lost"
    WON = "won"


class Direction(StrEnum):
    OUTBOUND = "outbound"  # the rep wrote to, or invited, the contact
    INBOUND = "inbound"  # the contact wrote to the rep, or invited them


class Channel(StrEnum):
    EMAIL = "email"
    MEETING = "meeting"


class MailKind(StrEnum):
    """What a message is, judged from its headers alone (see ``agent.providers.mail.parse``)."""

    PERSONAL = "personal"  # written by a person to people: can be a touch
    BULK = "bulk"  # mailing lists, newsletters, notifications, no-reply senders
    AUTO_REPLY = "auto_reply"  # out-of-office and other automatic answers
    BOUNCE = "bounce"  # delivery status notifications


class Response(StrEnum):
    """An attendee's answer to an invitation (iCalendar PARTSTAT / Google responseStatus)."""

    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"
    NEEDS_ACTION = "needs_action"


@dataclass(frozen=True, slots=True)
class Address:
    """A normalised mailbox: ``email`` is lower-case with any ``+tag`` removed."""

    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class MailMessage:
    """One email as seen in a mailbox, reduced to what touch detection needs.

    ``uid`` is the normalised Message-ID (or a content hash when there is none), so the
    same message read twice, from two files or two syncs, is one message.
    """

    uid: str
    sent_at: datetime
    sender: Address | None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()  # only the sender's copy names them (the rep's sent mail)
    subject: str = ""
    snippet: str = ""
    kind: MailKind = MailKind.PERSONAL
    thread: str = ""  # thread key: Gmail threadId, else the root of References
    in_reply_to: str = ""
    return_date: date | None = None  # stated by an out-of-office reply
    provider_id: str = ""  # e.g. the Gmail message id, for links and threading
    # What a reply to it needs, as written (Message-IDs are case-sensitive): its own
    # Message-ID, and the chain a reply extends (its References, else its In-Reply-To).
    message_id: str = ""
    references: tuple[str, ...] = ()

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str = ""
    response: Response = Response.NEEDS_ACTION
    organizer: bool = False


@dataclass(frozen=True, slots=True)
class Meeting:
    """One occurrence of a calendar event (recurrences are already expanded)."""

    uid: str  # event UID, plus the occurrence's start for recurring events
    start: datetime
    end: datetime
    title: str = ""
    organizer: str = ""  # normalised email, "" when unknown
    attendees: tuple[Attendee, ...] = ()
    all_day: bool = False
    cancelled: bool = False
    busy: bool = True  # TRANSP:OPAQUE / transparency != transparent
    calendar: str = ""  # which configured calendar it came from
    own_block: bool = False  # one of the agent's own nurture blocks


class Touch(NamedTuple):
    """A real contact between the rep and one person at an account.

    A named tuple, not a frozen dataclass: a large book holds 60,000 of them, made by every
    sync that brings mail and read by every command, and a frozen dataclass's ``__init__``
    (a ``__setattr__`` per field) costs ten times a tuple's."""

    source: str  # MailMessage.uid or Meeting.uid: the same source counts once
    account: str
    contact: str  # normalised email of the person at the account
    at: datetime
    direction: Direction
    channel: Channel
    weight: int  # see touches.WEIGHTS
    subject: str = ""
    snippet: str = ""
    thread: str = ""  # email: the message's thread key (MailMessage.thread)
    name: str = ""  # the person's display name as this message or invite wrote it
    ask: bool = False  # the rep's own email that asks for something (agent.core.giveask)


OUT_OF_OFFICE = "out_of_office"  # Signal.kind of an automatic answer, with its return date


@dataclass(frozen=True, slots=True)
class Signal:
    """Something worth knowing that is not a touch, e.g. an out-of-office return date."""

    kind: str
    account: str
    contact: str
    at: datetime
    detail: str = ""
    until: date | None = None
    by: str = ""  # copied: the person at the account who brought them in (the bridge)
    name: str = ""  # copied: their display name as the message or invite wrote it


@dataclass(frozen=True, slots=True)
class Observations:
    """Everything a sync has gathered: the input of touch detection."""

    messages: tuple[MailMessage, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    unreadable: tuple[str, ...] = field(default=())  # files skipped, with the reason


# --- the engine's vocabulary: plays, patterns and planned actions -----------------------


class PlayId(StrEnum):
    """The ids of the bundled plays, for code and tests that name one. The list of plays is
    the registry (``agent.core.plays.registry``): a play added there needs no member here.
    The values are a contract (config, store, templates)."""

    SHARE_CONTENT = "share_content"
    INTRODUCTION = "introduction"
    INVITATION = "invitation"
    REENGAGE_LOST = "reengage_lost"
    STALLED_CLOSURE = "stalled_closure"
    DO_OVER = "do_over"
    NEW_CONTACT = "new_contact"


class PatternKind(StrEnum):
    """Habits the playbook warns about, flagged per account."""

    PREDICTABLE_CHECKINS = "predictable_checkins"
    SINGLE_THREADED = "single_threaded"
    GONE_DARK_AFTER_LOSS = "gone_dark_after_loss"
    STALLED_HANGING = "stalled_hanging"
    ONE_WAY = "one_way"


class ActionKind(StrEnum):
    DRAFT = "draft"  # write a draft for the rep to review (never sent by the agent)
    BLOCK = "block"  # place or move a nurture block (planned by the scheduler)
    DIGEST = "digest"  # send the weekly digest to the rep
    REPLY = "reply"  # the rep owes this contact an answer: a reminder, no draft
    HOLD = "hold"  # the contact is away: nothing for them until a date
    SUGGEST_STAGE = "suggest_stage"  # a stage change for the rep to confirm
    DEFERRED = "deferred"  # a play that a throttle pushed to a later cycle
    NO_PLAY = "no_play"  # a due account with no play today: why, and what would fix it


@dataclass(frozen=True, slots=True)
class Offer:
    """What a draft brings: a content item, an introduction or an invitation.

    ``key`` identifies it for "never the same thing twice to a person": the URL for
    content, ``introduction:NAME`` / ``invitation:NAME`` for the others. It is what the
    drafts table records as ``content_url``.
    """

    kind: str  # article, white_paper, news, analysis, ..., introduction, tour, lunch, event
    key: str
    title: str
    url: str = ""
    detail: str = ""  # why it matters (introductions), where (invitations)
    when: date | None = None  # published (content) or the day of the event (invitations)


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """An email conversation a draft may continue, at its newest message known."""

    message: str  # MailMessage.uid of that message: the one a reply answers
    thread: str  # its thread key (Touch.thread)
    subject: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the next cycle would do, with the sentence that explains it.

    ``key`` is deterministic for the same intent on the same day, so applying a plan twice
    never creates a second draft. The payload fields are what a draft renderer needs.
    """

    kind: ActionKind
    account: str
    contact: str | None
    play: str | None  # a play id (``agent.core.plays.registry``)
    reason: str
    key: str
    contact_name: str = ""
    offer: Offer | None = None
    asks: tuple[str, ...] = ()  # do_over: what to ask for, from the account's needs
    subject_hint: str = ""
    meeting: str = ""  # do_over: the meeting the ask follows
    until: date | None = None  # hold: the first day the contact may hear from us again
    stage: Stage | None = None  # suggest_stage: the suggested stage
    reply_to: ThreadRef | None = None  # draft: the conversation this play belongs in
    last_message: ThreadRef | None = None  # draft: the contact's last message, in its thread
    fix: str = ""  # no_play: what the rep can do so the account gets a play


# --- nurture blocks on the calendar (issue 6) --------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A stretch of real time ``[start, end)``; compare and subtract it in UTC, never wall time."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class NurtureBlock:
    """One of the agent's own calendar blocks, as it is (or must be) on the rep's calendar.

    ``id`` is deterministic for (rep, ``day``), so placing the same day's block twice
    updates one event instead of creating a second. ``day`` is the day it was planned
    for and stays its identity even when the rep drags it to another day.
    """

    id: str
    day: date
    start: datetime
    end: datetime
    title: str
    description: str = ""
    busy: bool = True  # shown as busy (opaque) or free (transparent)
    colour: str = ""  # a Google event colour name (blocks_settings.COLOURS); "" = default


@dataclass(frozen=True)
class OutgoingMail:
    """A message nurture prepares: a draft for the rep, or the digest to the rep themself.

    Nothing in it names nurture: ``key`` never goes into the message (a client can read
    every header of what the rep sends), and ``rfc822_id`` looks like any Message-ID.
    """

    to: tuple[Address, ...]
    subject: str
    text: str
    html: str = ""  # optional HTML alternative
    key: str = ""  # nurture's idempotency key: the draft's action key (local: its file name)
    rfc822_id: str = ""  # the Message-ID to write (without <>); "" for a new one
    thread: str = ""  # provider thread id when the mail continues a conversation
    in_reply_to: str = ""  # Message-ID of the message answered, if any (without <>)
    references: tuple[str, ...] = ()  # the References chain, oldest first (without <>)


@dataclass(frozen=True)
class DraftRef:
    """A draft as it exists in the rep's mailbox now.

    Only ``id`` is stable: Gmail's composer rebuilds a draft on every autosave (a new
    message id, its own Message-ID, custom headers gone) and moves it to a thread of its
    own when its subject changes. The last four fields are filled by
    ``Mailbox.unclaimed`` only (``agent.providers.mail.draft_match`` reads them).
    """

    id: str  # provider draft id (Gmail draft id; local: the .eml file name)
    message_id: str  # provider message id of the draft's current content
    thread: str = ""  # the thread it is in now (Gmail thread id; local: mailparse's key)
    link: str = ""  # where the rep opens it (a Gmail URL or a file path)
    rfc822_id: str = ""  # its Message-ID header, without <>
    to: tuple[str, ...] = ()  # its recipients' addresses
    subject: str = ""
    written_at: datetime | None = None  # when the mailbox stored its current content
