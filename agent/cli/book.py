"""Commands about the book of accounts: sync, board, demo."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from shlex import quote

import click

from agent.app import book, pipeline
from agent.app.context import Context, pass_context
from agent.app.jobs import JOB_STEPS
from agent.cli.invocation import nurture_command
from agent.cli.progress import sync_progress
from agent.untrusted.terminal import echo

# rich (views.tables) and the digest are imported by the commands that draw or send: a
# sync run by a script (or with nothing new) and `board --json` need none of them.


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_context
def sync(context: Context, as_json: bool) -> None:
    """Read mail and calendars, detect touches, print a one-line summary.

    Example: nurture sync
    """
    config = context.config()
    with context.store() as store, sync_progress() as progress:
        run = pipeline.Run(config, store, context.home, context.now, progress=progress)
        pipeline.run_steps(run, JOB_STEPS["sync"])
    assert run.synced is not None and run.learned is not None
    if as_json:
        from agent.views.reports import sync_json

        shape = sync_json(run.synced, run.learned.changes, config, context.now)
        echo(json.dumps(shape, indent=2, ensure_ascii=False))
        return
    if run.synced.unreadable:
        from rich.text import Text

        from agent.views.tables import console

        for problem in run.synced.unreadable:
            # Not wrapped: a path broken over two lines cannot be copied.
            note = Text("skipped", style="yellow").append(f" {problem}")
            console(stderr=True).print(note, soft_wrap=True)
    echo(run.synced.summary())
    if run.learned is not None and run.learned.changes:
        echo(run.learned.summary())
    if run.learned.changes:
        echo(run.learned.summary())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@pass_context
def board(context: Context, as_json: bool) -> None:
    """Every account at a glance, the ones that need attention first.

    Example: nurture board --json
    """
    config = context.config()
    with context.reader() as store:
        rows, states = book.current_board_and_states(config, store, context.now)
    if as_json:
        from agent.views.json import board_json

        echo(json.dumps(board_json(rows, config, states), indent=2))
    else:
        from agent.views.tables import board_table, console

        out = console()
        out.print(board_table(rows, config, context.now, states, width=out.width))


def _a_week_ago(run: pipeline.Run) -> None:
    """The demo's story began before today: a cycle about a week ago drafted a play that
    still waits in the outbox (``agent.demo.script.A_WEEK_AGO``), and its contact has written
    in since, so today's cycle withdraws it. The first day back from then whose cycle wrote
    it counts (a holiday writes nothing). Listed again as the mailbox is now."""
    from agent.app.drafts import apply
    from agent.demo.script import A_WEEK_AGO
    from agent.model import ActionKind

    mailbox, story = run.connected().mailbox, (A_WEEK_AGO.contact, A_WEEK_AGO.play)
    for days in range(int(A_WEEK_AGO.days_ago), int(A_WEEK_AGO.days_ago) + 7):
        then = run.now - timedelta(days=days)
        planned = book.current_plan(run.config, run.store, then).of_kind(ActionKind.DRAFT)
        wanted = [a for a in planned if (a.contact, a.play) == story]
        if wanted:
            apply(run.config, run.store, mailbox, wanted, then)
            run.store.commit()
            break
    run.live = mailbox.drafts()


@click.command()
@click.argument(
    "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("nurture-demo")
)
@click.option("--force", is_flag=True, help="Write into a folder that is not empty anyway.")
@pass_context
def demo(context: Context, directory: Path, force: bool) -> None:
    """Write a demo workspace into DIRECTORY, run one cycle on it and print the board.

    DIRECTORY must be new, empty or a demo workspace made before (running it again
    refreshes it); nurture names what it would overwrite and stops otherwise, and a file
    you changed in a demo workspace is yours: --force replaces them anyway.
    Example: nurture demo /tmp/demo
    """
    from agent.app import digest
    from agent.demo.workspace import check_folder, write_demo
    from agent.views.tables import board_table, console

    if not force:
        check_folder(directory)
    write_demo(directory, context.now)
    context.config_path = directory / "config.yaml"
    if context.home_path is None:
        context.home_path = directory / ".nurture"
    config = context.config()
    outbox = config.path(config.local.outbox)
    with context.store() as store:
        # The whole pipeline but the digest's delivery: the demo writes it as a page instead.
        run = pipeline.Run(config, store, context.home, context.now)
        pipeline.run_steps(run, ["sync"])
        _a_week_ago(run)
        pipeline.run_steps(run, [name for name in pipeline.NAMES if name not in ("sync", "digest")])
        # With each account's state: the footnotes tell the story (habits, the buying
        # committee, three asks in a row) and give:ask is filled in.
        rows, states = book.current_board_and_states(config, store, context.now)
        weekly = digest.render(config, digest.current_digest(config, store, context.now))
    assert run.synced is not None and run.applied is not None
    echo(f"Demo workspace: {directory}  (config {context.config_path})")
    echo(run.synced.summary())
    if run.learned is not None and run.learned.changes:
        echo(run.learned.summary())
    echo(f"{run.applied.summary()} ({outbox / 'drafts'})")
    echo(f"{run.said['blocks']} ({outbox / 'blocks.ics'})")
    out = console()
    out.print(board_table(rows, config, context.now, states, width=out.width))
    echo(f"Weekly digest: {digest.write_html(directory / 'digest.html', weekly)}")
    again = f"{nurture_command()} --config {quote(str(context.config_path))}"
    again += f" --home {quote(str(context.home_path))}"
    echo(f"Try: {again} board")
    echo(f"Or in your browser: {again} ui")
