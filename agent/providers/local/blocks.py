"""Nurture blocks for the local provider: busy time from the .ics files, blocks in blocks.ics.

``<outbox>/blocks.ics`` is nurture's own calendar: the rep imports or subscribes to it,
and edits it to move (change DTSTART/DTEND) or delete (remove the VEVENT) a block. Each
block is a VEVENT whose UID is the block id, tagged ``X-NURTURE-BLOCK:1`` and
``X-NURTURE-DAY``. Output is deterministic (no clock read), so rewriting unchanged blocks
leaves the file byte-identical.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from agent.atomic import private_folder, write_atomically
from agent.config.blocks import CSS_COLOURS
from agent.config.schema import Config
from agent.errors import UserError
from agent.model import Interval, Meeting, NurtureBlock, Response
from agent.providers.base import StoredMeetings
from agent.providers.local.provider import LocalProvider, calendar_synced

if TYPE_CHECKING:
    from icalendar import Component, Event

# icalendar (with local.calendar) is imported when a calendar file is read or written: most
# commands read busy time from the store and find no blocks.ics to parse.
log = logging.getLogger(__name__)

BLOCKS_FILE = "blocks.ics"
_NAMES_BY_CSS = {css: name for name, css in CSS_COLOURS.items()}


class LocalBlockCalendar:
    """:class:`agent.providers.base.BlockCalendar` over files on disk."""

    def __init__(
        self, calendars: Iterable[Path], blocks_file: Path, tz: ZoneInfo, me: Iterable[str]
    ) -> None:
        self.calendars = tuple(calendars)
        self.path = blocks_file
        self.tz = tz
        self.me = frozenset(address.lower() for address in me)

    @classmethod
    def from_config(cls, config: Config) -> LocalBlockCalendar:
        outbox = config.path(config.local.outbox)
        calendars = (config.path(p) for p in config.local.calendars)
        return cls(calendars, outbox / BLOCKS_FILE, config.tz, config.me)

    def busy(
        self, start: datetime, end: datetime, *, stored: StoredMeetings | None = None
    ) -> list[Interval]:
        """Busy time in ``[start, end)``: a calendar's meetings as the last sync ``stored``
        them when that sync read the file as it is now over the whole window, else the
        file is read (parsing 50,000 events again would cost seconds)."""
        ours = {block.id for block in self._read()}
        cursor = stored.cursor(LocalProvider.name) if stored is not None else {}
        intervals: list[Interval] = []
        for path in self.calendars:
            known = None
            if stored is not None and calendar_synced(cursor, path, start, end):
                known = stored.meetings(str(path))
            if known is not None:
                meetings = [m for m in known if m.start < end and start < m.end]
            else:
                meetings = self._load(path, start, end)
            intervals.extend(
                Interval(m.start, m.end) for m in meetings if self._blocks_time(m, ours)
            )
        return intervals

    def _load(self, path: Path, start: datetime, end: datetime) -> list[Meeting]:
        from agent.providers.local.calendar import CalendarUnreadable, load_meetings

        try:
            return load_meetings(path, start=start, end=end, tz=self.tz)
        except CalendarUnreadable as error:
            # Placing blocks without a calendar could put them over real meetings.
            raise UserError(
                f"cannot read busy time from {error}",
                "fix the file or remove it from local.calendars, then run again",
            ) from None

    def _blocks_time(self, meeting: Meeting, ours: frozenset[str] | set[str]) -> bool:
        if meeting.cancelled or not meeting.busy or meeting.end <= meeting.start:
            return False
        if meeting.own_block or meeting.uid.partition("@")[0] in ours:
            return False  # blocks.ics imported into the rep's calendar and exported again
        declined = any(
            a.email in self.me and a.response is Response.DECLINED for a in meeting.attendees
        )
        return not declined

    def blocks(self, start: datetime, end: datetime) -> list[NurtureBlock]:
        return [b for b in self._read() if b.start < end and start < b.end]

    def put_block(self, block: NurtureBlock) -> None:
        blocks = {b.id: b for b in self._read()}
        if blocks.get(block.id) == block:
            return
        blocks[block.id] = block
        self._write(blocks.values())

    def delete_block(self, block_id: str) -> None:
        blocks = {b.id: b for b in self._read()}
        if blocks.pop(block_id, None) is not None:
            self._write(blocks.values())

    def _read(self) -> list[NurtureBlock]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise UserError(f"cannot read {self.path}: {error.strerror or error}") from None
        from icalendar import Calendar

        try:
            calendar = Calendar.from_ical(data)
            events = [c for c in calendar.walk("VEVENT") if _text(c, "X-NURTURE-BLOCK") == "1"]
            return [self._block(event) for event in events]
        # icalendar raises ValueError and friends on hand-edited files; see localcal._read.
        except Exception as error:
            raise UserError(
                f"{self.path} is not a calendar nurture can read: {error}",
                "undo the last edit to the file, or delete it to let nurture rewrite it",
            ) from None

    def _block(self, event: Component) -> NurtureBlock:
        start = _instant(event, "DTSTART", self.tz)
        end = _instant(event, "DTEND", self.tz)
        day = _text(event, "X-NURTURE-DAY")
        return NurtureBlock(
            id=_text(event, "UID"),
            day=date.fromisoformat(day) if day else start.astimezone(self.tz).date(),
            start=start,
            end=end,
            title=_text(event, "SUMMARY"),
            description=str(event.get("DESCRIPTION", "")),
            busy=_text(event, "TRANSP").upper() != "TRANSPARENT",
            colour=_NAMES_BY_CSS.get(_text(event, "COLOR").lower(), ""),
        )

    def _write(self, blocks: Iterable[NurtureBlock]) -> None:
        from icalendar import Calendar

        calendar = Calendar()
        calendar.add("PRODID", "-//nurture//blocks//EN")
        calendar.add("VERSION", "2.0")
        calendar.add("X-WR-CALNAME", "nurture blocks")
        for block in sorted(blocks, key=lambda b: (b.start, b.id)):
            calendar.add_component(_event(block))
        private_folder(self.path.parent)
        write_atomically(self.path, calendar.to_ical())
        log.info("wrote %s", self.path)


def _event(block: NurtureBlock) -> Event:
    from icalendar import Event

    event = Event()
    event.add("UID", block.id)
    event.add("DTSTAMP", block.start.astimezone(UTC))  # required; the start keeps it stable
    event.add("DTSTART", block.start.astimezone(UTC))
    event.add("DTEND", block.end.astimezone(UTC))
    event.add("SUMMARY", block.title)
    if block.description:
        event.add("DESCRIPTION", block.description)
    event.add("TRANSP", "OPAQUE" if block.busy else "TRANSPARENT")
    if block.colour in CSS_COLOURS:
        event.add("COLOR", CSS_COLOURS[block.colour])
    event.add("X-NURTURE-BLOCK", "1")
    event.add("X-NURTURE-DAY", block.day.isoformat())
    return event


def _instant(event: Component, name: str, tz: ZoneInfo) -> datetime:
    value = getattr(event.get(name), "dt", None)
    if not isinstance(value, datetime):
        raise ValueError(f"{name} of block {event.get('UID')} is not a date-time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)  # floating time, e.g. after a hand edit
    return value.astimezone(UTC)


def _text(event: Component, name: str) -> str:
    value = event.get(name)
    return "" if value is None else str(value).strip()
