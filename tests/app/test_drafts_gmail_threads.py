"""Replies in Gmail threads (issue 13), against a fake that threads a draft only under
Gmail's three conditions (threadId, In-Reply-To/References, the same subject) and gives
sent mail Google's own Message-IDs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.app import pipeline
from agent.config.schema import Config
from agent.model import ActionKind, PlayId
from agent.model.tables import DRAFTS
from agent.providers.google.provider import GoogleProvider
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider
from tests.kits.steps import plan_job, sync_job

ANN = "ann.lee@acme.com"
DAY = timedelta(days=1)
KEY_PLAY = PlayId.STALLED_CLOSURE


@pytest.fixture
def world(fake_google: FakeGoogle) -> tuple[Config, GoogleProvider, str]:
    """A stalled deal with Ann; their last conversation, "Pilot pricing", a month old: the
    rep wrote, Ann answered, the rep followed up."""
    fake_google.now = NOW
    fake_google.gmail_as_it_is()
    me = fake_google.email
    first = fake_google.add_message(
        from_=me,
        to=ANN,
        subject="Pilot pricing",
        body="Here is the pricing.",
        date=NOW - 32 * DAY,
        message_id="<CAF+Q1x@mail.gmail.com>",
    )
    fake_google.add_message(
        from_=f"Ann Lee <{ANN}>",
        to=me,
        subject="RE: Pilot pricing",
        body="Thanks, we will look at it.",
        date=NOW - 30 * DAY,
        message_id="<AM0PR01-Q2@acme.com>",
        in_reply_to="<CAF+Q1x@mail.gmail.com>",
        references="<CAF+Q1x@mail.gmail.com>",
    )
    fake_google.add_message(
        from_=me,
        to=ANN,
        subject="Re: Pilot pricing",
        body="Happy to walk you through it.",
        date=NOW - 28 * DAY,
        message_id="<CAF+Q3x@mail.gmail.com>",
        in_reply_to="<AM0PR01-Q2@acme.com>",
        references="<CAF+Q1x@mail.gmail.com> <AM0PR01-Q2@acme.com>",
    )
    account = {
        "name": "Acme",
        "domains": ["acme.com"],
        "tier": "dream",
        "stage": "stalled",
        "stage_since": str((NOW - 40 * DAY).date()),
        "contacts": [{"email": ANN, "name": "Ann Lee"}],
    }
    config = google_config(fake_google, accounts=[account])
    return config, google_provider(fake_google, config), first  # first's id is the thread's


def cycle_at(config: Config, store: Store, provider: GoogleProvider, at) -> str:
    return sync_job(config, store, provider, at) + " / " + plan_job(config, store, provider, at)


def the_draft(store: Store) -> dict:
    [record] = [r for r in store.items(DRAFTS).values() if r["play"] == KEY_PLAY.value]
    return record


def test_a_stalled_closure_is_a_reply_in_the_conversation(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider, thread = world
    with Store.open(tmp_path) as store:
        cycle_at(config, store, provider, NOW)
        record = the_draft(store)
    draft = fake_google.drafts()[record["provider_id"]]
    assert draft.thread_id == thread == record["thread"]  # Gmail took it into the thread
    assert draft.header("Subject") == "Re: Pilot pricing"
    assert draft.header("In-Reply-To") == "<CAF+Q3x@mail.gmail.com>"  # as written
    refs = " ".join(draft.header("References").split())
    assert refs == "<CAF+Q1x@mail.gmail.com> <AM0PR01-Q2@acme.com> <CAF+Q3x@mail.gmail.com>"
    assert draft.header("To") == f"Ann Lee <{ANN}>"


def test_a_reply_the_rep_sends_from_gmail_is_sent(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider, _ = world
    with Store.open(tmp_path) as store:
        cycle_at(config, store, provider, NOW)
        record = the_draft(store)
        fake_google.now = NOW + DAY / 2
        fake_google.composer.send(record["provider_id"])
        summary = cycle_at(config, store, provider, NOW + DAY)
        after = the_draft(store)
    assert "stalled_closure for Ann Lee at Acme: sent" in summary
    assert after["status"] == "sent" and after["edit_summary"] == "sent as drafted"


@pytest.mark.parametrize("who", ["ann", "rep"])
def test_a_reply_is_withdrawn_when_the_conversation_moves_on(
    world, fake_google: FakeGoogle, tmp_path: Path, who: str
) -> None:
    config, provider, thread = world
    with Store.open(tmp_path) as store:
        cycle_at(config, store, provider, NOW)
        assert the_draft(store)["status"] == "created"
        sender, to = (f"Ann Lee <{ANN}>", fake_google.email)
        if who == "rep":
            sender, to = fake_google.email, ANN
        fake_google.add_message(
            from_=sender,
            to=to,
            subject="Re: Pilot pricing",
            body="Any news?" if who == "rep" else "We are ready to talk again.",
            date=NOW + DAY / 4,
            in_reply_to="<CAF+Q3x@mail.gmail.com>",
            references="<CAF+Q1x@mail.gmail.com> <CAF+Q3x@mail.gmail.com>",
        )
        summary = cycle_at(config, store, provider, NOW + DAY / 2)
        after = the_draft(store)
        plan = pipeline.current_plan(config, store, NOW + DAY / 2)
    assert fake_google.messages()[0].thread_id == thread  # it did land in the conversation
    assert "stalled_closure for Ann Lee at Acme: withdrawn" in summary
    assert after["status"] == "withdrawn" and after["removed"] is True
    assert fake_google.drafts() == {} and fake_google.sends == []
    if who == "ann":  # her message now waits for the rep's answer: a reminder, no new draft
        assert [a.contact for a in plan.of_kind(ActionKind.REPLY)] == [ANN]


def test_a_reply_the_rep_edited_stays_in_gmail_flagged_stale(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider, _ = world
    with Store.open(tmp_path) as store:
        cycle_at(config, store, provider, NOW)
        record = the_draft(store)
        fake_google.composer.edit(record["provider_id"], text="Ann, shall we talk?")
        fake_google.add_message(
            from_=f"Ann Lee <{ANN}>",
            subject="Re: Pilot pricing",
            body="Ready when you are.",
            date=NOW + DAY / 4,
            in_reply_to="<CAF+Q3x@mail.gmail.com>",
        )
        summary = cycle_at(config, store, provider, NOW + DAY / 2)
        after = the_draft(store)
        assert after["status"] == "created" and not after.get("removed")
        assert after["stale"] == "the conversation went on after the message it answers"
        assert "stale (the conversation went on" in summary
        assert list(fake_google.drafts()) == [record["provider_id"]]
        fake_google.now = NOW + DAY
        fake_google.composer.send(record["provider_id"])  # the rep sends it anyway
        cycle_at(config, store, provider, NOW + 2 * DAY)
        assert the_draft(store)["status"] == "sent"
