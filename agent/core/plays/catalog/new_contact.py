"""New contact: coverage below target: reach someone on the list nobody has reached lately."""

from __future__ import annotations

from agent.config.playbook import OPEN_STAGES, PlayRule
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
from agent.core.plays.offers import content_offers
from agent.model import Offer, PlayId, Stage


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    status = state.status
    if status.coverage_gap == 0:
        return None
    people = sorted(
        (c for c in state.contacts if c.known and not c.recent_touches and pick(c)),
        key=lambda c: (c.last_touch is not None, not c.role),
    )
    if not people:
        return None
    contact = people[0]
    history = (
        "has never been reached"
        if contact.last_touch is None
        else f"last heard from you {ago(contact.days_since_touch)}"
    )
    missing = [r for r in state.roles_missing if r != contact.role]
    also = f" Still no one reached as: {', '.join(missing)}." if missing else ""
    offer = fresh(content_offers(ctx.config, state.account, ctx.today), contact, ctx)
    opener = f" Open with \u201c{offer.title}\u201d." if offer else ""
    reached = f"Only {status.recent_people}" if status.recent_people else "None"
    return Candidate(
        PLAY.id,
        contact,
        f"{reached} of the {status.coverage_target} people you want to know at {state.name} "
        f"heard from you in {ctx.config.coverage_days} days; {contact.label} is on your list "
        f"and {history}.{opener}{also}",
        offer=offer,
        subject_hint=offer.title if offer else "A first hello",
    )


# Widening the circle comes before value touches.
PLAY = Play(
    id=PlayId.NEW_CONTACT,
    defaults=PlayRule(priority=40, stages=(*OPEN_STAGES, Stage.STALLED), cooldown_days=30),
    build=build,
    sample=Sample(Offer("analysis", SAMPLE_URL + "b", "Spoilage benchmarks 2026", SAMPLE_URL)),
)
