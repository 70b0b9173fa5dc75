"""Drafts in Gmail (the fake Google API): written once, approved to send, outcomes learnt
from Gmail itself, and nothing ever sent to anyone without the rep's approval."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.app.drafts import apply
from agent.app.review import Desk, preview
from agent.config.schema import Config, load_config
from agent.core.drafts import mail_of, sample_action
from agent.demo.workspace import TZ, write_demo
from agent.errors import UserError
from agent.model import Address, PlayId
from agent.model.tables import DRAFTS
from agent.providers.google.provider import GoogleProvider
from agent.providers.mail.mime import build_mime
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider, seed_calendar, seed_mail
from tests.kits.steps import plan_job, sync_job

ANN = "ann.lee@acme.com"
DAY = timedelta(days=1)


@pytest.fixture
def world(fake_google: FakeGoogle) -> tuple[Config, GoogleProvider]:
    fake_google.now = NOW
    accounts = [{"name": "Acme", "domains": ["acme.com"], "tier": "dream"}]
    config = google_config(fake_google, accounts=accounts)
    fake_google.add_message(from_=f"Ann Lee <{ANN}>", subject="Hello", body="Hi.", date=NOW - DAY)
    return config, google_provider(fake_google, config)


def action(play: PlayId = PlayId.SHARE_CONTENT):
    return replace(
        sample_action(play), account="Acme", contact=ANN, contact_name="Ann Lee", key=f"k-{play}"
    )


def sync(config: Config, store: Store, provider: GoogleProvider, at=NOW) -> str:
    return sync_job(config, store, provider, at)


def gmail(fake: FakeGoogle):
    return fake.build("gmail").users()


def test_a_planned_draft_becomes_one_gmail_draft(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, [action()], NOW)
        fresh = google_provider(fake_google, config)  # a new process: no cache
        apply(config, store, fresh.mailbox, [action()], NOW)
        record = store.get(DRAFTS, "k-share_content")
    [(draft_id, message)] = fake_google.drafts().items()
    assert record["provider_id"] == draft_id and record["message_id"] == message.id
    assert record["thread"] == message.thread_id
    assert record["rfc822_id"] and message.header("Message-ID") == f"<{record['rfc822_id']}>"
    assert b"k-share_content" not in message.raw and b"X-Nurture" not in message.raw
    assert record["link"].startswith(f"https://mail.google.com/mail/u/{fake_google.email}/")
    assert fake_google.sends == []


def test_approval_sends_that_draft_once_through_drafts_send(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, [action()], NOW)
        desk = Desk(store, provider.mailbox, "google", NOW)
        record = store.get(DRAFTS, "k-share_content") | {"key": "k-share_content"}
        desk.approve(record, preview(provider.mailbox, record, "google"))
        [sent] = fake_google.sends
        assert sent.method == "drafts.send" and sent.to == (ANN,)
        assert fake_google.drafts() == {}
        assert store.get(DRAFTS, "k-share_content")["status"] == "sent"
        assert "1 draft" not in sync(config, store, provider, NOW + DAY)  # already known
        assert store.get(DRAFTS, "k-share_content")["edit_summary"] == "sent as drafted"


def test_a_draft_sent_through_the_api_elsewhere_is_found_in_its_thread(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, [action()], NOW)
        draft_id = store.get(DRAFTS, "k-share_content")["provider_id"]
        gmail(fake_google).drafts().send(userId="me", body={"id": draft_id}).execute()  # the rep
        assert "share_content for Ann Lee at Acme: sent" in sync(config, store, provider)
        record = store.get(DRAFTS, "k-share_content")
    assert record["status"] == "sent" and record["edit_summary"] == "sent as drafted"


def test_a_draft_rewritten_and_sent_by_hand_is_found_by_similarity(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, [action()], NOW)
        record = store.get(DRAFTS, "k-share_content")
        gmail(fake_google).drafts().delete(userId="me", id=record["provider_id"]).execute()
        text = record["text"].replace("made me think of you", "reminded me of our chat")
        fake_google.add_message(
            from_=fake_google.email, to=ANN, subject="Worth a look", body=text, date=NOW + DAY / 4
        )
        assert "sent (edited: new subject" in sync(config, store, provider, NOW + DAY / 2)
        record = store.get(DRAFTS, "k-share_content")
    assert record["edits"]["subject"] == "Worth a look" and record["edits"]["opening_kept"] >= 0.7


def test_a_draft_deleted_in_gmail_is_rejected(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, [action()], NOW)
        record = store.get(DRAFTS, "k-share_content")
        gmail(fake_google).drafts().delete(userId="me", id=record["provider_id"]).execute()
        assert "share_content for Ann Lee at Acme: rejected" in sync(config, store, provider)
        assert store.get(DRAFTS, "k-share_content")["rejected_by"] == "deleted"


def test_a_copy_gmail_wrote_late_is_removed_and_the_recorded_draft_kept(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    """A create whose answer was lost, written by Gmail only after nurture looked for it
    and created it again: the next sync finds two drafts with one Message-ID."""
    config, provider = world
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, [action()], NOW)
        record = store.get(DRAFTS, "k-share_content")
        raw = gmail(fake_google).drafts().get(userId="me", id=record["provider_id"], format="raw")
        copy = {"message": {"raw": raw.execute()["message"]["raw"]}}
        gmail(fake_google).drafts().create(userId="me", body=copy).execute()
        assert len(fake_google.drafts()) == 2
        fresh = google_provider(fake_google, config)  # the next run
        assert "rejected" not in sync(config, store, fresh)
        assert list(fake_google.drafts()) == [record["provider_id"]]
        assert store.get(DRAFTS, "k-share_content")["status"] == "created"


def test_expiry_removes_an_untouched_draft_and_keeps_an_edited_one(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    actions = [action(PlayId.SHARE_CONTENT), action(PlayId.INVITATION)]
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, actions, NOW)
        edited = store.get(DRAFTS, "k-invitation")
        mail = replace(mail_of(edited), text="Ann, come along?\n")  # the rep edits it in Gmail
        raw = build_mime(mail, Address(fake_google.email), NOW).as_bytes()
        body = {"message": {"raw": base64.urlsafe_b64encode(raw).decode()}}
        gmail(fake_google).drafts().update(
            userId="me", id=edited["provider_id"], body=body
        ).execute()
        later = NOW + 15 * DAY
        fake_google.now = later
        sync(config, store, provider, later)
        untouched, kept = (
            store.get(DRAFTS, "k-share_content"),
            store.get(DRAFTS, "k-invitation"),
        )
    assert untouched["status"] == "expired" and untouched["removed"] is True
    assert kept["status"] == "expired" and kept["removed"] is False and kept["edited"] is True
    assert list(fake_google.drafts()) == [kept["provider_id"]]
    assert fake_google.count("drafts.delete") == 1 and fake_google.sends == []


def google_demo(tmp_path: Path, fake: FakeGoogle) -> Config:
    fake.gmail_as_it_is()
    write_demo(tmp_path, NOW)
    seed_mail(fake, tmp_path / "mail.mbox")
    seed_calendar(fake, tmp_path / "calendar.ics", ZoneInfo(TZ), NOW)
    text = (tmp_path / "config.yaml").read_text()
    google = f"provider: google\ngoogle: {{endpoint: '{fake.base_url}'}}"
    (tmp_path / "google.yaml").write_text(text.replace("provider: local", google))
    return load_config(tmp_path / "google.yaml")


def test_many_cycles_never_send_anything_without_approval(tmp_path: Path) -> None:
    """Twenty days of sync, outcomes, planning and drafting against Gmail, with the rep
    deleting and editing drafts along the way: not one message leaves the mailbox."""
    with FakeGoogle(email="riley@northwind-analytics.com", now=NOW) as fake:
        config = google_demo(tmp_path, fake)
        home = tmp_path / "home"
        for day in range(20):
            at = NOW + day * DAY
            fake.now = at
            provider = google_provider(fake, config)
            with Store.open(home) as store:
                sync_job(config, store, provider, at)
                plan_job(config, store, provider, at)
            _rep_tidies_up(fake, day)
            assert fake.sends == [], f"day {day}: {fake.sends}"
        assert fake.count("drafts.create") >= 8  # it did write drafts all along
        with Store.open(home) as store:
            records = store.items(DRAFTS).values()
            statuses = {r["status"] for r in records}
            edited = [r for r in records if r.get("edited")]
        assert {"created", "rejected", "expired"} <= statuses and "sent" not in statuses
        assert edited  # the rep's edits are remembered, and a draft still there waits on
        there = {r["status"] for r in records if r["provider_id"] in fake.drafts()}
        assert there <= {"created", "expired"}
        fake.assert_no_violations()


def _rep_tidies_up(fake: FakeGoogle, day: int) -> None:
    """The rep works in Gmail: discards one draft now and then, opens another, rewrites a
    third (the composer rebuilds each on autosave): never sends."""
    drafts = sorted(fake.drafts().items())
    if day % 3 == 1 and drafts:
        fake.composer.discard(drafts[0][0])
    if day % 4 == 2 and len(drafts) > 1:
        draft_id, message = drafts[-1]
        text = message.raw.decode(errors="replace").replace("Best,", "All the best,")
        fake.composer.edit(draft_id, text=text.partition("\r\n\r\n")[2] or text)
    if day % 5 == 3 and len(drafts) > 2:
        fake.composer.open(drafts[1][0])


def test_the_cycle_command_only_ever_mails_the_rep(tmp_path: Path, capsys) -> None:
    """`nurture cycle` daily through a Friday: the digest goes to the rep, nothing else goes."""
    from agent.cli.main import main

    with FakeGoogle(email="riley@northwind-analytics.com", now=NOW) as fake:
        google_demo(tmp_path, fake)
        where = ["--config", str(tmp_path / "google.yaml"), "--home", str(tmp_path / "home")]
        for hours in (0, 8, 24, 24 * 7 + 8):  # NOW is Friday 09:00 in Chicago
            fake.now = at = NOW + timedelta(hours=hours)
            with pytest.raises(SystemExit) as done:
                main(["--now", at.isoformat(), *where, "cycle"])
            out, err = capsys.readouterr()
            assert done.value.code == 0, err
        assert "Nurture blocks: " in out and "skipped" not in out
        tags = [e.get("extendedProperties", {}).get("private", {}) for e in fake.events()]
        assert any(tag.get("nurture") == "block" for tag in tags)  # blocks on Google too
        assert fake.sends and {s.method for s in fake.sends} == {"messages.send"}
        assert all(s.to == ("riley@northwind-analytics.com",) for s in fake.sends)
        assert len(fake.sends) == 2  # one digest per week, two Fridays


def test_edit_and_reject_through_nurture_work_on_gmail_drafts(
    world, fake_google: FakeGoogle, tmp_path: Path
) -> None:
    config, provider = world
    actions = [action(PlayId.SHARE_CONTENT), action(PlayId.DO_OVER)]
    with Store.open(tmp_path) as store:
        apply(config, store, provider.mailbox, actions, NOW)
        desk = Desk(store, provider.mailbox, "google", NOW)
        share = store.get(DRAFTS, "k-share_content")
        assert desk.edit(share, "Subject: For you, Ann\n\nHi Ann,\nshort and sweet.\n")
        after = store.get(DRAFTS, "k-share_content")
        message = fake_google.drafts()[share["provider_id"]]
        assert after["message_id"] == message.id != share["message_id"]
        assert message.header("Message-ID") == f"<{share['rfc822_id']}>"
        assert message.header("Subject") == "For you, Ann" and after["edited"] is True
        with pytest.raises(UserError, match="changed in your mailbox"):
            desk.edit(share, "Subject: again\n\nstale copy\n")  # what nurture saw before
        desk.reject(store.get(DRAFTS, "k-do_over"), "met them yesterday")
        assert list(fake_google.drafts()) == [share["provider_id"]]
        assert store.get(DRAFTS, "k-do_over")["rejected_by"] == "you"
    assert fake_google.sends == []
