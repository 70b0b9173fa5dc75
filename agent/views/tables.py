"""How things look to a person in a terminal: rich tables (the --json shapes: views/json.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from agent.config.schema import Config
from agent.core.accounts.state import AccountState
from agent.core.accounts.status import AccountStatus
from agent.model import Direction, PatternKind, Stage, Tier
from agent.untrusted.terminal import console
from agent.views.fit import Column, fit_table

__all__ = ["board_table", "console", "drafts_table", "status_view"]


_PATTERN_FLAG = {
    PatternKind.PREDICTABLE_CHECKINS: "predictable check-ins",
    PatternKind.SINGLE_THREADED: "single-threaded",
    PatternKind.GONE_DARK_AFTER_LOSS: "dark since the loss",
    PatternKind.STALLED_HANGING: "stalled and hanging",
    PatternKind.ONE_WAY: "one-way",
}


def _flags(state: AccountState | None) -> Text:
    flags = Text()
    if state is None:
        return flags
    for label in [s.label for s in state.suggestions]:
        flags.append(", " if flags else "").append(label, style="bold magenta")
    for pattern in state.patterns:
        flags.append(", " if flags else "").append(_PATTERN_FLAG[pattern.kind])
    return flags


_STAGE_STYLE = {
    Stage.COLD: "cyan",
    Stage.HOT: "red",
    Stage.STALLED: "yellow",
    Stage.LOST: "magenta",
    Stage.WON: "green",
}


BOARD_COLUMNS = (
    Column("Account"),
    Column("Tier", drop=3),
    Column("Stage"),
    Column("Days", "right", drop=1),
    Column("Last touch", drop=2, wrap=True),
    Column("{coverage}d touches", "right", drop=4),
    Column("People", "right"),
    Column("Due", wrap=True),
)


def board_table(
    rows: Sequence[AccountStatus],
    config: Config,
    now: datetime,
    states: Mapping[str, AccountState] | None = None,
    *,
    width: int = 80,
) -> Table:
    """Every account, one row each. Short of room, the touch count goes first, then the
    tier (dream accounts are still bold), the last touch and the days since it (Due says
    it too): the name, stage, coverage and what is due stay."""
    columns = [
        replace(c, header=c.header.format(coverage=config.coverage_days)) for c in BOARD_COLUMNS
    ]
    cells = [
        (
            Text(row.name, style="bold" if row.tier is Tier.DREAM else ""),
            row.tier.value,
            Text(row.stage.value, style=_STAGE_STYLE[row.stage]),
            "never" if row.days_since_touch is None else str(row.days_since_touch),
            _last_touch(row, config),
            str(row.recent_touches),
            f"{row.recent_people} / {row.coverage_target}",
            _due(row),
        )
        for row in rows
    ]
    table = fit_table(
        columns,
        cells,
        width,
        title=f"Accounts on {now.astimezone(config.tz):%a %d %b %Y}",
        title_justify="left",
    )
    notes = [] if states is None else _footnotes(rows, states)
    if notes:
        # Footnotes rather than a column: the table is already as wide as a terminal.
        table.caption = Text("\n").join(notes)
        table.caption_justify = "left"
    return table


def _footnotes(rows: Sequence[AccountStatus], states: Mapping[str, AccountState]) -> list[Text]:
    notes = []
    for row in rows:
        flags = _flags(states.get(row.name))
        if flags:
            notes.append(Text(f"{row.name}: ").append_text(flags))
    return notes


def _last_touch(row: AccountStatus, config: Config) -> str | Text:
    last = row.last_touch
    if last is None:
        return Text("—", style="dim")
    when = last.at.astimezone(config.tz)
    arrow = "→" if last.direction is Direction.OUTBOUND else "←"
    return f"{when:%d %b} {arrow} {last.name or last.contact} ({last.channel.value})"


def _due(row: AccountStatus) -> Text:
    if not row.due:
        return Text(f"in {row.cadence_days - (row.days_since_touch or 0)}d", style="dim")
    if row.days_since_touch is None:
        return Text("yes, never touched", style="bold red")
    return Text(f"yes, {row.days_overdue}d over", style="bold red")


DRAFT_COLUMNS = (
    Column("id"),
    Column("status"),
    Column("account"),
    Column("contact", drop=1, wrap=True),
    Column("play", drop=2),
    Column("subject", wrap=True),
    Column("created", drop=3),
)


def drafts_table(rows: Sequence[Mapping[str, Any]], width: int = 80) -> Table:
    """``drafts list``: the --json rows of drafts (``views.json.draft_json``) as a table."""
    cells = [
        (
            row["id"],
            row["status"],
            row["account"],
            row["contact_name"] or row["contact"],
            row["play"],
            row["subject"],
            row["created_at"][:10] if row["created_at"] else "",  # in the rep's zone
        )
        for row in rows
    ]
    return fit_table(DRAFT_COLUMNS, cells, width, boxed=False)


STATUS_COLUMNS = (
    Column("Job"),
    Column("Last run"),
    Column("Result", wrap=True),
    Column("Next run"),
)


def status_view(
    daemon: Mapping[str, Any],
    running: bool,
    counts: Mapping[str, int],
    last_sync: str | None,
    config: Config,
    *,
    width: int = 80,
) -> Group:
    """`nurture status`: whether the daemon runs, its jobs' last and next runs in the rep's
    zone, and what the store holds."""
    pid = daemon.get("pid")
    jobs: Mapping[str, Mapping[str, Any]] = daemon.get("jobs") or {}
    if running:
        said = f"The daemon is running (PID {pid})." if pid else "The daemon is running."
    elif jobs:
        said = f"The daemon is not running (it last ran as PID {pid}): start it with `nurture run`."
    else:
        said = "The daemon has not run here yet: start it with `nurture run`."
    parts: list[RenderableType] = [Text(said, style="" if running else "yellow")]
    if jobs:
        rows = [
            (
                name,
                _when(job.get("last_run"), config),
                _result(job),
                _when(job.get("next_run"), config) if running else "— (not running)",
            )
            for name, job in jobs.items()
        ]
        title = f"Daemon jobs (times in {config.timezone})"
        parts.append(fit_table(STATUS_COLUMNS, rows, width, title=title, title_justify="left"))
    held = ", ".join(_counted(n, kind) for kind, n in counts.items())
    synced = f"last sync {_when(last_sync, config)}" if last_sync else "never synced"
    parts.append(Text(f"{held}; {synced}"))
    return Group(*parts)


def _when(iso: str | None, config: Config) -> str:
    """An ISO time as a rep reads it: their zone, to the minute."""
    if not iso:
        return "—"
    return f"{datetime.fromisoformat(iso).astimezone(config.tz):%a %d %b %H:%M}"


def _result(job: Mapping[str, Any]) -> Text:
    error = job.get("last_error")
    if error and job.get("failures"):
        return Text(f"failed: {error.partition(' ')[2]}", style="red")
    if job.get("last_ok"):
        return Text("ok")
    return Text("—", style="dim")


_SINGULAR = {"touches": "touch", "messages": "message", "meetings": "meeting"}


def _counted(n: int, kind: str) -> str:
    return f"{n:,} {kind if n != 1 else _SINGULAR.get(kind, kind.removesuffix('s'))}"
