"""An interrupted first sync (Ctrl-C, a network drop, a laptop put to sleep) goes on
where it stopped: its listing and answers are in a journal next to the state."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app import book
from agent.config.schema import Config
from agent.errors import UserError
from agent.providers.google.journal import JOURNAL_FILE
from agent.providers.google.provider import GoogleProvider
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

MAIL = 300
STOP_AT = 150  # messages read when the rep closes the laptop


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    fake_google.make_realistic()
    for n in range(MAIL):
        fake_google.add_message(from_=f"c{n}@acme.com", date=NOW - timedelta(hours=n + 1))
    fake_google.add_message(from_="friend@other.org", date=NOW - timedelta(hours=2))
    return fake_google


class Rep:
    """A state folder (the journal lives there) and the config, as `nurture sync` has them."""

    def __init__(self, fake: FakeGoogle, home: Path) -> None:
        self.fake, self.home = fake, home
        self.config = google_config(fake)
        self.store = Store(home, {})

    def provider(self, config: Config | None = None) -> GoogleProvider:
        return google_provider(self.fake, config or self.config, journal=self.home / JOURNAL_FILE)

    def sync(self, progress: Any = None, config: Config | None = None) -> book.SyncReport:
        config = config or self.config
        return book.sync(config, self.store, self.provider(config), NOW, progress)


def stop_at(count: int) -> Any:
    def progress(done: int, total: int | None) -> None:
        if done >= count:
            raise KeyboardInterrupt

    return progress


def gets(fake: FakeGoogle) -> int:
    return fake.count("messages.get")


def test_ctrl_c_in_a_first_sync_keeps_what_was_read(fake: FakeGoogle, tmp_path: Path) -> None:
    rep = Rep(fake, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        rep.sync(stop_at(STOP_AT))
    assert rep.store.messages() == [] and (tmp_path / JOURNAL_FILE).exists()
    first = gets(fake)
    assert STOP_AT <= first < MAIL
    fake.reset_counters()
    rep.sync()
    assert len(rep.store.messages()) == MAIL
    # The listing is not repeated; only what was not answered is fetched.
    assert fake.count("messages.list") == 0 and first + gets(fake) <= 1.3 * MAIL
    assert fake.count("getProfile") == 1  # the account is checked; its snapshot is kept


def test_a_network_drop_in_a_first_sync_says_what_is_kept(fake: FakeGoogle, tmp_path: Path) -> None:
    rep = Rep(fake, tmp_path)
    answered: list[str] = []

    def drop_after_half(call: Any) -> bool:
        if not call.method_id.endswith("messages.get"):
            return False
        answered.append(call.path)
        return len(answered) > STOP_AT

    fake.inject("drop", count=100_000, match=drop_after_half)
    with pytest.raises(UserError, match="kept: run the command again") as caught:
        rep.sync()
    lines = [json.loads(line) for line in (tmp_path / JOURNAL_FILE).read_text().splitlines()]
    kept = sum(len(line.get("got", {})) for line in lines)
    assert STOP_AT - 50 <= kept <= STOP_AT
    assert f"the {kept} messages read so far are kept" in caught.value.hint
    fake.clear_faults()
    fake.reset_counters()
    rep.sync()
    assert len(rep.store.messages()) == MAIL and gets(fake) <= 1.3 * MAIL - STOP_AT


def test_mail_that_arrives_while_the_laptop_sleeps_comes_with_the_next_sync(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    rep = Rep(fake, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        rep.sync(stop_at(STOP_AT))
    late = fake.add_message(from_="late@acme.com", date=NOW - timedelta(minutes=3))
    rep.sync()  # resumed: the old snapshot, the old listing
    rep.sync()  # history since that snapshot brings the late one
    ids = {m.provider_id for m in rep.store.messages()}
    assert late in ids and len(ids) == MAIL + 1


def test_the_journal_goes_once_a_stored_sync_covers_it(fake: FakeGoogle, tmp_path: Path) -> None:
    rep = Rep(fake, tmp_path)
    rep.sync()
    assert (tmp_path / JOURNAL_FILE).exists()  # kept until the store is known to hold it
    rep.sync()
    assert not (tmp_path / JOURNAL_FILE).exists()


def test_a_journal_for_other_accounts_is_not_used(fake: FakeGoogle, tmp_path: Path) -> None:
    rep = Rep(fake, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        rep.sync(stop_at(STOP_AT))
    more = google_config(
        fake,
        accounts=[
            {"name": "Acme", "domains": ["acme.com"]},
            {"name": "Other", "domains": ["other.org"]},
        ],
    )
    fake.reset_counters()
    rep.sync(config=more)
    assert fake.count("messages.list") == 1 and gets(fake) == MAIL + 1
    assert len(rep.store.messages()) == MAIL + 1


def test_a_journal_cut_by_a_kill_mid_line_is_read_up_to_the_cut(
    fake: FakeGoogle, tmp_path: Path
) -> None:
    rep = Rep(fake, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        rep.sync(stop_at(STOP_AT))
    journal = tmp_path / JOURNAL_FILE
    text = journal.read_text()
    journal.write_text(text[: len(text) - 40])  # the last batch's line, cut
    lines = [json.loads(line) for line in journal.read_text().splitlines()[:-1]]
    kept = sum(len(line.get("got", {})) for line in lines)
    fake.reset_counters()
    rep.sync()
    assert len(rep.store.messages()) == MAIL and gets(fake) == MAIL - kept


def test_the_journal_is_for_the_rep_only(fake: FakeGoogle, tmp_path: Path) -> None:
    rep = Rep(fake, tmp_path)
    with pytest.raises(KeyboardInterrupt):
        rep.sync(stop_at(STOP_AT))
    assert (tmp_path / JOURNAL_FILE).stat().st_mode & 0o777 == 0o600
