"""Share content: a value touch sending a piece of the library picked for the account's tags."""

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
    value_play,
)
from agent.core.plays.offers import content_offers, insight_offers
from agent.model import Offer, PlayId


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    tags = ", ".join(state.account.tags)
    return value_play(
        PLAY.id,
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


# The plainest value touch is tried last.
PLAY = Play(
    id=PlayId.SHARE_CONTENT,
    defaults=PlayRule(priority=70),
    build=build,
    sample=Sample(
        Offer("white_paper", SAMPLE_URL + "p", "Cold-chain losses, measured", SAMPLE_URL),
        offer_required=True,
    ),
)
