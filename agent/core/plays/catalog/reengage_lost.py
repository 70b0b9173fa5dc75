"""Re-engage lost: stay close after a loss, one person at a time, with something useful."""

from __future__ import annotations

from agent.config.playbook import PlayRule
from agent.core.accounts.state import AccountState
from agent.core.plays.builders import (
    SAMPLE_URL,
    Candidate,
    Pick,
    Play,
    PlayContext,
    Sample,
    ago,
    fresh,
)
from agent.core.plays.offers import (
    content_offers,
    insight_offers,
    introduction_offers,
    invitation_offers,
)
from agent.model import Offer, PlayId, Stage


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    people = sorted(
        (c for c in state.contacts if c.last_touch is not None and pick(c)),
        key=lambda c: (-(c.days_since_touch or 0), not c.known, c.email),
    )
    if not people:
        return None
    contact = people[0]
    offer = fresh(lost_deal_gives(state, ctx), contact, ctx)
    if offer is None:
        return None  # no bare check-in: the plan says what to add (core.plays.why_none)
    lost = (
        f"was lost {state.days_in_stage} days ago"
        if state.days_in_stage is not None
        else "is marked lost"
    )
    bring = f" (this time: \u201c{offer.title}\u201d)"
    return Candidate(
        PLAY.id,
        contact,
        f"{state.name} {lost} and {contact.name} last heard from you "
        f"{ago(contact.days_since_touch)}; a lost dream client is still a dream client, so "
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


PLAY = Play(
    id=PlayId.REENGAGE_LOST,
    defaults=PlayRule(priority=30, stages=(Stage.LOST,)),
    build=build,
    sample=Sample(
        Offer("article", SAMPLE_URL + "a", "What changed in freight", SAMPLE_URL),
        offer_required=True,  # never a bare check-in (issue 20)
    ),
)
