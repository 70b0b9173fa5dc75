"""In-memory Google Calendar: events stored as Google JSON, a change log for sync tokens."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from .core import ApiError, bad_request, not_found

EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")
# Ids Google itself gives: a series split by "this and following" is <base>_R<local start>,
# and occurrences are <series id>_<original start>: <base>_R20250326T131500_20250327T131500Z.
SPLIT_ID = re.compile(r"[a-v0-9]{5,1024}_R\d{8}(T\d{6})?")
INSTANCE_ID = re.compile(r"[a-v0-9]{5,1024}(_R\d{8}(T\d{6})?)?_\d{8}(T\d{6}Z)?")
SERVER_FIELDS = ("kind", "etag", "id", "htmlLink", "created", "updated", "iCalUID")


def parse_time(value: str, where: str) -> datetime:
    """RFC 3339 with an explicit offset, as Google requires for timeMin/timeMax."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise bad_request(f"Bad Request: {where}={value!r}", "badRequest", location=where)
    return moment


def utc_text(moment: datetime, millis: bool = False) -> str:
    text = moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".000Z" if millis else "Z")


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data, several times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v) for v in value]
    return value


def merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """Patch semantics: nested objects merge, lists and scalars replace, None removes."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


@dataclass
class StoredEvent:
    data: dict[str, Any]
    seq: int
    start: datetime
    end: datetime

    @property
    def cancelled(self) -> bool:
        return self.data.get("status") == "cancelled"

    def listed(self, minimal: bool = False) -> dict[str, Any]:
        """A cancelled event comes back with little more than its id, as Google does; with
        ``minimal`` (what Google sends for some cancelled occurrences), with nothing more."""
        if not self.cancelled:
            return json_copy(self.data)
        keep = ("kind", "etag", "id", "status")
        if not minimal:
            keep += ("recurringEventId", "originalStartTime")
        return {k: copy.deepcopy(self.data[k]) for k in keep if k in self.data}


class Calendars:
    """All calendars of one user. Not locked itself: the server holds one lock around it."""

    def __init__(self, owner: str, clock: Callable[[], datetime]) -> None:
        self.owner = owner
        self.clock = clock
        self.events: dict[str, dict[str, StoredEvent]] = {owner: {}}
        self.time_zones: dict[str, str] = {owner: "UTC"}
        self.seq = 0
        self.generation = 1
        self.aliases: list[str] = []  # the owner's other addresses: entries marked self
        # Switches for what Google does and the generous defaults do not:
        self.minimal_cancelled = False  # cancelled occurrences listed as id + status only
        self.revive_deleted = True  # False: patching or updating a deleted event is a 403
        self._next_id = 0

    def add_calendar(self, calendar_id: str, time_zone: str = "UTC") -> None:
        self.events.setdefault(calendar_id, {})
        self.time_zones[calendar_id] = time_zone

    def resolve(self, calendar_id: str) -> str:
        resolved = self.owner if calendar_id == "primary" else calendar_id
        if resolved not in self.events:
            raise not_found("Not Found")
        return resolved

    def find(self, calendar_id: str, event_id: str) -> StoredEvent:
        stored = self.events[self.resolve(calendar_id)].get(event_id)
        if stored is None:
            raise not_found("Not Found")
        return stored

    # --- time ---------------------------------------------------------------------------

    def _moment(self, cal: str, value: Any, which: str) -> datetime:
        if not isinstance(value, dict) or not (value.get("dateTime") or value.get("date")):
            raise bad_request(f"Missing {which} time.", "required")
        zone = ZoneInfo(value.get("timeZone") or self.time_zones[cal])
        try:
            if value.get("dateTime"):
                moment = datetime.fromisoformat(value["dateTime"])
                return moment if moment.tzinfo else moment.replace(tzinfo=zone)
            day = datetime.fromisoformat(value["date"]).date()
        except ValueError as exc:
            raise bad_request(f"Invalid {which} time.", "invalid") from exc
        return datetime.combine(day, time(), tzinfo=zone)

    def _render(self, cal: str, value: dict[str, Any], moment: datetime) -> str:
        """Google answers every dateTime with an offset, in the event's or calendar's zone."""
        local = moment.astimezone(ZoneInfo(value.get("timeZone") or self.time_zones[cal]))
        text = local.replace(microsecond=0).isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text

    # --- mutations ----------------------------------------------------------------------

    def _save(self, cal: str, data: dict[str, Any]) -> dict[str, Any]:
        start = self._moment(cal, data.get("start"), "start")
        end = self._moment(cal, data.get("end"), "end")
        for key, moment in (("start", start), ("end", end)):
            if data[key].get("dateTime"):
                data[key]["dateTime"] = self._render(cal, data[key], moment)
        if end < start:
            raise bad_request("The specified time range is empty.", "timeRangeEmpty")
        private = data.get("extendedProperties", {}).get("private", {})
        for key, value in private.items():
            if len(key) > 44 or len(str(value)) > 1024:
                raise bad_request("Extended property key or value too long.", "invalid")
        self.seq += 1
        data["updated"] = utc_text(self.clock(), millis=True)
        data["etag"] = f'"{3_400_000_000_000_000 + self.seq}"'
        self.events[cal][data["id"]] = StoredEvent(data, self.seq, start, end)
        return copy.deepcopy(data)

    def insert(
        self, calendar_id: str, body: dict[str, Any], *, seeding: bool = False
    ) -> dict[str, Any]:
        """``seeding``: an event as Google stores it, which may be a recurring event's
        instance (id ``<series>_<start>``, which no client may choose)."""
        cal = self.resolve(calendar_id)
        event_id = body.get("id")
        instance = seeding and bool(body.get("recurringEventId"))
        google_made = (instance and INSTANCE_ID) or (seeding and SPLIT_ID) or None
        if event_id is None:
            self._next_id += 1
            event_id = f"fake{self._next_id:05d}{self.seq:04d}"
        elif not isinstance(event_id, str) or not (
            EVENT_ID.fullmatch(event_id) or (google_made and google_made.fullmatch(event_id))
        ):
            raise bad_request("Invalid resource id value.", "invalid")
        if event_id in self.events[cal]:  # also a cancelled one: ids are never reused
            raise ApiError(409, "The requested identifier already exists.", "duplicate")
        now = utc_text(self.clock(), millis=True)
        data: dict[str, Any] = {
            "kind": "calendar#event",
            "status": "confirmed",
            "htmlLink": f"https://calendar.example/event?eid={event_id}",
            "created": now,
            "creator": {"email": cal, "self": True},
            "organizer": {"email": cal, "self": True},
            "iCalUID": f"{event_id}@google.com",
            "sequence": 0,
            "reminders": {"useDefault": True},
            "eventType": "default",
        }
        data.update(copy.deepcopy(body))
        data["id"] = event_id
        self._mark_attendees(cal, data)
        return self._save(cal, data)

    def _mark_attendees(self, cal: str, data: dict[str, Any]) -> None:
        """``self: true`` on the entries that are this calendar (its owner, under any of
        the owner's addresses), as Google marks them."""
        own = {cal.lower()} | ({a.lower() for a in self.aliases} if cal == self.owner else set())
        for attendee in data.get("attendees", []):
            attendee.setdefault("responseStatus", "needsAction")
            if attendee.get("email", "").lower() in own:
                attendee["self"] = True
        organizer = data.get("organizer")
        if isinstance(organizer, dict) and organizer.get("email", "").lower() in own:
            organizer["self"] = True

    def patch(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        stored = self.find(calendar_id, event_id)
        data = copy.deepcopy(stored.data)
        merge(data, {k: v for k, v in body.items() if k not in SERVER_FIELDS})
        cal = self.resolve(calendar_id)
        self._mark_attendees(cal, data)
        return self._save(cal, data)

    def replace(self, calendar_id: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
        stored = self.find(calendar_id, event_id)
        data = {
            k: stored.data[k]
            for k in (*SERVER_FIELDS, "creator", "organizer", "sequence")
            if k in stored.data
        }
        data.setdefault("status", "confirmed")
        data.update({k: copy.deepcopy(v) for k, v in body.items() if k not in SERVER_FIELDS})
        cal = self.resolve(calendar_id)
        self._mark_attendees(cal, data)
        return self._save(cal, data)

    def cancel(self, calendar_id: str, event_id: str) -> None:
        stored = self.find(calendar_id, event_id)
        if stored.cancelled:
            raise ApiError(410, "Resource has been deleted", "deleted")
        data = copy.deepcopy(stored.data)
        data["status"] = "cancelled"
        self._save(self.resolve(calendar_id), data)

    # --- sync tokens --------------------------------------------------------------------

    def sync_token(self, cal: str, seq: int) -> str:
        raw = json.dumps([cal, self.generation, seq]).encode()
        return "CPD" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def read_sync_token(self, cal: str, token: str) -> int:
        try:
            text = token.removeprefix("CPD")
            owner, generation, seq = json.loads(base64.urlsafe_b64decode(text + "==="))
        except (ValueError, TypeError) as exc:
            raise bad_request("Invalid sync token value.", "invalid", location="syncToken") from exc
        if owner != cal:
            raise bad_request("Invalid sync token value.", "invalid", location="syncToken")
        if generation != self.generation:
            raise ApiError(
                410,
                "Sync token is no longer valid, a full sync is required.",
                "fullSyncRequired",
                domain="calendar",
                location="syncToken",
            )
        return int(seq)
