"""Invitation: a value touch inviting the client to a tour, lunch or event."""

from __future__ import annotations

from datetime import date

from agent.config.playbook import PlayRule
from agent.core.accounts.state import AccountState
from agent.core.plays.builders import (
    SAMPLE_URL,
    Candidate,
    Pick,
    Play,
    PlayContext,
    Sample,
    value_play,
)
from agent.core.plays.offers import invitation_offers
from agent.model import Offer, PlayId

WHEN = date(2026, 12, 7)


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    return value_play(
        PLAY.id,
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


PLAY = Play(
    id=PlayId.INVITATION,
    defaults=PlayRule(priority=60, cooldown_days=30),
    build=build,
    sample=Sample(
        Offer(
            "tour",
            "invitation:t",
            "a tour of our plant",
            SAMPLE_URL,
            "Joliet, IL",
            date(2026, 12, 7),
        ),
        offer_required=True,
    ),
)
