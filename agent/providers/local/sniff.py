"""What a sync would make of the local files, found without syncing: `nurture doctor`'s look.

A sync skips what it cannot read and carries on (``Pull.unreadable``); the rep learns of it
in the sync's summary. The doctor says it before the first sync: an export still zipped, a
file that is no mail at all, a calendar that does not parse.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.errors import ConfigError
from agent.providers.local.calendar import CalendarUnreadable, load_meetings
from agent.providers.local.mail import MAILDIR_PARTS, mail_files

# The first bytes of the archives an export arrives in (Google Takeout: .zip or .tgz).
MAGIC = (
    (b"PK\x03\x04", "a zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
)
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar")
MAX_FILES = 2_000  # files looked at in one mail folder: enough to find a pattern
_HEADER = re.compile(rb"^[!-9;-~]+:")  # a header line: a name of printable ASCII, a colon


def archive_kind(file: Path) -> str:
    """ "a zip archive" (...) when ``file`` is a packed archive, else ""."""
    try:
        with file.open("rb") as handle:
            start = handle.read(512)
    except OSError:
        return ""
    for magic, kind in MAGIC:
        if start.startswith(magic):
            return kind
    return "a tar archive" if start[257:262] == b"ustar" else ""


def not_mail(file: Path) -> str:
    """Why ``file`` is no mail ("" when it starts like an mbox or a message)."""
    kind = archive_kind(file)
    if kind:
        return f"{kind}, not mail"
    try:
        with file.open("rb") as handle:
            start = handle.read(4096)
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if not start.strip():
        return ""  # empty: no messages yet
    if b"\0" in start:
        return "binary data, not mail"
    first = start.lstrip(b"\r\n").split(b"\n", 1)[0]
    if first.startswith(b"From ") or _HEADER.match(first):
        return ""
    return "not mail (it does not start with a mail header or an mbox From line)"


def mail_problems(path: Path) -> list[str]:
    """What a sync of ``local.mail`` would skip or refuse, one line each. A missing path
    is left to the provider's own check."""
    if not path.exists():
        return []
    if path.is_file() and (kind := archive_kind(path)):
        return [f"{path} is {kind}: unpack it and point local.mail at the mbox inside"]
    try:
        files = mail_files(path)
    except ConfigError as error:
        return [f"{error.message}{_archives_note(path)}"]
    problems = [f"{path}: {file} {reason}" for file, reason in _archives_in(path)]
    for file in files[:MAX_FILES]:
        reason = not_mail(file)
        if reason:
            problems.append(f"{file} is {reason}: sync skips it")
    return problems


def calendar_problem(path: Path, tz: ZoneInfo, now: datetime) -> str:
    """Why a sync could not read the calendar file ``path`` ("" when it parses)."""
    if not path.exists():
        return ""  # said by the provider's own check
    kind = archive_kind(path)
    if kind:
        return f"{path} is {kind}: unpack it and point local.calendars at the .ics inside"
    try:
        load_meetings(path, start=now, end=now + timedelta(days=1), tz=tz)
    except CalendarUnreadable as error:
        return f"{error}: sync skips this calendar"
    return ""


def _archives_in(path: Path) -> list[tuple[Path, str]]:
    """Archives in a mail folder: a sync reads past them without a word."""
    if not path.is_dir():
        return []
    found: list[tuple[Path, str]] = []
    for folder, _dirs, names in os.walk(path):
        if Path(folder).name in MAILDIR_PARTS:
            continue  # a Maildir's messages are read as mail, whatever their names
        for name in names:
            file = Path(folder, name)
            if file.suffix.lower() in ARCHIVE_SUFFIXES or archive_kind(file):
                kind = archive_kind(file) or "an archive"
                found.append((file, f"is {kind}: sync does not read it; unpack it here"))
        if len(found) >= MAX_FILES:
            break
    return found


def _archives_note(path: Path) -> str:
    archives = _archives_in(path)
    if not archives:
        return ""
    return f" ({archives[0][0].name} {archives[0][1]})"
