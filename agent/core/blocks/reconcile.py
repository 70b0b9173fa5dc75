"""The nurture-block reconciler. Pure: (policy, what is on the calendar, what we remember,
worklist, now) → a plan of block actions and the records as they will be afterwards.

Rules (issue 6), in the order they are applied:

* A block is ours when it carries our tag; its id is deterministic for (rep, day), so a
  re-run or a crash can never make a second block for a day.
* A record with a ``pending`` key is an action whose side effect may or may not have
  happened: if the calendar does not show its result, the action is done again (it is
  idempotent) instead of reading the absence as "the rep deleted it".
* Found at another time than we put it: the rep moved it. It stays there, for good.
* Gone: the rep deleted it. Its day keeps the record and gets no new block.
* Still there after its end: kept.
* Not moved by the rep, not started yet, and a meeting now overlaps it: moved to the best
  free slot of the same day, else of the next free day of the horizon, else reported.
* New blocks go on the horizon's free days in order (a day with no room pushes its block
  to the next), while the ``horizon_days`` working days ending with that day hold fewer
  than ``count`` blocks (so 3 blocks over 5 days stay 3 in every 5, however often nurture
  runs); a day with a record or a block counts, so deleting one does not make nurture put
  it somewhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from agent.core.blocks.notes import WorkItem, describe, digest, split
from agent.core.blocks.slots import (
    best_slot,
    horizon,
    local_day,
    overlaps,
    working_days_back,
)
from agent.core.blocks.types import (
    BlockAction,
    BlockPlan,
    BlockPolicy,
    BlockRecord,
    BlockStatus,
    Scene,
    Step,
    block_id,
)
from agent.core.forecast import ColdForecast, last_chances
from agent.model import Interval, NurtureBlock

__all__ = [  # the types live in blocktypes; importing them from here keeps working
    "BlockAction",
    "BlockPlan",
    "BlockPolicy",
    "BlockRecord",
    "BlockStatus",
    "Scene",
    "Step",
    "block_id",
    "plan_blocks",
]


@dataclass
class _Work:
    """The plan being built: records by id, and the writes each needs."""

    records: dict[str, BlockRecord]
    steps: dict[str, tuple[Step, str]] = field(default_factory=dict)  # id → (step, reason)
    before: dict[str, BlockRecord] = field(default_factory=dict)  # id → record to mark pending
    conflicts: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)

    def positions(self, but: str = "") -> list[Interval]:
        return [r.where for r in self.records.values() if r.id != but and _on_calendar(r)]

    def taken_days(self, tz: ZoneInfo) -> set[date]:
        """Days with a record (whatever its fate) or with one of our blocks on them."""
        days = {r.day for r in self.records.values()}
        days |= {local_day(r.where.start, tz) for r in self.records.values() if _on_calendar(r)}
        return days


def plan_blocks(
    policy: BlockPolicy,
    scene: Scene,
    worklist: Sequence[WorkItem],
    soon: Sequence[ColdForecast] = (),
) -> BlockPlan:
    """``soon``: dream clients going cold in the coming days (``agent.core.forecast``);
    each block names those it is the last block for."""
    work = _Work(records={})
    for record in scene.records.values():
        _observe(work, record, scene.live.get(record.id), scene.now)
    for block in scene.live.values():
        if block.id not in work.records:  # ours, but unknown: adopt it where it is
            work.records[block.id] = _adopted(block, scene.now)
    window = horizon(policy.slots, scene.now, policy.horizon_days)
    _resolve_conflicts(work, policy, scene, window)
    no_room = _place_new(work, policy, scene, window)
    actions = _write(work, policy, scene.now, worklist, soon)
    taken = work.taken_days(policy.slots.tz)
    covered = sum(1 for day in window if day in taken)
    return BlockPlan(
        actions=tuple(actions),
        records={a.done.id: a.done for a in actions} | _unchanged(work, actions),
        window=tuple(window),
        shortfall=max(0, min(policy.count, len(window)) - covered),
        no_room=tuple(no_room),
        conflicts=tuple(work.conflicts),
        confirmed=tuple(work.confirmed),
    )


def _observe(work: _Work, record: BlockRecord, live: NurtureBlock | None, now: datetime) -> None:
    if record.status is BlockStatus.KEPT:
        work.records[record.id] = record
        return
    position = None if live is None else Interval(live.start, live.end)
    if record.pending:
        redo = _redo(record, position, now)
        if redo is not None:
            work.records[record.id] = replace(record, seen=record.planned, pending="")
            work.steps[record.id] = (redo, "finishing an interrupted write")
            work.before[record.id] = record
            return
        work.confirmed.append(record.pending)
    record = replace(record, pending="")
    if position is None:
        work.records[record.id] = replace(record, status=BlockStatus.DELETED)
        return
    moved = record.rep_moved or position != record.planned
    status = BlockStatus.MOVED if moved else BlockStatus.PLACED
    if position.end <= now:
        status = BlockStatus.KEPT
    work.records[record.id] = replace(record, seen=position, rep_moved=moved, status=status)


def _redo(record: BlockRecord, position: Interval | None, now: datetime) -> Step | None:
    """The step to do again for a pending record, or None when the calendar shows it done."""
    if position == record.planned or record.planned.end <= now:
        return None
    if position is None:
        return Step.PLACE if record.seen is None else Step.MOVE
    return Step.MOVE if position == record.seen else None  # elsewhere: the rep moved it


def _adopted(block: NurtureBlock, now: datetime) -> BlockRecord:
    position = Interval(block.start, block.end)
    return BlockRecord(
        id=block.id,
        day=block.day,
        hours=(block.end - block.start).total_seconds() / 3600,
        planned=position,
        seen=position,
        status=BlockStatus.KEPT if block.end <= now else BlockStatus.PLACED,
    )


def _resolve_conflicts(
    work: _Work, policy: BlockPolicy, scene: Scene, window: Sequence[date]
) -> None:
    for record in sorted(work.records.values(), key=lambda r: r.where.start):
        if record.id in work.steps or record.status is not BlockStatus.PLACED:
            continue
        if record.rep_moved or record.where.start <= scene.now:
            continue  # the rep's choice, or already under way: leave it
        if not any(overlaps(record.where, busy) for busy in scene.busy):
            continue
        slot = _new_home(work, record, policy, scene, window)
        if slot is None:
            work.conflicts.append(record.id)
            continue
        work.before[record.id] = record
        work.records[record.id] = replace(
            record, planned=slot, seen=slot, rescheduled=record.rescheduled + 1
        )
        off = local_day(record.where.start, policy.slots.tz) in policy.slots.off
        why = (
            "its day is off (time away or a public holiday)" if off else "a meeting now overlaps it"
        )
        work.steps[record.id] = (Step.MOVE, why)


def _new_home(
    work: _Work, record: BlockRecord, policy: BlockPolicy, scene: Scene, window: Sequence[date]
) -> Interval | None:
    occupied = [*scene.busy, *work.positions(but=record.id)]
    today = local_day(record.where.start, policy.slots.tz)
    slot = best_slot(today, occupied, policy.slots, scene.now)
    if slot is not None:
        return slot
    taken = work.taken_days(policy.slots.tz)
    for day in window:
        if day > today and day not in taken:
            slot = best_slot(day, occupied, policy.slots, scene.now)
            if slot is not None:
                return slot
    return None


def _place_new(
    work: _Work, policy: BlockPolicy, scene: Scene, window: Sequence[date]
) -> list[date]:
    no_room: list[date] = []
    hours = policy.slots.length.total_seconds() / 3600
    for day in window:
        taken = work.taken_days(policy.slots.tz)
        recent = working_days_back(day, policy.horizon_days, policy.slots)
        if day in taken or sum(1 for d in recent if d in taken) >= policy.count:
            continue
        slot = best_slot(day, [*scene.busy, *work.positions()], policy.slots, scene.now)
        if slot is None:
            no_room.append(day)
            continue
        record = BlockRecord(block_id(policy.owner, day), day, hours, planned=slot, seen=slot)
        work.records[record.id] = record
        work.before[record.id] = replace(record, seen=None)
        work.steps[record.id] = (Step.PLACE, "free time on a nurture day")
    return no_room


def _write(
    work: _Work,
    policy: BlockPolicy,
    now: datetime,
    worklist: Sequence[WorkItem],
    soon: Sequence[ColdForecast],
) -> list[BlockAction]:
    """Give every coming block its share of the worklist; one action per block to write."""
    coming = sorted(
        (r for r in work.records.values() if _on_calendar(r) and r.where.end > now),
        key=lambda r: r.where.start,
    )
    tz = policy.slots.tz
    last = last_chances(soon, (local_day(r.where.start, tz) for r in coming))
    actions: list[BlockAction] = []
    for record, items in zip(coming, split(worklist, len(coming)), strict=True):
        day = local_day(record.where.start, tz)
        keeps = last.get(day, ()) if _first_on(day, record, coming, tz) else ()
        block = NurtureBlock(
            id=record.id,
            day=record.day,
            start=record.where.start,
            end=record.where.end,
            title=policy.title,
            description=describe(items, keeps, day),
            busy=policy.busy,
            colour=policy.colour,
        )
        written = digest(block.title, block.description, block.busy, block.colour)
        step, reason = work.steps.get(record.id, (Step.UPDATE, "the worklist changed"))
        if record.id not in work.steps and written == record.written:
            continue
        done = replace(record, written=written, accounts=tuple(i.account for i in items))
        key = _key(step, block, written)
        pending = None
        if step is not Step.UPDATE:  # before: the old position; planned: the new one
            pending = replace(work.before[record.id], planned=record.planned, pending=key)
        actions.append(BlockAction(step, block, key, reason, pending, done))
    return actions


def _first_on(day: date, record: BlockRecord, coming: Sequence[BlockRecord], tz: ZoneInfo) -> bool:
    """A day with two blocks (one the rep moved there) names its accounts once."""
    return next(r for r in coming if local_day(r.where.start, tz) == day).id == record.id


def _key(step: Step, block: NurtureBlock, written: str) -> str:
    if step is Step.UPDATE:
        return f"block:update:{block.id}:{written}"
    stamp = f"{_utc_stamp(block.start)}-{_utc_stamp(block.end)}"
    return f"block:{step.value}:{block.id}:{stamp}"


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _on_calendar(record: BlockRecord) -> bool:
    return record.status is not BlockStatus.DELETED


def _unchanged(work: _Work, actions: Sequence[BlockAction]) -> dict[str, BlockRecord]:
    written = {a.done.id for a in actions}
    return {i: r for i, r in work.records.items() if i not in written}
