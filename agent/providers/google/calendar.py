"""Google Calendar → Meeting: one full listing per calendar, then ``syncToken`` increments.

* Full: ``events.list(singleEvents=True)`` over the window, a month past the look-ahead
  (as the local provider expands .ics files), so later syncs can skip the listing; the
  last page carries ``nextSyncToken``. The calendar's stored meetings are replaced.
* Incremental: ``events.list(syncToken=...)``: every event changed since, cancelled ones
  included and reduced to their ids. A cancelled or out-of-window event is removed.
* A 410 (token expired) or a look-ahead past the listed window → full listing again.

Cancelled items carry no ``iCalUID``, so the state remembers the uid of events whose id
does not give it (``<id>@google.com`` is the rule for events made in Google Calendar)
and of each recurring series. A cancelled series (its master id) relists the calendar.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from googleapiclient.errors import HttpError

from agent.errors import UserError
from agent.model import Meeting
from agent.providers.base import Interest
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api
from agent.providers.google.events import (
    Event,
    key_from_instance_id,
    meeting_of,
    occurrence_key,
    overlaps,
    rfc3339,
)
from agent.providers.google.failures import status_of

log = logging.getLogger(__name__)

EXPAND_AHEAD = timedelta(days=30)
PAGE_SIZE = 2500  # the most events.list returns per page
FIELDS = (
    "items(id,iCalUID,status,summary,start,end,organizer(email,self),"
    "attendees(email,displayName,responseStatus,resource,self),transparency,recurringEventId,"
    "originalStartTime,extendedProperties/private,eventType),nextPageToken,nextSyncToken"
)
SKIP_TYPES = frozenset({"workingLocation"})  # "working from home" markers, not meetings


@dataclass
class CalendarState:
    token: str
    until: str  # ISO end of the listed window
    series: dict[str, str] = field(default_factory=dict)  # series id → iCalUID
    uids: dict[str, str] = field(default_factory=dict)  # event id → iCalUID, when not derived

    def json(self) -> dict[str, Any]:
        return {"token": self.token, "until": self.until, "series": self.series, "uids": self.uids}

    @classmethod
    def load(cls, data: Any) -> CalendarState | None:
        if not isinstance(data, Mapping) or not data.get("token") or not data.get("until"):
            return None
        return cls(
            str(data["token"]),
            str(data["until"]),
            dict(data.get("series", {})),
            dict(data.get("uids", {})),
        )

    def uid(self, event: Event) -> str:
        """The meeting uid of a full event, remembering what a cancellation will need."""
        event_id = str(event["id"])
        ical = str(event.get("iCalUID") or f"{event_id}@google.com")
        series = event.get("recurringEventId")
        if series:
            self.series[str(series)] = ical
            return f"{ical}@{occurrence_key(event['originalStartTime'])}"
        if ical != f"{event_id}@google.com":
            self.uids[event_id] = ical
        return ical

    def cancelled_uid(self, event: Event) -> str | None:
        """The uid a cancelled item removes; None when a whole series went."""
        event_id = str(event["id"])
        series, key = event.get("recurringEventId"), None
        if series and event.get("originalStartTime"):
            key = occurrence_key(event["originalStartTime"])
        elif event_id in self.series:
            return None
        elif (parsed := key_from_instance_id(event_id)) is not None:
            series, key = parsed
        if series and key:
            return f"{self.series.get(str(series), f'{series}@google.com')}@{key}"
        return self.uids.pop(event_id, f"{event_id}@google.com")


@dataclass
class CalendarPull:
    meetings: list[Meeting] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reset: bool = False  # replace every stored meeting of this calendar
    state: CalendarState | None = None


class CalendarSync:
    def __init__(self, calls: Calls, api: Api, tz: ZoneInfo, me: tuple[str, ...] = ()) -> None:
        self.calls = calls
        self.api = api
        self.tz = tz
        self.me = me
        self.events = api.service.events()

    def pull(self, calendar: str, state: CalendarState | None, interest: Interest) -> CalendarPull:
        try:
            if state is None or datetime.fromisoformat(state.until) < interest.until:
                return self.full(calendar, interest)
            try:
                return self.changes(calendar, state, interest)
            except HttpError as error:
                if status_of(error) != 410:
                    raise
                log.info("calendar %s: sync token expired, listing it again", calendar)
                return self.full(calendar, interest)
        except HttpError as error:
            if status_of(error) != 404:
                raise
            raise UserError(
                f"Google Calendar has no calendar {calendar!r} for this account",
                "fix google.calendars in the config (ids are in each calendar's settings)",
            ) from None

    def full(self, calendar: str, interest: Interest) -> CalendarPull:
        until = interest.until + EXPAND_AHEAD
        state = CalendarState(token="", until=until.isoformat())
        window = {"timeMin": rfc3339(interest.since), "timeMax": rfc3339(until)}
        items, state.token = self._list(calendar, window)
        pulled = CalendarPull(reset=True, state=state)
        for event in items:
            if event.get("status") != "cancelled" and event.get("eventType") not in SKIP_TYPES:
                meeting = meeting_of(event, state.uid(event), calendar, self.tz, self.me)
                if overlaps(meeting, interest.since, until):
                    pulled.meetings.append(meeting)
        log.info("calendar %s: %d meetings in the window", calendar, len(pulled.meetings))
        return pulled

    def changes(self, calendar: str, state: CalendarState, interest: Interest) -> CalendarPull:
        items, token = self._list(calendar, {"syncToken": state.token})
        pulled = CalendarPull(state=state)
        until = datetime.fromisoformat(state.until)
        for event in items:
            if event.get("status") == "cancelled":
                uid = state.cancelled_uid(event)
                if uid is None:  # a whole series: its occurrences are not enumerable here
                    return self.full(calendar, interest)
                pulled.removed.append(uid)
                continue
            if event.get("eventType") in SKIP_TYPES:
                continue
            meeting = meeting_of(event, state.uid(event), calendar, self.tz, self.me)
            if overlaps(meeting, interest.since, until):
                pulled.meetings.append(meeting)
            else:
                pulled.removed.append(meeting.uid)  # moved out of the window
        state.token = token
        return pulled

    def _list(self, calendar: str, query: dict[str, str]) -> tuple[list[Event], str]:
        """Every page; the sync token comes with the last one."""
        items: list[Event] = []
        token: str | None = None
        while True:
            request = self.events.list(
                calendarId=calendar,
                singleEvents=True,
                maxResults=PAGE_SIZE,
                pageToken=token,
                fields=FIELDS,
                **query,
            )
            page = self.calls.retried(self.api, request, "events.list")
            items.extend(page.get("items", ()))
            token = page.get("nextPageToken")
            if not token:
                return items, str(page.get("nextSyncToken", ""))
