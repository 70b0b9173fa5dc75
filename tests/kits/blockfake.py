"""BlockCalendar implementations for the contract suite, each with a hand for "the rep".

A harness is a calendar nurture writes to (``calendar``) plus what the rep does to it
behind nurture's back: accept a meeting, drag a block, delete a block. The Google
provider joins the suite by adding one harness over the fake Google server.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from agent.model import Interval, NurtureBlock
from agent.providers.base import BlockCalendar
from agent.providers.local.blocks import LocalBlockCalendar
from agent.providers.memory import MemoryBlockCalendar


class Harness(Protocol):
    calendar: BlockCalendar

    def add_meeting(self, start: datetime, end: datetime, **props: str) -> None: ...

    def rep_move(self, block_id: str, start: datetime, end: datetime) -> None: ...

    def rep_delete(self, block_id: str) -> None: ...

    def all_blocks(self) -> list[NurtureBlock]: ...


class MemoryHarness:
    def __init__(self) -> None:
        self.memory = MemoryBlockCalendar()
        self.calendar: BlockCalendar = self.memory

    def add_meeting(self, start: datetime, end: datetime, **props: str) -> None:
        self.memory.meetings.append(Interval(start, end))

    def rep_move(self, block_id: str, start: datetime, end: datetime) -> None:
        block = self.memory.events[block_id]
        self.memory.events[block_id] = replace(block, start=start, end=end)

    def rep_delete(self, block_id: str) -> None:
        del self.memory.events[block_id]

    def all_blocks(self) -> list[NurtureBlock]:
        return sorted(self.memory.events.values(), key=lambda b: b.start)


class LocalHarness:
    """calendar.ics holds the rep's meetings; blocks.ics is edited as the rep would."""

    def __init__(self, folder: Path, tz: ZoneInfo, me: str = "rep@seller.com") -> None:
        self.meetings_file = folder / "calendar.ics"
        self.blocks_file = folder / "outbox" / "blocks.ics"
        self._events: list[Event] = []
        self._write_meetings()
        self.local = LocalBlockCalendar([self.meetings_file], self.blocks_file, tz, [me])
        self.calendar: BlockCalendar = self.local

    def add_meeting(self, start: datetime, end: datetime, **props: str) -> None:
        event = Event()
        event.add("UID", props.pop("uid", f"meeting-{len(self._events)}@example.com"))
        event.add("DTSTAMP", datetime(2026, 1, 1, tzinfo=UTC))
        event.add("DTSTART", start)
        event.add("DTEND", end)
        event.add("SUMMARY", props.pop("summary", "Customer call"))
        for name, value in props.items():
            event.add(name.upper(), value)
        self._events.append(event)
        self._write_meetings()

    def _write_meetings(self) -> None:
        calendar = Calendar()
        calendar.add("PRODID", "-//test//EN")
        calendar.add("VERSION", "2.0")
        for event in self._events:
            calendar.add_component(event)
        self.meetings_file.write_bytes(calendar.to_ical())

    def rep_move(self, block_id: str, start: datetime, end: datetime) -> None:
        # As a calendar app would: only DTSTART/DTEND change in the rep's copy.
        calendar = Calendar.from_ical(self.blocks_file.read_bytes())
        for event in calendar.walk("VEVENT"):
            if str(event["UID"]) == block_id:
                for name, value in (("DTSTART", start), ("DTEND", end)):
                    del event[name]
                    event.add(name, value.astimezone(UTC))
        self.blocks_file.write_bytes(calendar.to_ical())

    def rep_delete(self, block_id: str) -> None:
        calendar = Calendar.from_ical(self.blocks_file.read_bytes())
        calendar.subcomponents[:] = [
            c for c in calendar.subcomponents if str(c.get("UID", "")) != block_id
        ]
        self.blocks_file.write_bytes(calendar.to_ical())

    def all_blocks(self) -> list[NurtureBlock]:
        far = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)
        return sorted(self.local.blocks(*far), key=lambda b: b.start)
