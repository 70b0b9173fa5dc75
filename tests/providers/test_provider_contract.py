"""One contract, every provider: the same mail and calendar give the same observations,
touches and board, first sync and later ones. The local provider is the reference; the
Google provider runs against the fake Google API seeded with the same messages and
events (tests/kits/googleworld.py), with every switch for what real Google does turned on
(``realistic``: the per-user concurrency limit, minimal cancelled occurrences, deleted
events that cannot be patched back, ``to:`` blind to Bcc)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest

from agent.app import book
from agent.config.schema import Config
from agent.model import MailKind
from agent.providers.base import Provider
from agent.providers.local.provider import LocalProvider
from agent.store.db import Store
from agent.views.json import board_json
from tests.conftest import NOW, make_config
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_provider, seed_calendar, series_id

ME = "rep@seller.com"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Ev:
    """One VEVENT of the scenario calendar (times in UTC)."""

    uid: str
    start: datetime
    summary: str
    attendees: tuple[tuple[str, str], ...]  # (email, PARTSTAT)
    organizer: str = ME
    hours: int = 1
    rrule: str = ""
    all_day: bool = False
    transparent: bool = False
    cancelled: bool = False
    recurrence_id: datetime | None = None

    def ics(self) -> str:
        stamp = "%Y%m%dT%H%M%SZ"
        end = self.start + (DAY if self.all_day else timedelta(hours=self.hours))
        if self.all_day:
            when = [f"DTSTART;VALUE=DATE:{self.start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
        else:
            when = [f"DTSTART:{self.start.strftime(stamp)}", f"DTEND:{end.strftime(stamp)}"]
        lines = ["BEGIN:VEVENT", f"UID:{self.uid}", "DTSTAMP:20260101T000000Z", *when]
        lines += [f"SUMMARY:{self.summary}", f"ORGANIZER:mailto:{self.organizer}"]
        lines += [f"ATTENDEE;PARTSTAT={p}:mailto:{e}" for e, p in self.attendees]
        lines.append(f"TRANSP:{'TRANSPARENT' if self.transparent else 'OPAQUE'}")
        lines.append(f"STATUS:{'CANCELLED' if self.cancelled else 'CONFIRMED'}")
        if self.rrule:
            lines.append(f"RRULE:{self.rrule}")
        if self.recurrence_id is not None:
            lines.append(f"RECURRENCE-ID:{self.recurrence_id.strftime(stamp)}")
        return "\r\n".join([*lines, "END:VEVENT"])


def mail(n: int, sender: str, to: str, days_ago: int, subject: str, **extra: str) -> bytes:
    when = NOW - timedelta(days=days_ago)
    headers = {
        "From": sender,
        "To": to,
        "Subject": subject,
        "Date": when.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "Message-ID": f"<m{n}@scenario.test>",
        **extra,
    }
    if extra.get("Message-ID") == "":
        del headers["Message-ID"]
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"{head}Content-Type: text/plain\r\n\r\nMessage {n} about {subject}.\r\n".encode()


MAILS = [
    mail(1, "Ann <ann@acme.com>", ME, 10, "Pricing"),
    mail(2, ME, "Ann <ann@acme.com>", 9, "Re: Pricing", **{"In-Reply-To": "<m1@scenario.test>"}),
    mail(3, ME, "bob@globex.io", 30, "Intro", Cc="Carol <carol@eu.acme.com>"),
    mail(4, "news@acme.com", ME, 5, "Acme news", **{"List-Unsubscribe": "<mailto:u@acme.com>"}),
    mail(5, "dan@globex.io", ME, 3, "Automatic reply: away", **{"Auto-Submitted": "auto-replied"}),
    mail(6, "x@acme.com.evil.org", ME, 4, "Invoice"),  # Gmail's word match finds it
    mail(7, "ann@acme.com", ME, 400, "Old times"),  # before the look-back window
    mail(8, "friend@other.org", ME, 2, "Dinner"),
    mail(9, "eve@initech.com", ME, 20, "Hello"),  # an account only in a later config
    mail(10, "bob@globex.io", ME, 6, "No id", **{"Message-ID": ""}),
]
WEEK_AGO = (NOW - 7 * DAY).replace(hour=14, minute=0)
SERIES_START = (NOW - 28 * DAY).replace(hour=16, minute=0)
EVENTS = [
    Ev("e1", WEEK_AGO, "Acme call", ((ME, "ACCEPTED"), ("ann@acme.com", "ACCEPTED"))),
    Ev("e2", WEEK_AGO - 8 * DAY, "Globex", ((ME, "ACCEPTED"),), organizer="bob@globex.io"),
    Ev("e3", WEEK_AGO - 5 * DAY, "Declined", ((ME, "ACCEPTED"), ("carol@eu.acme.com", "DECLINED"))),
    Ev("s1", SERIES_START, "Weekly", ((ME, "ACCEPTED"), ("bob@globex.io", "ACCEPTED")),
       rrule="FREQ=WEEKLY;COUNT=3"),
    Ev("e6", NOW + 10 * DAY, "Future", ((ME, "ACCEPTED"), ("ann@acme.com", "NEEDS-ACTION"))),
    Ev("e7", (NOW - 3 * DAY).replace(hour=0), "Offsite", (("ann@acme.com", "ACCEPTED"),),
       all_day=True),
    Ev("e8", NOW - 2 * DAY, "FYI", ((ME, "ACCEPTED"), ("bob@globex.io", "ACCEPTED")),
       transparent=True),
]  # fmt: skip


class World(Protocol):
    def deliver(self, raw: bytes) -> None: ...
    def schedule(self, event: Ev) -> None: ...
    def provider(self, config: Config) -> Provider: ...


class LocalWorld:
    def __init__(self, folder: Path) -> None:
        self.mbox, self.ics = folder / "mail.mbox", folder / "cal.ics"
        self.events: list[Ev] = []
        self.mbox.write_bytes(b"")

    def deliver(self, raw: bytes) -> None:
        body = raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
        with self.mbox.open("ab") as handle:
            handle.write(b"From scenario Thu Jan  1 00:00:00 2026\n" + body + b"\n")

    def schedule(self, event: Ev) -> None:
        self.events = [
            e for e in self.events if (e.uid, e.recurrence_id) != (event.uid, event.recurrence_id)
        ]
        self.events.append(event)
        body = "\r\n".join(e.ics() for e in self.events)
        self.ics.write_text(
            f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}\r\nEND:VCALENDAR\r\n"
        )

    def provider(self, config: Config) -> Provider:
        return LocalProvider(self.mbox, (self.ics,), config.tz)


class GoogleWorld:
    def __init__(self, fake: FakeGoogle, folder: Path) -> None:
        self.fake, self.folder = fake, folder
        self.ids: dict[tuple[str, datetime | None], list[str]] = {}

    def deliver(self, raw: bytes) -> None:
        self.fake.add_message(raw)

    def schedule(self, event: Ev) -> None:
        """As another client would: a change is a new state of the same occurrences."""
        key = (event.uid, event.recurrence_id)
        if event.cancelled and event.recurrence_id is not None:  # one occurrence
            self.fake.cancel_event(f"{series_id(event.uid)}_{event.recurrence_id:%Y%m%dT%H%M%SZ}")
            return
        if event.cancelled:
            for event_id in self.ids.pop(key, []):
                self.fake.cancel_event(event_id)
            return
        single = self.folder / f"{event.uid}.ics"
        single.write_text(f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{event.ics()}\r\nEND:VCALENDAR\r\n")
        self.ids[key] = seed_calendar(self.fake, single, make_config().tz, NOW)

    def provider(self, config: Config) -> Provider:
        return google_provider(self.fake, config.model_copy(update={"provider": "google"}))


@pytest.fixture(params=["local", "google"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "local":
        yield LocalWorld(tmp_path)
        return
    with FakeGoogle(email=ME, now=NOW, realistic=True) as fake:
        yield GoogleWorld(fake, tmp_path)
        fake.assert_no_violations()


def populated(world: World) -> World:
    for raw in MAILS:
        world.deliver(raw)
    for event in EVENTS:
        world.schedule(event)
    return world


def synced(world: World, config: Config, store: Store | None = None) -> Store:
    store = store or Store(Path("unused"), {})
    book.sync(config, store, world.provider(config), NOW)
    return store


def observed(store: Store) -> dict[str, Any]:
    """What a sync keeps, minus what differs by nature (thread ids, Gmail ids, snippets)."""
    return {
        "messages": {(m.uid, m.sent_at, m.sender, m.to, m.cc, m.kind) for m in store.messages()},
        "meetings": {replace(m, calendar="") for m in store.meetings() if not m.cancelled},
    }


def test_first_sync_keeps_what_could_be_a_touch(world: World) -> None:
    store = synced(populated(world), make_config())
    kinds = {m.uid: m.kind for m in store.messages()}
    assert set(kinds) - {u for u in kinds if u.startswith("h:")} == {
        f"m{n}@scenario.test" for n in (1, 2, 3, 4, 5)
    }
    assert sum(1 for u in kinds if u.startswith("h:")) == 1  # m10: no Message-ID, a hash
    assert kinds["m4@scenario.test"] is MailKind.BULK
    assert kinds["m5@scenario.test"] is MailKind.AUTO_REPLY
    meetings = {m.uid: m for m in store.meetings() if not m.cancelled}
    series = {f"s1@{(SERIES_START + w * 7 * DAY):%Y-%m-%dT%H:%M:%SZ}" for w in range(3)}
    assert set(meetings) == {"e1", "e2", "e3", "e6", "e7", "e8", *series}
    assert meetings["e7"].all_day and not meetings["e8"].busy
    declined = {a.email: a.response.value for a in meetings["e3"].attendees}
    assert declined["carol@eu.acme.com"] == "declined"
    assert meetings["e2"].organizer == "bob@globex.io"


def test_touches_and_board(world: World) -> None:
    config = make_config()
    store = synced(populated(world), config)
    touches = book.detect_all(config, store, NOW).touches
    by_source = {(t.source, t.contact): t.weight for t in touches}
    assert by_source[("m1@scenario.test", "ann@acme.com")] == 2  # answered: an exchange
    assert ("e3", "carol@eu.acme.com") not in by_source  # she declined
    assert not any(source == "e6" for source, _ in by_source)  # not held yet
    rows = {r["name"]: r for r in board_json(book.current_board(config, store, NOW), config)}
    assert rows["Acme"]["touches"] == 4 and rows["Acme"]["contacts_touched"] == 2
    assert rows["Globex"]["touches"] == 7 and rows["Globex"]["days_since_touch"] == 2


def test_second_sync_adds_only_what_is_new(world: World) -> None:
    config = make_config()
    store = synced(populated(world), config)
    world.deliver(mail(11, "ann@acme.com", ME, 0, "Follow-up"))
    world.deliver(mail(12, "x@other.org", ME, 0, "Spam"))
    report = book.sync(config, store, world.provider(config), NOW)
    assert report.new_messages == 1
    assert "m11@scenario.test" in {m.uid for m in store.messages()}


def test_cancelled_meetings_stop_counting(world: World) -> None:
    config = make_config()
    store = synced(populated(world), config)
    world.schedule(replace(EVENTS[0], cancelled=True))
    second = SERIES_START + 7 * DAY
    world.schedule(replace(EVENTS[3], start=second, rrule="", recurrence_id=second, cancelled=True))
    synced(world, config, store)
    alive = {m.uid for m in store.meetings() if not m.cancelled}
    assert "e1" not in alive
    assert f"s1@{second:%Y-%m-%dT%H:%M:%SZ}" not in alive
    assert f"s1@{SERIES_START:%Y-%m-%dT%H:%M:%SZ}" in alive
    sources = {t.source for t in book.detect_all(config, store, NOW).touches}
    assert "e1" not in sources


def test_a_new_account_brings_its_past_mail(world: World) -> None:
    config = make_config()
    store = synced(populated(world), config)
    accounts = [*config.accounts, {"name": "Initech", "domains": ["initech.com"]}]
    bigger = make_config(accounts=[a if isinstance(a, dict) else a.model_dump() for a in accounts])
    synced(world, bigger, store)
    assert "m9@scenario.test" in {m.uid for m in store.messages()}
    rows = {r.name: r for r in book.current_board(bigger, store, NOW)}
    assert rows["Initech"].touches == 1


def test_google_sees_what_local_sees(tmp_path: Path) -> None:
    config = make_config()
    local = synced(populated(LocalWorld(tmp_path)), config)
    with FakeGoogle(email=ME, now=NOW, realistic=True) as fake:
        google = synced(populated(GoogleWorld(fake, tmp_path)), config)
        fake.assert_no_violations()
    assert observed(google) == observed(local)
    touches = [
        [t._replace(thread="") for t in book.detect_all(config, s, NOW).touches]  # ids differ
        for s in (local, google)
    ]
    assert touches[0] == touches[1]
    boards = [board_json(book.current_board(config, s, NOW), config) for s in (local, google)]
    assert boards[0] == boards[1]
