"""One function per play: given an account's state, whom to write to, with what, and why.

A builder returns at most one Candidate and never decides *whether* the account may get a
play at all (stage, tier, cadence, throttles): ``agent.core.plays.table`` does that from the
play table. ``pick`` tells a builder whether a person is free for this play today.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from agent.config.schema import Config
from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState
from agent.core.committee import members_to_write
from agent.core.history import History
from agent.core.plays.offers import (
    content_offers,
    insight_offers,
    introduction_offers,
    invitation_offers,
)
from agent.core.plays.threads import about_meeting, conversation
from agent.model import Channel, Direction, Offer, PatternKind, PlayId, ThreadRef, Touch


@dataclass(frozen=True)
class PlayContext:
    config: Config
    now: datetime
    today: date
    history: History
    offered: frozenset[tuple[str, str]]  # (contact, offer key): drafted or sent before


@dataclass(frozen=True)
class Candidate:
    play: PlayId
    contact: ContactStatus
    reason: str
    offer: Offer | None = None
    asks: tuple[str, ...] = ()
    meeting: str = ""
    subject_hint: str = ""
    anchor: str = ""  # what else makes it unique (the meeting a do-over follows)
    reply_to: ThreadRef | None = None  # the email conversation it continues, if any


Pick = Callable[[ContactStatus], bool]
Builder = Callable[[AccountState, PlayContext, Pick], "Candidate | None"]


def do_over(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    """A recent meeting with no word from us since: ask for what the account still owes us."""
    meeting = _latest_meeting(state, ctx)
    if meeting is None or not state.account.needs:
        return None
    if any(
        t.direction is Direction.OUTBOUND and t.channel is Channel.EMAIL and t.at > meeting.at
        for t in state.touches
    ) or ctx.history.plays_since(state.name, PlayId.DO_OVER, meeting.at):
        return None
    attendees = {t.contact for t in state.touches if t.source == meeting.source}
    people = _warmest([c for c in state.contacts if c.email in attendees])
    contact = next((c for c in people if pick(c)), None)
    if contact is None:
        return None
    days = (ctx.today - meeting.at.astimezone(ctx.config.tz).date()).days
    names = " and ".join(c.name for c in people)
    return Candidate(
        PlayId.DO_OVER,
        contact,
        f"You met {names} {_ago(days)} (\u201c{meeting.subject}\u201d) and have sent nothing "
        f"since; while it is fresh, ask for what is still missing: "
        f"{'; '.join(state.account.needs)}.",
        asks=state.account.needs,
        meeting=meeting.subject,
        subject_hint="One thing I should have asked",
        anchor=meeting.source,
        reply_to=about_meeting(state.touches, contact.email, meeting),
    )


def _latest_meeting(state: AccountState, ctx: PlayContext) -> Touch | None:
    meetings = [t for t in state.touches if t.channel is Channel.MEETING]
    if not meetings:
        return None
    latest = max(meetings, key=lambda t: (t.at, t.source))
    age = (ctx.today - latest.at.astimezone(ctx.config.tz).date()).days
    return latest if age <= ctx.config.do_over_days else None


def stalled_closure(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    """An honest question to the main person, so that 'not now' is easy to say."""
    contact = next((c for c in _warmest(state.contacts) if c.touches and pick(c)), None)
    if contact is None:
        return None
    stalled = (
        f"has been stalled for {state.days_in_stage} days"
        if state.days_in_stage is not None
        else "is stalled"
    )
    one_way = next((p for p in state.patterns if p.kind is PatternKind.ONE_WAY), None)
    echo = f" ({one_way.detail})" if one_way else ""
    return Candidate(
        PlayId.STALLED_CLOSURE,
        contact,
        f"{state.name} {stalled}{echo}; ask {contact.name} plainly whether the timing is "
        "wrong, so a no costs them nothing and the deal stops hanging.",
        subject_hint="Is this still the right time?",
        reply_to=conversation(state.touches, contact.email),
    )


def reengage_lost(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    """Stay close after a loss, one person at a time, with something useful when we can."""
    people = sorted(
        (c for c in state.contacts if c.last_touch is not None and pick(c)),
        key=lambda c: (-(c.days_since_touch or 0), not c.known, c.email),
    )
    if not people:
        return None
    contact = people[0]
    offer = _fresh(lost_deal_gives(state, ctx), contact, ctx)
    if offer is None:
        return None  # no bare check-in: the plan says what to add (core.plays.why_none)
    lost = (
        f"was lost {state.days_in_stage} days ago"
        if state.days_in_stage is not None
        else "is marked lost"
    )
    bring = f" (this time: \u201c{offer.title}\u201d)"
    return Candidate(
        PlayId.REENGAGE_LOST,
        contact,
        f"{state.name} {lost} and {contact.name} last heard from you "
        f"{_ago(contact.days_since_touch)}; a lost dream client is still a dream client, so "
        f"bring something useful every {state.status.cadence_days} days{bring} and be there "
        "when it opens again, not just at renewal time.",
        offer=offer,
        subject_hint=offer.title,
    )


def lost_deal_gives(state: AccountState, ctx: PlayContext) -> list[Offer]:
    """What a lost account can be given: content, then an introduction, an invitation, or
    the rep's own insight for its tags (none needs a link)."""
    return [
        *content_offers(ctx.config, state.account, ctx.today),
        *introduction_offers(ctx.config, state.account, ctx.today),
        *invitation_offers(ctx.config, state.account, ctx.today),
        *insight_offers(ctx.config, state.account),
    ]


def new_contact(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    """Coverage below target: reach someone on the list nobody has reached lately."""
    status = state.status
    if status.coverage_gap == 0:
        return None
    people = sorted(
        (c for c in state.contacts if c.known and not c.recent_touches and pick(c)),
        key=lambda c: (c.last_touch is not None, not c.role),
    )
    member = next(iter(members_to_write(state, pick, [c.email for c in people[:1]])), None)
    if member is not None:  # someone their own people bring in: the bridge says how
        contact, member_ = member
        offer = _fresh(content_offers(ctx.config, state.account, ctx.today), contact, ctx)
        opener = f" Open with \u201c{offer.title}\u201d." if offer else ""
        return Candidate(
            PlayId.NEW_CONTACT,
            contact,
            member_.reason(state.name) + opener,
            offer=offer,
            meeting=member_.met,  # the draft does not say "we haven't met" to them
            subject_hint=offer.title if offer else "A first hello",
        )
    if not people:
        return None
    contact = people[0]
    history = (
        "has never been reached"
        if contact.last_touch is None
        else f"last heard from you {_ago(contact.days_since_touch)}"
    )
    missing = [r for r in state.roles_missing if r != contact.role]
    also = f" Still no one reached as: {', '.join(missing)}." if missing else ""
    offer = _fresh(content_offers(ctx.config, state.account, ctx.today), contact, ctx)
    opener = f" Open with \u201c{offer.title}\u201d." if offer else ""
    reached = f"Only {status.recent_people}" if status.recent_people else "None"
    return Candidate(
        PlayId.NEW_CONTACT,
        contact,
        f"{reached} of the {status.coverage_target} people you want to know at {state.name} "
        f"heard from you in {ctx.config.coverage_days} days; {contact.label} is on your list "
        f"and {history}.{opener}{also}",
        offer=offer,
        subject_hint=offer.title if offer else "A first hello",
    )


def introduction(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    return _value_play(
        PlayId.INTRODUCTION,
        state,
        ctx,
        pick,
        offers=introduction_offers(ctx.config, state.account, ctx.today),
        what=lambda o, c: (
            f"offer {c} an introduction to {o.title}" + (f" ({o.detail})" if o.detail else "")
        ),
    )


def invitation(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    return _value_play(
        PlayId.INVITATION,
        state,
        ctx,
        pick,
        offers=invitation_offers(ctx.config, state.account, ctx.today),
        what=lambda o, c: (
            f"invite {c} to {o.title}"
            + (f" on {o.when:%a %d %b}" if o.when else "")
            + (f" ({o.detail})" if o.detail else "")
        ),
    )


def share_content(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    tags = ", ".join(state.account.tags)
    return _value_play(
        PlayId.SHARE_CONTENT,
        state,
        ctx,
        pick,
        # Until the library has something for these tags, the rep's own insight is the give.
        offers=content_offers(ctx.config, state.account, ctx.today)
        or insight_offers(ctx.config, state.account),
        what=lambda o, c: (
            f"send {c} the {o.kind.replace('_', ' ')} \u201c{o.title}\u201d"
            + (f", picked for {tags}" if tags else "")
        ),
    )


def _value_play(
    play: PlayId,
    state: AccountState,
    ctx: PlayContext,
    pick: Pick,
    *,
    offers: list[Offer],
    what: Callable[[Offer, str], str],
) -> Candidate | None:
    """A value touch for someone who knows us: the coldest person first, a new offer each."""
    people = sorted(
        (c for c in state.contacts if c.last_touch is not None and pick(c)),
        key=lambda c: (not c.known, -(c.days_since_touch or 0), c.email),
    )
    for contact in people:
        offer = _fresh(offers, contact, ctx)
        if offer is not None:
            return Candidate(
                play,
                contact,
                f"{_why_due(state)}; {what(offer, contact.name)}: a reason to talk that "
                "is worth their time.",
                offer=offer,
                subject_hint=offer.title,
            )
    return None


def _fresh(offers: Iterable[Offer], contact: ContactStatus, ctx: PlayContext) -> Offer | None:
    return next((o for o in offers if (contact.email, o.key) not in ctx.offered), None)


def _warmest(contacts: Iterable[ContactStatus]) -> list[ContactStatus]:
    """The people we know best first: most touches, then the most recent."""
    return sorted(
        contacts,
        key=lambda c: (-c.touches, c.days_since_touch if c.days_since_touch is not None else 10**6),
    )


def _why_due(state: AccountState) -> str:
    status = state.status
    label = f"{state.name} ({status.tier.value}, {status.stage.value})"
    if status.days_since_touch is None:
        return f"{label} has never heard from you"
    late = (
        f"{status.days_overdue} days past its {status.cadence_days}-day rhythm"
        if status.days_overdue
        else f"due on its {status.cadence_days}-day rhythm"
    )
    return f"{label} last heard from you {_ago(status.days_since_touch)}, {late}"


def _ago(days: int | None) -> str:
    if days is None:
        return "never"
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
