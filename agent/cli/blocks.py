"""`nurture blocks`: place, defend and list the NURTURE DREAM CLIENTS sessions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from agent.app import blocks as block_cases
from agent.app.context import Context, pass_context
from agent.config.schema import Config
from agent.providers.registry import connect
from agent.untrusted.terminal import echo
from agent.views.fit import Column, fit_table
from agent.views.json import blocks_json
from agent.views.tables import console


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@pass_context
def blocks(context: Context, as_json: bool, dry_run: bool) -> None:
    """Place this week's nurture blocks in free time, keep them clear, and list them.

    Blocks the rep moved stay put, deleted ones are not put back, and a block a new
    meeting lands on moves to the next free slot. Each block's description lists the
    accounts to work in that session. Example: nurture blocks --dry-run
    """
    config = context.config()
    calendar = connect(config, context.home, lambda: context.now).calendar
    with context.store() as store:
        report = block_cases.run(config, store, calendar, context.now, dry_run=dry_run)
        if not dry_run:
            store.commit()
    rows = blocks_json(report.plan, config, context.now)
    if as_json:
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        out = console()
        out.print(blocks_table(rows, config, out.width))
    err = console(stderr=True)
    for day in report.plan.no_room:
        note = f" on {day:%a %d %b}: its block went to a later day"
        err.print(Text("no room", style="yellow").append(note))
    if report.plan.shortfall or report.plan.conflicts or not as_json:
        err.print(report.summary())


BLOCK_COLUMNS = (
    Column("Day"),
    Column("Time"),
    Column("Status"),
    Column("Accounts", wrap=True),
    Column("This run", drop=1, wrap=True),
)


def blocks_table(rows: Sequence[dict[str, Any]], config: Config, width: int = 80) -> Table:
    cells = []
    for row in rows:
        start = datetime.fromisoformat(row["start"])
        end = datetime.fromisoformat(row["end"])
        cells.append(
            (
                f"{start:%a %d %b}",
                f"{start:%H:%M}–{end:%H:%M}",
                row["status"],
                ", ".join(row["accounts"]) or Text("—", style="dim"),
                row["action"] or "",
            )
        )
    title = f"Nurture blocks ({config.timezone})"
    return fit_table(BLOCK_COLUMNS, cells, width, title=title, title_justify="left")
