"""Local iCalendar files (.ics, Google Takeout exports) as meetings, and the agent's blocks.ics.

Reading turns every VEVENT occurrence overlapping a window into a :class:`Meeting`;
recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) and X-WR-TIMEZONE are left to
``recurring_ical_events``, time-zone definitions to ``icalendar``. Nothing else in the
project sees an icalendar object.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Component

from agent.model import Attendee, Meeting, Response
from agent.providers.local.runaway import in_window, too_costly
from agent.providers.mail.parse import normalize_email
from agent.untrusted.bounds import MAX_PEOPLE, NAME_CHARS, SUBJECT_CHARS, bounded

log = logging.getLogger(__name__)

# Repetitions of one series inside the read window (lookback + lookahead, about 14 months)
# beyond which it is no meeting a person attends: a daily stand-up has ~430, eight a day
# ~3,400. The cap bounds time and memory for rules the cost estimate lets through.
MAX_PER_SERIES = 5_000
# Occurrences kept per calendar file in the window: forty meetings a day for fourteen months
# is 17,000. A file past it (a room's calendar, a generated one) is read only that far.
MAX_PER_CALENDAR = 20_000

_RESPONSES = {r.name.replace("_", "-"): r for r in Response}  # PARTSTAT → Response


class CalendarUnreadable(Exception):
    """A calendar file that cannot be read or parsed as iCalendar at all."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def load_meetings(
    path: Path, *, start: datetime, end: datetime, tz: ZoneInfo, calendar: str = ""
) -> list[Meeting]:
    """Every occurrence in the ``.ics`` file at ``path`` overlapping ``[start, end)``.

    Floating times and all-day dates are read in ``tz``; all datetimes returned are aware
    and expressed in ``tz``. A malformed event or series is skipped (and logged); a file
    that is not iCalendar raises :class:`CalendarUnreadable`.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    meetings: list[Meeting] = []
    window = (start.astimezone(tz), end.astimezone(tz))
    for vcalendar in _read_calendars(path):
        meetings.extend(_expand(vcalendar, path, window, tz, calendar))
    return _unique_uids(meetings)


def _read_calendars(path: Path) -> list[Component]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CalendarUnreadable(path, f"cannot read file: {error.strerror or error}") from error
    try:
        components = Calendar.from_ical(data, multiple=True)
    # icalendar documents ValueError, but fuzzed input also trips KeyError, IndexError and
    # friends deep in its parsers; at this boundary any failure means "not iCalendar".
    except Exception as error:
        raise CalendarUnreadable(path, f"not iCalendar: {error}") from error
    calendars: list[Component] = [c for c in components if c.name == "VCALENDAR"]
    loose = [c for c in components if c.name != "VCALENDAR"]
    if loose:
        # Some tools export a bare VEVENT (with its VTIMEZONE) without the VCALENDAR
        # wrapper; reading it beats reporting an obviously meant calendar as unreadable.
        wrapper = Calendar()
        wrapper.subcomponents.extend(loose)
        calendars.append(wrapper)
    if not calendars:
        raise CalendarUnreadable(path, "no VCALENDAR in file")
    return calendars


def _expand(
    vcalendar: Component, path: Path, window: tuple[datetime, datetime], tz: ZoneInfo, calendar: str
) -> list[Meeting]:
    start, end = window
    recurring = _prepare(vcalendar, path, window)
    query = _query(vcalendar, path)
    meetings: list[Meeting] = []
    for series in query.series:
        if len(meetings) >= MAX_PER_CALENDAR:
            log.warning(
                "%s: more than %d occurrences in the window: the rest of the calendar is skipped",
                *(path, MAX_PER_CALENDAR),
            )
            break
        try:
            found = islice(series.between(start, end), MAX_PER_SERIES + 1)
            occurrences = [o.as_component(False) for o in found]
        # One series with an impossible rule or mixed date types must not hide the rest of
        # the calendar; the library's own skip list does not cover every dateutil error.
        except Exception as error:
            log.warning("%s: skipping event %s: %s", path, series.uid, error)
            continue
        if len(occurrences) > MAX_PER_SERIES:
            log.warning(
                "%s: skipping event %s: more than %d repetitions in the window, not a meeting",
                *(path, series.uid, MAX_PER_SERIES),
            )
            continue
        for occurrence in occurrences[: MAX_PER_CALENDAR - len(meetings)]:
            meeting = _to_meeting(occurrence, path, tz, recurring, calendar)
            if meeting is not None and _overlaps(meeting, start, end):
                meetings.append(meeting)
    return meetings


def _query(vcalendar: Component, path: Path) -> Any:
    """The recurrence query over ``vcalendar``, without the events that break it."""
    try:
        return recurring_ical_events.of(vcalendar, skip_bad_series=True)
    # Building the query reads every event's dates and rules: a VEVENT without DTSTART
    # raises KeyError, a repeated DTSTART AttributeError, dateutil its own errors. Rather
    # than lose the calendar, find the events that fail on their own and leave them out.
    except Exception as error:
        first_error = error
    broken = [c for c in vcalendar.subcomponents if c.name == "VEVENT" and not _expandable(c)]
    for event in broken:
        log.warning("%s: skipping event %s: cannot be expanded", path, event.get("UID", "?"))
    vcalendar.subcomponents[:] = [c for c in vcalendar.subcomponents if c not in broken]
    try:
        return recurring_ical_events.of(vcalendar, skip_bad_series=True)
    except Exception as error:  # same reasons as above, now for the calendar as a whole
        raise CalendarUnreadable(path, f"cannot expand events: {first_error}") from error


def _expandable(event: Component) -> bool:
    alone = Calendar()
    alone.add_component(event)
    try:
        recurring_ical_events.of(alone, skip_bad_series=True)
    except Exception:  # any failure marks this event as the culprit (see _query)
        return False
    return True


def _prepare(vcalendar: Component, path: Path, window: tuple[datetime, datetime]) -> set[str]:
    """Give UID-less events a stable UID, drop runaway series; return recurring UIDs."""
    kept: list[Component] = []
    recurring: set[str] = set()
    for component in vcalendar.subcomponents:
        if component.name == "VEVENT":
            why = _runaway(component, window)
            if why:
                log.warning("%s: skipping event %s: %s", path, component.get("UID"), why)
                continue
            if not str(component.get("UID", "")).strip():
                # recurring_ical_events would use id() of the object: new on every read.
                digest = hashlib.sha256(component.to_ical()).hexdigest()[:24]
                component["UID"] = f"nurture-{digest}"
            if any(name in component for name in ("RRULE", "RDATE", "RECURRENCE-ID")):
                recurring.add(str(component["UID"]))
        kept.append(component)
    vcalendar.subcomponents[:] = kept
    return recurring


def _runaway(event: Component, window: tuple[datetime, datetime]) -> str:
    """Why this series would cost too much to expand (see agent.providers.local.runaway), or
    would repeat more than MAX_PER_SERIES times in the window; "" when neither."""
    try:
        start = getattr(event.get("DTSTART"), "dt", None)
    except ValueError:  # icalendar's BrokenCalendarProperty: the library skips the event
        return ""
    rules = _as_list(event.get("RRULE"))
    for rule in rules:
        why = too_costly(rule, start, window[1])
        if why:
            return why
    dates = sum(_dates(rdate) for rdate in _as_list(event.get("RDATE")))
    expected = sum(in_window(rule, start, *window) for rule in rules) + dates
    if expected > MAX_PER_SERIES:
        return f"about {expected:,.0f} repetitions in the window, not a meeting a person attends"
    return ""


def _dates(rdate: object) -> int:
    try:
        return len(getattr(rdate, "dts", ()))
    except ValueError:  # a broken RDATE: the library skips it (or the event) itself
        return 0


def _to_meeting(
    event: Component, path: Path, tz: ZoneInfo, recurring: set[str], calendar: str
) -> Meeting | None:
    try:
        first = _moment(event, "DTSTART")
        last = _moment(event, "DTEND") if "DTEND" in event else first
        uid = _occurrence_uid(event, recurring)
        organizer = _email(event.get("ORGANIZER")) or ""
        return Meeting(
            uid=uid,
            start=_aware(first, tz),
            end=_aware(last, tz),
            title=bounded(_text(event, "SUMMARY"), SUBJECT_CHARS),
            organizer=organizer,
            attendees=_attendees(event, organizer),
            all_day=not isinstance(first, datetime),
            cancelled=_text(event, "STATUS").upper() == "CANCELLED",
            busy=_text(event, "TRANSP").upper() != "TRANSPARENT",
            calendar=calendar,
            own_block=_text(event, "X-NURTURE-BLOCK") == "1",
        )
    # A single malformed VEVENT (a DTSTART of the wrong type, an unparsable property) is
    # skipped so that the other meetings of the calendar still count.
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        log.warning("%s: skipping event %s: %s", path, event.get("UID", "?"), error)
        return None


def _occurrence_uid(event: Component, recurring: set[str]) -> str:
    """The event UID, plus which occurrence this is when the event repeats.

    The occurrence is named by its RECURRENCE-ID, i.e. the start the rule gave it, so an
    instance moved by an override keeps its uid. Under RANGE=THISANDFUTURE the library
    copies the override's RECURRENCE-ID onto every later instance, so there the actual
    start is the only distinguishing value.
    """
    uid = str(event["UID"])
    if uid not in recurring:
        return uid
    range_ = getattr(event.get("RECURRENCE-ID"), "params", {}).get("RANGE", "")
    this_and_future = str(range_).upper() == "THISANDFUTURE"
    moment = _moment(event, "DTSTART" if this_and_future else "RECURRENCE-ID")
    return f"{uid}@{_moment_key(moment)}"


def _moment(event: Component, name: str) -> date | datetime:
    """The DATE or DATE-TIME value of property ``name`` (TypeError for anything else)."""
    value = getattr(event.get(name), "dt", None)
    if not isinstance(value, date):  # a datetime is a date too
        raise TypeError(f"{name} is not a date or date-time: {value!r}")
    return value


def _moment_key(moment: date | datetime) -> str:
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()  # dates and floating times: independent of the configured tz


def _aware(moment: date | datetime, tz: ZoneInfo) -> datetime:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    # Through UTC, so a wall time inside a DST gap (02:30 on the spring-forward day) comes
    # out as the real local time it denotes (03:30); astimezone(tz) alone keeps it as is.
    return moment.astimezone(UTC).astimezone(tz)


def _overlaps(meeting: Meeting, start: datetime, end: datetime) -> bool:
    if meeting.start == meeting.end:  # RFC 5545: a zero-length event occupies its instant
        return start <= meeting.start < end
    return meeting.start < end and start < meeting.end


def _attendees(event: Component, organizer: str) -> tuple[Attendee, ...]:
    found: dict[str, Attendee] = {}
    for prop in _as_list(event.get("ATTENDEE")):
        email = _email(prop)
        if email is None or email in found:
            continue
        params: Any = getattr(prop, "params", {})
        partstat = str(params.get("PARTSTAT", "")).upper()
        if len(found) >= MAX_PEOPLE:  # no touch has that many people: stop reading
            break
        found[email] = Attendee(
            email=email,
            name=bounded(str(params.get("CN", "")), NAME_CHARS),
            response=_RESPONSES.get(partstat, Response.NEEDS_ACTION),
            organizer=email == organizer,
        )
    return tuple(found.values())


def _email(prop: object) -> str | None:
    """A normalised address from a CAL-ADDRESS value such as ``mailto:Ann+crm@X.com``.

    Normalised exactly as mail addresses are, so a meeting and a message from the same
    person name the same contact.
    """
    if prop is None:
        return None
    raw = str(prop).strip()
    if raw[:7].lower() == "mailto:":
        raw = raw[7:]
    return normalize_email(raw)


def _text(event: Component, name: str) -> str:
    values = _as_list(event.get(name))
    return str(values[0]).strip() if values else ""


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _unique_uids(meetings: Iterable[Meeting]) -> list[Meeting]:
    """Sort by start; keep uids unique even for files that reuse a UID for distinct events."""
    ordered = sorted(meetings, key=lambda m: (m.start, m.uid, m.end, m.title))
    seen: set[str] = set()
    unique: list[Meeting] = []
    for meeting in ordered:
        uid = meeting.uid
        if uid in seen:
            uid = f"{uid}@{_moment_key(meeting.start)}"
        if uid in seen:
            continue  # the same occurrence twice, e.g. a duplicated VEVENT
        seen.add(uid)
        unique.append(meeting if uid == meeting.uid else replace(meeting, uid=uid))
    return unique
