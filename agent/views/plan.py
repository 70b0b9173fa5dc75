"""How the engine's results look in a terminal: the plan and one account as rich text.

Their `--json` shapes are in ``agent.views.json``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from agent.config.schema import Config
from agent.core.accounts.clocks import clocks_line
from agent.core.accounts.contacts import ContactStatus
from agent.core.accounts.state import AccountState
from agent.core.accounts.status import AccountStatus
from agent.core.blocks.types import BlockAction
from agent.core.forecast import cold_on
from agent.core.planner import NextCycle, Plan
from agent.model import Action, ActionKind, Direction
from agent.views.fit import Column, fit_table
from agent.views.json import digest_reason, nothing_planned

SECTIONS = (
    (ActionKind.REPLY, "Replies you owe"),
    (ActionKind.DRAFT, "Drafts the next cycle would write"),
    (ActionKind.DEFERRED, "Held back by the throttles"),
    (ActionKind.SUGGEST_STAGE, "Stage changes to consider"),
    (ActionKind.HOLD, "On hold"),
    (ActionKind.NO_PLAY, "Due, but no play today: why, and the fix"),
)


def plan_view(coming: NextCycle, config: Config, now: datetime, width: int = 80) -> Group:
    plan = coming.plan
    parts: list[RenderableType] = [
        Text(f"Plan for {now.astimezone(config.tz):%a %d %b %Y} (nothing sent)")
    ]
    for kind, title in SECTIONS:
        actions = plan.of_kind(kind)
        if actions:
            parts.append(_actions_table(title, actions, width))
    if not plan.actions:
        parts.append(Text(nothing_planned(coming)))
    if coming.blocks:
        parts.append(_blocks_table(coming.blocks, config, width))
    parts.append(Text(coming.blocks_note))
    if coming.digest_week is not None:
        parts.append(Text(f"Digest: {digest_reason(coming.digest_week, coming.digest_to)}."))
    return Group(*parts)


BLOCK_COLUMNS = (
    Column("Step"),
    Column("When"),
    Column("Accounts", wrap=True),
    Column("Why", drop=1, wrap=True),
)


def _blocks_table(actions: Sequence[BlockAction], config: Config, width: int) -> Table:
    rows = []
    for action in actions:
        start, end = (t.astimezone(config.tz) for t in (action.block.start, action.block.end))
        when = f"{start:%a %d %b %H:%M}–{end:%H:%M}"
        rows.append((action.step.value, when, ", ".join(action.done.accounts), action.reason))
    return fit_table(
        BLOCK_COLUMNS,
        rows,
        width,
        title="Calendar steps for nurture blocks",
        title_justify="left",
    )


ACTION_COLUMNS = (
    Column("Account"),
    Column("Person"),
    Column("Play", drop=1),
    Column("Why", wrap=True),
)


def _actions_table(title: str, actions: Sequence[Action], width: int) -> Table:
    rows = [
        (
            action.account,
            action.contact_name or action.contact or "—",
            str(action.play) if action.play else f"→ {action.stage.value}" if action.stage else "—",
            f"{action.reason} Fix: {action.fix}" if action.fix else action.reason,
        )
        for action in actions
    ]
    return fit_table(
        ACTION_COLUMNS, rows, width, title=title, title_justify="left", show_lines=True
    )


def account_view(state: AccountState, plan: Plan, config: Config, width: int = 80) -> Group:
    status = state.status
    today = _today(state, config)
    in_stage = f" for {state.days_in_stage} days" if state.days_in_stage is not None else ""
    periods = " · ".join(f"{d}d {n}" for d, n in state.touches_by_period)
    due = (
        "never touched"
        if status.days_since_touch is None
        else f"last touch {status.days_since_touch} days ago; "
        + (f"{status.days_overdue} days overdue" if status.due else _cold_from(status, config))
    )
    lines: list[RenderableType] = [
        Text(f"{state.name}: {status.tier.value}, {status.stage.value}{in_stage}", style="bold"),
        Text(f"{due} (cadence {status.cadence_days} days); touches {periods}"),
        Text(clocks_line(state.clocks, today, config.tz)),
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
        _people_table(state.contacts, width),
    ]
    mine = [a for a in plan.actions if a.account == state.name]
    if mine:
        lines.append(_actions_table("Planned", mine, width))
    return Group(*lines)


def _cold_from(status: AccountStatus, config: Config) -> str:
    day = cold_on(status, config.tz)
    return f"not due yet, goes cold on {day:%a %d %b}" if day else "not due yet"


def _today(state: AccountState, config: Config) -> date:
    """The view's day, from the newest touch and the days since it (no clock read here);
    with no touch there is no clock to show either."""
    status = state.status
    if status.last_touch is None or status.days_since_touch is None:
        return date.min
    return status.last_touch.at.astimezone(config.tz).date() + timedelta(
        days=status.days_since_touch
    )


PEOPLE_COLUMNS = (
    Column("Name"),
    Column("Role", drop=1, wrap=True),
    Column("Email", drop=2),
    Column("Last touch"),
    Column("90d / all", "right", drop=3),
    Column("Now"),
)


def _people_table(contacts: Sequence[ContactStatus], width: int) -> Table:
    rows = []
    for c in contacts:
        arrow = (
            ""
            if c.last_touch is None
            else (" →" if c.last_touch.direction is Direction.OUTBOUND else " ←")
        )
        rows.append(
            (
                c.name,
                c.role or "",
                c.email,
                "never" if c.days_since_touch is None else f"{c.days_since_touch}d ago{arrow}",
                f"{c.recent_touches} / {c.touches}",
                _now(c),
            )
        )
    return fit_table(PEOPLE_COLUMNS, rows, width, title="People", title_justify="left")


def _now(contact: ContactStatus) -> str | Text:
    if contact.reply_owed is not None:
        return Text("you owe a reply", style="bold red")
    if contact.held_until is not None:
        return f"away until {contact.held_until:%d %b}"
    return "due" if contact.due else ""
