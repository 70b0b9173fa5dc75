"""Status + config + now + history → the plan: what the next cycle would do, and why.

Pure and deterministic: the same inputs give the same actions, in the same order, with the
same keys. Nothing here performs a side effect; ``nurture plan`` only prints the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from agent.config.schema import Config
from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState, account_states
from agent.core.accounts.status import STAGE_ORDER, TIER_ORDER, StageChange
from agent.core.away import TimeOff, account_hold, time_off
from agent.core.blocks.types import BlockAction
from agent.core.forecast import ColdForecast, forecast
from agent.core.history import History
from agent.core.plays.builders import Candidate, PlayContext
from agent.core.plays.offers import shared_in_mail
from agent.core.plays.registry import in_order
from agent.core.plays.table import choose_plays
from agent.core.plays.threads import last_message
from agent.core.plays.why_none import why_none
from agent.core.seen import SEEN
from agent.model import Action, ActionKind, Signal, Touch

NEVER_TOUCHED = 10_000  # ranks a never-touched account above any overdue one


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]
    worklist: tuple[AccountState, ...]  # due accounts, the one to work first first
    accounts: tuple[AccountState, ...]  # every account, in config order
    soon: tuple[ColdForecast, ...] = ()  # dream clients going cold in the next 14 days

    def of_kind(self, kind: ActionKind) -> list[Action]:
        return [a for a in self.actions if a.kind is kind]

    @property
    def never_touched(self) -> tuple[str, ...]:
        """The accounts never touched, in config order."""
        return tuple(s.name for s in self.accounts if s.status.days_since_touch is None)


def make_plan(
    config: Config,
    touches: Sequence[Touch],
    signals: Sequence[Signal],
    now: datetime,
    *,
    stages: Mapping[str, StageChange] | None = None,
    history: History | None = None,
    states: Sequence[AccountState] | None = None,
) -> Plan:
    """``states``: ``account_states`` of the same inputs, when the caller has them."""
    history = history or History()
    today = now.astimezone(config.tz).date()
    if states is None:
        states = account_states(config, touches, signals, now, stages)
    ranked = sorted(states, key=worklist_order)
    offered = history.offered() | shared_in_mail(config, touches)
    ctx = PlayContext(config, now, today, history, offered, tuple(in_order(config)))
    off = time_off(config)
    held = {s.name: found for s in ranked if (found := account_hold(s, config)) is not None}
    drafts, deferred = _allocate([s for s in ranked if s.name not in held], ctx, off)
    actions = [
        *(_reply(s, c, c.reply_owed) for s in ranked for c in s.contacts if c.reply_owed),
        *drafts,
        *deferred,
        *(_suggestion(s, i) for s in ranked for i in range(len(s.suggestions))),
        *(_hold(s, c, c.held_until) for s in ranked for c in s.contacts if c.held_until),
        *(_account_hold(s, *held[s.name], today) for s in ranked if s.name in held),
    ]
    actions += _silent([s for s in ranked if s.name not in held], actions, ctx, signals)
    worklist = tuple(s for s in ranked if s.status.due and s.name not in held)
    soon = forecast((s.status for s in states), today, config.tz)
    return Plan(tuple(actions), worklist, tuple(states), soon)


def worklist_order(state: AccountState) -> tuple[int, int, int, int, str]:
    """Dream clients before lower tiers, cold before hot, then the most overdue and the
    widest coverage gap: the order that keeps hot small deals from crowding them out."""
    status = state.status
    never = NEVER_TOUCHED if status.days_since_touch is None else 0
    return (
        TIER_ORDER[status.tier],
        STAGE_ORDER[status.stage],
        -(status.days_overdue + never),
        -status.coverage_gap,
        status.name.lower(),
    )


def _allocate(
    ranked: Sequence[AccountState], ctx: PlayContext, off: TimeOff
) -> tuple[list[Action], list[Action]]:
    """Walk the worklist handing out plays until the throttles say stop. On a day away
    or a public holiday every play waits for the first working day back."""
    throttle = ctx.config.throttle
    day_left = throttle.per_day - ctx.history.created_on(ctx.today, ctx.config.tz)
    paused = off.why(ctx.today) if off.away(ctx.today) else ""
    if paused:
        day_left = 0
    week_start = ctx.now - timedelta(days=7)
    drafts: list[Action] = []
    deferred: list[Action] = []
    for state in ranked:
        account_left = throttle.per_account_per_week - ctx.history.created_since(
            week_start, state.name
        )
        for candidate in choose_plays(state, ctx):
            if day_left > 0 and account_left > 0:
                drafts.append(_draft(state, candidate, ctx.today, ActionKind.DRAFT))
                day_left -= 1
                account_left -= 1
                continue
            why = (
                f"{paused}; plays resume on {off.back_on(ctx.today):%a %d %b}"
                if paused
                else f"{state.name} already has {throttle.per_account_per_week} plays this "
                f"week; the next can go on {_week_frees(state.name, ctx, off):%a %d %b}"
                if account_left <= 0
                else f"today's limit of {throttle.per_day} plays is reached; it is planned "
                "again in tomorrow's cycle"
            )
            deferred.append(_draft(state, candidate, ctx.today, ActionKind.DEFERRED, why))
    return drafts, deferred


def _week_frees(account: str, ctx: PlayContext, off: TimeOff) -> date:
    """The day the per-account weekly throttle lets the next play through: a week after
    the oldest play in the window (today's, when they were all made now), or the first
    day after it that is not a holiday or a day away."""
    week_start = ctx.now - timedelta(days=7)
    made = [d.created_at for d in ctx.history.drafts if d.account == account]
    oldest = min((at for at in made if at > week_start), default=ctx.now)
    frees = (oldest + timedelta(days=7)).astimezone(ctx.config.tz).date()
    while off.away(frees):
        frees = off.back_on(frees)
    return frees


def _draft(
    state: AccountState, c: Candidate, today: date, kind: ActionKind, deferred: str = ""
) -> Action:
    anchor = c.offer.key if c.offer else c.anchor
    reason = f"{c.reason} Waiting: {deferred}." if deferred else c.reason
    flagged = state.give_ask.note()
    if flagged:
        reason += f" Give before ask: {flagged}."  # (agent.core.giveask)
    return Action(
        kind=kind,
        account=state.name,
        contact=c.contact.email,
        play=c.play,
        reason=reason,
        key=action_key(kind, c.play, state.name, c.contact.email, anchor, today.isoformat()),
        contact_name=c.contact.name if c.contact.has_name else "",
        offer=c.offer,
        asks=c.asks,
        subject_hint=c.subject_hint,
        meeting=c.meeting,
        reply_to=c.reply_to,
        last_message=last_message(state.touches, c.contact.email),
    )


def _silent(
    ranked: Sequence[AccountState],
    actions: Sequence[Action],
    ctx: PlayContext,
    signals: Sequence[Signal],
) -> list[Action]:
    """A row for every due account with no play and no reply owed: why, and the fix (an
    away person's hold alone does not say why the others there get nothing)."""
    moving = (ActionKind.DRAFT, ActionKind.DEFERRED, ActionKind.REPLY)
    covered = {a.account for a in actions if a.kind in moving}
    seen: dict[str, list[Signal]] = {}
    for signal in signals:
        if signal.kind == SEEN:
            seen.setdefault(signal.account, []).append(signal)
    rows = []
    for state in ranked:
        if not state.status.due or state.name in covered:
            continue
        found = why_none(state, ctx, seen.get(state.name, []))
        rows.append(
            Action(
                kind=ActionKind.NO_PLAY,
                account=state.name,
                contact=None,
                play=None,
                reason=found.reason,
                key=action_key(ActionKind.NO_PLAY, state.name, ctx.today.isoformat()),
                fix=found.fix,
            )
        )
    return rows


def _reply(state: AccountState, contact: ContactStatus, message: Touch) -> Action:
    days = contact.days_since_touch  # their unanswered message is their latest touch
    when = {0: "today", 1: "yesterday"}.get(days or 0, f"{days} days ago")
    return Action(
        kind=ActionKind.REPLY,
        account=state.name,
        contact=contact.email,
        play=None,
        reason=(
            f"{contact.name} wrote {when} (\u201c{message.subject}\u201d) and is waiting "
            "for your answer; no play goes to them until you reply."
        ),
        key=action_key(ActionKind.REPLY, state.name, contact.email, message.source),
        contact_name=contact.name,
    )


def _suggestion(state: AccountState, index: int) -> Action:
    found = state.suggestions[index]
    return Action(
        kind=ActionKind.SUGGEST_STAGE,
        account=state.name,
        contact=found.contact,
        play=None,
        reason=(
            f"{found.label.capitalize()}: {found.reason}. To agree, run: "
            f'nurture account "{state.name}" --stage {found.suggested.value}'
        ),
        key=action_key(ActionKind.SUGGEST_STAGE, state.name, found.suggested, found.source),
        contact_name=_name(state, found.contact),
        stage=found.suggested,
    )


def _hold(state: AccountState, contact: ContactStatus, until: date) -> Action:
    return Action(
        kind=ActionKind.HOLD,
        account=state.name,
        contact=contact.email,
        play=None,
        reason=(
            f"{contact.name} is out of the office; nothing goes to them before "
            f"{until:%a %d %b}, the first working day after their return."
        ),
        key=action_key(ActionKind.HOLD, state.name, contact.email, until.isoformat()),
        contact_name=contact.name,
        until=until,
    )


def _account_hold(state: AccountState, until: date, who: str, today: date) -> Action:
    return Action(
        kind=ActionKind.HOLD,
        account=state.name,
        contact=None,
        play=None,
        reason=(
            f"Everyone you can reach at {state.name} is away ({who}): the whole account "
            f"waits, and is back in your plan on {until:%a %d %b}."
        ),
        key=action_key(ActionKind.HOLD, state.name, until.isoformat(), today.isoformat()),
        until=until,
    )


def _name(state: AccountState, email: str | None) -> str:
    contact = state.contact(email) if email else None
    return contact.name if contact else ""


def action_key(*parts: str) -> str:
    """Deterministic: the same intent on the same day always has the same key."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    return f"{parts[0]}-{digest}"


class Planned(Protocol):
    """What showing a plan needs: a :class:`Plan`, or the brief of one the store keeps
    (``agent.core.briefs.PlanBrief``, which `nurture plan` shows when it holds)."""

    @property
    def actions(self) -> tuple[Action, ...]: ...

    @property
    def never_touched(self) -> tuple[str, ...]: ...

    def of_kind(self, kind: ActionKind) -> list[Action]: ...


@dataclass(frozen=True)
class NextCycle:
    plan: Planned
    blocks: tuple[BlockAction, ...] = ()
    blocks_note: str = ""  # the blocks step's summary, or why it could not be read
    digest_week: str | None = None  # the ISO week whose digest the cycle would send
    digest_to: str = ""  # to the rep only
    waiting_drafts: int = 0  # drafts in the mailbox waiting for the rep's review
