"""Introduction: a value touch offering someone the rep can introduce the client to."""

from __future__ import annotations

from agent.config.playbook import PlayRule
from agent.core.accounts.state import AccountState
from agent.core.plays.builders import Candidate, Pick, Play, PlayContext, Sample, value_play
from agent.core.plays.offers import introduction_offers
from agent.model import Offer, PlayId


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    return value_play(
        PLAY.id,
        state,
        ctx,
        pick,
        offers=introduction_offers(ctx.config, state.account, ctx.today),
        what=lambda o, c: (
            f"offer {c} an introduction to {o.title}" + (f" ({o.detail})" if o.detail else "")
        ),
    )


PLAY = Play(
    id=PlayId.INTRODUCTION,
    defaults=PlayRule(priority=50, cooldown_days=60),
    build=build,
    sample=Sample(
        Offer("introduction", "introduction:j", "Jordan Reyes, COO of Baxter 3PL", detail="a peer"),
        offer_required=True,
    ),
)
