"""How the engine's results look: the plan and one account, as rich text or plain dicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from agent.config import Config
from agent.model import Action, ActionKind, Direction

if TYPE_CHECKING:
    # rich is imported when something is drawn (--json needs none of it); the engine's
    # types are only named here (`nurture sync` draws with agent.views, which imports us).
    from rich.console import Group, RenderableType
    from rich.table import Table

    from agent.engine.accounts import AccountState
    from agent.engine.blocktypes import BlockAction
    from agent.engine.contacts import ContactStatus
    from agent.engine.planner import Plan
    from agent.next_cycle import NextCycle
    from agent.plan_memo import PlanBrief

SECTIONS = (
    (ActionKind.REPLY, "Replies you owe"),
    (ActionKind.DRAFT, "Drafts the next cycle would write"),
    (ActionKind.DEFERRED, "Held back by the throttles"),
    (ActionKind.SUGGEST_STAGE, "Stage changes to consider"),
    (ActionKind.HOLD, "On hold"),
)


def action_json(action: Action) -> dict[str, Any]:
    offer = action.offer
    return {
        "kind": action.kind.value,
        "account": action.account,
        "contact": action.contact,
        "contact_name": action.contact_name or None,
        "play": action.play.value if action.play else None,
        "reason": action.reason,
        "key": action.key,
        "offer": None
        if offer is None
        else {
            "kind": offer.kind,
            "key": offer.key,
            "title": offer.title,
            "url": offer.url or None,
            "detail": offer.detail or None,
            "when": _day(offer.when),
        },
        "asks": list(action.asks),
        "subject_hint": action.subject_hint or None,
        "meeting": action.meeting or None,
        "until": _day(action.until),
        "stage": action.stage.value if action.stage else None,
    }


def plan_json(plan: Plan | PlanBrief) -> list[dict[str, Any]]:
    return [action_json(a) for a in plan.actions]


def next_cycle_json(coming: NextCycle, config: Config) -> list[dict[str, Any]]:
    """The plan's actions, then the calendar steps, then the digest when it is due."""
    rows = plan_json(coming.plan) + [_block_json(a, config) for a in coming.blocks]
    if coming.digest_week is not None:
        rows.append(_digest_json(coming.digest_week, coming.digest_to))
    return rows


def _block_json(action: BlockAction, config: Config) -> dict[str, Any]:
    block = action.block
    return {
        **_no_person("block", action.reason, action.key),
        "step": action.step.value,
        "block": block.id,
        "start": block.start.astimezone(config.tz).isoformat(),
        "end": block.end.astimezone(config.tz).isoformat(),
        "accounts": list(action.done.accounts),
    }


def _digest_json(week: str, to: str) -> dict[str, Any]:
    return _no_person("digest", _digest_reason(week, to), f"digest-{week}")


def _digest_reason(week: str, to: str) -> str:
    return f"the weekly digest for {week} is due; it goes to you only ({to})"


def _no_person(kind: str, reason: str, key: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "account": None,
        "contact": None,
        "play": None,
        "reason": reason,
        "key": key,
    }


def plan_view(coming: NextCycle, config: Config, now: datetime) -> Group:
    from rich.console import Group
    from rich.text import Text

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
        parts.append(Text(f"Digest: {_digest_reason(coming.digest_week, coming.digest_to)}."))
    return Group(*parts)


def _blocks_table(actions: Sequence[BlockAction], config: Config) -> Table:
    from rich.table import Table

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
    from rich.table import Table

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
            action.reason,
        )
    return table


def account_json(state: AccountState, plan: Plan, config: Config) -> dict[str, Any]:
    status = state.status
    return {
        "name": state.name,
        "tier": status.tier.value,
        "stage": status.stage.value,
        "stage_since": _day(status.stage_since),
        "days_in_stage": state.days_in_stage,
        "last_touch": _when(status.last_touch.at, config) if status.last_touch else None,
        "days_since_touch": status.days_since_touch,
        "cadence_days": status.cadence_days,
        "due": status.due,
        "days_overdue": status.days_overdue,
        "recent_people": status.recent_people,
        "coverage_target": status.coverage_target,
        "roles_missing": list(state.roles_missing),
        "touches_by_period": {f"{d}d": n for d, n in state.touches_by_period},
        "patterns": patterns_json(state),
        "suggestions": suggestions_json(state),
        "contacts": [_contact_json(c, config) for c in state.contacts],
        "actions": [action_json(a) for a in plan.actions if a.account == state.name],
    }


def patterns_json(state: AccountState) -> list[dict[str, Any]]:
    return [{"kind": p.kind.value, "detail": p.detail} for p in state.patterns]


def suggestions_json(state: AccountState) -> list[dict[str, Any]]:
    return [
        {"stage": s.suggested.value, "label": s.label, "reason": s.reason}
        for s in state.suggestions
    ]


def _contact_json(contact: ContactStatus, config: Config) -> dict[str, Any]:
    last = contact.last_touch
    return {
        "email": contact.email,
        "name": contact.name,
        "role": contact.role or None,
        "listed": contact.known,
        "last_touch": _when(last.at, config) if last else None,
        "last_direction": last.direction.value if last else None,
        "days_since_touch": contact.days_since_touch,
        "touches": contact.touches,
        "recent_touches": contact.recent_touches,
        "reply_owed": contact.reply_owed is not None,
        "held_until": _day(contact.held_until),
        "due": contact.due,
    }


def account_view(state: AccountState, plan: Plan, config: Config) -> Group:
    from rich.console import Group
    from rich.text import Text

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
        _people_table(state.contacts),
    ]
    mine = [a for a in plan.actions if a.account == state.name]
    if mine:
        lines.append(_actions_table("Planned", mine))
    return Group(*lines)


def _people_table(contacts: Sequence[ContactStatus]) -> Table:
    from rich.table import Table

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


def _now(contact: ContactStatus) -> str:
    if contact.reply_owed is not None:
        return "[bold red]you owe a reply[/]"
    if contact.held_until is not None:
        return f"away until {contact.held_until:%d %b}"
    return "due" if contact.due else ""


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _when(at: datetime, config: Config) -> str:
    return at.astimezone(config.tz).isoformat()
