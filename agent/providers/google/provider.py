"""GoogleProvider: Gmail and Google Calendar behind the Provider, Mailbox and BlockCalendar
protocols of :mod:`agent.providers.base`.

The cursor it returns (opaque to the rest of nurture) holds the Gmail history id, the
domains already back-filled, and one sync token per calendar. It is built only from what
succeeded: a failure anywhere raises, and the caller keeps the previous cursor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.config.endpoint import endpoint_problem
from agent.config.schema import Config
from agent.errors import UserError
from agent.model import DraftRef, Interval, Meeting, NurtureBlock, OutgoingMail
from agent.providers.base import Interest, Progress, Pull, StoredMeetings
from agent.providers.google.auth import load_credentials, needs_token, token_path
from agent.providers.google.blocks import GoogleBlockCalendar
from agent.providers.google.calendar import CalendarState, CalendarSync
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api, build_apis, make_http
from agent.providers.google.drafts import GoogleMailbox
from agent.providers.google.gmail import GmailSync, MailState
from agent.providers.google.identity import mismatch
from agent.providers.google.journal import JOURNAL_FILE, Journal
from agent.providers.registry import Connection

log = logging.getLogger(__name__)

CURSOR_VERSION = 1


class GoogleProvider:
    name = "google"
    busy_from_sync = False

    def __init__(
        self,
        gmail: Api,
        calendar: Api,
        config: Config,
        calls: Calls,
        journal: Path | None = None,
    ) -> None:
        """``journal``: where a first sync keeps its progress (None: nowhere)."""
        self.calendars = config.google.calendars
        self.me = config.me
        self.mail = GmailSync(calls, gmail, config.me, Journal(journal) if journal else None)
        self.calendar = CalendarSync(calls, calendar, config.tz, config.me)
        self.mailbox = GoogleMailbox(
            calls, gmail, config.me, config.drafts.sender_name, lambda: datetime.now(config.tz)
        )  # a draft's Date header in the rep's zone
        self.block_calendar = GoogleBlockCalendar(
            calls, calendar, config.google.calendars, config.tz, config.me
        )

    @classmethod
    def from_config(
        cls, config: Config, home: Path | None, calls: Calls | None = None
    ) -> GoogleProvider:
        """Connect as configured: Google with the saved token, or ``google.endpoint``."""
        endpoint = config.google.endpoint
        problem = endpoint and endpoint_problem(endpoint, config.google.trust_endpoint)
        if problem:  # checked with the config too; a config built in code is checked here
            raise UserError(f"google.endpoint {endpoint!r} {problem}", "fix google.endpoint")
        credentials = None
        if needs_token(config.google.endpoint):
            if home is None:
                raise UserError("no state folder to read the Google token from", "use --home")
            credentials = load_credentials(token_path(home))
        return cls.connect(config, credentials, home, calls)

    @classmethod
    def connect(
        cls,
        config: Config,
        credentials: Any,
        home: Path | None = None,
        calls: Calls | None = None,
    ) -> GoogleProvider:
        """A provider on these credentials (None: no OAuth, a local ``google.endpoint``)."""
        calls = calls or Calls()
        gmail, calendar = build_apis(
            config.google.endpoint,
            lambda: make_http(credentials),
            gmail_units_per_minute=config.google.quota_units_per_minute,
            sleep=calls.sleep,
        )
        return cls(gmail, calendar, config, calls, home / JOURNAL_FILE if home else None)

    def check(self) -> str:
        """The token (refreshed when due) and one 1-unit call: the account it opens must be
        one of ``me``."""
        address = self.whoami()
        problem = mismatch(address, self.me)
        if problem:
            detail, _, fix = problem.partition(": ")
            raise UserError(detail, fix)
        return f"connected as {address}"

    def whoami(self) -> str:
        """The Gmail address the token opens (a 1-unit call: `nurture doctor`)."""
        mail = self.mail
        profile = mail.calls.retried(mail.api, mail.users.getProfile(userId="me"), "getProfile")
        return str(profile["emailAddress"])

    @classmethod
    def reuse(cls, config: Config, home: Path | None, provider: object = None) -> GoogleProvider:
        """``provider`` when it is one already connected (one connection per cycle), else a
        new connection as configured."""
        return provider if isinstance(provider, cls) else cls.from_config(config, home)

    # --- Provider ----------------------------------------------------------------------

    def pull(
        self, cursor: Mapping[str, Any], interest: Interest, progress: Progress | None = None
    ) -> Pull:
        if cursor.get("version") != CURSOR_VERSION:
            cursor = {}
        # Calendar and Gmail are separate services with separate quotas: read both at once.
        with ThreadPoolExecutor(1, thread_name_prefix="google-calendar") as pool:
            calendars = pool.submit(self._pull_calendars, cursor.get("calendars", {}), interest)
            messages, mail_state = self.mail.pull(
                MailState.load(cursor.get("gmail")), interest, progress
            )
            meetings, removed, resets, states = calendars.result()
        return Pull(
            messages=tuple(messages),
            meetings=tuple(meetings),
            removed_meetings=tuple(removed),
            reset_calendars=tuple(resets),
            cursor={"version": CURSOR_VERSION, "gmail": mail_state.json(), "calendars": states},
        )

    def _pull_calendars(
        self, old_states: Mapping[str, Any], interest: Interest
    ) -> tuple[list[Meeting], list[str], list[str], dict[str, Any]]:
        meetings: list[Meeting] = []
        removed: list[str] = []
        # Calendars dropped from the config: forget their meetings.
        resets = [c for c in old_states if c not in self.calendars]
        states: dict[str, Any] = {}
        for calendar in self.calendars:
            pulled = self.calendar.pull(
                calendar, CalendarState.load(old_states.get(calendar)), interest
            )
            meetings.extend(pulled.meetings)
            removed.extend(pulled.removed)
            if pulled.reset:
                resets.append(calendar)
            if pulled.state is not None:
                states[calendar] = pulled.state.json()
        return meetings, removed, resets, states

    # --- Mailbox -----------------------------------------------------------------------

    def create_draft(
        self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
    ) -> DraftRef:
        return self.mailbox.create_draft(mail, claimed, since)

    def drafts(self) -> list[DraftRef]:
        return self.mailbox.drafts()

    def unclaimed(self, claimed: Collection[str]) -> list[DraftRef]:
        return self.mailbox.unclaimed(claimed)

    def update_draft(self, draft_id: str, mail: OutgoingMail) -> DraftRef:
        return self.mailbox.update_draft(draft_id, mail)

    def delete_draft(self, draft_id: str) -> None:
        self.mailbox.delete_draft(draft_id)

    def send_draft(self, draft_id: str) -> str:
        return self.mailbox.send_draft(draft_id)

    def draft_message(self, draft_id: str) -> tuple[str, bytes]:
        return self.mailbox.draft_message(draft_id)

    def send_to_self(self, mail: OutgoingMail) -> str:
        return self.mailbox.send_to_self(mail)

    # --- BlockCalendar -----------------------------------------------------------------

    def busy(
        self, start: datetime, end: datetime, *, stored: StoredMeetings | None = None
    ) -> list[Interval]:
        return self.block_calendar.busy(start, end, stored=stored)

    def freebusy(self, start: datetime, end: datetime) -> list[Interval]:
        """``freebusy.query`` over every configured calendar (our blocks count as busy)."""
        return self.block_calendar.freebusy(self.calendars, start, end)

    def blocks(self, start: datetime, end: datetime) -> list[NurtureBlock]:
        return self.block_calendar.blocks(start, end)

    def put_block(self, block: NurtureBlock) -> None:
        self.block_calendar.put_block(block)

    def delete_block(self, block_id: str) -> None:
        self.block_calendar.delete_block(block_id)


def connect(config: Config, home: Path | None, clock: Callable[[], datetime]) -> Connection:
    """Gmail and Google Calendar with the saved token (or ``google.endpoint``)."""
    del clock  # Google dates what it stores itself
    provider = GoogleProvider.from_config(config, home)
    return Connection(provider, provider.mailbox, provider.block_calendar)
