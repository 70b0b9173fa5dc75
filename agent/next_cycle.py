"""What the next cycle would do, whole: the engine's plan, the calendar steps for nurture
blocks and whether the weekly digest is due. Reads only (a dry run of every step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent import blocks_cycle, drafts_cycle
from agent.config import Config
from agent.engine.blocktypes import BlockAction
from agent.errors import UserError
from agent.plan_memo import PlanBrief
from agent.store import Store


@dataclass(frozen=True)
class NextCycle:
    plan: PlanBrief  # the engine's actions (and worklist), as the cycle would make them
    blocks: tuple[BlockAction, ...] = ()
    blocks_note: str = ""  # the blocks step's summary, or why it could not be read
    digest_week: str | None = None  # the ISO week whose digest the cycle would send
    digest_to: str = ""  # to the rep only


def preview(config: Config, store: Store, home: Path | None, now: datetime) -> NextCycle:
    plan = drafts_cycle.next_plan(config, store, now)
    try:
        calendar = blocks_cycle.make_block_calendar(config, home)
        report = blocks_cycle.run(config, store, calendar, now, dry_run=True)
        actions, note = report.plan.actions, report.summary()
    except UserError as error:
        actions, note = (), f"Nurture blocks skipped: {error.message}"
    if not drafts_cycle.digest_due(config, store, now):
        return NextCycle(plan, actions, note)
    from agent.digest import week_of
    from agent.digest_send import recipient

    return NextCycle(plan, actions, note, week_of(config, now)[0], recipient(config))
