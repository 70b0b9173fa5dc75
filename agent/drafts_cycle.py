"""Drafts in the pipeline: outcomes learnt on each sync, plays planned and written daily.

* ``sync_and_learn``: the sync, with the drafts' fates read from the mailbox around it.
* ``plan_and_apply``: the daemon's daily ``plan`` job (07:30): learn, plan, write drafts.
* ``full_cycle``: ``nurture cycle``: sync → plan → drafts → blocks → digest when due.

Each takes an open store and leaves committing the rest to the caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from agent import cycle
from agent.config import Config
from agent.drafts import TABLE
from agent.drafts_apply import ApplyReport, LearnReport, apply, learn, make_mailbox, watching
from agent.drafts_outcomes import adapted, daily_volume
from agent.errors import UserError
from agent.model import ActionKind
from agent.plan_memo import PlanBrief
from agent.providers.base import Mailbox, Progress, Provider
from agent.store import Store

if TYPE_CHECKING:
    from agent.engine.planner import Plan

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def current_plan(config: Config, store: Store, now: datetime) -> Plan:
    """What the next cycle would do, with the daily volume lowered when drafts expire."""
    lowered = adapted(config, store.items(TABLE).values(), now)
    return cycle.current_plan(lowered, store, now, base=config)


def volume_note(config: Config, store: Store, now: datetime) -> str:
    return daily_volume(config, store.items(TABLE).values(), now)[1]


def sync_and_learn(
    config: Config,
    store: Store,
    provider: Provider,
    mailbox: Mailbox,
    now: datetime,
    *,
    progress: Progress | None = None,
) -> tuple[cycle.SyncReport, LearnReport]:
    """Sync, then judge the drafts on a listing taken *before* it: a draft missing from
    that listing was gone before the sync began, so a message it became is in the store."""
    live = mailbox.drafts() if watching(store) else []
    report = cycle.sync(config, store, provider, now, progress)
    return report, learn(config, store, mailbox, now, live=live, fresh=True)


def plan_and_apply(
    config: Config, store: Store, mailbox: Mailbox, now: datetime
) -> tuple[LearnReport, PlanBrief, ApplyReport]:
    """Learn what the mailbox can tell without a sync, plan, and write the drafts."""
    learned = learn(config, store, mailbox, now, fresh=False)
    store.commit()
    plan = next_plan(config, store, now)
    return learned, plan, apply(config, store, mailbox, plan.of_kind(ActionKind.DRAFT), now)


def next_plan(config: Config, store: Store, now: datetime) -> PlanBrief:
    """``current_plan``'s actions and worklist, through the plan memo (``cycle.plan_brief``):
    when no expiry lowered the daily volume, the blocks step finds it there too."""
    lowered = adapted(config, store.items(TABLE).values(), now)
    return cycle.plan_brief(lowered, store, now, base=config)


@dataclass(frozen=True)
class CycleReport:
    lines: tuple[str, ...]

    def summary(self) -> str:
        return "\n".join(self.lines)


def full_cycle(config: Config, store: Store, home: Path, now: datetime) -> CycleReport:
    """`nurture cycle`: every step once, in pipeline order; commits after each."""
    provider = cycle.make_provider(config, home)
    mailbox = make_mailbox(config, home, now, provider)
    synced, learned = sync_and_learn(config, store, provider, mailbox, now)
    store.commit()
    _, plan, applied = plan_and_apply(config, store, mailbox, now)
    store.commit()
    lines = [synced.summary(), learned.summary(), _drafts_line(config, store, now, plan, applied)]
    lines.append(_blocks(config, store, now, home, provider))
    store.commit()
    lines.append(_digest(config, store, now, provider))
    return CycleReport(tuple(line for line in lines if line))


def _drafts_line(
    config: Config, store: Store, now: datetime, plan: PlanBrief, applied: ApplyReport
) -> str:
    held = len(plan.of_kind(ActionKind.DEFERRED))
    waiting = f"; {held} more held back by the throttles" if held else ""
    note = volume_note(config, store, now)
    return f"{applied.summary()}{waiting}" + (f" ({note})" if note else "")


def _blocks(config: Config, store: Store, now: datetime, home: Path, provider: Provider) -> str:
    from agent import blocks_cycle

    try:
        calendar = blocks_cycle.make_block_calendar(config, home, provider)
    except UserError as error:
        return f"Nurture blocks skipped: {error.message}"
    return blocks_cycle.run(config, store, calendar, now).summary()


def _digest(config: Config, store: Store, now: datetime, provider: Provider) -> str:
    from agent import digest_send

    if not digest_due(config, store, now):
        return ""
    return digest_send.send_once(config, store, now, provider)


def digest_due(config: Config, store: Store, now: datetime) -> bool:
    """The week's digest time (``daemon.jobs.digest``) has passed and it was not sent."""
    when = config.daemon.jobs.get("digest")
    if when is None or not when.enabled or when.at is None:
        return False
    today = now.astimezone(config.tz).date()
    monday = today - timedelta(days=today.weekday())  # agent.digest.week_of's
    day = monday + timedelta(days=WEEKDAYS.index(when.weekday)) if when.weekday else None
    hour, minute = (int(part) for part in when.clock.split(":"))
    due = datetime.combine(day or today, time(hour, minute), config.tz)
    if now < due:
        return False  # known without the digest modules, which most commands never need
    from agent import digest_send
    from agent.digest import week_of

    return digest_send.sent_record(store, week_of(config, now)[0]) is None
