"""Do-over: a recent meeting with no word from us since: ask for what the account still owes us."""

from __future__ import annotations

from agent.config.playbook import OPEN_STAGES, PlayRule
from agent.core.accounts.state import AccountState
from agent.core.plays.builders import (
    Candidate,
    Pick,
    Play,
    PlayContext,
    Sample,
    ago,
    warmest,
)
from agent.core.plays.threads import about_meeting
from agent.model import Channel, Direction, PlayId, Stage, Touch


def build(state: AccountState, ctx: PlayContext, pick: Pick) -> Candidate | None:
    meeting = _latest_meeting(state, ctx)
    if meeting is None or not state.account.needs:
        return None
    if any(
        t.direction is Direction.OUTBOUND and t.channel is Channel.EMAIL and t.at > meeting.at
        for t in state.touches
    ) or ctx.history.plays_since(state.name, PLAY.id, meeting.at):
        return None
    attendees = {t.contact for t in state.touches if t.source == meeting.source}
    people = warmest([c for c in state.contacts if c.email in attendees])
    contact = next((c for c in people if pick(c)), None)
    if contact is None:
        return None
    days = (ctx.today - meeting.at.astimezone(ctx.config.tz).date()).days
    names = " and ".join(c.name for c in people)
    return Candidate(
        PLAY.id,
        contact,
        f"You met {names} {ago(days)} (\u201c{meeting.subject}\u201d) and have sent nothing "
        f"since; while it is fresh, ask for what is still missing: "
        f"{'; '.join(state.account.needs)}.",
        asks=state.account.needs,
        meeting=meeting.subject,
        subject_hint="One thing I should have asked",
        anchor=meeting.source,
        reply_to=about_meeting(state.touches, contact.email, meeting),
    )


def _latest_meeting(state: AccountState, ctx: PlayContext) -> Touch | None:
    newest = state.clocks.last_meeting  # held when the latest one was: most were long ago
    if newest is None or _age(newest, ctx) > ctx.config.do_over_days:
        return None
    # The latest of them (no earlier than ``newest``, so no older than the limit either).
    meetings = [t for t in state.touches if t.channel is Channel.MEETING]
    return max(meetings, key=lambda t: (t.at, t.source))


def _age(touch: Touch, ctx: PlayContext) -> int:
    return (ctx.today - touch.at.astimezone(ctx.config.tz).date()).days


# Time-bound asks come first: triggered by a meeting, so it does not wait for the cadence.
PLAY = Play(
    id=PlayId.DO_OVER,
    defaults=PlayRule(priority=10, stages=(*OPEN_STAGES, Stage.STALLED)),
    build=build,
    sample=Sample(
        asks=("the contract end date", "a meeting with the IT director"), meeting="Pilot review"
    ),
    follows_cadence=False,
)
