"""New contact: coverage below target: reach someone on the list the rep has never reached.

Only someone with no touch at all: its template introduces the rep ("we haven't met"), which
would be untrue to anyone the rep has written to or met. People reached before but not
lately are the value plays' to pick up."""

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
    fresh,
)
from agent.core.plays.offers import content_offers
from agent.model import Offer, PlayId, Stage


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    status = state.status
    if status.coverage_gap == 0:
        return None
    people = sorted(
        (c for c in state.contacts if c.known and not c.touches and c.last_touch is None),
        key=lambda c: not c.role,
    )
    contact = next((c for c in people if pick(c)), None)
    if contact is None:
        return None
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
        f"and has never been reached.{opener}{also}",
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
