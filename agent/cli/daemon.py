"""Commands for running unattended: run, status, doctor."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo

import click
from rich.text import Text

from agent.app import book
from agent.app.context import Context, pass_context
from agent.app.daemon import Daemon, daemon_running, read_status
from agent.app.doctor import diagnose
from agent.app.jobs import JOBS
from agent.config.schema import Config, find_config
from agent.errors import UserError
from agent.model.tables import BLOCKS, DRAFTS
from agent.untrusted.terminal import LOG_FORMAT, CleanFormatter, echo
from agent.views.tables import console, status_view


@click.command()
@click.option("--ui", "with_ui", is_flag=True, help="Also serve the web app (see `nurture ui`).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The web app's port.")
@pass_context
def run(context: Context, with_ui: bool, port: int) -> None:
    """Run the daemon: sync, plan, blocks and digest on their schedules, until stopped.

    Schedules come from the `daemon:` section of the config. SIGTERM or Ctrl-C finishes
    the current job and exits 0. With --ui the web app is served next to it on 127.0.0.1
    and its address (with the access key) is the first line printed.
    Example: nurture --config ~/nurture/config.yaml run --ui
    """
    config = context.config()
    if with_ui:
        from agent.cli.web import moving_clock
        from agent.web.server import start

        served = start(moving_clock(context), port)
        click.echo(served.url)
        served.in_background()

    def fresh_context() -> Context:
        return Context(context.config_path, context.home_path, datetime.now(UTC))

    with _side_effects_logged(config.tz):
        Daemon(config, fresh_context, context.home, JOBS).run()


# What a daemon did, one line each, at the default verbosity: each job's summary (daemon),
# each draft written or changed, each block placed or moved, each digest sent.
SIDE_EFFECT_LOGGERS = (
    "agent.app.daemon",
    "agent.app.drafts",
    "agent.app.blocks",
    "agent.app.digest",
)


@contextmanager
def _side_effects_logged(tz: tzinfo) -> Iterator[None]:
    """The daemon's lines at the default verbosity, their times in the rep's zone."""
    loggers = [logging.getLogger(name) for name in SIDE_EFFECT_LOGGERS]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.getEffectiveLevel() > logging.INFO:  # -v and -vv show these already
            logger.setLevel(logging.INFO)
    handlers = logging.getLogger().handlers
    formats = [handler.formatter for handler in handlers]
    for handler in handlers:
        handler.setFormatter(CleanFormatter(LOG_FORMAT, tz))
    try:
        yield
    finally:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)
        for handler, format_ in zip(handlers, formats, strict=True):
            handler.setFormatter(format_)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def status(context: Context, as_json: bool) -> None:
    """Last and next run of each daemon job, the last error, and what the store holds.

    Example: nurture status --json
    """
    config = context.config()
    with context.reader() as store:
        touches = book.detect_all(config, store, context.now).touches
        counts = {
            "touches": len({t.source for t in touches}),
            "messages": len(store.messages()),
            "meetings": len(store.meetings()),
            "drafts": store.count(DRAFTS),
            "blocks": store.count(BLOCKS),
        }
        last_sync = store.get_meta("last_sync")
    daemon = read_status(context.home) or {"jobs": {}}
    if as_json:
        from agent.views.reports import status_json

        echo(json.dumps(status_json(last_sync, counts, daemon, config), indent=2))
        return
    out = console()
    running = daemon_running(context.home)
    out.print(status_view(daemon, running, counts, last_sync, config, width=out.width))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def doctor(context: Context, as_json: bool) -> int:
    """Check config, state, accounts, data sources, templates and Google, and say what to fix.

    Each line is ok, note, busy (another nurture process is at work: nothing to fix) or
    fix. Exits 1 when something needs fixing. Example: nurture doctor
    """
    path = find_config(context.config_path)
    checks = diagnose(path, context.home, context.now)
    failed = [c.name for c in checks if not c.ok]
    if as_json:
        from agent.config.schema import load_config
        from agent.views.reports import doctor_json

        zone = load_config(path) if checks[0].ok else Config(me=("you@example.com",))
        echo(json.dumps(doctor_json(checks, zone, context.now), indent=2, ensure_ascii=False))
        return 1 if failed else 0
    out = console()
    styles = {"ok": "green", "note": "yellow", "busy": "cyan", "fix": "red"}
    for check in checks:
        mark = Text(f"{check.mark:<4}", style=styles[check.mark])
        # Not wrapped by us: paths in the details must stay whole to be copied.
        out.print(mark.append(f" {check.name}: {check.detail}"), soft_wrap=True)
        if check.fix and check.mark != "ok":
            out.print(f"      → {check.fix}", soft_wrap=True)
    if failed:
        raise UserError(f"needs fixing: {', '.join(failed)}", "see the lines marked fix above")
    return 0
