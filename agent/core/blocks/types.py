"""The vocabulary of nurture blocks: records the store keeps, the policy, plans and actions.

Pure data, shared by the reconciler (``agent.core.blocks.reconcile``), the use case
(``agent.app.blocks``) and the digest.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from agent.core.blocks.slots import SlotPolicy
from agent.model import Interval, NurtureBlock


class BlockStatus(StrEnum):
    PLACED = "placed"  # on the calendar where nurture put it
    MOVED = "moved"  # the rep moved it: it stays where they put it
    DELETED = "deleted"  # the rep deleted it: not put back for that day
    KEPT = "kept"  # its time has passed and it was still on the calendar


class Step(StrEnum):
    PLACE = "place"
    MOVE = "move"  # off a meeting that now overlaps it
    UPDATE = "update"  # same time, new description (worklist) or look


@dataclass(frozen=True)
class BlockRecord:
    """What the store remembers of one block (table ``blocks``, keyed by id)."""

    id: str
    day: date  # the day it was planned for: its identity
    hours: float
    planned: Interval  # where nurture last put it
    seen: Interval | None = None  # where the calendar last showed it
    status: BlockStatus = BlockStatus.PLACED
    rep_moved: bool = False
    rescheduled: int = 0  # times nurture moved it off a new meeting
    pending: str = ""  # key of an action recorded but not yet confirmed done
    written: str = ""  # digest of the title, description and look last written
    accounts: tuple[str, ...] = ()

    @property
    def where(self) -> Interval:
        return self.seen or self.planned

    @property
    def week(self) -> str:
        year, week, _ = self.day.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class BlockPolicy:
    slots: SlotPolicy
    count: int
    horizon_days: int
    title: str
    owner: str  # the rep's address: part of every block id
    colour: str = ""
    busy: bool = True


@dataclass(frozen=True)
class Scene:
    """What the reconciler looks at."""

    now: datetime
    busy: Sequence[Interval]  # the rep's busy time, not counting our blocks
    live: Mapping[str, NurtureBlock]  # our blocks as the calendar shows them, by id
    records: Mapping[str, BlockRecord]  # what the store remembers, by id


@dataclass(frozen=True)
class BlockAction:
    """One calendar write: save ``pending`` (if any) before it and ``done`` after it.

    Updates carry no pending record: rewriting a description twice harms nothing, while a
    pending mark would make a rep-moved block look like an unfinished move.
    """

    step: Step
    block: NurtureBlock  # the block as it must be on the calendar afterwards
    key: str  # idempotency key
    reason: str
    pending: BlockRecord | None
    done: BlockRecord


@dataclass(frozen=True)
class BlockPlan:
    actions: tuple[BlockAction, ...]
    records: Mapping[str, BlockRecord]  # every record as it is once the actions are done
    window: tuple[date, ...]  # the horizon's days
    shortfall: int  # blocks wanted in the window that have no day
    no_room: tuple[date, ...]  # days that had no free slot
    conflicts: tuple[str, ...] = ()  # ids of blocks a meeting overlaps, with nowhere to go
    confirmed: tuple[str, ...] = ()  # keys of earlier pending actions the calendar shows done


def block_id(owner: str, day: date) -> str:
    """Base32hex (Google event ids allow ``[a-v0-9]``, 5–1024 chars), stable per rep and day."""
    raw = hashlib.sha256(f"{owner.lower()}|{day.isoformat()}|nurture-block".encode()).digest()
    return base64.b32hexencode(raw).decode().rstrip("=").lower()[:26]
