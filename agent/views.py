"""How things look to a person: rich tables for the terminal, plain dicts for --json."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agent.config import Config
from agent.model import Direction, PatternKind, Stage, Tier
from agent.plan_views import patterns_json, suggestions_json

if TYPE_CHECKING:  # rich is imported when something is drawn: --json needs none of it
    from rich.console import Console
    from rich.table import Table

    from agent.engine.accounts import AccountState
    from agent.engine.status import AccountStatus


def console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False)
    if not out.is_terminal:
        # Piped or captured output has no width to fit; cutting account names helps nobody.
        out.width = max(out.width, 160)
    return out


def board_json(
    rows: Sequence[AccountStatus],
    config: Config,
    states: Mapping[str, AccountState] | None = None,
) -> list[dict[str, Any]]:
    tz = config.tz
    result = []
    for row in rows:
        last = row.last_touch
        result.append(
            {
                "name": row.name,
                "tier": row.tier.value,
                "stage": row.stage.value,
                "stage_since": row.stage_since.isoformat() if row.stage_since else None,
                "last_touch": last.at.astimezone(tz).isoformat() if last else None,
                "last_touch_contact": last.contact if last else None,
                "last_touch_channel": last.channel.value if last else None,
                "days_since_touch": row.days_since_touch,
                "touches": row.touches,
                "contacts_touched": row.contacts_touched,
                "recent_touches": row.recent_touches,
                "recent_people": row.recent_people,
                "coverage_target": row.coverage_target,
                "cadence_days": row.cadence_days,
                "due": row.due,
                "days_overdue": row.days_overdue,
                **_notes_json(states.get(row.name) if states else None),
            }
        )
    return result


def _notes_json(state: AccountState | None) -> dict[str, Any]:
    if state is None:
        return {"patterns": [], "suggestions": []}
    return {"patterns": patterns_json(state), "suggestions": suggestions_json(state)}


_PATTERN_FLAG = {
    PatternKind.PREDICTABLE_CHECKINS: "predictable check-ins",
    PatternKind.SINGLE_THREADED: "single-threaded",
    PatternKind.GONE_DARK_AFTER_LOSS: "dark since the loss",
    PatternKind.STALLED_HANGING: "stalled and hanging",
    PatternKind.ONE_WAY: "one-way",
}


def _flags(state: AccountState | None) -> str:
    if state is None:
        return ""
    suggested = [f"[bold magenta]{s.label}[/]" for s in state.suggestions]
    return ", ".join([*suggested, *(_PATTERN_FLAG[p.kind] for p in state.patterns)])


_STAGE_STYLE = {
    Stage.COLD: "cyan",
    Stage.HOT: "red",
    Stage.STALLED: "yellow",
    Stage.LOST: "magenta",
    Stage.WON: "green",
}


def board_table(
    rows: Sequence[AccountStatus],
    config: Config,
    now: datetime,
    states: Mapping[str, AccountState] | None = None,
) -> Table:
    from rich.table import Table

    table = Table(
        title=f"Accounts on {now.astimezone(config.tz):%a %d %b %Y}", title_justify="left"
    )
    for header, justify in [
        ("Account", "left"),
        ("Tier", "left"),
        ("Stage", "left"),
        ("Days", "right"),
        ("Last touch", "left"),
        (f"{config.coverage_days}d touches", "right"),
        ("People / target", "right"),
        ("Due", "left"),
    ]:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    notes = [] if states is None else _footnotes(rows, states)
    if notes:
        # Footnotes rather than a column: the table is already as wide as a terminal.
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    for row in rows:
        table.add_row(
            f"[bold]{row.name}[/]" if row.tier is Tier.DREAM else row.name,
            row.tier.value,
            f"[{_STAGE_STYLE[row.stage]}]{row.stage.value}[/]",
            "never" if row.days_since_touch is None else str(row.days_since_touch),
            _last_touch(row, config),
            str(row.recent_touches),
            f"{row.recent_people} / {row.coverage_target}",
            _due(row),
        )
    return table


def _footnotes(rows: Sequence[AccountStatus], states: Mapping[str, AccountState]) -> list[str]:
    notes = []
    for row in rows:
        flags = _flags(states.get(row.name))
        if flags:
            notes.append(f"{row.name}: {flags}")
    return notes


def _last_touch(row: AccountStatus, config: Config) -> str:
    last = row.last_touch
    if last is None:
        return "[dim]—[/]"
    when = last.at.astimezone(config.tz)
    arrow = "→" if last.direction is Direction.OUTBOUND else "←"
    return f"{when:%d %b} {arrow} {last.contact} ({last.channel.value})"


def _due(row: AccountStatus) -> str:
    if not row.due:
        return f"[dim]in {row.cadence_days - (row.days_since_touch or 0)}d[/]"
    if row.days_since_touch is None:
        return "[bold red]yes (never touched)[/]"
    return f"[bold red]yes, {row.days_overdue}d over[/]"
