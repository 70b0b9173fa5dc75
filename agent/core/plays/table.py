"""The play table at work: which plays an account may get today, and for whom.

The table itself is data (each play's defaults, changed by ``plays:`` in config.yaml:
enabled, priority, stages, tiers, cooldown; ``agent.core.plays.registry``); here it meets
each play's builder. A play that follows the cadence needs a due account and a due
person; a do-over is triggered by a meeting instead, so it does not.
"""

from __future__ import annotations

from datetime import timedelta

from agent.config.never import is_never
from agent.config.playbook import PlayRule
from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState
from agent.core.plays.builders import Candidate, PlayContext


def choose_plays(state: AccountState, ctx: PlayContext) -> list[Candidate]:
    """Every play that fits the account, best first: one per play and day, one per person."""
    status = state.status
    chosen: list[Candidate] = []
    taken: set[str] = set()
    played_today = ctx.history.played_on(ctx.today, ctx.config.tz)
    for play, rule in ctx.table:
        if status.stage not in rule.stages or status.tier not in rule.tiers:
            continue
        if (state.name, play.id) in played_today:
            continue  # this account had this play today, whoever got it
        if play.follows_cadence and not status.due:
            continue

        def pick(contact: ContactStatus, play: str = play.id, rule: PlayRule = rule) -> bool:
            return contact.email not in taken and may_get(contact, play, rule, ctx)

        candidate = play.build(state, ctx, pick)
        if candidate is not None:
            chosen.append(candidate)
            taken.add(candidate.contact.email)
    return chosen


def may_get(contact: ContactStatus, play: str, rule: PlayRule, ctx: PlayContext) -> bool:
    """Whether this person may get this play today (the holds and rests of the playbook).

    Cadence is checked per account above: a due account has no one touched within it.
    """
    if is_never(contact.email, ctx.config.never_contact):
        return False  # on the rep's never-contact list
    if contact.reply_owed is not None or contact.held_until is not None:
        return False  # an answer is owed to them, or they are away
    if contact.email in ctx.history.open_contacts():
        return False  # a draft for them is still waiting
    rejected = ctx.history.last_rejected(contact.email)  # a no rests the person, any play
    backoff = timedelta(days=ctx.config.holds.rejected_backoff_days)
    if rejected is not None and ctx.now - rejected < backoff:
        return False
    last = ctx.history.last_play(contact.email, play)
    return last is None or ctx.now - last >= timedelta(days=rule.cooldown_days)
