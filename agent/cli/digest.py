"""`nurture digest`: the weekly digest, previewed or sent to yourself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from agent.app import digest as weekly
from agent.app.context import Context, pass_context
from agent.core.digest.build import week_of
from agent.untrusted.terminal import echo
from agent.views.reports import digest_json, digest_sent_json


@click.command()
@click.option("--send", "send_it", is_flag=True, help="Mail it to yourself (once per week).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the HTML version to this file.",
)
@click.option("--force", is_flag=True, help="With --send: send again a week already sent.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_context
def digest(context: Context, send_it: bool, out: Path | None, force: bool, as_json: bool) -> None:
    """The weekly digest: what moved, what is going cold, what to do next.

    Without --send it changes nothing: it prints the text version and writes the HTML
    version to --out (default: digest-<week>.html in the state folder). With --send it goes
    to you only (Google: a mail to yourself; local: an .eml in the outbox), once per ISO
    week; the daemon sends it on its schedule (daemon.jobs.digest, default fri 16:00).

    Example: nurture digest --out digest.html
    """
    if force and not send_it:
        raise click.UsageError("--force only matters with --send")
    config, now = context.config(), context.now
    with context.store() if send_it else context.reader() as store:
        if send_it:
            report = weekly.send(config, store, context.now, force=force)
            rendered = report.rendered
        else:
            rendered = weekly.render(config, weekly.current_digest(config, store, context.now))
    week, _ = week_of(config, context.now)
    if send_it:
        html = weekly.write_html(out, rendered) if out is not None else None
        if as_json:
            shape = digest_json(week, rendered.subject, report.to, html, config=config, now=now)
            _print(digest_sent_json(shape, report.where, report.sends))
            return
        echo(report.summary())
        if html is not None:
            echo(f"HTML version: {html}")
        return
    path = weekly.write_html(out or context.home / f"digest-{week}.html", rendered)
    if as_json:
        to = weekly.recipient(config)
        _print(digest_json(week, rendered.subject, to, path, config=config, now=now))
        return
    echo(rendered.text, nl=False)
    echo(f"\nHTML version: {path}")


def _print(shape: dict[str, Any]) -> None:
    echo(json.dumps(shape, indent=2, ensure_ascii=False))
