"""Inputs are bounded where they are read (issue 15): subjects, names, recipient and
attendee lists, message bodies, occurrences per series and per calendar."""

from __future__ import annotations

import base64
import logging
import time
from datetime import timedelta
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.providers.local import calendar as localcal
from agent.providers.local.calendar import MAX_PER_CALENDAR, load_meetings
from agent.providers.mail.parse import message_from_bytes, parse_addresses
from agent.untrusted.bounds import BODY_BYTES, MAX_PEOPLE, NAME_CHARS, SUBJECT_CHARS, payload_head
from tests.conftest import NOW

UTC = ZoneInfo("UTC")


def test_subjects_and_names_are_cut_and_lose_escape_characters() -> None:
    name = "Kate \x1b[2J\x1b]0;pwned\x07" + "M" * 50_000
    raw = (
        f"From: {name} <kate@acme.example>\nTo: rep@seller.example\n"
        f"Subject: Hello \x1b[31mred\u202e {'x' * 200_000}\n\nHi.\n"
    ).encode()
    message = message_from_bytes(raw)
    assert len(message.subject) <= SUBJECT_CHARS
    assert message.subject.startswith("Hello [31mred x")
    assert message.sender is not None and len(message.sender.name) <= NAME_CHARS
    assert "\x1b" not in message.sender.name and "\x07" not in message.sender.name


def test_a_recipient_list_is_read_only_so_far() -> None:
    header = ", ".join(f"p{n}@acme.example" for n in range(5_000))
    assert len(parse_addresses([header])) == MAX_PEOPLE


def test_a_huge_part_is_decoded_only_as_far_as_it_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "I am out of the office until Monday.\n" + "filler " * 3_000_000  # 21 MB
    body = base64.encodebytes(text.encode()).decode()
    raw = (
        "From: kate@acme.example\nTo: rep@seller.example\nSubject: Out of office\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + body
    ).encode()
    decoded: list[bool] = []
    original = Message.get_payload

    def spy(self: Message, i: int | None = None, decode: bool = False) -> object:
        decoded.append(decode)
        return original(self, i, decode)

    monkeypatch.setattr(Message, "get_payload", spy)
    message = message_from_bytes(raw)
    assert message.snippet.startswith("I am out of the office until Monday.")
    assert True not in decoded  # never the whole part


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable", "8bit"])
def test_payload_head_decodes_the_start(encoding: str) -> None:
    data = ("Grüße, " * 40_000).encode()
    if encoding == "base64":
        raw = base64.encodebytes(data).decode()
    elif encoding == "quoted-printable":
        import quopri

        raw = quopri.encodestring(data).decode()
    else:
        raw = data.decode("ascii", "surrogateescape")
    head = payload_head(raw, encoding)
    assert len(head) == BODY_BYTES and data.startswith(head)


def _ics(events: list[str]) -> str:
    return "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN", *events, "END:VCALENDAR", ""]
    )


def _event(uid: str, rule: str = "", title: str = "Sync", people: int = 2) -> str:
    start = NOW - timedelta(days=30)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{start:%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{title}",
        *(f"ATTENDEE;CN=P{n}:mailto:p{n}@acme.example" for n in range(people)),
    ]
    if rule:
        lines.append(f"RRULE:{rule}")
    return "\r\n".join([*lines, "END:VEVENT"])


def _load(path: Path) -> list:
    return load_meetings(path, start=NOW - timedelta(days=60), end=NOW + timedelta(days=60), tz=UTC)


def test_a_title_and_its_attendees_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "c.ics"
    title = "Pilot \x1b[2J review " + "x" * 50_000
    path.write_text(_ics([_event("e1", title=title, people=MAX_PEOPLE + 300)]), newline="")
    [meeting] = _load(path)
    assert len(meeting.title) <= SUBJECT_CHARS and "\x1b" not in meeting.title
    assert len(meeting.attendees) == MAX_PEOPLE


def test_a_series_over_the_cap_is_skipped_before_it_is_expanded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.ics"
    # Six times an hour for the ninety days of the window: ~13,000 occurrences, cheap to
    # step through (not a runaway), but over the 5,000 a series may have: never expanded.
    path.write_text(
        _ics([_event("busy", "FREQ=HOURLY;BYMINUTE=0,10,20,30,40,50"), _event("one")]),
        newline="",
    )
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        meetings = _load(path)
    assert [m.uid for m in meetings] == ["one"]
    assert "repetitions in the window, not a meeting a person attends" in caplog.text
    assert time.monotonic() - started < 2


def test_a_calendar_yields_at_most_its_cap(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(localcal, "MAX_PER_CALENDAR", 1_000)
    path = tmp_path / "c.ics"
    series = [_event(f"s{n}", "FREQ=HOURLY;COUNT=400", people=1) for n in range(5)]
    path.write_text(_ics(series), newline="")
    with caplog.at_level(logging.WARNING):
        meetings = _load(path)
    assert len(meetings) == 1_000
    assert "the rest of the calendar is skipped" in caplog.text
    assert MAX_PER_CALENDAR == 20_000
