"""`nurture away`: time away, when plays, blocks and the digest pause."""

from __future__ import annotations

from datetime import datetime

import click

from agent.app import away as away_case
from agent.app.context import Context, pass_context
from agent.config.schema import find_config
from agent.untrusted.terminal import echo

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("first", required=False, type=DAY)
@click.argument("last", required=False, type=DAY)
@click.option("--note", default="", help="What it is (shown in the plan), e.g. 'Lisbon'.")
@pass_context
def away(context: Context, first: datetime | None, last: datetime | None, note: str) -> None:
    """Record time away (FIRST to LAST day, both included), or list it.

    While you are away no play is drafted and no nurture block is placed; a digest due
    then comes on your last working day before (or the first one back, in that week);
    everything resumes the first working day after. Public holidays of `holidays:` (your
    country) work the same way. With no dates: your time away and the coming holidays.

    Example: nurture away 2026-12-21 2027-01-01 --note "winter break"
    """
    if first is None:
        shown = away_case.report(context.config(), context.now)
    else:
        start = first.date()
        end = last.date() if last is not None else start  # one day away
        path = find_config(context.config_path)
        shown = away_case.add(path, start, end, note, context.now)
        back = f"; back in the plan on {shown.back_on:%a %d %b}" if shown.back_on else ""
        echo(f"Away {start:%a %d %b} to {end:%a %d %b %Y}: no plays, no blocks{back}.")
    _list(shown)


def _list(shown: away_case.AwayReport) -> None:
    if not shown.periods:
        echo("No time away recorded (add some: nurture away FIRST LAST).")
    for period in shown.periods:
        note = f" ({period.note})" if period.note else ""
        echo(f"  away {period.start:%a %d %b %Y} to {period.end:%a %d %b %Y}{note}")
    for day, name in shown.holidays:
        echo(f"  holiday {day:%a %d %b %Y}: {name}")
