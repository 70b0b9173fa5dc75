"""Applying planned drafts: exactly one draft per action, through re-runs, crashes and races."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from agent.app import book
from agent.app.drafts import apply, learn
from agent.config.schema import Config
from agent.core.drafts import compose, sample_action
from agent.errors import UserError
from agent.model import Address, DraftRef, OutgoingMail, PlayId
from agent.model.tables import DRAFTS
from agent.providers.local.outbox import LocalOutbox, file_name
from agent.providers.registry import connect
from agent.store.db import Store
from tests.conftest import NOW, make_config

ACTIONS = [sample_action(PlayId.SHARE_CONTENT), sample_action(PlayId.DO_OVER)]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(local={"outbox": str(tmp_path / "outbox")}, base_dir=tmp_path)


def outbox(config: Config) -> LocalOutbox:
    return LocalOutbox.from_config(config, clock=lambda: NOW)


def files(config: Config, folder: str = "drafts") -> list[str]:
    return sorted(p.name for p in (config.path(config.local.outbox) / folder).glob("*.eml"))


class Crash(Exception):
    """Stands for the process dying at that point."""


class CrashingMailbox(LocalOutbox):
    """A local outbox that dies once, before or after it has written a draft."""

    def __init__(self, inner: LocalOutbox, *, after: bool) -> None:
        super().__init__(inner.outbox, inner.me, clock=inner.clock)
        self.after = after
        self.crashed = False

    def create_draft(
        self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
    ) -> DraftRef:
        if not self.crashed:
            self.crashed = True
            if self.after:
                super().create_draft(mail)
            raise Crash
        return super().create_draft(mail, claimed, since)


def test_applying_twice_makes_one_draft_per_action(config: Config, tmp_path: Path) -> None:
    with Store.open(tmp_path / "home") as store:
        first = apply(config, store, outbox(config), ACTIONS, NOW)
        again = apply(config, store, outbox(config), ACTIONS, NOW)
        records = store.items(DRAFTS)
    assert len(first.created) == 2 and again.created == () and again.known == 2
    assert files(config) == sorted(f"{a.key}.eml" for a in ACTIONS)
    share = records[ACTIONS[0].key]
    assert share["status"] == "created" and share["play"] == "share_content"
    assert share["content_url"] == ACTIONS[0].offer.key and share["account"] == "Sample Foods"
    assert share["provider_id"] == f"{ACTIONS[0].key}.eml" and share["link"].endswith(".eml")
    assert share["created_at"] == NOW.isoformat()


def test_the_engine_reads_what_apply_records(config: Config, tmp_path: Path) -> None:
    with Store.open(tmp_path / "home") as store:
        apply(config, store, outbox(config), ACTIONS, NOW)
        history = book.load_history(store)
    contact = ACTIONS[0].contact
    assert history.open_contacts() == {contact}
    assert (contact, ACTIONS[0].offer.key) in history.offered()
    assert history.created_on(NOW.date(), config.tz) == 2


@pytest.mark.parametrize("after", [True, False], ids=["after-create", "before-create"])
def test_a_crash_between_the_steps_is_finished_without_a_second_draft(
    config: Config, tmp_path: Path, after: bool
) -> None:
    home = tmp_path / "home"
    with Store.open(home) as store, pytest.raises(Crash):
        apply(config, store, CrashingMailbox(outbox(config), after=after), ACTIONS[:1], NOW)
    with Store.open(home) as store:  # what survived on disk
        assert store.get(DRAFTS, ACTIONS[0].key)["status"] == "pending"
        # The next run's plan no longer holds the action (its contact has a draft waiting).
        report = apply(config, store, outbox(config), [], NOW)
        assert report.resumed == (ACTIONS[0].key,)
        assert store.get(DRAFTS, ACTIONS[0].key)["status"] == "created"
        assert apply(config, store, outbox(config), ACTIONS[:1], NOW).created == ()
    assert files(config) == [f"{ACTIONS[0].key}.eml"]


def test_two_cycles_at_once_make_one_draft(config: Config, tmp_path: Path) -> None:
    class Slow(LocalOutbox):
        def create_draft(
            self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
        ) -> DraftRef:
            time.sleep(0.2)  # wide open for the other run, were it not for the lock
            return super().create_draft(mail, claimed, since)

    def run() -> None:
        with Store.open(tmp_path / "home", lock_timeout=30) as store:
            apply(config, store, Slow(outbox(config).outbox, config.me), ACTIONS[:1], NOW)
            store.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert files(config) == [f"{ACTIONS[0].key}.eml"]


def test_a_broken_template_stops_only_its_own_play(config: Config, tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "do_over.j2").write_text(
        "---\nplay: do_over\nsubject: x\n---\n{{ nope }}\n"
    )
    share = ACTIONS[0]
    with Store.open(tmp_path / "home") as store:
        report = apply(config, store, outbox(config), ACTIONS, NOW)
        assert list(store.items(DRAFTS)) == [share.key]  # do_over: nothing, not even failed
    assert files(config) == [f"{share.key}.eml"]
    [problem] = report.broken
    assert re.search(r"do_over\.j2:5", problem)
    assert "not written until its template is fixed: template" in report.summary()


def test_a_draft_file_is_named_after_its_key_and_says_nothing_of_nurture(
    config: Config,
) -> None:
    mail = replace(compose(ACTIONS[0], config), rfc822_id="123.45.678@seller.com")
    box = LocalOutbox(config.path(config.local.outbox), config.me, "Riley Quinn", lambda: NOW)
    ref = box.create_draft(mail)
    raw = Path(ref.link).read_bytes()
    assert ref.id == f"{ACTIONS[0].key}.eml" and ref.thread == "123.45.678@seller.com"
    head = raw.split(b"\n\n", 1)[0]
    assert b"From: Riley Quinn <rep@seller.com>" in head
    assert b"Message-ID: <123.45.678@seller.com>" in head
    assert b"X-" not in head and ACTIONS[0].key.encode() not in raw
    assert box.drafts() == [replace(ref, written_at=box.drafts()[0].written_at)]
    again = box.create_draft(replace(mail, text="other words"))  # found by its file name
    assert again.id == ref.id and again.message_id == ref.message_id


def test_a_sent_local_draft_comes_back_as_outbound_mail(config: Config, tmp_path: Path) -> None:
    box = outbox(config)
    with Store.open(tmp_path / "home") as store:
        apply(config, store, box, ACTIONS[:1], NOW)
        box.send_draft(f"{ACTIONS[0].key}.eml")
        assert files(config) == [] and files(config, "sent") == [f"{ACTIONS[0].key}.eml"]
        acme = config.model_copy(
            update={"accounts": (*config.accounts, _account("Sample Foods", "samplefoods.example"))}
        )
        book.sync(acme, store, connect(acme, None).source, NOW)
        record = store.get(DRAFTS, ACTIONS[0].key)
        [message] = [m for m in store.messages() if m.thread == record["thread"]]
        assert message.uid == record["rfc822_id"].lower()
        assert message.sender.email == "rep@seller.com"
        learned = learn(acme, store, box, NOW, live=[], fresh=True)
        assert "sent" in learned.summary()
        assert store.get(DRAFTS, ACTIONS[0].key)["edit_summary"] == "sent as drafted"


def _account(name: str, domain: str) -> object:
    from agent.config.schema import Account

    return Account(name=name, domains=(domain,), tier="dream")


def test_the_local_outbox_sends_to_the_rep_only(config: Config) -> None:
    box = outbox(config)
    with pytest.raises(UserError, match="only ever sends mail to you"):
        box.send_to_self(OutgoingMail(to=(Address("ann@acme.com"),), subject="x", text="y"))
    where = box.send_to_self(
        OutgoingMail(to=(Address("rep@seller.com"),), subject="x", text="y", key="d-1")
    )
    assert where.endswith("outbox/d-1.eml") and Path(where).is_file()
    assert files(config, "sent") == []


def test_draft_file_names_stay_in_their_folder() -> None:
    assert file_name("../../etc/passwd") == "etc_passwd.eml"
    assert file_name("draft-1.eml") == "draft-1.eml"
    assert file_name("") == "draft.eml"


def test_approval_is_the_only_code_that_sends_a_draft() -> None:
    """No other path in nurture may call ``send_draft`` (providers only define it)."""
    agent = Path(__file__).resolve().parents[2] / "agent"
    callers = sorted(
        str(path.relative_to(agent))
        for path in agent.rglob("*.py")
        if ".send_draft(" in path.read_text() and "providers" not in path.parts
    )
    assert callers == ["app/review.py"]
