"""Bad calendars in, no crash out: Hypothesis on loading .ics files.

A calendar either loads (sound meetings only) or is reported unreadable by file name; one
bad calendar never hides the others; a runaway recurrence is skipped in bounded time.
Each property runs a modest number of examples normally, many more under ``slow``.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st

from agent.model import Meeting
from agent.providers.base import Interest
from agent.providers.local.calendar import CalendarUnreadable, load_meetings
from agent.providers.local.provider import LocalProvider
from agent.providers.local.runaway import MAX_STEPS
from tests.kits.fuzzing import check, runs

RUNS = runs(30, 600)
BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)
SECONDS_PER_FILE = 60  # a runaway took minutes; a loaded CI machine may take ~30 s


def load_or_report(data: bytes, name: str = "fuzz.ics") -> tuple[list[Meeting], int]:
    """(meetings, events in the file) or ([], -1) when it is reported unreadable."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_bytes(data)
        began = time.monotonic()
        unreadable: CalendarUnreadable | None = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # icalendar's guesses about odd TZIDs
                meetings = load_meetings(path, start=START, end=END, tz=BERLIN, calendar="c")
        except CalendarUnreadable as error:
            unreadable, meetings = error, []
        assert time.monotonic() - began < SECONDS_PER_FILE
    if unreadable is not None:
        assert unreadable.path == path
        assert str(unreadable).startswith(f"{path}: ")
        return [], -1
    return meetings, data.count(b"BEGIN:VEVENT")


def assert_sound(meetings: list[Meeting], events: int, rdates: int = 0) -> None:
    assert len({m.uid for m in meetings}) == len(meetings)
    # Every series is expanded in at most MAX_STEPS candidates, plus its RDATEs.
    assert len(meetings) <= max(events, 1) * (MAX_STEPS + 1) + rdates
    for meeting in meetings:
        assert meeting.start.tzinfo is not None and meeting.end.tzinfo is not None
        assert meeting.start <= meeting.end
        assert meeting.start < END
        assert meeting.end > START or meeting.start == meeting.end == START
        assert meeting.calendar == "c"


# --- strategies: events made of plausible and broken properties --------------------------

STAMPS = st.datetimes(datetime(1, 1, 1), datetime(9999, 1, 1)).map(
    lambda d: f"{d.year:04d}{d:%m%dT%H%M%S}"
)
NEAR = st.datetimes(datetime(2025, 6, 1), datetime(2027, 6, 1)).map(lambda d: f"{d:%Y%m%dT%H%M%S}")
WHEN = st.one_of(
    NEAR.map(lambda s: f":{s}Z"),
    NEAR.map(lambda s: f";TZID=America/New_York:{s}"),
    NEAR.map(lambda s: f";VALUE=DATE:{s[:8]}"),
    NEAR.map(lambda s: f":{s}"),  # floating
    STAMPS.map(lambda s: f":{s}Z"),
    st.sampled_from(
        [";TZID=Nowhere/Land:20260301T090000", ";TZID=W. Europe Standard Time:20260301T090000",
         ";TZID=\"(UTC+01:00) Amsterdam\":20260301T090000", ":2026-03-01", ":20261345T256199Z",
         ";VALUE=DATE:20260230", ":", ";VALUE=PERIOD:20260301T090000Z/PT1H", ":00000000T000000Z",
         ";VALUE=DATE:99991231"]
    ),
)  # fmt: skip
FREQS = st.sampled_from(
    ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY", "FORTNIGHTLY", ""]
)
NUMBERS = st.one_of(st.integers(-5, 60), st.sampled_from([366, 10_000, 10**9, 10**30]))
DAYS = st.lists(
    st.sampled_from(
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU", "1MO", "-1FR", "+5SU", "53MO", "XX"]
    ),
    min_size=1,
    max_size=7,
)


@st.composite
def rules(draw: st.DrawFn) -> str:
    parts = [f"FREQ={draw(FREQS)}"]
    numbers = {
        "INTERVAL": NUMBERS, "COUNT": NUMBERS, "BYMONTH": st.integers(-1, 13),
        "BYMONTHDAY": st.integers(-32, 32), "BYYEARDAY": st.integers(-367, 367),
        "BYWEEKNO": st.integers(-54, 54), "BYHOUR": st.integers(0, 24),
        "BYMINUTE": st.integers(0, 60), "BYSECOND": st.integers(0, 61),
        "BYSETPOS": st.integers(-400, 400),
    }  # fmt: skip
    for name in draw(st.lists(st.sampled_from([*numbers, "BYDAY", "UNTIL", "WKST"]), max_size=5)):
        if name == "BYDAY":
            parts.append(f"BYDAY={','.join(draw(DAYS))}")
        elif name == "UNTIL":
            parts.append(f"UNTIL={draw(st.one_of(NEAR.map(lambda s: s + 'Z'), NEAR, STAMPS))}")
        elif name == "WKST":
            parts.append(f"WKST={draw(st.sampled_from(['MO', 'SU', 'ZZ']))}")
        else:
            values = draw(st.lists(numbers[name], min_size=1, max_size=4 if "BY" in name else 1))
            parts.append(f"{name}={','.join(map(str, values))}")
    if draw(st.booleans()):
        return draw(st.sampled_from(["FREQ=DAILY;FREQ=WEEKLY", "GARBAGE", "FREQ=DAILY;;", ""]))
    return ";".join(draw(st.permutations(parts)))


@st.composite
def events(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.integers(0, 9)):
        lines.append(f"UID:{draw(st.sampled_from(['a', 'b', 'series', '']))}")
    if draw(st.integers(0, 9)):
        lines.append(f"DTSTART{draw(WHEN)}")
    end = draw(st.sampled_from(["DTEND", "DURATION", "none"]))
    if end == "DTEND":
        lines.append(f"DTEND{draw(WHEN)}")
    elif end == "DURATION":
        lines.append(f"DURATION:{draw(st.sampled_from(['PT1H', '-PT1H', 'P1W', 'P99999D', 'X']))}")
    for _ in range(draw(st.integers(0, 2))):
        lines.append(f"RRULE:{draw(rules())}")
    for name in draw(st.lists(st.sampled_from(["EXDATE", "RDATE", "RECURRENCE-ID"]), max_size=3)):
        lines.append(f"{name}{draw(WHEN)}")
    extras = ["SUMMARY:Review", "STATUS:CANCELLED", "TRANSP:TRANSPARENT", "X-NURTURE-BLOCK:1",
              "ORGANIZER:mailto:Ann+crm@ACME.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@x.com",
              "ATTENDEE:not-an-address", "SUMMARY;LANGUAGE=de:Überprüfung"]  # fmt: skip
    lines += draw(st.lists(st.sampled_from(extras), max_size=3))
    return "BEGIN:VEVENT\n" + "\n".join(draw(st.permutations(lines))) + "\nEND:VEVENT\n"


@st.composite
def calendars(draw: st.DrawFn) -> bytes:
    body = "".join(draw(st.lists(events(), max_size=4)))
    tail = draw(st.sampled_from(["END:VCALENDAR\n", "", "END:VCALENDA", "END:VEVENT\n"]))
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//fuzz//EN\n{body}{tail}"
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return text.replace("\n", newline).encode("utf-8")


GOOD = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:w\r\n"
    b"DTSTART;TZID=Europe/Berlin:20260105T100000\r\nDTEND;TZID=Europe/Berlin:20260105T110000\r\n"
    b"RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20260112T100000\r\n"
    b"SUMMARY:Weekly\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:w\r\n"
    b"RECURRENCE-ID;TZID=Europe/Berlin:20260119T100000\r\n"
    b"DTSTART;TZID=Europe/Berlin:20260120T140000\r\nDURATION:PT1H\r\nSUMMARY:Moved\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The good calendar with lines cut, doubled, swapped, bytes flipped or inserted."""
    data = GOOD
    for _ in range(draw(st.integers(1, 4))):
        lines = data.split(b"\r\n")
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        how = draw(st.sampled_from(["cut", "double", "swap", "truncate", "insert", "flip", "fold"]))
        if how == "cut":
            del lines[at]
        elif how == "double":
            lines.insert(at, lines[at])
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif how == "fold":
            lines[at] = lines[at][:5] + b"\r\n " + lines[at][5:]
        data = b"\r\n".join(lines)
        position = draw(st.integers(0, len(data)))
        if how == "truncate":
            data = data[:position]
        elif how == "insert":
            data = data[:position] + draw(st.binary(min_size=1, max_size=8)) + data[position:]
        elif how == "flip" and data:
            position = min(position, len(data) - 1)
            data = data[:position] + bytes([data[position] ^ 0x80]) + data[position + 1 :]
    return data


# --- properties -----------------------------------------------------------------------


@pytest.mark.parametrize("runs", RUNS)
def test_any_structured_calendar_loads_or_is_reported(runs: int) -> None:
    def prop(data: bytes) -> None:
        meetings, count = load_or_report(data)
        assert_sound(meetings, count, rdates=data.count(b"RDATE"))

    check(prop, calendars(), runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_a_mutated_calendar_loads_or_is_reported(runs: int) -> None:
    def prop(data: bytes) -> None:
        meetings, count = load_or_report(data)
        assert_sound(meetings, count)
        # A mutation can copy a line, or cut COUNT off the weekly rule (a line break put
        # before it): the series then runs to the window's end, at most 53 weeks of it.
        assert len(meetings) <= 53 + 3

    check(prop, mutated(), runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_any_bytes_load_or_are_reported(runs: int) -> None:
    def prop(data: bytes) -> None:
        meetings, count = load_or_report(data)
        assert_sound(meetings, count)

    noisy = st.one_of(
        st.binary(max_size=400),
        st.tuples(st.binary(max_size=40), st.binary(max_size=40)).map(
            lambda pair: pair[0] + GOOD + pair[1]
        ),
    )
    check(prop, noisy, runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_a_bad_calendar_is_named_and_the_good_one_still_loads(runs: int) -> None:
    def prop(bad: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            good_path, bad_path = Path(folder, "good.ics"), Path(folder, "bad.ics")
            good_path.write_bytes(GOOD)
            bad_path.write_bytes(bad)
            provider = LocalProvider(None, (bad_path, good_path, Path(folder, "gone.ics")), BERLIN)
            interest = Interest(frozenset({"acme.com"}), frozenset({"r@x.com"}), START, END)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pull = provider.pull({}, interest)
        from_good = [m for m in pull.meetings if m.calendar == str(good_path)]
        assert len(from_good) == 9  # ten weekly, one excluded, one moved
        assert any(line.startswith(f"{Path(folder, 'gone.ics')}: ") for line in pull.unreadable)
        assert all(line.startswith((f"{bad_path}: ", f"{folder}/gone")) for line in pull.unreadable)

    check(prop, st.one_of(st.binary(max_size=200), mutated(), calendars()), runs=runs)


# --- runaway recurrences: skipped, quickly --------------------------------------------

RUNAWAYS = {
    "hourly_since_year_1": "DTSTART:00010101T000000Z\nRRULE:FREQ=HOURLY",
    "daily_every_hour_since_year_1": "DTSTART:00010101T000000Z\nRRULE:FREQ=DAILY;BYHOUR="
    + ",".join(map(str, range(24))),
    "every_second_by_parts": "DTSTART:20260101T000000Z\nRRULE:FREQ=HOURLY;BYMINUTE="
    + ",".join(map(str, range(60)))
    + ";BYSECOND="
    + ",".join(map(str, range(60))),
    "minutely_without_count": "DTSTART:20260101T000000Z\nRRULE:FREQ=MINUTELY",
    "daily_on_february_30": "DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "hourly_on_april_31_with_count": "DTSTART:20260101T000000Z\n"
    "RRULE:FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31;COUNT=5",
    "minutely_never_with_count": "DTSTART:20260101T000000Z\n"
    "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31;COUNT=3",
    "weekly_on_june_31": "DTSTART:20260101T000000Z\nRRULE:FREQ=WEEKLY;BYMONTH=6;BYMONTHDAY=31",
    "daily_setpos_past_the_set": "DTSTART:20260101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=9;BYSETPOS=3",
}


@pytest.mark.parametrize("rule", RUNAWAYS.values(), ids=RUNAWAYS)
def test_a_runaway_series_is_skipped_quickly_and_the_rest_loads(rule: str) -> None:
    data = (
        GOOD.decode()
        .replace("END:VCALENDAR", f"BEGIN:VEVENT\nUID:runaway\n{rule}\nDURATION:PT1M\nEND:VEVENT\n")
        .replace("\n", "\r\n")
        .replace("\r\r\n", "\r\n")
        + "END:VCALENDAR\r\n"
    ).encode()
    began = time.monotonic()
    meetings, _ = load_or_report(data)
    assert time.monotonic() - began < 5
    assert {m.uid.partition("@")[0] for m in meetings} == {"w"}


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;COUNT=1000000000",  # huge COUNT: the window bounds it
        "FREQ=HOURLY;INTERVAL=2",  # hourly since the window's start: 4,380 steps
        "FREQ=MINUTELY;INTERVAL=15;COUNT=200",  # sub-hourly with a small COUNT
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",  # rare (2044), not impossible
        "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=1,2,3,4,5,6,7",  # the first Monday, spelled oddly
    ],
)
def test_costly_looking_but_reasonable_rules_still_expand(rule: str) -> None:
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r\r\n"
        f"DTSTART:20260101T090000Z\r\nDURATION:PT1M\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    meetings, _ = load_or_report(data)
    assert meetings and meetings[0].start == datetime(2026, 1, 1, 9, tzinfo=UTC)
    if "BYMONTHDAY=29" not in rule:
        assert len(meetings) > 1
    assert all(m.start - meetings[0].start < timedelta(days=366) for m in meetings)


def test_a_series_repeating_thousands_of_times_in_the_window_is_skipped() -> None:
    """The cost estimate lets it through (each step is a candidate it keeps), but a quarter
    of a million occurrences a year is no meeting: the series is dropped, fast and small."""
    minutes = ",".join(str(m) for m in range(1, 29))
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\nDURATION:PT1M\r\n"
        f"RRULE:FREQ=HOURLY;BYMINUTE={minutes}\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:w\r\nDTSTART:20260105T090000Z\r\nDURATION:PT1H\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    began = time.monotonic()
    meetings, _ = load_or_report(data)
    assert time.monotonic() - began < 5
    assert len(meetings) == 3 and {m.uid.partition("@")[0] for m in meetings} == {"w"}
