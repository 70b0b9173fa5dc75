"""Drafts the rep handles in Gmail itself (issue 13): the composer rebuilds a draft on every
autosave (new message id, its own Message-ID, no custom headers; a new subject, a new
thread), sends it in its thread with a Message-ID Google makes, or discards it. nurture
follows each draft by its draft id: opened or edited it is still waiting, sent it is
sent, discarded it is rejected."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agent.app.drafts import apply
from agent.app.review import Desk, preview
from agent.config.schema import Config
from agent.core.drafts import sample_action
from agent.model import Action, PlayId
from agent.model.tables import DRAFTS
from agent.providers.google.provider import GoogleProvider
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider
from tests.kits.steps import sync_job

ANN = "ann.lee@acme.com"
DAY = timedelta(days=1)
KEY = "k-share_content"


@pytest.fixture
def world(fake_google: FakeGoogle) -> tuple[Config, GoogleProvider]:
    fake_google.now = NOW
    fake_google.gmail_as_it_is()
    accounts = [{"name": "Acme", "domains": ["acme.com"], "tier": "dream"}]
    config = google_config(fake_google, accounts=accounts)
    fake_google.add_message(from_=f"Ann Lee <{ANN}>", subject="Hello", body="Hi.", date=NOW - DAY)
    return config, google_provider(fake_google, config)


def action(play: PlayId = PlayId.SHARE_CONTENT) -> Action:
    return replace(
        sample_action(play), account="Acme", contact=ANN, contact_name="Ann Lee", key=f"k-{play}"
    )


def sync(config: Config, store: Store, provider: GoogleProvider, at=NOW) -> str:
    return sync_job(config, store, provider, at)


def written(config: Config, store: Store, provider: GoogleProvider) -> dict:
    apply(config, store, provider.mailbox, [action()], NOW)
    return store.get(DRAFTS, KEY)


def test_a_draft_the_rep_opens_in_gmail_is_still_waiting(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        record = written(config, store, provider)
        new_message = fake_google.composer.open(record["provider_id"])
        sync(config, store, provider, NOW + DAY / 4)
        after = store.get(DRAFTS, KEY)
    assert after["status"] == "created" and after["edited"] is True
    assert after["link"].endswith(f"#drafts?compose={new_message}")  # the link follows it
    assert after["provider_id"] == record["provider_id"]
    assert list(fake_google.drafts()) == [record["provider_id"]]  # nothing deleted


def test_a_draft_edited_and_sent_from_gmail_is_sent_with_the_edits(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        record = written(config, store, provider)
        text = "Ann, I thought of you when I read this.\n\nRiley"
        fake_google.composer.edit(record["provider_id"], text=text)
        sync(config, store, provider, NOW + DAY / 4)
        assert store.get(DRAFTS, KEY)["status"] == "created"
        fake_google.now = NOW + DAY / 2
        sent_id = fake_google.composer.send(record["provider_id"])
        assert "share_content for Ann Lee at Acme: sent" in sync(config, store, provider, NOW + DAY)
        after = store.get(DRAFTS, KEY)
    assert after["status"] == "sent" and after["sent_id"]
    assert after["edits"]["edited_before_send"] is True and after["edits"]["opening_kept"] < 0.7
    assert fake_google.message(sent_id).thread_id == after["thread"]
    assert [s.method for s in fake_google.sends] == ["ui"]


def test_a_draft_given_a_new_subject_in_gmail_is_followed_to_its_new_thread(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    """Gmail moves a draft whose subject changed to a thread of its own; the send lands
    there. The sync in between saw the move, so the sent message is still recognised,
    however little of the text the rep kept."""
    config, provider = world
    with Store.open(tmp_path) as store:
        record = written(config, store, provider)
        draft_id = record["provider_id"]
        fake_google.composer.edit(draft_id, subject="Lunch?", text="Lunch next week?")
        sync(config, store, provider, NOW + DAY / 4)
        moved = store.get(DRAFTS, KEY)["thread"]
        assert record["thread"] != moved == fake_google.drafts()[draft_id].thread_id
        fake_google.composer.send(draft_id)
        sync(config, store, provider, NOW + DAY)
        after = store.get(DRAFTS, KEY)
    assert after["status"] == "sent" and after["edits"]["subject"] == "Lunch?"


def test_a_draft_discarded_in_gmail_is_rejected(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        record = written(config, store, provider)
        fake_google.composer.open(record["provider_id"])
        sync(config, store, provider, NOW + DAY / 4)
        fake_google.composer.discard(record["provider_id"])
        assert "share_content for Ann Lee at Acme: rejected" in sync(config, store, provider)
        assert store.get(DRAFTS, KEY)["rejected_by"] == "deleted"


def test_an_approved_draft_is_recognised_although_google_replaced_its_message_id(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        record = written(config, store, provider)
        Desk(store, provider.mailbox, "google", NOW).approve(
            record, preview(provider.mailbox, record, "google")
        )
        [sent] = fake_google.sends
        assert record["rfc822_id"] not in sent.header("Message-ID")
        sync(config, store, provider, NOW + DAY)
        after = store.get(DRAFTS, KEY)
    assert after["status"] == "sent" and after["edit_summary"] == "sent as drafted"
    assert after["sent_id"] and after["edits"]["opening_kept"] == 1


def test_a_draft_written_before_a_crash_and_opened_since_is_not_written_again(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    """The run stopped after Gmail wrote the draft and before nurture recorded its id;
    the rep opened it meanwhile, so its Message-ID is Gmail's. The next run finds it by
    recipient and subject among the drafts it does not track."""
    config, provider = world
    with Store.open(tmp_path) as store:
        record = written(config, store, provider)
        store.put(DRAFTS, KEY, {**record, "status": "pending", "provider_id": ""})
        fake_google.composer.open(record["provider_id"])
        fresh = google_provider(fake_google, config)
        report = apply(config, store, fresh.mailbox, [action()], NOW + DAY / 24)
        after = store.get(DRAFTS, KEY)
    assert report.resumed == (KEY,) and fake_google.count("drafts.create") == 1
    assert after["status"] == "created" and after["provider_id"] == record["provider_id"]
