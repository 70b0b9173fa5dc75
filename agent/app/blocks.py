"""Nurture blocks as a use case: look at the calendar, plan, apply, account for kept time.

``plan`` reads (calendar, store) and calls the pure reconciler; ``apply`` performs the plan
through a :class:`BlockCalendar`. Each write is recorded *pending* (and committed) before
it happens and *done* after, so a crash between the two is finished by the next run
instead of being mistaken for a block the rep deleted. The caller commits at the end.

Store tables: ``blocks`` (one :class:`BlockRecord` per block id), ``block_actions``
(idempotency key → step, block, pending/done) and ``block_weeks`` (ISO week → hours
planned, kept, moved, deleted; recomputed from the records, so always consistent).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from agent.app.derived import busy_cutoff, busy_meetings
from agent.app.pipeline import next_plan
from agent.app.worklist import worklist as default_worklist
from agent.config.schema import Config
from agent.core.away import time_off
from agent.core.blocks.notes import WorkItem
from agent.core.blocks.reconcile import (
    BlockAction,
    BlockPlan,
    BlockPolicy,
    BlockRecord,
    BlockStatus,
    Scene,
    Step,
    plan_blocks,
)
from agent.core.blocks.slots import SlotPolicy, horizon, local_day, wall
from agent.core.forecast import ColdForecast
from agent.errors import ConfigError
from agent.model import Interval, Meeting
from agent.model.tables import BLOCK_ACTIONS, BLOCK_WEEKS, BLOCKS, ActionStatus, BlockActionRecord
from agent.providers.base import BlockCalendar, StoredMeetings
from agent.store.codec import from_json, to_json
from agent.store.db import Store

log = logging.getLogger(__name__)

LOOK_BEHIND = timedelta(days=1)
LOOK_AHEAD = timedelta(days=14)  # past the horizon: where a rep may have dragged a block
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def block_policy(config: Config) -> BlockPolicy:
    """The `blocks:` settings resolved against working hours; errors name the keys."""
    settings, hours = config.blocks, config.working_hours
    start, end = settings.start or hours.start, settings.end or hours.end
    length = timedelta(hours=settings.hours)
    span = datetime.combine(date.min, end) - datetime.combine(date.min, start)
    if span < length:
        raise ConfigError(
            f"blocks.hours ({settings.hours:g}) does not fit in the block day "
            f"{start:%H:%M}–{end:%H:%M}",
            "shorten blocks.hours or widen blocks.start/end (or working_hours)",
        )
    slots = SlotPolicy(
        tz=config.tz,
        days=frozenset(_WEEKDAYS.index(d) for d in settings.days or hours.days),
        start=start,
        end=end,
        length=length,
        buffer=timedelta(minutes=settings.buffer_minutes),
        prefer=settings.preferred_start,
    )
    return BlockPolicy(
        slots=slots,
        count=settings.count,
        horizon_days=settings.horizon_days,
        title=settings.title,
        owner=config.me[0],
        colour=settings.colour or "",
        busy=settings.show_as == "busy",
    )


def records(store: Store) -> dict[str, BlockRecord]:
    return {key: from_json(BlockRecord, doc) for key, doc in store.items(BLOCKS).items()}


def plan(
    config: Config,
    store: Store,
    calendar: BlockCalendar,
    now: datetime,
    work: list[WorkItem] | None = None,
    *,
    soon: Sequence[ColdForecast] | None = None,
) -> BlockPlan:
    """Read the calendar and the store, and reconcile (writes nothing).

    Days away and public holidays are no block days, and a block already on one is moved
    off it like one a meeting landed on."""
    policy = _with_time_off(config, block_policy(config), now)
    known = records(store)
    start, end = _read_window(policy, known, now)
    off = [_whole_day(day, config) for day in sorted(policy.slots.off)]
    scene = Scene(
        now=now,
        busy=[*_busy(config, store, calendar, (start, end), now), *off],
        live={block.id: block for block in calendar.blocks(start, end)},
        records=known,
    )
    items = default_worklist(config, store, now) if work is None else work
    if soon is None:
        soon = next_plan(config, store, now).soon if work is None else ()  # the worklist's plan
    return plan_blocks(policy, scene, items, soon)


def _with_time_off(config: Config, policy: BlockPolicy, now: datetime) -> BlockPolicy:
    today = local_day(now, config.tz)
    ahead = today + LOOK_AHEAD + timedelta(days=policy.horizon_days * 3)
    off = time_off(config).days_off(today - timedelta(days=policy.horizon_days * 3), ahead)
    return replace(policy, slots=replace(policy.slots, off=off))


def _whole_day(day: date, config: Config) -> Interval:
    return Interval(
        wall(day, time(0), config.tz), wall(day + timedelta(days=1), time(0), config.tz)
    )


def _busy(
    config: Config,
    store: Store,
    calendar: BlockCalendar,
    window: tuple[datetime, datetime],
    now: datetime,
) -> list[Interval]:
    """Busy time over ``window``, offering the calendar what the last sync stored."""
    start, end = window

    def meetings(calendar_id: str) -> tuple[Meeting, ...] | None:
        found = busy_meetings(config, store, now)
        cutoff = busy_cutoff(found)
        return found.get(calendar_id, ()) if cutoff is not None and cutoff <= start else None

    def cursor(provider: str) -> Mapping[str, Any]:
        saved: Mapping[str, Any] = store.get_meta(f"cursor:{provider}", {})
        return saved

    return calendar.busy(start, end, stored=StoredMeetings(cursor, meetings))


def _read_window(
    policy: BlockPolicy, known: Mapping[str, BlockRecord], now: datetime
) -> tuple[datetime, datetime]:
    """From the oldest block whose fate is still open to a fortnight past the horizon."""
    tz = policy.slots.tz
    today = local_day(now, tz)
    opened = [r.where.start for r in known.values() if _unsettled(r, today)]
    start = min([wall(today, time(0), tz), *opened]) - LOOK_BEHIND
    days = horizon(policy.slots, now, policy.horizon_days) or [today]
    return start, wall(days[-1], policy.slots.end, tz) + LOOK_AHEAD


def _unsettled(record: BlockRecord, today: date) -> bool:
    if record.status is BlockStatus.KEPT:
        return False
    return record.status is not BlockStatus.DELETED or record.day >= today


def apply(plan_: BlockPlan, store: Store, calendar: BlockCalendar, now: datetime) -> None:
    """Perform ``plan_`` (see the module docstring for the pending → done protocol)."""
    for action in plan_.actions:
        _log_action(store, action, ActionStatus.PENDING, now)
        if action.pending is not None:
            store.put(BLOCKS, action.block.id, to_json(action.pending))
    if plan_.actions:
        store.commit()  # the pending marks must be on disk before the calendar changes
    for action in plan_.actions:
        calendar.put_block(action.block)
        store.put(BLOCKS, action.block.id, to_json(action.done))
        _log_action(store, action, ActionStatus.DONE, now)
        log.info("%s block %s (%s)", action.step.value, action.block.id, action.reason)
    for key in plan_.confirmed:  # done by a run that stopped before saying so
        if (doc := store.get(BLOCK_ACTIONS, key)) is not None:
            store.put(BLOCK_ACTIONS, key, {**doc, "status": ActionStatus.DONE})
    for key, record in plan_.records.items():
        store.put(BLOCKS, key, to_json(record))
    for week, totals in week_totals(plan_.records.values()).items():
        store.put(BLOCK_WEEKS, week, totals)


def _log_action(store: Store, action: BlockAction, status: ActionStatus, now: datetime) -> None:
    record = BlockActionRecord(
        step=action.step.value, block=action.block.id, status=status, at=now.isoformat()
    )
    store.put(BLOCK_ACTIONS, action.key, record)


def week_totals(all_records: Iterable[BlockRecord]) -> dict[str, dict[str, float]]:
    """Hours per ISO week of the planned day: planned, kept, moved (by the rep), deleted."""
    weeks: dict[str, dict[str, float]] = {}
    for record in all_records:
        week = weeks.setdefault(
            record.week,
            {"blocks": 0, "planned": 0.0, "kept": 0.0, "moved": 0.0, "deleted": 0.0},
        )
        week["blocks"] += 1
        week["planned"] += record.hours
        if record.status is BlockStatus.KEPT:
            seen = record.where
            week["kept"] += (seen.end - seen.start).total_seconds() / 3600
        if record.rep_moved:
            week["moved"] += record.hours
        if record.status is BlockStatus.DELETED:
            week["deleted"] += record.hours
    return weeks


_DONE = {
    Step.PLACE: "placed",
    Step.MOVE: "moved off a meeting or a day off",
    Step.UPDATE: "updated",
}


@dataclass(frozen=True)
class BlocksReport:
    plan: BlockPlan
    dry_run: bool

    def summary(self) -> str:
        counts = dict.fromkeys(_DONE, 0)
        for action in self.plan.actions:
            counts[action.step] += 1
        done = ", ".join(f"{n} {_DONE[step]}" for step, n in counts.items() if n) or "no change"
        text = f"Nurture blocks: {done}" + (" (dry run)" if self.dry_run else "")
        if self.plan.shortfall:
            text += f"; {self.plan.shortfall} block(s) short: no free slot in the horizon"
        if self.plan.conflicts:
            text += f"; {len(self.plan.conflicts)} block(s) overlap a meeting, nowhere to move"
        return text


def run(
    config: Config,
    store: Store,
    calendar: BlockCalendar,
    now: datetime,
    *,
    dry_run: bool = False,
    work: list[WorkItem] | None = None,
    soon: Sequence[ColdForecast] | None = None,
) -> BlocksReport:
    """Plan the blocks and, unless ``dry_run``, apply the plan (the caller commits)."""
    if not config.blocks.enabled:
        return BlocksReport(BlockPlan((), records(store), (), 0, ()), dry_run)
    plan_ = plan(config, store, calendar, now, work, soon=soon)
    if not dry_run:
        apply(plan_, store, calendar, now)
    return BlocksReport(plan_, dry_run)
