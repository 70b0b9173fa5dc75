"""Writing the agent's own calendar (blocks.ics) for the local provider."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from pathlib import Path

from icalendar import Calendar, Event

from agent.atomic import write_atomically
from agent.model import Meeting


def write_ics(path: Path, events: Sequence[Meeting], *, prodid: str = "-//nurture//EN") -> None:
    """Write ``events`` as a calendar of simple events, atomically (the agent's blocks.ics).

    Output is deterministic for the same events, so rewriting unchanged blocks does not
    look like a change to anything that fingerprints the file.
    """
    uids = [m.uid for m in events]
    if len(set(uids)) != len(uids):
        # Two VEVENTs sharing a UID read back as one event: refuse rather than lose one.
        raise ValueError("write_ics needs a distinct uid per event")
    vcalendar = Calendar()
    vcalendar.add("PRODID", prodid)
    vcalendar.add("VERSION", "2.0")
    for meeting in events:
        vcalendar.add_component(_to_vevent(meeting))
    write_atomically(path, vcalendar.to_ical())


def _to_vevent(meeting: Meeting) -> Event:
    event = Event()
    event.add("UID", meeting.uid)
    # DTSTAMP is required; the start keeps the output stable (no clock read here).
    event.add("DTSTAMP", meeting.start.astimezone(UTC))
    if meeting.all_day:
        event.add("DTSTART", meeting.start.date())
        event.add("DTEND", meeting.end.date())
    else:
        event.add("DTSTART", meeting.start.astimezone(UTC))
        event.add("DTEND", meeting.end.astimezone(UTC))
    event.add("SUMMARY", meeting.title)
    event.add("TRANSP", "OPAQUE" if meeting.busy else "TRANSPARENT")
    if meeting.cancelled:
        event.add("STATUS", "CANCELLED")
    if meeting.own_block:
        event.add("X-NURTURE-BLOCK", "1")
    return event
