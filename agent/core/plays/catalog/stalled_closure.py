"""Stalled closure: an honest question to the main person, so that 'not now' is easy to say."""

from __future__ import annotations

from agent.config.playbook import PlayRule
from agent.core.accounts.state import AccountState
from agent.core.plays.builders import Candidate, Pick, Play, PlayContext, warmest
from agent.core.plays.threads import conversation
from agent.model import PatternKind, PlayId, Stage


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    contact = next((c for c in warmest(state.contacts) if c.touches and pick(c)), None)
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
        PLAY.id,
        contact,
        f"{state.name} {stalled}{echo}; ask {contact.name} plainly whether the timing is "
        "wrong, so a no costs them nothing and the deal stops hanging.",
        subject_hint="Is this still the right time?",
        reply_to=conversation(state.touches, contact.email),
    )


# Closing what hangs comes second.
PLAY = Play(
    id=PlayId.STALLED_CLOSURE,
    defaults=PlayRule(priority=20, stages=(Stage.STALLED,), cooldown_days=30),
    build=build,
)
