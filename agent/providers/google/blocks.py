"""Nurture blocks on Google Calendar (:class:`agent.providers.base.BlockCalendar`).

Blocks live in the primary calendar with a deterministic, client-chosen event id (so an
insert is idempotent: a repeat answers 409) and the tag ``extendedProperties.private =
{"nurture": "block", "nurture_day": ..., "nurture_id": <the block's id>}`` that finds them
again. They are ``visibility: private`` (colleagues who see the calendar see busy time,
not the worklist in the description) and keep the calendar's default reminders.

An id Google already knows answers 409, also when its event was deleted; a patch then
brings it back, except that Google may refuse to patch a deleted event (403). The block
then goes in under the next id of its line (``<id>r1``, ``<id>r2``, ...), tagged with its
own id, which is what :meth:`blocks` reports: the rest of nurture sees one block. Where a
block lives is remembered from the last listing, so later moves and deletes go straight
to that event.

Busy time comes from ``events.list`` for the calendar that holds the blocks
(``freebusy.query`` would count our own blocks as busy) and from ``freebusy.query`` for
the other configured calendars, in pieces of at most 90 days counted in UTC (a local
day across a clock change is 23 or 25 hours).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from googleapiclient.errors import HttpError

from agent.config.blocks import GOOGLE_COLOUR_IDS
from agent.errors import UserError
from agent.model import Interval, NurtureBlock
from agent.providers.base import StoredMeetings
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api
from agent.providers.google.events import OWN_BLOCK_TAG, is_own_block, moment, rfc3339
from agent.providers.google.failures import status_of

log = logging.getLogger(__name__)

BLOCK_CALENDAR = "primary"
DAY_KEY = "nurture_day"
ID_KEY = "nurture_id"
MAX_REVIVALS = 20  # ids tried after the block's own: <id>r1 ... <id>r20
# A deleted event Google will not patch back (403), or that vanished meanwhile (404, 410).
_REFUSED = frozenset({403, 404, 410})
FREEBUSY_MAX_CALENDARS = 50
FREEBUSY_MAX_RANGE = timedelta(days=90)
PAGE_SIZE = 2500
_COLOUR_NAMES = {colour_id: name for name, colour_id in GOOGLE_COLOUR_IDS.items()}
_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")  # base32hex, what events.insert accepts as id
_BUSY_FIELDS = (
    "timeZone,nextPageToken,items(id,status,start,end,transparency,eventType,"
    "attendees(self,responseStatus),extendedProperties/private)"
)


class GoogleBlockCalendar:
    def __init__(
        self, calls: Calls, api: Api, calendars: Iterable[str], tz: ZoneInfo, me: Iterable[str]
    ) -> None:
        self.calls = calls
        self.api = api
        self.events = api.service.events()
        self.calendars = tuple(calendars)
        self.tz = tz
        self.me = frozenset(me)
        self.living: dict[str, str] = {}  # block id → the event id it lives under

    # --- busy time ---------------------------------------------------------------------

    def busy(
        self, start: datetime, end: datetime, *, stored: StoredMeetings | None = None
    ) -> list[Interval]:
        del stored  # Calendar answers busy time itself (events.list + freebusy)
        own = [c for c in self.calendars if c == BLOCK_CALENDAR or c.lower() in self.me]
        others = [c for c in self.calendars if c not in own]
        intervals = [i for c in own for i in self._busy_events(c, start, end)]
        return intervals + self.freebusy(others, start, end)

    def _busy_events(self, calendar: str, start: datetime, end: datetime) -> Iterator[Interval]:
        for zone, event in self._pages(calendar, start, end, fields=_BUSY_FIELDS):
            if not _blocks_time(event):
                continue
            low, high = moment(event["start"], zone), moment(event["end"], zone)
            if low < high and low < end and start < high:
                yield Interval(low.astimezone(UTC), high.astimezone(UTC))

    def freebusy(self, calendars: Iterable[str], start: datetime, end: datetime) -> list[Interval]:
        """``freebusy.query`` over ``calendars`` (≤ 50 a call, ≤ 90 days a call)."""
        wanted = list(calendars)
        intervals: list[Interval] = []
        for first in range(0, len(wanted), FREEBUSY_MAX_CALENDARS):
            group = wanted[first : first + FREEBUSY_MAX_CALENDARS]
            low, stop = start.astimezone(UTC), end.astimezone(UTC)
            while group and low < stop:
                high = min(stop, low + FREEBUSY_MAX_RANGE)
                intervals.extend(self._freebusy(group, low, high))
                low = high
        return intervals

    def _freebusy(self, group: list[str], start: datetime, end: datetime) -> list[Interval]:
        body = {
            "timeMin": rfc3339(start),
            "timeMax": rfc3339(end),
            "items": [{"id": c} for c in group],
        }
        request = self.api.service.freebusy().query(body=body)
        answer = self.calls.retried(self.api, request, "freebusy.query")
        intervals = []
        for calendar in group:
            found = answer.get("calendars", {}).get(calendar, {})
            if found.get("errors"):
                reason = found["errors"][0].get("reason", "error")
                raise UserError(
                    f"Google Calendar cannot read the busy time of {calendar!r} ({reason})",
                    "fix google.calendars in the config (ids are under the calendar's settings)",
                )
            for span in found.get("busy", ()):
                intervals.append(Interval(_instant(span["start"]), _instant(span["end"])))
        return intervals

    # --- our blocks --------------------------------------------------------------------

    def blocks(self, start: datetime, end: datetime) -> list[NurtureBlock]:
        tag = f"{OWN_BLOCK_TAG[0]}={OWN_BLOCK_TAG[1]}"
        found = []
        for zone, event in self._pages(BLOCK_CALENDAR, start, end, tag=tag):
            if event.get("status") != "cancelled" and is_own_block(event):
                found.append(self._block(event, zone))
        return found

    def _block(self, event: dict[str, Any], zone: ZoneInfo) -> NurtureBlock:
        low = moment(event["start"], zone).astimezone(UTC)
        day = event.get("extendedProperties", {}).get("private", {}).get(DAY_KEY, "")
        private = event.get("extendedProperties", {}).get("private", {})
        block_id = str(private.get(ID_KEY) or event["id"])
        self.living[block_id] = str(event["id"])
        return NurtureBlock(
            id=block_id,
            day=date.fromisoformat(day) if day else low.astimezone(self.tz).date(),
            start=low,
            end=moment(event["end"], zone).astimezone(UTC),
            title=str(event.get("summary", "")),
            description=str(event.get("description", "")),
            busy=event.get("transparency", "opaque") != "transparent",
            colour=_COLOUR_NAMES.get(str(event.get("colorId", "")), ""),
        )

    def put_block(self, block: NurtureBlock) -> None:
        if not _EVENT_ID.fullmatch(block.id):
            raise ValueError(f"block id {block.id!r} is not base32hex ([a-v0-9], 5-1024 chars)")
        for event_id in _line(block.id, self.living.get(block.id, block.id)):
            if self._put(event_id, _event_body(block)):
                self.living[block.id] = event_id
                return
        raise UserError(
            f"Google Calendar refused every id for the nurture block of {block.day}",
            "delete the old nurture blocks of that day from the calendar's bin and run again",
        )

    def _put(self, event_id: str, body: dict[str, Any]) -> bool:
        """The block as event ``event_id``; False when Google will not let that id live."""
        insert = self.events.insert(calendarId=BLOCK_CALENDAR, body={"id": event_id, **body})
        try:
            # Retrying an insert is safe: the id makes a repeat answer 409.
            self.calls.retried(self.api, insert, "events.insert")
            return True
        except HttpError as error:
            if status_of(error) != 409:
                raise
        # The id exists (maybe deleted): make it look like the block, and alive.
        body.setdefault("colorId", None)  # None clears a colour the rep no longer wants
        patch = self.events.patch(
            calendarId=BLOCK_CALENDAR, eventId=event_id, body={**body, "status": "confirmed"}
        )
        try:
            self.calls.retried(self.api, patch, "events.patch", keep=_REFUSED)
            return True
        except HttpError as error:
            if status_of(error) not in _REFUSED:
                raise
            log.info("Google will not revive event %s; the block takes the next id", event_id)
            return False

    def delete_block(self, block_id: str) -> None:
        event_id = self.living.get(block_id, block_id)
        request = self.events.delete(calendarId=BLOCK_CALENDAR, eventId=event_id)
        try:
            self.calls.retried(self.api, request, "events.delete")
        except HttpError as error:
            if status_of(error) not in (404, 410):  # 410: deleted already (maybe by a retry)
                raise
            log.info("block %s was already gone", block_id)

    def _pages(
        self, calendar: str, start: datetime, end: datetime, *, fields: str = "", tag: str = ""
    ) -> Iterator[tuple[ZoneInfo, dict[str, Any]]]:
        """(calendar zone, event) for every occurrence overlapping [start, end)."""
        query: dict[str, Any] = {"fields": fields} if fields else {}
        if tag:
            query["privateExtendedProperty"] = tag
        token: str | None = None
        while True:
            request = self.events.list(
                calendarId=calendar,
                timeMin=rfc3339(start),
                timeMax=rfc3339(end),
                singleEvents=True,
                maxResults=PAGE_SIZE,
                pageToken=token,
                **query,
            )
            page = self.calls.retried(self.api, request, "events.list")
            zone = ZoneInfo(page.get("timeZone") or "UTC")
            for event in page.get("items", ()):
                yield zone, event
            token = page.get("nextPageToken")
            if not token:
                return


def _blocks_time(event: dict[str, Any]) -> bool:
    """Busy per the BlockCalendar contract: confirmed or tentative, opaque, not declined by
    the rep, not a working-location marker, and not one of our blocks."""
    declined = any(
        a.get("self") and a.get("responseStatus") == "declined" for a in event.get("attendees", ())
    )
    return not (
        declined
        or event.get("status") == "cancelled"
        or event.get("transparency") == "transparent"
        or event.get("eventType") == "workingLocation"
        or is_own_block(event)
    )


def _event_body(block: NurtureBlock) -> dict[str, Any]:
    body: dict[str, Any] = {
        "start": {"dateTime": rfc3339(block.start)},
        "end": {"dateTime": rfc3339(block.end)},
        "summary": block.title,
        "description": block.description,
        "transparency": "opaque" if block.busy else "transparent",
        "extendedProperties": {
            "private": {
                OWN_BLOCK_TAG[0]: OWN_BLOCK_TAG[1],
                DAY_KEY: block.day.isoformat(),
                ID_KEY: block.id,
            }
        },
        "visibility": "private",  # colleagues see busy time, not the worklist
        "reminders": {"useDefault": True},  # what the rep set for their calendar
    }
    if block.colour in GOOGLE_COLOUR_IDS:
        body["colorId"] = GOOGLE_COLOUR_IDS[block.colour]
    return body


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _line(block_id: str, start: str) -> Iterator[str]:
    """The ids a block may live under, from ``start`` on: its own, then ``<id>r1``, ...
    (all base32hex)."""
    line = [block_id, *(f"{block_id}r{n}" for n in range(1, MAX_REVIVALS + 1))]
    yield from line[line.index(start) if start in line else 0 :]
