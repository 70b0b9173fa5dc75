"""`nurture cycle`: the whole pipeline once, by hand (the daemon runs the same steps)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from agent.app import pipeline
from agent.app.context import Context, pass_context
from agent.config.schema import Config
from agent.errors import UserError
from agent.untrusted.terminal import echo


@click.command("cycle")
@click.option("--dry-run", is_flag=True, help="Print what would be done; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with --dry-run: the plan).")
@pass_context
def cycle_command(context: Context, dry_run: bool, as_json: bool) -> None:
    """Sync, plan, write the day's drafts, place blocks, send the digest when it is due.

    Drafts wait for your review in Gmail Drafts (or <outbox>/drafts); nothing goes to a
    client until you send it or run `nurture drafts approve`. Running it twice writes no
    second copy of anything. With --dry-run it reads the store as it is (no sync) and
    prints the plan. Example: nurture cycle --dry-run
    """
    config = context.config()
    if dry_run:
        _dry_run(context, config, as_json)
        return
    with context.store() as store:
        done = pipeline.run_steps(pipeline.Run(config, store, context.home, context.now))
    if as_json:
        echo(json.dumps(_done_json(done, config, context.now), indent=2, ensure_ascii=False))
        return
    echo("\n".join(done.lines))
    broken = done.applied.broken if done.applied else ()
    if broken:
        raise UserError(
            "; ".join(broken),
            "fix the template (nurture templates check shows each problem); the other "
            "plays' drafts, the blocks and the digest went ahead",
        )


def _done_json(done: pipeline.Run, config: Config, now: datetime) -> dict[str, Any]:
    from agent.views.reports import cycle_json

    applied = done.applied
    made = None
    if applied is not None:
        made = {"created": applied.created, "resumed": applied.resumed, "failed": applied.failed}
    changes = done.learned.changes if done.learned else ()
    return cycle_json(done.said, done.synced, changes, made, config=config, now=now)


def _dry_run(context: Context, config: Config, as_json: bool) -> None:
    # Imported here: the views and the blocks preview cost start-up time a plain cycle
    # (the daemon's, the one with nothing new) does not need to pay.
    from agent.app.preview import preview
    from agent.views.json import next_cycle_json
    from agent.views.plan import plan_view
    from agent.views.tables import console

    with context.reader() as store:
        coming = preview(config, store, context.home, context.now)
        note = pipeline.volume_note(config, store, context.now)
    if as_json:
        echo(json.dumps(next_cycle_json(coming, config), indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(plan_view(coming, config, context.now, out.width))
    if note:
        echo(f"Fewer drafts today: {note}.")
