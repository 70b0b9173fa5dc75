"""What is derived from the observations once and cached by the store (``agent.store.cache``).

* ``touches``: :class:`agent.core.touches.Candidates`, keyed by the config parts that touch
  detection reads (accounts and their domains, ``me``, internal domains, the participant
  limit) and :data:`DETECTION_VERSION`; bump it whenever ``agent.core.touches`` decides
  differently or the file's form changes, so that no cache made by an older nurture is
  used (a cache needs no migration: a miss derives it again).
* ``busy``: per calendar, the meetings that may block time for nurture blocks, reduced to
  what that decision reads, so placing blocks reads neither the .ics files nor all mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from agent.config.schema import Config
from agent.core.touches import Candidates, candidates
from agent.model import Meeting, Signal, Touch
from agent.store.cache import Derived, fingerprint_of
from agent.store.codec import Unreadable
from agent.store.db import Store
from agent.store.rows import RowReader, columns_of, from_columns, to_columns, to_row

DETECTION_VERSION = 5  # 2: touches.json holds touches by column; 3: touches have a thread;
# 4: touches carry the display name the message or invite gave the person; 5: signals of
# people copied or invited next to a contact (the buying committee) and of direct mail
BUSY_VERSION = 1
BUSY_PAST = timedelta(days=30)  # blocks older than this are settled: no busy time needed
CUTOFF = ""  # the busy cache's entry that records from when it holds meetings
BusyMeetings = dict[str, tuple[Meeting, ...]]  # calendar name → meetings, in stored order


def _encode_candidates(found: Candidates) -> dict[str, Any]:
    # Touches by column: 200,000 of them decode in a fraction of the time rows take.
    return {
        "columns": columns_of(Signal),
        "touches": to_columns(Touch, found.touches),
        "ends": [end.isoformat() if end else None for end in found.ends],
        "signals": [to_row(s) for s in found.signals],
    }


def _decode_candidates(data: Mapping[str, Any]) -> Candidates:
    reader = RowReader(data["columns"])
    touches = tuple(from_columns(Touch, data["touches"]))
    ends = tuple(datetime.fromisoformat(end) if end else None for end in data["ends"])
    if len(ends) != len(touches):
        raise Unreadable("touches and their ends differ in number")
    return Candidates(touches, ends, tuple(reader.read_all(Signal, data["signals"])))


TOUCHES: Derived[Candidates] = Derived("touches", _encode_candidates, _decode_candidates)


def touch_fingerprint(config: Config) -> str:
    return fingerprint_of(
        DETECTION_VERSION,
        [(a.name, list(a.domains)) for a in config.accounts],
        list(config.me),
        sorted(config.internal_domains),
        config.max_participants,
    )


def touch_candidates(config: Config, store: Store) -> Candidates:
    """Every touch in the store's observations (computed once per change of either)."""
    return store.derived(
        TOUCHES,
        touch_fingerprint(config),
        lambda: candidates(config, store.messages(), store.meetings()),
    )


def _encode_busy(found: BusyMeetings) -> dict[str, Any]:
    rows = {name: [to_row(m) for m in meetings] for name, meetings in found.items()}
    return {"columns": columns_of(Meeting), "calendars": rows}


def _decode_busy(data: Mapping[str, Any]) -> BusyMeetings:
    reader = RowReader(data["columns"])
    calendars = data["calendars"]
    return {name: tuple(reader.read_all(Meeting, rows)) for name, rows in calendars.items()}


BUSY: Derived[BusyMeetings] = Derived("busy", _encode_busy, _decode_busy)


def busy_meetings(config: Config, store: Store, now: datetime) -> BusyMeetings:
    """Meetings that can block time, by calendar, from BUSY_PAST before ``now`` on (the
    ``CUTOFF`` entry says from when); only the rep's own attendance is kept."""
    me = frozenset(address.lower() for address in config.me)
    return store.derived(
        BUSY,
        fingerprint_of(BUSY_VERSION, sorted(me)),
        lambda: _blocking(store.meetings(), me, now - BUSY_PAST),
    )


def busy_cutoff(found: BusyMeetings) -> datetime | None:
    cutoff = found.get(CUTOFF)
    return cutoff[0].start if cutoff else None


def _blocking(meetings: Iterable[Meeting], me: frozenset[str], cutoff: datetime) -> BusyMeetings:
    found: dict[str, list[Meeting]] = {CUTOFF: [Meeting(uid=CUTOFF, start=cutoff, end=cutoff)]}
    for m in meetings:
        if m.cancelled or not m.busy or m.end <= cutoff or m.end <= m.start or m.own_block:
            continue
        mine = tuple(a for a in m.attendees if a.email in me)
        reduced = Meeting(uid=m.uid, start=m.start, end=m.end, attendees=mine, calendar=m.calendar)
        found.setdefault(m.calendar, []).append(reduced)
    return {name: tuple(items) for name, items in found.items()}
