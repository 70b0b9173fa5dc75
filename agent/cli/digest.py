"""`nurture digest`: the weekly digest, previewed or sent to yourself."""

from __future__ import annotations

from pathlib import Path

import click

from agent.app import digest as weekly
from agent.app.context import Context, pass_context
from agent.core.digest.build import week_of
from agent.untrusted.terminal import echo


@click.command()
@click.option("--send", "send_it", is_flag=True, help="Mail it to yourself (once per week).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the HTML version to this file.",
)
@click.option("--force", is_flag=True, help="With --send: send again a week already sent.")
@pass_context
def digest(context: Context, send_it: bool, out: Path | None, force: bool) -> None:
    """The weekly digest: what moved, what is going cold, what to do next.

    Without --send it changes nothing: it prints the text version and writes the HTML
    version to --out (default: digest-<week>.html in the state folder). With --send it goes
    to you only (Google: a mail to yourself; local: an .eml in the outbox), once per ISO
    week; the daemon sends it on its schedule (daemon.jobs.digest, default fri 16:00).

    Example: nurture digest --out digest.html
    """
    if force and not send_it:
        raise click.UsageError("--force only matters with --send")
    config = context.config()
    with context.store() as store:
        if send_it:
            report = weekly.send(config, store, context.now, force=force)
            rendered = report.rendered
        else:
            rendered = weekly.render(config, weekly.current_digest(config, store, context.now))
    if send_it:
        echo(report.summary())
        if out is not None:
            echo(f"HTML version: {weekly.write_html(out, rendered)}")
        return
    week, _ = week_of(config, context.now)
    path = weekly.write_html(out or context.home / f"digest-{week}.html", rendered)
    echo(rendered.text, nl=False)
    echo(f"\nHTML version: {path}")
