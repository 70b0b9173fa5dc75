"""The block contract's Google harness: the rep's calendar lives in the fake Google API.

Meetings are events the fake holds in ``primary``; the rep moves or deletes a block as
Google Calendar's own UI would (an events.patch of start/end, an events.delete), which
the harness does straight on the fake's state, behind nurture's back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.model import NurtureBlock
from agent.providers.base import BlockCalendar
from agent.providers.google.provider import GoogleProvider
from tests.kits.fakegoogle.fake import FakeGoogle
from tests.kits.googleworld import google_config, google_provider


def _when(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).isoformat().replace("+00:00", "Z")}


class GoogleHarness:
    def __init__(self, fake: FakeGoogle, timezone: str) -> None:
        self.fake = fake
        self.provider: GoogleProvider = google_provider(
            fake, google_config(fake, me=["rep@seller.com"], timezone=timezone)
        )
        self.calendar: BlockCalendar = self.provider.block_calendar
        self._meetings = 0

    def add_meeting(self, start: datetime, end: datetime, **props: str) -> None:
        self._meetings += 1
        event: dict[str, Any] = {
            "id": f"meeting{self._meetings:04d}",
            "summary": props.pop("summary", "Customer call"),
            "start": _when(start),
            "end": _when(end),
        }
        event.update(props)
        self.fake.add_event(event)

    def rep_move(self, block_id: str, start: datetime, end: datetime) -> None:
        self.fake.change_event(block_id, {"start": _when(start), "end": _when(end)})

    def rep_delete(self, block_id: str) -> None:
        self.fake.cancel_event(block_id)

    def all_blocks(self) -> list[NurtureBlock]:
        far = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)
        return sorted(self.calendar.blocks(*far), key=lambda b: b.start)
