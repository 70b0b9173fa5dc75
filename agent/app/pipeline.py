"""The pipeline: one list of steps that every way of running nurture iterates.

``STEPS`` (sync, learn, plan, drafts, blocks, digest) is the order of a cycle. `nurture
cycle` runs them all; the daemon's jobs (``JOBS``) run slices of the same list on their own
schedules; `nurture demo` runs them on the demo workspace; `nurture plan` and `cycle
--dry-run` ask each step what it *would* do (``preview``), which changes nothing.

A :class:`Run` carries what steps hand each other (the drafts listed before the sync, the
plan the drafts step writes) and one connection to the rep's mail and calendar, opened on
first use. The store is committed after every step, so a failure keeps what went before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from agent.app import book
from agent.app.drafts import ApplyReport, LearnReport, apply, learn, waiting_count, watching
from agent.app.first_day import cycle_notes
from agent.config.schema import Config
from agent.core.briefs import PlanBrief
from agent.core.outcomes import adapted, daily_volume
from agent.errors import UserError
from agent.model import ActionKind, DraftRef
from agent.model.tables import DRAFTS
from agent.providers.base import Progress
from agent.providers.registry import Connection, connect
from agent.store.db import Store

if TYPE_CHECKING:  # the planner (the whole engine) is imported by the steps that plan
    from agent.core.planner import NextCycle, Plan

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Run:
    """One pass over some steps of the pipeline, and what the steps tell each other."""

    config: Config
    store: Store
    home: Path | None
    now: datetime
    progress: Progress | None = None
    # The daemon runs each job at its scheduled time: a step's own "is it time?" is settled.
    on_schedule: bool = False
    connection: Connection | None = None  # opened on first use, shared by every step
    live: list[DraftRef] | None = None  # the mailbox's drafts, listed before the sync
    synced: book.SyncReport | None = None
    learned: LearnReport | None = None
    plan: PlanBrief | None = None
    applied: ApplyReport | None = None
    said: dict[str, str] = field(default_factory=dict)  # step name → its line for the rep

    @property
    def lines(self) -> list[str]:
        """What the steps that ran had to say, in pipeline order."""
        return [line for line in self.said.values() if line]

    def connected(self) -> Connection:
        if self.connection is None:
            self.connection = connect(self.config, self.home, lambda: self.now)
        return self.connection


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Run], str]  # does the step; a line for the rep ("" when nothing to say)
    preview: Callable[[Run, NextCycle], NextCycle] | None = None  # what it would do


def _sync(run: Run) -> str:
    mailbox = run.connected().mailbox
    # Listed *before* the sync: a draft missing from this listing was gone before the sync
    # began, so a message it became is in the store when the learn step judges it.
    run.live = mailbox.drafts() if watching(run.store) else []
    run.synced = book.sync(run.config, run.store, run.connected().source, run.now, run.progress)
    return run.synced.summary()


def _learn(run: Run) -> str:
    mailbox = run.connected().mailbox
    # After a sync, judge on the listing taken before it; otherwise the mailbox is listed now.
    fresh = run.synced is not None
    live = run.live if fresh else None
    run.learned = learn(run.config, run.store, mailbox, run.now, live=live, fresh=fresh)
    return run.learned.summary()


def _plan(run: Run) -> str:
    run.plan = next_plan(run.config, run.store, run.now)
    return ""


def _preview_plan(run: Run, coming: NextCycle) -> NextCycle:
    # Through the plan memo, as the plan step: when it holds, nothing is rolled up, and
    # the blocks step's dry run finds the same brief there.
    plan = next_plan(run.config, run.store, run.now)
    return replace(coming, plan=plan, waiting_drafts=waiting_count(run.store))


def _drafts(run: Run) -> str:
    if run.plan is None:
        _plan(run)
    assert run.plan is not None
    drafts = run.plan.of_kind(ActionKind.DRAFT)
    run.applied = apply(run.config, run.store, run.connected().mailbox, drafts, run.now)
    held = len(run.plan.of_kind(ActionKind.DEFERRED))
    waiting = f"; {held} more held back by the throttles" if held else ""
    note = volume_note(run.config, run.store, run.now)
    made = len(run.applied.created) + len(run.applied.resumed)
    extra = "".join(f"; {n}" for n in cycle_notes(run.config, run.plan.actions, made))
    return f"{run.applied.summary()}{waiting}" + (f" ({note})" if note else "") + extra


def _blocks(run: Run) -> str:
    from agent.app import blocks

    return blocks.run(run.config, run.store, run.connected().calendar, run.now).summary()


def _preview_blocks(run: Run, coming: NextCycle) -> NextCycle:
    from agent.app import blocks

    try:
        calendar = run.connected().calendar
        report = blocks.run(run.config, run.store, calendar, run.now, dry_run=True)
    except UserError as error:
        return replace(coming, blocks_note=f"Nurture blocks skipped: {error.message}")
    return replace(coming, blocks=report.plan.actions, blocks_note=report.summary())


def _digest(run: Run) -> str:
    from agent.app import digest

    config = run.config
    if run.on_schedule:  # the daemon's time has come; with time away it asks every day
        today = run.now.astimezone(config.tz).date()
        if (config.away or config.holidays) and digest_moved_to(config, run.now) != today:
            return ""
    elif not digest_due(run.config, run.store, run.now):
        return ""
    return digest.send_once(run.config, run.store, run.now, run.connected().mailbox)


def _preview_digest(run: Run, coming: NextCycle) -> NextCycle:
    if not digest_due(run.config, run.store, run.now):
        return coming  # known without the digest modules
    from agent.app.digest import recipient
    from agent.core.digest.build import week_of

    week = week_of(run.config, run.now)[0]
    return replace(coming, digest_week=week, digest_to=recipient(run.config))


STEPS: tuple[Step, ...] = (
    Step("sync", _sync),
    Step("learn", _learn),
    Step("plan", _plan, _preview_plan),
    Step("drafts", _drafts),
    Step("blocks", _blocks, _preview_blocks),
    Step("digest", _digest, _preview_digest),
)
NAMES = tuple(step.name for step in STEPS)


def run_steps(run: Run, names: Sequence[str] = NAMES) -> Run:
    """Run the named steps in pipeline order, committing the store after each."""
    unknown = set(names) - set(NAMES)
    if unknown:
        raise ValueError(f"no such pipeline step: {sorted(unknown)}")
    for step in STEPS:
        if step.name in names:
            line = step.run(run)
            run.store.commit()
            run.said[step.name] = line
            log.debug("step %s: %s", step.name, line or "nothing to say")
    return run


def preview(run: Run) -> NextCycle:
    """What the next cycle would do, step by step; reads only (every step's dry run)."""
    from agent.core.planner import NextCycle

    coming = NextCycle(plan=PlanBrief((), ()))
    for step in STEPS:
        if step.preview is not None:
            coming = step.preview(run, coming)
    return coming


def current_plan(config: Config, store: Store, now: datetime) -> Plan:
    """What the next cycle would do, with the daily volume lowered when drafts expire."""
    lowered = adapted(config, store.view(DRAFTS).values(), now)
    return book.current_plan(lowered, store, now, base=config)


def next_plan(config: Config, store: Store, now: datetime) -> PlanBrief:
    """``current_plan``'s actions and worklist, through the plan memo (``book.plan_brief``)."""
    lowered = adapted(config, store.view(DRAFTS).values(), now)
    return book.plan_brief(lowered, store, now, base=config)


def volume_note(config: Config, store: Store, now: datetime) -> str:
    return daily_volume(config, store.view(DRAFTS).values(), now)[1]


def digest_due(config: Config, store: Store, now: datetime) -> bool:
    """The week's digest time (``daemon.jobs.digest``) has passed and it was not sent.

    A digest day away or on a public holiday moves (``agent.core.away.digest_day``), and
    none goes out while the rep is away."""
    when = config.daemon.jobs.get("digest")
    if when is None or not when.enabled or when.at is None:
        return False
    day = digest_moved_to(config, now)
    if day is None:
        return False
    hour, minute = (int(part) for part in when.clock.split(":"))
    if now < datetime.combine(day, time(hour, minute), config.tz):
        return False  # known without the digest modules, which most commands never need
    from agent.app import digest
    from agent.core.digest.build import week_of

    return digest.sent_record(store, week_of(config, now)[0]) is None


def digest_moved_to(config: Config, now: datetime) -> date | None:
    """This week's digest day (today for a daily one), moved off a day away or a public
    holiday (``agent.core.away.digest_day``); None when there is none this week, or today
    while the rep is away."""
    when = config.daemon.jobs.get("digest")
    today = now.astimezone(config.tz).date()
    monday = today - timedelta(days=today.weekday())  # core.digest.build.week_of's
    weekday = when.weekday if when is not None else None
    day = monday + timedelta(days=WEEKDAYS.index(weekday)) if weekday else today
    if not (config.away or config.holidays):
        return day
    from agent.core.away import digest_day, time_off  # the engine: only with time away

    off = time_off(config)
    return None if off.away(today) else digest_day(day, off)
