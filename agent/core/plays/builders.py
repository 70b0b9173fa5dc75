"""What a play is, and what its builder gets and gives. Pure.

A play is one module in ``agent.core.plays.catalog`` holding a :class:`Play`: its id (also
its template's name, ``templates/<id>.j2``), its default row of the play table, its
builder and the sample ``nurture templates check`` renders its template with. A builder
returns at most one Candidate and never decides *whether* the account may get a play at
all (stage, tier, cadence, throttles): ``agent.core.plays.table`` does that from the play
table. ``pick`` tells a builder whether a person is free for this play today. The helpers
below are the ones several builders share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from agent.config.playbook import PlayRule
from agent.config.schema import Config
from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState
from agent.core.history import History
from agent.model import Offer, ThreadRef


@dataclass(frozen=True)
class PlayContext:
    config: Config
    now: datetime
    today: date
    history: History
    offered: frozenset[tuple[str, str]]  # (contact, offer key): drafted or sent before
    table: tuple[tuple[Play, PlayRule], ...]  # enabled plays, best first (registry.in_order)


@dataclass(frozen=True)
class Candidate:
    play: str
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


@dataclass(frozen=True)
class Sample:
    """What the play's template is checked with (``nurture templates check``, doctor)."""

    offer: Offer | None = None
    asks: tuple[str, ...] = ()
    meeting: str = ""
    offer_required: bool = False  # the play is never planned without an offer


@dataclass(frozen=True)
class Play:
    """One play: everything about it but its template (``templates/<id>.j2``)."""

    id: str
    defaults: PlayRule  # its row of the play table until `plays:` in config.yaml says more
    build: Builder
    sample: Sample = Sample()
    follows_cadence: bool = True  # False: triggered by something else (a meeting)


SAMPLE_URL = "https://example.com/"


def fresh(offers: Iterable[Offer], contact: ContactStatus, ctx: PlayContext) -> Offer | None:
    """The first offer this person has not had yet."""
    return next((o for o in offers if (contact.email, o.key) not in ctx.offered), None)


def warmest(contacts: Iterable[ContactStatus]) -> list[ContactStatus]:
    """The people we know best first: most touches, then the most recent."""
    return sorted(
        contacts,
        key=lambda c: (-c.touches, c.days_since_touch if c.days_since_touch is not None else 10**6),
    )


def value_play(
    play: str,
    state: AccountState,
    ctx: PlayContext,
    pick: Pick,
    *,
    offers: list[Offer],
    what: Callable[[Offer, str], str],
) -> Candidate | None:
    """A value touch for someone who knows us: the coldest person first, a new offer each."""
    people = sorted(
        (c for c in state.contacts if c.last_touch is not None),
        key=lambda c: (not c.known, -(c.days_since_touch or 0), c.email),
    )
    for contact in people:
        if not pick(contact):  # asked in this order: only until an offer is found
            continue
        offer = fresh(offers, contact, ctx)
        if offer is not None:
            return Candidate(
                play,
                contact,
                f"{why_due(state)}; {what(offer, contact.name)}: a reason to talk that "
                "is worth their time.",
                offer=offer,
                subject_hint=offer.title,
            )
    return None


def why_due(state: AccountState) -> str:
    status = state.status
    label = f"{state.name} ({status.tier.value}, {status.stage.value})"
    if status.days_since_touch is None:
        return f"{label} has never heard from you"
    late = (
        f"{status.days_overdue} days past its {status.cadence_days}-day rhythm"
        if status.days_overdue
        else f"due on its {status.cadence_days}-day rhythm"
    )
    return f"{label} last heard from you {ago(status.days_since_touch)}, {late}"


def ago(days: int | None) -> str:
    if days is None:
        return "never"
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
