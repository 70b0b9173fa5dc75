"""Commands about the book of accounts: sync, board, demo."""

from __future__ import annotations

import json
from pathlib import Path

import click

from agent import cycle, drafts_apply, drafts_cycle
from agent.context import Context, pass_context
from agent.views import board_json, board_table, console


@click.command()
@pass_context
def sync(context: Context) -> None:
    """Read mail and calendars, detect touches, print a one-line summary.

    Example: nurture sync
    """
    from agent.commands.progress import sync_progress  # rich.progress

    config = context.config()
    provider = cycle.make_provider(config, context.home)
    mailbox = drafts_apply.make_mailbox(config, context.home, context.now, provider)
    with context.store() as store, sync_progress() as progress:
        report, learned = drafts_cycle.sync_and_learn(
            config, store, provider, mailbox, context.now, progress=progress
        )
        store.commit()
    for problem in report.unreadable:
        console(stderr=True).print(f"[yellow]skipped[/] {problem}")
    click.echo(report.summary())
    if learned.changes:
        click.echo(learned.summary())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@pass_context
def board(context: Context, as_json: bool) -> None:
    """Every account at a glance, the ones that need attention first.

    Example: nurture board --json
    """
    config = context.config()
    with context.store() as store:
        rows, states = cycle.current_board_and_states(config, store, context.now)
    if as_json:
        click.echo(json.dumps(board_json(rows, config, states), indent=2))
    else:
        console().print(board_table(rows, config, context.now, states))


@click.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("nurture-demo"))
@pass_context
def demo(context: Context, directory: Path) -> None:
    """Write a demo workspace into DIRECTORY, run one cycle on it and print the board.

    Running it again on the same folder refreshes it. Example: nurture demo /tmp/demo
    """
    from agent import blocks_cycle, digest_send
    from agent.demo import write_demo

    write_demo(directory, context.now)
    context.config_path = directory / "config.yaml"
    if context.home_path is None:
        context.home_path = directory / ".nurture"
    config = context.config()
    with context.store() as store:
        report = cycle.sync(config, store, cycle.make_provider(config), context.now)
        store.commit()
        mailbox = drafts_apply.make_mailbox(config, context.home, context.now)
        _, _, drafted = drafts_cycle.plan_and_apply(config, store, mailbox, context.now)
        store.commit()
        calendar = blocks_cycle.make_block_calendar(config, context.home)
        placed = blocks_cycle.run(config, store, calendar, context.now)
        store.commit()
        rows = cycle.current_board(config, store, context.now)
        weekly = digest_send.render(config, digest_send.current_digest(config, store, context.now))
    click.echo(f"Demo workspace: {directory}  (config {context.config_path})")
    click.echo(report.summary())
    click.echo(f"{drafted.summary()} ({config.path(config.local.outbox) / 'drafts'})")
    click.echo(f"{placed.summary()} ({config.path(config.local.outbox) / 'blocks.ics'})")
    console().print(board_table(rows, config, context.now))
    click.echo(f"Weekly digest: {digest_send.write_html(directory / 'digest.html', weekly)}")
    click.echo(f"Try: nurture --config {context.config_path} --home {context.home_path} board")
