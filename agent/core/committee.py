"""The buying committee from the rep's own mail: people at an account whom its contacts
copy on mail or who sit in meetings with them, but whom the rep never wrote to directly.

Two steps, both pure. :func:`sightings` reads the observations once (with the touches,
``agent.core.touches.candidates``) and leaves a :class:`Signal` per sighting: ``copied``
(in To or Cc of mail a contact wrote to the rep, or in Cc of the rep's mail to a contact),
``invited`` (in a meeting with the rep and a contact), each with the bridge in ``by`` and
the thread's subject or the meeting's title in ``detail``; and ``wrote`` for each person
the rep addressed in the To line (the earliest time). :func:`committee` ranks one account's
people at ``now``: how often they appear (distinct messages and meetings) plus with how
many of the rep's contacts, the most recent first among equals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from agent.core.accounts.contacts import PERIODS, ContactStatus
from agent.core.names import best_name
from agent.model import Address, Direction, MailKind, MailMessage, Meeting, Response, Signal, Touch

if TYPE_CHECKING:  # the state holds the committee: imported for the annotation only
    from agent.core.accounts.state import AccountState

COPIED, INVITED, WROTE = "copied", "invited", "wrote"
SIGHTINGS = frozenset({COPIED, INVITED, WROTE})
AccountOf = Callable[[str], str | None]  # an address → its account's name, or None


@dataclass(frozen=True)
class Member:
    """Someone on an account's buying committee whom the rep has not written to yet."""

    email: str
    name: str  # their name, else their address
    sightings: int  # distinct messages and meetings they were in with a contact
    bridges: tuple[str, ...]  # the contacts who brought them in, the most frequent first
    bridge_name: str  # what to call the first bridge
    thread: str  # the latest subject or meeting title shared with that bridge
    invited: bool  # that sighting was a meeting, not mail
    last: datetime
    listed: bool  # already among the account's contacts in the config
    met: str = ""  # the latest meeting the rep had with them, "" when none

    @property
    def score(self) -> int:
        return self.sightings + len(self.bridges)

    def reason(self, account: str) -> str:
        """The new_contact play's reason: who they are to the rep, and through whom."""
        if self.invited:
            met = f"{self.name} was in \u201c{self.thread}\u201d with {self.bridge_name}"
        else:
            met = f"{self.bridge_name} copied {self.name} on \u201c{self.thread}\u201d"
        often = ""
        if len(self.bridges) > 1:
            often = f" (seen {self.sightings} times with {len(self.bridges)} of your contacts)"
        elif self.sightings > 1:
            often = f" (seen {self.sightings} times with your contacts)"
        return (
            f"{met}{often}: they are on the buying committee at {account}, but you have "
            f"never written to them. Write to {_first(self.name)} directly and mention "
            f"{_first(self.bridge_name)}."
        )


def sightings(
    account_of: AccountOf,
    is_me: Callable[[str], bool],
    messages: Iterable[MailMessage],
    meetings: Iterable[Meeting],
    max_participants: int,
) -> list[Signal]:
    found: list[Signal] = []
    wrote: dict[str, Signal] = {}
    # The same few thousand addresses recur across a book: look each up once.
    account_of = cache(account_of)
    is_me = cache(is_me)
    for message in messages:
        if message.kind is not MailKind.PERSONAL or message.sender is None:
            continue
        if len({a.email for a in (message.sender, *message.recipients)}) > max_participants:
            continue  # a mass mailing says nothing about who works together
        if is_me(message.sender.email):
            _rep_mail(account_of, message, found, wrote)
        elif any(is_me(a.email) for a in message.recipients):
            _their_mail(account_of, is_me, message, found)
    for meeting in meetings:
        found.extend(_meeting(account_of, is_me, meeting, max_participants))
    return [*found, *wrote.values()]


def _rep_mail(
    account_of: AccountOf, message: MailMessage, found: list[Signal], wrote: dict[str, Signal]
) -> None:
    bridges: dict[str, str] = {}
    for address in message.to:
        account = account_of(address.email)
        if account is None:
            continue
        bridges.setdefault(account, address.email)
        before = wrote.get(address.email)
        if before is None or message.sent_at < before.at:
            wrote[address.email] = Signal(WROTE, account, address.email, message.sent_at)
    to = {a.email for a in message.to}
    for address in (*message.cc, *message.bcc):
        account = account_of(address.email)
        if account is not None and account in bridges and address.email not in to:
            found.append(_copied(account, address, message, bridges[account]))


def _their_mail(
    account_of: AccountOf, is_me: Callable[[str], bool], message: MailMessage, found: list[Signal]
) -> None:
    assert message.sender is not None
    account = account_of(message.sender.email)
    if account is None:
        return  # a colleague's or a stranger's mail: no contact brought anyone in
    for address in message.to + message.cc:
        if is_me(address.email) or address.email == message.sender.email:
            continue
        if account_of(address.email) == account:
            found.append(_copied(account, address, message, message.sender.email))


def _meeting(
    account_of: AccountOf, is_me: Callable[[str], bool], meeting: Meeting, max_participants: int
) -> list[Signal]:
    if meeting.cancelled or meeting.own_block or meeting.all_day:
        return []
    present = {
        a.email: a.name
        for a in meeting.attendees
        if a.response is not Response.DECLINED or a.email == meeting.organizer
    }
    if meeting.organizer:
        present.setdefault(meeting.organizer, "")
    if len(present) > max_participants or not any(is_me(e) for e in present):
        return []
    people = [(e, n, account_of(e)) for e, n in sorted(present.items())]
    return [
        # Dated at its end: a meeting counts once held, when its touches do (and the plan's
        # memo expires, ``agent.core.horizon``).
        Signal(INVITED, account, email, meeting.end, meeting.title, by=other, name=name)
        for email, name, account in people
        if account is not None
        for other, _, same in people
        if same == account and other != email
    ]


def _copied(account: str, person: Address, message: MailMessage, bridge: str) -> Signal:
    return Signal(
        COPIED,
        account,
        person.email,
        message.sent_at,
        _topic(message.subject),
        by=bridge,
        name=person.name,
    )


def _topic(subject: str) -> str:
    text = subject.strip()
    while text[:3].lower() in ("re:", "fw:") or text[:4].lower() == "fwd:":
        text = text.partition(":")[2].strip()
    return text or "(no subject)"


def committee(
    signals: Sequence[Signal],
    contacts: Sequence[ContactStatus],
    touches: Sequence[Touch],
    now: datetime,
    *,
    listed: Collection[str],
    never: Callable[[str], bool] = lambda email: False,
) -> tuple[Member, ...]:
    """One account's committee at ``now``, the most central first.

    A bridge must be one of the rep's contacts there: listed, written to directly, or
    someone who wrote to the rep. Nobody the rep has written to directly is a member.
    """
    direct = {s.contact for s in signals if s.kind == WROTE and s.at <= now}
    wrote_in = {t.contact for t in touches if t.direction is Direction.INBOUND}
    known = set(listed) | direct | wrote_in
    seen: dict[str, list[Signal]] = {}
    for signal in signals:
        if signal.kind not in (COPIED, INVITED) or signal.at > now:
            continue
        if signal.contact in direct or signal.by not in known or never(signal.contact):
            continue
        seen.setdefault(signal.contact, []).append(signal)
    names = {c.email: c.name for c in contacts if c.has_name}
    members = [_member(email, found, names, listed) for email, found in seen.items()]
    return tuple(sorted(members, key=lambda m: (-m.score, -m.last.timestamp(), m.email)))


def _member(
    email: str, found: list[Signal], names: dict[str, str], listed: Collection[str]
) -> Member:
    sources = {(s.at, s.detail) for s in found}
    by = Counter(s.by for s in {(s.at, s.detail, s.by): s for s in found}.values())
    bridges = tuple(sorted(by, key=lambda b: (-by[b], b)))
    latest = max((s for s in found if s.by == bridges[0]), key=lambda s: (s.at, s.detail))
    spoken = [s.name for s in sorted(found, key=lambda s: s.at, reverse=True) if s.name]
    return Member(
        email=email,
        name=best_name(email, names.get(email, ""), spoken) or email,
        sightings=len(sources),
        bridges=bridges,
        bridge_name=names.get(bridges[0]) or best_name(bridges[0], "", []) or bridges[0],
        thread=latest.detail,
        invited=latest.kind == INVITED,
        last=max(s.at for s in found),
        listed=email in listed,
        met=max(((s.at, s.detail) for s in found if s.kind == INVITED), default=(None, ""))[1],
    )


def as_contact(member: Member, contacts: Sequence[ContactStatus], account: str) -> ContactStatus:
    """The member as a person the planner can pick: their status when they have touches
    (a meeting, a Cc from the rep), else a status with none."""
    known = next((c for c in contacts if c.email == member.email), None)
    if known is not None:
        return known
    return ContactStatus(
        account=account,
        email=member.email,
        name=member.name,
        role="",
        known=member.listed,
        last_touch=None,
        days_since_touch=None,
        touches=0,
        recent_touches=0,
        touches_by_period=tuple((p, 0) for p in PERIODS),
        reply_owed=None,
        held_until=None,
        due=True,
        has_name=member.name != member.email,
    )


def members_to_write(
    state: AccountState, pick: Callable[[ContactStatus], bool], listed_first: Sequence[str]
) -> list[tuple[ContactStatus, Member]]:
    """Committee members a new_contact play may go to, best first: the listed person the
    play would pick anyway when they are on the committee, else the committee in rank."""
    found = []
    for member in state.committee:
        contact = as_contact(member, state.contacts, state.name)
        if pick(contact):
            found.append((contact, member))
    return sorted(found, key=lambda pair: pair[0].email not in listed_first)


def _first(name: str) -> str:
    return name.split(maxsplit=1)[0] if " " in name and "@" not in name else name
