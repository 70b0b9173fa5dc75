"""How things look to a person in a terminal: rich tables (the --json shapes: views/json.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text

from agent.config.schema import Config
from agent.core.accounts.state import AccountState
from agent.core.accounts.status import AccountStatus
from agent.model import Direction, PatternKind, Stage, Tier
from agent.untrusted.terminal import console

__all__ = ["board_table", "console"]


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
    if state.give_ask.asks_in_a_row:
        flags.append(", " if flags else "").append("three asks in a row", style="red")
    if state.committee:
        top = state.committee[0]
        more = f" +{len(state.committee) - 1}" if len(state.committee) > 1 else ""
        flags.append(", " if flags else "").append(
            f"committee: {top.name} via {top.bridge_name}{more}"
        )
    return flags


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
        ("Give:ask", "right"),
        ("Due", "left"),
    ]:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    notes = [] if states is None else _footnotes(rows, states)
    if notes:
        # Footnotes rather than a column: the table is already as wide as a terminal.
        table.caption = Text("\n").join(notes)
        table.caption_justify = "left"
    for row in rows:
        table.add_row(
            Text(row.name, style="bold" if row.tier is Tier.DREAM else ""),
            row.tier.value,
            Text(row.stage.value, style=_STAGE_STYLE[row.stage]),
            "never" if row.days_since_touch is None else str(row.days_since_touch),
            _last_touch(row, config),
            str(row.recent_touches),
            f"{row.recent_people} / {row.coverage_target}",
            _give_ask(states.get(row.name) if states else None),
            _due(row),
        )
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
    return f"{when:%d %b} {arrow} {last.contact} ({last.channel.value})"


def _give_ask(state: AccountState | None) -> Text:
    """Gives:asks of the rep's mail there; red when the last three were asks."""
    if state is None or not state.give_ask.kinds:
        return Text("—", style="dim")
    return Text(state.give_ask.ratio, style="bold red" if state.give_ask.asks_in_a_row else "")


def _due(row: AccountStatus) -> Text:
    if not row.due:
        return Text(f"in {row.cadence_days - (row.days_since_touch or 0)}d", style="dim")
    if row.days_since_touch is None:
        return Text("yes (never touched)", style="bold red")
    return Text(f"yes, {row.days_overdue}d over", style="bold red")
