"""How the engine's results look in a terminal: the plan and one account as rich text.

Their `--json` shapes are in ``agent.views.json``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from agent.config.schema import Config
from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState
from agent.core.blocks.types import BlockAction
from agent.core.planner import NextCycle, Plan
from agent.model import Action, ActionKind, Direction
from agent.views.json import digest_reason

SECTIONS = (
    (ActionKind.REPLY, "Replies you owe"),
    (ActionKind.DRAFT, "Drafts the next cycle would write"),
    (ActionKind.DEFERRED, "Held back by the throttles"),
    (ActionKind.SUGGEST_STAGE, "Stage changes to consider"),
    (ActionKind.HOLD, "On hold"),
    (ActionKind.NO_PLAY, "Due, but no play today: why, and the fix"),
)


def plan_view(coming: NextCycle, config: Config, now: datetime) -> Group:
    plan = coming.plan
    parts: list[RenderableType] = [
        Text(f"Plan for {now.astimezone(config.tz):%a %d %b %Y} (nothing sent)")
    ]
    for kind, title in SECTIONS:
        actions = plan.of_kind(kind)
        if actions:
            parts.append(_actions_table(title, actions))
    if not plan.actions:
        parts.append(Text("Nothing is due: every account was touched within its cadence."))
    if coming.blocks:
        parts.append(_blocks_table(coming.blocks, config))
    parts.append(Text(coming.blocks_note))
    if coming.digest_week is not None:
        parts.append(Text(f"Digest: {digest_reason(coming.digest_week, coming.digest_to)}."))
    return Group(*parts)


def _blocks_table(actions: Sequence[BlockAction], config: Config) -> Table:
    table = Table(title="Calendar steps for nurture blocks", title_justify="left")
    for column in ("Step", "When", "Accounts"):
        table.add_column(column)
    table.add_column("Why", ratio=1)
    for action in actions:
        start, end = (t.astimezone(config.tz) for t in (action.block.start, action.block.end))
        when = f"{start:%a %d %b %H:%M}–{end:%H:%M}"
        table.add_row(action.step.value, when, ", ".join(action.done.accounts), action.reason)
    return table


def _actions_table(title: str, actions: Sequence[Action]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=True)
    table.add_column("Account")
    table.add_column("Person")
    table.add_column("Play")
    table.add_column("Why", ratio=1)
    for action in actions:
        table.add_row(
            action.account,
            action.contact_name or action.contact or "—",
            action.play.value
            if action.play
            else f"→ {action.stage.value}"
            if action.stage
            else "—",
            f"{action.reason} Fix: {action.fix}" if action.fix else action.reason,
        )
    return table


def account_view(state: AccountState, plan: Plan, config: Config) -> Group:
    status = state.status
    in_stage = f" for {state.days_in_stage} days" if state.days_in_stage is not None else ""
    periods = " · ".join(f"{d}d {n}" for d, n in state.touches_by_period)
    due = (
        "never touched"
        if status.days_since_touch is None
        else f"last touch {status.days_since_touch} days ago; "
        + (f"{status.days_overdue} days overdue" if status.due else "not due yet")
    )
    lines: list[RenderableType] = [
        Text(f"{state.name}: {status.tier.value}, {status.stage.value}{in_stage}", style="bold"),
        Text(f"{due} (cadence {status.cadence_days} days); touches {periods}"),
        Text(
            f"{status.recent_people} of {status.coverage_target} people reached in "
            f"{config.coverage_days} days"
            + (
                f"; roles not reached: {', '.join(state.roles_missing)}"
                if state.roles_missing
                else ""
            )
        ),
        *(Text(f"pattern: {p.detail}", style="yellow") for p in state.patterns),
        *(Text(f"{s.label}: {s.reason}", style="magenta") for s in state.suggestions),
        _give_ask_line(state),
        _people_table(state.contacts),
    ]
    if state.committee:
        lines.append(_committee_table(state))
    mine = [a for a in plan.actions if a.account == state.name]
    if mine:
        lines.append(_actions_table("Planned", mine))
    return Group(*lines)


def _give_ask_line(state: AccountState) -> Text:
    ledger = state.give_ask
    if not ledger.kinds:
        return Text("give:ask: no mail from you yet", style="dim")
    line = Text(
        f"give:ask {ledger.ratio} (your mail there: {ledger.gives} gave, {ledger.asks} asked)"
    )
    if ledger.asks_in_a_row:
        line.append(f"; {ledger.note()}", style="bold red")
    return line


def _committee_table(state: AccountState) -> Table:
    table = Table(title="Buying committee: not written to yet", title_justify="left")
    for header in ("Name", "Email", "Via", "Seen", "Ready play"):
        table.add_column(header)
    for m in state.committee:
        table.add_row(
            m.name, m.email, f"{m.bridge_name}: {m.thread}", str(m.sightings), m.reason(state.name)
        )
    return table


def _people_table(contacts: Sequence[ContactStatus]) -> Table:
    table = Table(title="People", title_justify="left")
    for header in ("Name", "Role", "Email", "Last touch", "Touches (90d / all)", "Now"):
        table.add_column(header)
    for c in contacts:
        arrow = (
            ""
            if c.last_touch is None
            else (" →" if c.last_touch.direction is Direction.OUTBOUND else " ←")
        )
        table.add_row(
            c.name,
            c.role or "",
            c.email,
            "never" if c.days_since_touch is None else f"{c.days_since_touch}d ago{arrow}",
            f"{c.recent_touches} / {c.touches}",
            _now(c),
        )
    return table


def _now(contact: ContactStatus) -> str | Text:
    if contact.reply_owed is not None:
        return Text("you owe a reply", style="bold red")
    if contact.held_until is not None:
        return f"away until {contact.held_until:%d %b}"
    return "due" if contact.due else ""
