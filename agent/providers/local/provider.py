"""The embedded default provider: an mbox / Maildir / .eml folder and .ics files on disk.

Google Takeout exports Gmail as mbox and Calendar as .ics, so a rep can try nurture on a
real export without granting any access. Unchanged files are not read again: the cursor
keeps a fingerprint per file.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from agent.config.schema import Config
from agent.errors import UserError
from agent.model import MailMessage, Meeting
from agent.providers.base import Interest, Progress, Pull
from agent.providers.local.mail import file_fingerprint, read_changed
from agent.providers.local.outbox import SENT, LocalOutbox
from agent.providers.registry import Connection

if TYPE_CHECKING:
    from agent.providers.mail.scan import Prefilter

log = logging.getLogger(__name__)

EXPAND_AHEAD = timedelta(days=30)


class LocalProvider:
    name = "local"
    busy_from_sync = True

    def __init__(
        self,
        mail: Path | None,
        calendars: tuple[Path, ...],
        tz: ZoneInfo,
        mailbox: LocalOutbox | None = None,
    ):
        self.mail = mail
        self.calendars = calendars
        self.tz = tz
        # Drafts live in the outbox; the ones "sent" (approved) are read back as mail.
        self.mailbox = mailbox
        self.sent = mailbox.outbox / SENT if mailbox else None

    @classmethod
    def from_config(cls, config: Config) -> LocalProvider:
        local = config.local
        mail = config.path(local.mail) if local.mail else None
        calendars = tuple(config.path(p) for p in local.calendars)
        return cls(mail, calendars, config.tz, LocalOutbox.from_config(config))

    def check(self) -> str:
        problems = []
        if self.mail is None:
            problems.append("local.mail is not set")
        for path in [*([self.mail] if self.mail else []), *self.calendars]:
            if not path.exists():
                problems.append(f"{path} does not exist")
            elif not os.access(path, os.R_OK):
                problems.append(f"{path} is not readable")
        if problems:
            raise UserError(
                "; ".join(problems), "fix `local.mail` / `local.calendars` in the config"
            )
        return "mail and calendars readable"

    def pull(
        self, cursor: Mapping[str, Any], interest: Interest, progress: Progress | None = None
    ) -> Pull:
        # A different set of domains or people can make old mail relevant: read it all again.
        key = _interest_key(interest)
        if cursor.get("interest") != key:
            cursor = {}
        messages, mail_seen, unreadable = self._pull_mail(cursor.get("mail", {}), interest)
        meetings, resets, cal_seen, cal_bad = self._pull_calendars(
            cursor.get("calendars", {}), interest
        )
        if progress is not None:
            progress(len(messages), len(messages))
        return Pull(
            messages=tuple(messages),
            meetings=tuple(meetings),
            reset_calendars=tuple(resets),
            cursor={"interest": key, "mail": mail_seen, "calendars": cal_seen},
            unreadable=(*unreadable, *cal_bad),
        )

    def _pull_mail(
        self, seen: Mapping[str, str], interest: Interest
    ) -> tuple[list[MailMessage], dict[str, str], list[str]]:
        messages: list[MailMessage] = []
        fingerprints: dict[str, str] = {}
        unreadable: list[str] = []
        sent = [self.sent] if self.sent is not None and self.sent.is_dir() else []
        # What cannot be a touch is not even parsed (agent.providers.mail.scan); what can is then
        # judged on the parsed message, as before.
        scanner = _Scanner(interest)
        for source in [*([self.mail] if self.mail else []), *sent]:
            found, stamps, bad = read_changed(source, seen, scanner)
            messages.extend(found)
            unreadable.extend(bad)
            fingerprints.update(stamps)
        wanted = [m for m in messages if m.sent_at >= interest.since and _involves(m, interest)]
        if scanner.prefilter is None:
            return wanted, fingerprints, unreadable  # nothing changed, nothing read
        skipped = scanner.prefilter.counts
        log.info(
            "read %d new messages from %s (%d skipped unparsed: %d older than the window, "
            "%d naming no account), %d relevant",
            skipped["kept"] + skipped["old"] + skipped["other"],
            self.mail,
            skipped["old"] + skipped["other"],
            skipped["old"],
            skipped["other"],
            len(wanted),
        )
        return wanted, fingerprints, unreadable

    def _pull_calendars(
        self, seen: Mapping[str, Any], interest: Interest
    ) -> tuple[list[Meeting], list[str], dict[str, Any], list[str]]:
        meetings: list[Meeting] = []
        resets: list[str] = []
        fingerprints: dict[str, Any] = {}
        unreadable: list[str] = []
        for path in self.calendars:
            name, file = str(path), _fingerprint(path)
            old = seen.get(name) or {}
            if old.get("file") == file and old.get("until", "") >= interest.until.isoformat():
                fingerprints[name] = old
                continue
            # icalendar is imported only now: a sync that finds every calendar unchanged
            # does without it.
            from agent.providers.local.calendar import CalendarUnreadable, load_meetings

            # Expand a month past the window so that the next syncs can skip this file.
            until = interest.until + EXPAND_AHEAD
            resets.append(name)
            try:
                meetings.extend(
                    load_meetings(path, start=interest.since, end=until, tz=self.tz, calendar=name)
                )
            except CalendarUnreadable as error:
                unreadable.append(str(error))
                continue  # no fingerprint: try again next time, the file may get fixed
            fingerprints[name] = {
                "file": file,
                "since": interest.since.isoformat(),
                "until": until.isoformat(),
            }
        return meetings, resets, fingerprints, unreadable


class _Scanner:
    """Makes the prefilter when a mail file must be read (``read_changed``), once."""

    def __init__(self, interest: Interest) -> None:
        self.interest = interest
        self.prefilter: Prefilter | None = None

    def __call__(self) -> Prefilter:
        if self.prefilter is None:
            from agent.providers.mail.scan import Prefilter

            self.prefilter = Prefilter.of(self.interest.domains, self.interest.since)
        return self.prefilter


def calendar_synced(cursor: Mapping[str, Any], path: Path, start: datetime, end: datetime) -> bool:
    """Whether the store holds every meeting of the calendar ``path`` in ``[start, end)``:
    the last sync read this very file (same fingerprint) over a window covering it."""
    seen = (cursor.get("calendars") or {}).get(str(path)) or {}
    if not seen.get("since") or seen.get("file") != _fingerprint(path):
        return False
    try:
        since, until = (datetime.fromisoformat(seen[k]) for k in ("since", "until"))
    except (KeyError, TypeError, ValueError):
        return False
    return since <= start and end <= until


def _fingerprint(path: Path) -> str:
    try:
        return file_fingerprint(path)
    except OSError:
        return "missing"


def _interest_key(interest: Interest) -> str:
    text = "|".join([*sorted(interest.domains), "#", *sorted(interest.me)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _involves(message: MailMessage, interest: Interest) -> bool:
    people = [message.sender, *message.recipients] if message.sender else message.recipients
    return any(_domain_in(a.domain, interest.domains) for a in people)


def _domain_in(domain: str, domains: frozenset[str]) -> bool:
    parts = domain.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts) - 1))


def connect(config: Config, home: Path | None, clock: Callable[[], datetime]) -> Connection:
    """Mail and calendars from files; drafts, blocks and the digest into ``local.outbox``."""
    from agent.providers.local.blocks import LocalBlockCalendar

    del home  # nothing to sign in to
    return Connection(
        LocalProvider.from_config(config),
        LocalOutbox.from_config(config, clock=clock),
        LocalBlockCalendar.from_config(config),
    )
