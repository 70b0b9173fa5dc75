"""What syncs observed, kept apart from the small state: ``observations.json``.

Messages and meetings are most of a book's bytes (92 MB of documents for 180,000 messages
and 50,000 meetings) and change only when a sync brings something new, while drafts,
blocks, stages and jobs change on every command. So they live in a file of their own, as
rows (``agent.store.rows``), read only when a command needs them and written only when they
changed.

The file carries a ``generation``, one more at each write; ``state.json`` records the one
its cursors cover (``_meta.observations``). The store writes this file first and the state
second, so a crash between the two leaves a newer file with older cursors (the next sync
fetches a little again and keeps nothing twice), never cursors past data that was lost.
A file older than the recorded generation (a stale ``.bak``) is refused for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.model import MailMessage, Meeting
from agent.store.codec import SCHEMA_VERSION, Outdated, Unreadable, dump_json, from_json, load_json
from agent.store.rows import RowReader, columns_of, to_row

OBSERVATIONS_FILE = "observations.json"


@dataclass
class Observations:
    """Messages and meetings by uid, in the order first stored, as objects."""

    messages: dict[str, MailMessage] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    generation: int = 0
    changed: bool = False  # since the last write
    version: int = 0  # one more at each change in memory (keys the derived caches)

    def touch(self) -> None:
        self.changed = True
        self.version += 1

    def put_messages(self, messages: Iterable[MailMessage]) -> int:
        known, new = self.messages, 0
        for message in messages:
            if message.uid not in known:
                known[message.uid] = message
                new += 1
        if new:
            self.touch()
        return new

    def put_meetings(self, meetings: Iterable[Meeting]) -> None:
        for meeting in meetings:
            if self.meetings.get(meeting.uid) != meeting:
                self.meetings[meeting.uid] = meeting
                self.touch()

    def drop_meetings(self, uids: Iterable[str]) -> int:
        gone = [uid for uid in set(uids) if uid in self.meetings]
        for uid in gone:
            del self.meetings[uid]
        if gone:
            self.touch()
        return len(gone)

    def encode(self) -> bytes:
        return dump_json(
            {
                "schema": SCHEMA_VERSION,
                "generation": self.generation,
                "columns": columns_of(MailMessage, Meeting),
                "messages": [to_row(m) for m in self.messages.values()],
                "meetings": [to_row(m) for m in self.meetings.values()],
            }
        )


def decoder(expected: int) -> Any:
    """Reads an observations file, refusing one older than the ``expected`` generation."""

    def decode(raw: bytes) -> Observations:
        data = load_json(raw)
        if not isinstance(data, dict) or not isinstance(data.get("generation"), int):
            raise Unreadable("no generation")
        if data["generation"] < expected:
            raise Outdated(f"generation {data['generation']} is older than the state's {expected}")
        return from_rows(data)

    return decode


def from_rows(data: Mapping[str, Any]) -> Observations:
    columns, messages, meetings = (data.get(k) for k in ("columns", "messages", "meetings"))
    if not isinstance(columns, dict) or not isinstance(messages, list):
        raise Unreadable("not the expected {columns, messages, meetings} shape")
    if not isinstance(meetings, list):
        raise Unreadable("not the expected {columns, messages, meetings} shape")
    reader = RowReader(columns)
    found = Observations(generation=int(data.get("generation") or 0))
    found.messages = {m.uid: m for m in reader.read_all(MailMessage, messages)}
    found.meetings = {m.uid: m for m in reader.read_all(Meeting, meetings)}
    return found


def from_documents(moved: Mapping[str, Any]) -> Observations:
    """Schema 1's tables of documents, as a migration handed them over."""
    if moved.get("form") != "documents":
        return from_rows(moved)
    found = Observations()
    try:
        found.messages = {m.uid: m for m in (from_json(MailMessage, d) for d in moved["messages"])}
        found.meetings = {m.uid: m for m in (from_json(Meeting, d) for d in moved["meetings"])}
    except (TypeError, ValueError, KeyError) as error:
        raise Unreadable(f"an observation does not read: {error!r}") from None
    found.touch()
    return found
