"""Why a due account gets no play today, in the rep's words, with what would fix it.

A due account never disappears from the plan: when no play fits, ``why_none`` names the
first thing in the way (no one known there, no play for its stage, everyone waiting on
something, or nothing to give for its tags) and the step that removes it. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState
from agent.core.names import clean_name
from agent.core.plays.builders import PlayContext
from agent.model import Signal

SUGGESTED = 3  # people named in the fix, the most recently seen first


@dataclass(frozen=True)
class NoPlay:
    reason: str  # what is in the way
    fix: str  # what the rep can do about it


def why_none(state: AccountState, ctx: PlayContext, seen: Sequence[Signal] = ()) -> NoPlay:
    """``seen``: people at the account named in mail or invites without a touch (newest
    last), suggested when nobody there is known."""
    status = state.status
    due = _due(state)
    if not state.contacts:
        if seen:
            people = [_person(s) for s in reversed(seen[-SUGGESTED:])]
            return NoPlay(
                f"{state.name} is due ({due}), but nurture knows no one there you have "
                "written to or met.",
                f"Find one: your mail and calendar name {', '.join(people)}; add the right "
                "one to its contacts in the config (or in the web app).",
            )
        return NoPlay(
            f"{state.name} is due ({due}), but nurture knows no one there: nobody is listed "
            "for it and nobody from its domains is in your mail or calendar.",
            f"Find one person at {state.name} and add them to its contacts in the config "
            "(or in the web app).",
        )
    fitting = [
        play
        for play, rule in ctx.table
        if play.follows_cadence and status.stage in rule.stages and status.tier in rule.tiers
    ]
    if not fitting:
        return NoPlay(
            f"{state.name} is due ({due}), but no play in your play table fits a "
            f"{status.tier.value} account that is {status.stage.value}.",
            f"Enable a play for {status.stage.value} accounts under `plays:` in config.yaml.",
        )
    waits = [w for w in (_waiting(c, ctx) for c in state.contacts) if w]
    if len(waits) == len(state.contacts):
        return NoPlay(
            f"{state.name} is due ({due}), but everyone there is waiting: {'; '.join(waits)}.",
            "Clear what they are waiting on (reply, review the draft); the next cycle plans again.",
        )
    tags = state.account.tags
    if tags:
        where = f" for its tags ({', '.join(tags)})"
        fix = (
            f"Add content tagged {' or '.join(tags)} (`nurture init` or `content:` in "
            f"config.yaml), or a one-line insight under `insights:` for {tags[0]}."
        )
    else:
        where = ""
        fix = (
            "Add content without tags, which suits any account (`nurture init` or `content:` "
            "in config.yaml), or give the account tags and a one-line insight for one of "
            "them under `insights:`."
        )
    return NoPlay(
        f"{state.name} is due ({due}), but you have nothing to give them{where}: no "
        "content, introduction, invitation or insight fits, and nurture will not send a bare "
        "check-in.",
        fix,
    )


def _person(signal: Signal) -> str:
    name = clean_name(signal.detail, signal.contact)
    return f"{name} <{signal.contact}>" if name else signal.contact


def _waiting(contact: ContactStatus, ctx: PlayContext) -> str:
    if contact.reply_owed is not None:
        return f"you owe {contact.name} a reply"
    if contact.held_until is not None:
        return f"{contact.name} is away until {contact.held_until:%a %d %b}"
    if contact.email in ctx.history.open_contacts():
        return f"a draft to {contact.name} is still waiting for your review"
    return ""


def _due(state: AccountState) -> str:
    status = state.status
    if status.days_since_touch is None:
        return "never touched"
    if status.days_overdue:
        return f"{status.days_overdue} days overdue"
    return f"last touched {status.days_since_touch} days ago"
