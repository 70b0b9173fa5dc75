"""Commands about what to do next: plan, account."""

from __future__ import annotations

import json
from datetime import datetime

import click

from agent.app import pipeline
from agent.app.context import Context, pass_context
from agent.app.preview import preview
from agent.app.stages import find_account, set_stage
from agent.model import Stage
from agent.untrusted.terminal import echo
from agent.views.json import account_json, next_cycle_json
from agent.views.reports import stage_json

# rich (views.plan, views.tables) is imported only to draw: --json needs none of it.


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of actions.")
@pass_context
def plan(context: Context, as_json: bool) -> None:
    """Show what the next cycle would do, and why. Nothing is written or sent.

    Each action has a kind (draft, reply, suggest_stage, hold, deferred, block, digest),
    an account, a contact, a play for drafts and a reason. Drafts follow the worklist:
    cold dream clients before lower-tier hot deals, then the most overdue and the widest
    coverage gap. Calendar steps for the nurture blocks and a due digest come last.

    Example: nurture plan --json
    """
    config = context.config()
    with context.reader() as store:
        coming = preview(config, store, context.home, context.now)
    if as_json:
        echo(json.dumps(next_cycle_json(coming, config), indent=2, ensure_ascii=False))
    else:
        from agent.views.plan import plan_view
        from agent.views.tables import console

        out = console()
        out.print(plan_view(coming, config, context.now, out.width))


@click.command()
@click.argument("name")
@click.option(
    "--stage",
    type=click.Choice([s.value for s in Stage]),
    help="Record a new stage (kept in the state dir; wins over config and CSV).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --stage: the day it changed (default: today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
def account(
    context: Context, name: str, stage: str | None, since: datetime | None, as_json: bool
) -> None:
    """One account in full: status, people, patterns, suggested stage and planned plays.

    NAME may be any unambiguous part of the account's name. With --stage, record the stage
    the deal is in now, e.g. after a loss or when an opportunity is reborn.

    Example: nurture account "Corvid Health" --stage hot
    """
    config = context.config()
    found = find_account(config, name)
    if since is not None and stage is None:
        raise click.UsageError("--since needs --stage")
    if stage is not None:
        with context.store() as store:
            day = set_stage(
                config,
                store,
                found,
                Stage(stage),
                since=since.date() if since else None,
                now=context.now,
            )
        if as_json:
            shape = stage_json(found.name, stage, day, config, context.now)
            echo(json.dumps(shape, indent=2, ensure_ascii=False))
            return
        echo(f"{found.name}: stage is now {stage} (since {day.isoformat()})")
        return
    with context.reader() as store:
        result = pipeline.current_plan(config, store, context.now)
    state = next(s for s in result.accounts if s.name == found.name)
    if as_json:
        echo(json.dumps(account_json(state, result, config), indent=2, ensure_ascii=False))
    else:
        from agent.views.plan import account_view
        from agent.views.tables import console

        out = console()
        out.print(account_view(state, result, config, out.width))
