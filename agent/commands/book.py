"""Commands about the book of accounts: sync, board, demo."""

from __future__ import annotations

import json
from pathlib import Path

import click

from agent import cycle
from agent.context import Context, pass_context
from agent.views import board_json, board_table, console


@click.command()
@pass_context
def sync(context: Context) -> None:
    """Read mail and calendars, detect touches, print a one-line summary.

    Example: nurture sync
    """
    config = context.config()
    provider = cycle.make_provider(config)
    with context.store() as store:
        report = cycle.sync(config, store, provider, context.now)
        store.commit()
    for problem in report.unreadable:
        console(stderr=True).print(f"[yellow]skipped[/] {problem}")
    click.echo(report.summary())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@pass_context
def board(context: Context, as_json: bool) -> None:
    """Every account at a glance, the ones that need attention first.

    Example: nurture board --json
    """
    config = context.config()
    with context.store() as store:
        rows = cycle.current_board(config, store, context.now)
    if as_json:
        click.echo(json.dumps(board_json(rows, config), indent=2))
    else:
        console().print(board_table(rows, config, context.now))


@click.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("nurture-demo"))
@pass_context
def demo(context: Context, directory: Path) -> None:
    """Write a demo workspace into DIRECTORY, run one cycle on it and print the board.

    Running it again on the same folder refreshes it. Example: nurture demo /tmp/demo
    """
    from agent.demo import write_demo

    write_demo(directory, context.now)
    context.config_path = directory / "config.yaml"
    if context.home_path is None:
        context.home_path = directory / ".nurture"
    config = context.config()
    with context.store() as store:
        report = cycle.sync(config, store, cycle.make_provider(config), context.now)
        store.commit()
        rows = cycle.current_board(config, store, context.now)
    click.echo(f"Demo workspace: {directory}  (config {context.config_path})")
    click.echo(report.summary())
    console().print(board_table(rows, config, context.now))
    click.echo(f"Try: nurture --config {context.config_path} --home {context.home_path} board")
