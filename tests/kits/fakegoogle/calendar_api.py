"""Calendar methods: events.list (full and incremental), get/insert/patch/update/delete,
freebusy.query."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .calendar import Calendars, StoredEvent, parse_time, utc_text
from .core import ApiError, Call, bad_request, paginate, scope_of
from .query import words

# Google refuses these next to a syncToken: the token already encodes the query.
NOT_WITH_SYNC_TOKEN = (
    "timeMin",
    "timeMax",
    "q",
    "privateExtendedProperty",
    "sharedExtendedProperty",
    "orderBy",
    "updatedMin",
    "iCalUID",
)
_PAGING_NOISE = {"pageToken", "maxResults", "fields", "alt", "prettyPrint", "quotaUser"}
MAX_FREEBUSY_CALENDARS = 50
MAX_FREEBUSY_RANGE = timedelta(days=90)


def _properties(call: Call, param: str) -> dict[str, str]:
    wanted = {}
    for item in call.params(param):
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise bad_request(f"Invalid {param} value {item!r}", "invalid", location=param)
        wanted[key] = value
    return wanted


def _text_of(event: dict[str, Any]) -> tuple[str, ...]:
    people = [event.get("organizer", {}), *event.get("attendees", [])]
    parts = [event.get(k, "") for k in ("summary", "description", "location")]
    parts += [f"{p.get('email', '')} {p.get('displayName', '')}" for p in people]
    return words(" ".join(parts))


def _full_filter(cals: Calendars, call: Call, cal: str) -> list[StoredEvent]:
    time_min = call.param("timeMin")
    time_max = call.param("timeMax")
    low = parse_time(time_min, "timeMin") if time_min else None
    high = parse_time(time_max, "timeMax") if time_max else None
    updated_text = call.param("updatedMin")
    updated_min = parse_time(updated_text, "updatedMin") if updated_text else None
    private = _properties(call, "privateExtendedProperty")
    shared = _properties(call, "sharedExtendedProperty")
    needle = words(call.param("q") or "")
    uid = call.param("iCalUID")
    # Google includes deleted events when asked to, and always when updatedMin is given.
    show_deleted = call.flag("showDeleted") or updated_min is not None
    found = []
    for ev in cals.events[cal].values():
        data = ev.data
        props = data.get("extendedProperties", {})
        checks = (
            show_deleted or not ev.cancelled,
            low is None or ev.end > low,
            high is None or ev.start < high,
            updated_min is None or datetime.fromisoformat(data["updated"]) >= updated_min,
            all(props.get("private", {}).get(k) == v for k, v in private.items()),
            all(props.get("shared", {}).get(k) == v for k, v in shared.items()),
            uid is None or data.get("iCalUID") == uid,
            not needle or all(w in _text_of(data) for w in needle),
        )
        if all(checks):
            found.append(ev)
    return found


def list_events(cals: Calendars, call: Call) -> dict[str, Any]:
    cal = cals.resolve(call.path_params["calendarId"])
    sync_token = call.param("syncToken")
    order = call.param("orderBy")
    if sync_token is not None:
        clashing = [p for p in NOT_WITH_SYNC_TOKEN if p in call.query]
        if clashing:
            raise bad_request(
                f"The syncToken cannot be combined with {', '.join(clashing)}.",
                "invalid",
                location=clashing[0],
            )
        since = cals.read_sync_token(cal, sync_token)
        found = [ev for ev in cals.events[cal].values() if ev.seq > since]
    else:
        if order == "startTime" and not call.flag("singleEvents"):
            raise bad_request(
                "The requested ordering is not available for the particular query.",
                "badRequest",
                location="orderBy",
            )
        found = _full_filter(cals, call, cal)

    def by_start(ev: StoredEvent) -> list[Any]:
        return [ev.start.timestamp(), ev.data["id"]]

    def by_change(ev: StoredEvent) -> list[Any]:
        return [ev.seq, ev.data["id"]]

    key = by_start if order == "startTime" else by_change
    found.sort(key=key)
    scope = scope_of(
        "events", cal, sorted((k, v) for k, v in call.query.items() if k not in _PAGING_NOISE)
    )
    # The sync token handed out at the end reflects the state when the first page was read.
    page, token, snapshot = paginate(
        call, found, key, scope, default=250, maximum=2500, extra=cals.seq
    )
    out: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"p{snapshot}"',
        "summary": cal,
        "updated": utc_text(cals.clock(), millis=True),
        "timeZone": cals.time_zones[cal],
        "accessRole": "owner",
        "defaultReminders": [],
        "items": [ev.listed(cals.minimal_cancelled) for ev in page],
    }
    if token:
        out["nextPageToken"] = token
    else:
        out["nextSyncToken"] = cals.sync_token(cal, snapshot)
    return out


def get_event(cals: Calendars, call: Call) -> dict[str, Any]:
    ev = cals.find(call.path_params["calendarId"], call.path_params["eventId"])
    return dict(ev.data)


def insert_event(cals: Calendars, call: Call) -> dict[str, Any]:
    return cals.insert(call.path_params["calendarId"], call.json())


def _writable(cals: Calendars, call: Call) -> None:
    """Google may refuse to change a deleted event at all (``revive_deleted`` off)."""
    p = call.path_params
    if not cals.revive_deleted and cals.find(p["calendarId"], p["eventId"]).cancelled:
        raise ApiError(403, "Forbidden", "forbidden")


def patch_event(cals: Calendars, call: Call) -> dict[str, Any]:
    _writable(cals, call)
    p = call.path_params
    return cals.patch(p["calendarId"], p["eventId"], call.json())


def update_event(cals: Calendars, call: Call) -> dict[str, Any]:
    _writable(cals, call)
    p = call.path_params
    return cals.replace(p["calendarId"], p["eventId"], call.json())


def delete_event(cals: Calendars, call: Call) -> None:
    cals.cancel(call.path_params["calendarId"], call.path_params["eventId"])


def _declined_by(ev: StoredEvent, cal: str) -> bool:
    return any(
        a.get("email", "").lower() == cal.lower() and a.get("responseStatus") == "declined"
        for a in ev.data.get("attendees", [])
    )


def busy_intervals(
    cals: Calendars, cal: str, low: datetime, high: datetime
) -> list[tuple[datetime, datetime]]:
    """Opaque, confirmed/tentative, not-declined events, clipped to the window and merged."""
    spans = sorted(
        (max(ev.start, low), min(ev.end, high))
        for ev in cals.events[cal].values()
        if not ev.cancelled
        and ev.data.get("transparency", "opaque") != "transparent"
        and not _declined_by(ev, cal)
        and ev.start < high
        and ev.end > low
    )
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def freebusy(cals: Calendars, call: Call) -> dict[str, Any]:
    body = call.json()
    for name in ("timeMin", "timeMax"):
        if not body.get(name):
            raise bad_request(f"Missing {name} parameter.", "required", location=name)
    low, high = parse_time(body["timeMin"], "timeMin"), parse_time(body["timeMax"], "timeMax")
    if high <= low:
        raise bad_request("The specified time range is empty.", "timeRangeEmpty")
    if high - low > MAX_FREEBUSY_RANGE:
        raise bad_request("The requested time range is too long.", "timeRangeTooLong")
    items = body.get("items", [])
    if len(items) > MAX_FREEBUSY_CALENDARS:
        raise bad_request("Too many calendars requested.", "tooManyCalendarsRequested")
    calendars: dict[str, Any] = {}
    for item in items:
        wanted = item.get("id", "")
        try:
            cal = cals.resolve(wanted)
        except ApiError:
            calendars[wanted] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
            continue
        calendars[wanted] = {
            "busy": [
                {"start": utc_text(s), "end": utc_text(e)}
                for s, e in busy_intervals(cals, cal, low, high)
            ]
        }
    return {
        "kind": "calendar#freeBusy",
        "timeMin": utc_text(low, millis=True),
        "timeMax": utc_text(high, millis=True),
        "calendars": calendars,
    }
