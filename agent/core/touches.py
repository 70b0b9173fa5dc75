"""Observations → touches: who at which account, when, which way, and how much it counts.

Pure functions of (config, observations, now). Noise (lists, notifications, bounces,
auto-replies) was already classified at the edge by ``agent.providers.mail.parse``; here we decide
which people are involved and whether the contact was real.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agent.config.schema import Account, Config
from agent.core.committee import sightings
from agent.core.giveask import Kind, classify
from agent.core.seen import seen_people
from agent.model import (
    OUT_OF_OFFICE,
    Channel,
    Direction,
    MailKind,
    MailMessage,
    Meeting,
    Response,
    Signal,
    Touch,
)

# A held meeting says more than a conversation, which says more than a message nobody
# answered (yet). The numbers only order the kinds; nothing adds them up as money.
WEIGHT_MEETING = 3
WEIGHT_EXCHANGE = 2
WEIGHT_ONE_WAY = 1


class AccountIndex:
    """Finds the account an address belongs to; subdomains match their parent domain."""

    def __init__(self, accounts: Sequence[Account], me: Iterable[str], internal: Iterable[str]):
        self._by_domain = {d: a for a in accounts for d in a.domains}
        self._me = frozenset(me)
        self._internal = frozenset(internal)
        # Address domain → its account (None: internal, or no account's): a book has a
        # few thousand domains and a hundred thousand addresses.
        self._known: dict[str, Account | None] = {}

    def is_me(self, email: str) -> bool:
        return email in self._me

    def is_internal(self, email: str) -> bool:
        return email in self._me or _match(email, self._internal) is not None

    def account_of(self, email: str) -> Account | None:
        if email in self._me:
            return None  # colleagues are never contacts, even at a shared domain
        at = email.rpartition("@")[2]
        if at not in self._known:
            if _match(email, self._internal) is not None:
                self._known[at] = None
            else:
                domain = _match(email, self._by_domain)
                self._known[at] = self._by_domain[domain] if domain is not None else None
        return self._known[at]


def _match(email: str, domains: Collection[str]) -> str | None:
    parts = email.rpartition("@")[2].split(".")
    for start in range(len(parts) - 1):
        candidate = ".".join(parts[start:])
        if candidate in domains:
            return candidate
    return None


@dataclass(frozen=True)
class Detection:
    touches: tuple[Touch, ...]  # ordered by (at, source, contact): the engine relies on it
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Candidates:
    """Detection before ``now``: every touch, each meeting's with the meeting's end.

    Only "has the meeting ended?" depends on the time, so this much can be derived once
    and saved (``agent.app.derived``); :meth:`at` finishes the job for any ``now``.
    """

    touches: tuple[Touch, ...]  # ordered by (at, source, contact), as Detection's
    ends: tuple[datetime | None, ...]  # the meeting's end, None for mail
    signals: tuple[Signal, ...]
    _at: dict[datetime, Detection] = field(default_factory=dict, compare=False, repr=False)

    def at(self, now: datetime) -> Detection:
        if now not in self._at:
            kept = tuple(
                t for t, end in zip(self.touches, self.ends, strict=True) if not end or end <= now
            )
            self._at.clear()
            self._at[now] = Detection(kept, self.signals)
        return self._at[now]


def detect(
    config: Config, messages: Sequence[MailMessage], meetings: Sequence[Meeting], now: datetime
) -> Detection:
    """All touches and signals in the observations, each source counted once per contact."""
    return candidates(config, messages, meetings).at(now)


def candidates(
    config: Config, messages: Sequence[MailMessage], meetings: Sequence[Meeting]
) -> Candidates:
    """Every touch the observations hold whenever ``now`` is, and the signals."""
    index = AccountIndex(config.accounts, config.me, config.internal_domains)
    max_people = config.max_participants
    touches: dict[tuple[str, str], tuple[Touch, datetime | None]] = {}
    for touch in _mail_touches(index, messages, config.max_participants):
        touches.setdefault((touch.source, touch.contact), (touch, None))
    for meeting in meetings:
        # A meeting's touches only wait for its end: an earlier now sees none of them.
        for touch in meeting_touches(index, meeting, config.max_participants, meeting.end):
            touches.setdefault((touch.source, touch.contact), (touch, meeting.end))
    ordered = sorted(
        touches.values(), key=lambda pair: (pair[0].at, pair[0].source, pair[0].contact)
    )
    touched = {t.contact for t, _ in touches.values()}
    seen = seen_people(_account_name(index), messages, meetings, touched)
    copied = sightings(_account_name(index), index.is_me, messages, meetings, max_people)
    signals = sorted([*_out_of_office(index, messages), *seen, *copied], key=lambda s: s.at)
    return Candidates(
        tuple(t for t, _ in ordered), tuple(end for _, end in ordered), tuple(signals)
    )


def _mail_touches(
    index: AccountIndex, messages: Sequence[MailMessage], max_participants: int
) -> list[Touch]:
    one_way: list[Touch] = []
    directions: dict[tuple[str, str], set[Direction]] = defaultdict(set)
    for message in messages:
        for touch in message_touches(index, message, max_participants):
            one_way.append(touch)
            directions[(message.thread or message.uid, touch.contact)].add(touch.direction)
    thread_of = {m.uid: m.thread or m.uid for m in messages}
    return [
        t._replace(weight=WEIGHT_EXCHANGE)
        if len(directions[(thread_of[t.source], t.contact)]) == 2
        else t
        for t in one_way
    ]


def message_touches(
    index: AccountIndex, message: MailMessage, max_participants: int
) -> list[Touch]:
    """One-way touches a single message makes (weights are raised for exchanges later)."""
    if message.kind is not MailKind.PERSONAL or message.sender is None:
        return []
    people = {a.email for a in (message.sender, *message.recipients)}
    if len(people) > max_participants:
        return []  # a mass mailing, not a conversation
    sender = message.sender.email
    if index.is_me(sender):
        contacts = [(a.email, index.account_of(a.email)) for a in message.recipients]
        direction = Direction.OUTBOUND
    else:
        contacts = [(sender, index.account_of(sender))]
        direction = Direction.INBOUND
    people_there = {e: account for e, account in dict(contacts).items() if account is not None}
    if not people_there:
        return []
    names: dict[str, str] = {}
    for address in (message.sender, *message.recipients):
        if address.name:
            names.setdefault(address.email, address.name)
    # What the rep wrote is read once here, when the message is, not by every command.
    ask = direction is Direction.OUTBOUND and classify(message.subject, message.snippet) is Kind.ASK
    return [
        Touch(
            source=message.uid,
            account=account.name,
            contact=email,
            at=message.sent_at,
            direction=direction,
            channel=Channel.EMAIL,
            weight=WEIGHT_ONE_WAY,
            subject=message.subject,
            snippet=message.snippet,
            thread=message.thread,
            name=names.get(email, ""),
            ask=ask,
        )
        for email, account in people_there.items()
    ]


def meeting_touches(
    index: AccountIndex, meeting: Meeting, max_participants: int, now: datetime
) -> list[Touch]:
    """A meeting counts once it has ended, if the rep and the contact did not decline it."""
    if meeting.cancelled or meeting.own_block or meeting.all_day or meeting.end > now:
        return []
    attendees = {a.email: a for a in meeting.attendees}
    people = set(attendees) | ({meeting.organizer} if meeting.organizer else set())
    if len(people) > max_participants:
        return []
    rep_in = any(
        index.is_me(email) and (email == meeting.organizer or a.response is not Response.DECLINED)
        for email, a in attendees.items()
    ) or index.is_me(meeting.organizer)
    if not rep_in:
        return []
    organizer_account = index.account_of(meeting.organizer) if meeting.organizer else None
    direction = Direction.INBOUND if organizer_account is not None else Direction.OUTBOUND
    touches = []
    for email in sorted(people):
        account = index.account_of(email)
        declined = email in attendees and attendees[email].response is Response.DECLINED
        if account is None or (declined and email != meeting.organizer):
            continue
        touches.append(
            Touch(
                source=meeting.uid,
                account=account.name,
                contact=email,
                at=meeting.start,
                direction=direction,
                channel=Channel.MEETING,
                weight=WEIGHT_MEETING,
                subject=meeting.title,
                name=attendees[email].name if email in attendees else "",
            )
        )
    return touches


def _account_name(index: AccountIndex) -> Callable[[str], str | None]:
    def name(email: str) -> str | None:
        account = index.account_of(email)
        return account.name if account is not None else None

    return name


def _out_of_office(index: AccountIndex, messages: Sequence[MailMessage]) -> list[Signal]:
    signals = []
    for message in messages:
        if message.kind is not MailKind.AUTO_REPLY or message.sender is None:
            continue
        account = index.account_of(message.sender.email)
        if account is not None:
            signals.append(
                Signal(
                    kind=OUT_OF_OFFICE,
                    account=account.name,
                    contact=message.sender.email,
                    at=message.sent_at,
                    detail=message.subject,
                    until=message.return_date,
                )
            )
    return signals
