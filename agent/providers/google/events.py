"""Calendar API events → Meeting, named as the same event exported to .ics is named.

A meeting's uid is the event's ``iCalUID``, plus ``@<original start>`` for an occurrence
of a recurring event: exactly what ``agent.providers.local.calendar`` makes of a Google Takeout
.ics file, so both providers count the same meeting once.

The rep is found by ``attendees[].self`` and ``organizer.self`` (the entry that is the
calendar being read: an alias they were invited at, a secondary calendar of theirs), and
named by their first ``me`` address, the one touch detection knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from agent.model import Attendee, Meeting, Response
from agent.providers.mail.parse import normalize_email
from agent.untrusted.bounds import NAME_CHARS, SUBJECT_CHARS, bounded

RESPONSES = {
    "accepted": Response.ACCEPTED,
    "tentative": Response.TENTATIVE,
    "declined": Response.DECLINED,
    "needsAction": Response.NEEDS_ACTION,
}
OWN_BLOCK_TAG = ("nurture", "block")  # extendedProperties.private of nurture's blocks
# The instance id Google gives an occurrence: <series id>_<original start, UTC basic format>.
# A series split by "this and following" is <base id>_R<split start, local basic format>,
# so its occurrences are <base>_R20250326T131500_20250327T131500Z.
_INSTANCE_ID = re.compile(
    r"^(?P<series>[a-v0-9]+(?:_R\d{8}(?:T\d{6}Z?)?)?)_(?P<start>\d{8}(T\d{6}Z)?)$"
)

Event = Mapping[str, Any]


def rfc3339(instant: datetime) -> str:
    """What timeMin/timeMax need: an offset, whole seconds."""
    if instant.tzinfo is None:
        raise ValueError("calendar times must be timezone-aware")
    return instant.replace(microsecond=0).isoformat()


def moment(value: Mapping[str, Any], tz: ZoneInfo) -> datetime:
    """An event time (``dateTime`` with an offset, or an all-day ``date``) in ``tz``."""
    if value.get("dateTime"):
        parsed = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC"))
        return parsed.astimezone(tz)
    day = date.fromisoformat(str(value["date"]))
    # Through UTC, as localcal does: a midnight inside a DST gap becomes a real time.
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC).astimezone(tz)


def occurrence_key(original_start: Mapping[str, Any]) -> str:
    """The RECURRENCE-ID an .ics export gives the occurrence, as localcal writes it."""
    if original_start.get("dateTime"):
        instant = moment(original_start, ZoneInfo("UTC"))
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    return date.fromisoformat(str(original_start["date"])).isoformat()


def key_from_instance_id(event_id: str) -> tuple[str, str] | None:
    """(series id, occurrence key) read from an instance id, for minimal cancelled items."""
    found = _INSTANCE_ID.match(event_id)
    if found is None:
        return None
    stamp = found.group("start")
    if "T" not in stamp:
        return found.group("series"), date(
            int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8])
        ).isoformat()
    instant = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    return found.group("series"), instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def is_own_block(event: Event) -> bool:
    private = event.get("extendedProperties", {}).get("private", {})
    return bool(private.get(OWN_BLOCK_TAG[0]) == OWN_BLOCK_TAG[1])


def meeting_of(
    event: Event, uid: str, calendar: str, tz: ZoneInfo, me: tuple[str, ...] = ()
) -> Meeting:
    """A confirmed or tentative event; ``uid`` comes from :func:`meeting_uid`. ``me``: the
    rep's addresses (the first names the entries marked ``self``)."""
    found = event.get("organizer", {})
    organizer = _person(normalize_email(str(found.get("email", ""))) or "", found, me)
    start = moment(event["start"], tz)
    end = moment(event["end"], tz) if event.get("end") else start
    return Meeting(
        uid=uid,
        start=start,
        end=end,
        title=bounded(str(event.get("summary", "")), SUBJECT_CHARS),
        organizer=organizer,
        attendees=attendees_of(event, organizer, me),
        all_day=not event["start"].get("dateTime"),
        cancelled=event.get("status") == "cancelled",
        busy=event.get("transparency", "opaque") != "transparent",
        calendar=calendar,
        own_block=is_own_block(event),
    )


def _person(email: str, entry: Mapping[str, Any], me: tuple[str, ...]) -> str:
    """The rep's first ``me`` address for the entry that is the rep, else ``email``."""
    if me and entry.get("self") and email not in me:
        return me[0]
    return email


def attendees_of(event: Event, organizer: str, me: tuple[str, ...] = ()) -> tuple[Attendee, ...]:
    found: dict[str, Attendee] = {}
    for person in event.get("attendees", ()):
        email = normalize_email(str(person.get("email", "")))
        if email is None or person.get("resource"):
            continue  # rooms and equipment are not people
        email = _person(email, person, me)
        if email in found:
            continue
        found[email] = Attendee(
            email=email,
            name=bounded(str(person.get("displayName", "")), NAME_CHARS),
            response=RESPONSES.get(str(person.get("responseStatus")), Response.NEEDS_ACTION),
            organizer=email == organizer,
        )
    return tuple(found.values())


def overlaps(meeting: Meeting, start: datetime, end: datetime) -> bool:
    if meeting.start == meeting.end:  # RFC 5545: a zero-length event occupies its instant
        return start <= meeting.start < end
    return meeting.start < end and start < meeting.end
