"""Real Google API answers and real mail folders from ../shared/data, through our readers.

* Calendar ``events.list`` answers (compass) → ``CalendarState.uid`` / ``meeting_of``, and
  their cancelled items → ``cancelled_uid``.
* Gmail ``users.messages.get`` answers (larsklingsten) → ``message_of``.
* Every mail folder (Maildir, .eml and mbox trees) read as a whole by the local reader,
  as a sync reads it: each file read or reported unreadable by name, never a crash.

Skipped when ../shared/data is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.errors import ConfigError
from agent.model import MailMessage
from agent.providers.google.calendar import CalendarState
from agent.providers.google.events import meeting_of
from agent.providers.google.gmail import message_of
from agent.providers.local.mail import read_changed
from agent.providers.mail.parse import normalize_email
from tests.conftest import SHARED_DATA

GOOGLE = SHARED_DATA / "google_api_json"
EMAIL = SHARED_DATA / "email"
CHICAGO = ZoneInfo("America/Chicago")


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _id(path: Path) -> str:
    return path.name


def _events(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("items", []) if data.get("kind") != "calendar#calendarList" else []
    return [e for e in data if isinstance(e, dict) and e.get("kind") == "calendar#event"]


EVENT_FILES = [p for p in _files(GOOGLE / "compass_gcal_captured", "*.json") if _events(p)]


@pytest.mark.parametrize("path", EVENT_FILES, ids=_id)
def test_calendar_events_become_meetings_or_removals(path: Path) -> None:
    state = CalendarState(token="t", until="2030-01-01T00:00:00+00:00")
    uids: list[str] = []
    for event in _events(path):
        if event.get("status") == "cancelled":
            removed = state.cancelled_uid(event)
            assert removed is None or removed.startswith(str(event["id"]).split("_")[0])
            continue
        meeting = meeting_of(event, state.uid(event), "primary", CHICAGO)
        assert meeting.start.tzinfo is not None and meeting.start <= meeting.end
        assert meeting.uid and meeting.calendar == "primary"
        if event.get("recurringEventId"):
            assert "@" in meeting.uid.removesuffix("@google.com")  # occurrence named
        for attendee in meeting.attendees:
            assert normalize_email(attendee.email) == attendee.email
        uids.append(meeting.uid)
    assert len(set(uids)) == len(uids), "one uid per occurrence"


GMAIL_FILES = _files(GOOGLE / "gmail_messages_get_full_larsklingsten", "*.json")


@pytest.mark.parametrize("path", GMAIL_FILES, ids=_id)
def test_gmail_messages_parse_like_local_mail(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))["result"]
    message = message_of(data)
    headers = {h["name"].lower(): h["value"] for h in data["payload"]["headers"]}
    assert message.provider_id == data["id"]
    assert message.sent_at.tzinfo is not None
    if "from" in headers:
        assert message.sender is not None
    for address in (*([message.sender] if message.sender else []), *message.recipients):
        assert normalize_email(address.email) == address.email


def test_google_answers_are_used_when_present() -> None:
    if not GOOGLE.is_dir():
        pytest.skip(f"shared test data not present at {GOOGLE}")
    assert len(EVENT_FILES) >= 20 and len(GMAIL_FILES) >= 5


def _mail_folders() -> list[Path]:
    if not EMAIL.is_dir():
        return []
    return sorted(p for p in EMAIL.rglob("*") if p.is_dir() and p.name not in ("cur", "new", "tmp"))


@pytest.mark.parametrize("folder", _mail_folders(), ids=lambda p: str(p.relative_to(EMAIL)))
def test_every_mail_folder_reads_as_a_mailbox_or_is_refused_by_name(folder: Path) -> None:
    try:
        messages, seen, unreadable = read_changed(folder, {})
    except ConfigError as error:  # e.g. a folder of .txt files: not a mailbox, said so
        refused = str(error)
    else:
        refused = ""
    if refused:
        assert refused.startswith(f"{folder}: ")
        return
    assert unreadable == []
    assert len(seen) >= 1
    for message in messages:
        _check(message)
    assert read_changed(folder, seen)[0] == []  # unchanged files are not read again


def _check(message: MailMessage) -> None:
    assert message.uid and message.sent_at.tzinfo is not None
    for address in (*([message.sender] if message.sender else []), *message.recipients):
        assert normalize_email(address.email) == address.email
