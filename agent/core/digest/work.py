"""The digest's view of the rep's own work: drafts prepared, nurture blocks kept. Pure.

Drafts come from the store's ``drafts`` table (issue 5) and blocks from ``blocks`` and
``block_weeks`` (issue 6, ``agent.app.blocks``), read by ``agent.app.digest``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from agent.core.blocks.reconcile import BlockRecord, BlockStatus
from agent.core.history import CLOSED, REJECTED


@dataclass(frozen=True)
class DigestDraft:
    """A draft as the digest shows it (read from ``agent.model.tables.DraftRecord``)."""

    account: str
    contact: str
    play: str
    subject: str
    status: str  # created / sent / rejected / deleted / expired (anything else: waiting)
    created_at: datetime
    status_at: datetime  # when it reached its status (created_at when not recorded)
    link: str = ""  # where the rep opens it (Gmail URL or a file path)

    @property
    def waiting(self) -> bool:
        return self.status not in CLOSED


@dataclass(frozen=True)
class DraftCounts:
    created: int  # this week
    sent: int  # this week
    rejected: int  # this week (rejected or deleted by the rep)
    expired: int  # this week
    waiting: tuple[DigestDraft, ...]  # all drafts still waiting, oldest first


@dataclass(frozen=True)
class BlockHours:
    blocks: int = 0
    planned: float = 0.0
    kept: float = 0.0
    moved: float = 0.0
    deleted: float = 0.0

    @property
    def kept_share(self) -> int:
        return round(100 * min(self.kept, self.planned) / self.planned) if self.planned else 0


@dataclass(frozen=True)
class BlockRow:
    day: date
    start: datetime  # local time, where the block is now
    end: datetime
    accounts: tuple[str, ...]
    moved_by_rep: bool

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def block_hours(week: Mapping[str, float] | None) -> BlockHours:
    """One ``block_weeks`` record (see ``agent.app.blocks.week_totals``)."""
    if not week:
        return BlockHours()
    return BlockHours(
        blocks=int(week.get("blocks", 0)),
        planned=float(week.get("planned", 0.0)),
        kept=float(week.get("kept", 0.0)),
        moved=float(week.get("moved", 0.0)),
        deleted=float(week.get("deleted", 0.0)),
    )


def draft_counts(drafts: Sequence[DigestDraft], week_start: datetime, now: datetime) -> DraftCounts:
    def this_week(at: datetime) -> bool:
        return week_start <= at <= now

    closed = [d for d in drafts if not d.waiting and this_week(d.status_at)]
    return DraftCounts(
        created=sum(1 for d in drafts if this_week(d.created_at)),
        sent=sum(1 for d in closed if d.status == "sent"),
        rejected=sum(1 for d in closed if d.status in REJECTED),
        expired=sum(1 for d in closed if d.status == "expired"),
        waiting=tuple(sorted((d for d in drafts if d.waiting), key=lambda d: d.created_at)),
    )


def next_blocks(records: Sequence[BlockRecord], monday: date, tz: ZoneInfo) -> tuple[BlockRow, ...]:
    """Nurture blocks planned for the week starting ``monday`` that the rep did not delete."""
    rows = [
        BlockRow(
            day=r.day,
            start=r.where.start.astimezone(tz),
            end=r.where.end.astimezone(tz),
            accounts=r.accounts,
            moved_by_rep=r.rep_moved,
        )
        for r in records
        if monday <= r.day < monday + timedelta(days=7) and r.status is not BlockStatus.DELETED
    ]
    return tuple(sorted(rows, key=lambda r: r.start))
