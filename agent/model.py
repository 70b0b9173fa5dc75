"""Domain types shared by every room: observations, touches and their vocabulary.

Providers turn MIME, iCalendar and API dicts into these frozen dataclasses at the edge;
nothing past the edge sees raw headers or API payloads. All datetimes are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# Every draft nurture writes carries this header with its action's idempotency key, so the
# draft (and the message the rep finally sends) can be recognised on any later sync.
MARKER_HEADER = "X-Nurture-Key"


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
    """What a message is, judged from its headers alone (see ``agent.mailparse``)."""

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
    subject: str = ""
    snippet: str = ""
    kind: MailKind = MailKind.PERSONAL
    thread: str = ""  # thread key: Gmail threadId, else the root of References
    in_reply_to: str = ""
    return_date: date | None = None  # stated by an out-of-office reply
    provider_id: str = ""  # e.g. the Gmail message id, for links and threading
    marker: str = ""  # MARKER_HEADER of a message nurture drafted (how sent drafts are found)

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc


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


@dataclass(frozen=True, slots=True)
class Touch:
    """A real contact between the rep and one person at an account."""

    source: str  # MailMessage.uid or Meeting.uid: the same source counts once
    account: str
    contact: str  # normalised email of the person at the account
    at: datetime
    direction: Direction
    channel: Channel
    weight: int  # see touches.WEIGHTS
    subject: str = ""
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class Signal:
    """Something worth knowing that is not a touch, e.g. an out-of-office return date."""

    kind: str
    account: str
    contact: str
    at: datetime
    detail: str = ""
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Observations:
    """Everything a sync has gathered: the input of touch detection."""

    messages: tuple[MailMessage, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    unreadable: tuple[str, ...] = field(default=())  # files skipped, with the reason
