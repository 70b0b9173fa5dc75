"""`nurture ui`: the rep's own web app in the browser, on this machine only."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime

import click

from agent.app.context import Context, pass_context


def moving_clock(context: Context) -> Callable[[], Context]:
    """A fresh Context per request whose time moves on from the command's (`--now` in tests
    fixes where it starts; otherwise it is simply the time)."""
    started = datetime.now(UTC)

    def fresh() -> Context:
        return Context(
            context.config_path, context.home_path, context.now + (datetime.now(UTC) - started)
        )

    return fresh


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port on 127.0.0.1 (default: any free one).",
)
@click.option("--no-open", is_flag=True, help="Print the address but do not open a browser.")
@pass_context
def ui(context: Context, port: int, no_open: bool) -> None:
    """Open nurture in your browser: the board, drafts to review, the plan and setup.

    Serves on 127.0.0.1 only; the first line printed is the address with its access key
    (keep it to yourself: it lets the page send your approved drafts). Ctrl-C stops it.
    Example: nurture ui --port 8765
    """
    from agent.web.server import start

    context.config()  # a broken config is said here, not on the first page
    served = start(moving_clock(context), port)
    click.echo(served.url)
    if no_open:
        click.echo("Open that address in your browser; Ctrl-C here stops nurture ui.", err=True)
    else:
        click.echo("nurture is opening in your browser; Ctrl-C here stops it.", err=True)
        webbrowser.open(served.url)
    try:
        served.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        served.stop()
