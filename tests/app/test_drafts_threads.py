"""Drafts that continue a conversation: written as replies in it, withdrawn when it moves on
before the rep sent them (issue 13). Pure parts, then the local outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agent.app import book
from agent.app.drafts import apply, learn
from agent.config.schema import Config
from agent.core.drafts import sample_action
from agent.core.overtaken import overtaken
from agent.core.replies import as_reply, reply_target
from agent.model import Address, DraftRef, MailMessage, OutgoingMail, PlayId, ThreadRef
from agent.model.tables import DRAFTS
from agent.providers.local.outbox import LocalOutbox
from agent.providers.registry import connect
from agent.store.db import Store
from tests.conftest import NOW, make_config
from tests.kits.engine_kit import touch

ANA = "ana@acme.com"
ME = "rep@seller.com"
DAY = timedelta(days=1)
CONVERSATION = ThreadRef("q2@acme.com", "t-1", "Re: Pilot pricing", NOW - 3 * DAY)


def mail(subject: str = "Is this still the right time?") -> OutgoingMail:
    return OutgoingMail(to=(Address(ANA),), subject=subject, text="Hi Ana,\n")


def message(**fields) -> MailMessage:
    base = {
        "uid": "q2@acme.com",
        "sent_at": NOW - 3 * DAY,
        "sender": Address(ANA),
        "to": (Address(ME),),
        "subject": "Re: Pilot pricing",
        "thread": "t-1",
        "message_id": "CAF+Q2x@Acme.com",
        "references": ("q1@Acme.com",),
    }
    return MailMessage(**{**base, **fields})


def test_a_play_that_belongs_in_a_conversation_answers_it() -> None:
    action = replace(sample_action(PlayId.STALLED_CLOSURE), reply_to=CONVERSATION)
    assert reply_target(action, "anything") == CONVERSATION


def test_a_play_answers_the_last_message_only_when_its_subject_does() -> None:
    theirs = ThreadRef("q2@acme.com", "t-1", "Cold-chain losses", NOW - DAY)
    action = replace(sample_action(PlayId.SHARE_CONTENT), last_message=theirs)
    assert reply_target(action, "Re: cold-chain  LOSSES") == theirs
    assert reply_target(action, "Cold-chain losses, measured") is None
    assert reply_target(replace(action, last_message=None), "Cold-chain losses") is None


def test_a_reply_has_the_thread_in_reply_to_the_whole_chain_and_re() -> None:
    reply = as_reply(mail(), message())
    assert reply.subject == "Re: Pilot pricing"  # already a reply: no second Re:
    assert reply.thread == "t-1" and reply.in_reply_to == "CAF+Q2x@Acme.com"  # as written
    assert reply.references == ("q1@Acme.com", "CAF+Q2x@Acme.com")
    first = as_reply(mail(), message(subject="Pilot pricing", references=()))
    assert first.subject == "Re: Pilot pricing" and first.references == ("CAF+Q2x@Acme.com",)
    assert as_reply(mail(), message(message_id="")) == mail()  # nothing to answer


def record(**fields) -> dict:
    return {
        "key": "k1",
        "status": "created",
        "created_at": NOW.isoformat(),
        "provider_id": "r1",
        "message_id": "m1",
        "reply_to": "q2@acme.com",
        "reply_thread": "t-1",
        "reply_at": (NOW - 3 * DAY).isoformat(),
        **fields,
    }


def judge(records: dict, touches: list, live: list) -> list:
    return overtaken(
        records, touches=touches, signals=[], stages={}, live=live, now=NOW, tz=make_config().tz
    )


def test_a_reply_draft_is_withdrawn_when_its_conversation_moves_on() -> None:
    answered = touch(ANA, 3, inbound=True, thread="t-1", source="q2@acme.com")
    elsewhere = touch(ANA, 4, inbound=True, thread="t-9", source="x")
    live = [DraftRef("r1", "m1")]
    assert judge({"k1": record()}, [answered, elsewhere], live) == []
    theirs = touch(ANA, 0.5, inbound=True, thread="t-1", source="q3@acme.com")
    mine = touch(ANA, 0.5, thread="t-1", source="s1@seller.com")  # the rep wrote by hand
    for later in (theirs, mine):
        [gone] = judge({"k1": record()}, [answered, later], live)
        assert gone.status == "withdrawn" and gone.delete == "r1"
        assert gone.fields == {"removed": True, "stale": REASON}
    # Edited by the rep: their words stay in the mailbox, waiting, flagged stale.
    [kept] = judge({"k1": record()}, [theirs], [DraftRef("r1", "m2")])
    assert kept.status == "created" and kept.delete == ""
    assert kept.fields == {"edited": True, "stale": REASON}
    assert judge({"k1": record(stale=REASON)}, [theirs], [DraftRef("r1", "m2")]) == []  # once
    assert judge({"k1": record()}, [theirs], []) == []  # gone: sent or deleted
    assert judge({"k1": record(reply_thread="")}, [theirs], live) == []


REASON = "the conversation went on after the message it answers"


# --- the local outbox ------------------------------------------------------------------

THREAD_MAIL = [
    ("q1", "Pilot pricing", "", ""),
    ("q2", "Re: Pilot pricing", "<Q1@acme.com>", "<Q1@acme.com>"),
]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    accounts = [{"name": "Acme", "domains": ["acme.com"], "tier": "dream"}]
    mbox = tmp_path / "mail.mbox"
    mbox.write_text("".join(_mbox_entry(*m, day=5 - n) for n, m in enumerate(THREAD_MAIL)))
    return make_config(
        me=[ME],
        accounts=accounts,
        local={"outbox": str(tmp_path / "outbox"), "mail": str(mbox)},
        base_dir=tmp_path,
    )


def _mbox_entry(uid: str, subject: str, reply: str, refs: str, *, day: int) -> str:
    when = (NOW - day * DAY).strftime("%a, %d %b %Y %H:%M:%S +0000")
    extra = f"In-Reply-To: {reply}\nReferences: {refs}\n" if reply else ""
    return (
        f"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nFrom: Ana <{ANA}>\nTo: {ME}\n"
        f"Subject: {subject}\nDate: {when}\nMessage-ID: <{uid.upper()}@acme.com>\n{extra}\n"
        "Hello.\n\n"
    )


def _action(store: Store, config: Config):
    """The stalled closure, planned against the synced conversation."""
    touches = book.detect_all(config, store, NOW).touches
    from agent.core.plays.threads import conversation

    return replace(
        sample_action(PlayId.STALLED_CLOSURE),
        account="Acme",
        contact=ANA,
        contact_name="Ana",
        key="k-stalled",
        reply_to=conversation(touches, ANA),
    )


def test_a_local_reply_draft_carries_the_thread_headers_and_is_withdrawn_later(
    config: Config, tmp_path: Path
) -> None:
    box = LocalOutbox.from_config(config, clock=lambda: NOW)
    with Store.open(tmp_path / "home") as store:
        book.sync(config, store, connect(config, None).source, NOW)
        apply(config, store, box, [_action(store, config)], NOW)
        record = store.get(DRAFTS, "k-stalled")
        raw = (tmp_path / "outbox" / "drafts" / "k-stalled.eml").read_bytes()
        assert b"Subject: Re: Pilot pricing" in raw
        assert b"In-Reply-To: <Q2@acme.com>" in raw
        assert b"<Q1@acme.com> <Q2@acme.com>" in b" ".join(raw.split())
        assert record["thread"] == record["reply_thread"] == "q1@acme.com"
        # Ana writes again in the thread before the rep sent the draft.
        with (tmp_path / "mail.mbox").open("a") as mbox:
            mbox.write(
                _mbox_entry("q3", "Re: Pilot pricing", "<Q2@acme.com>", "<Q1@acme.com>", day=0)
            )
        live = box.drafts()
        book.sync(config, store, connect(config, None).source, NOW + DAY / 2)
        learned = learn(config, store, box, NOW + DAY / 2, live=live, fresh=True)
        assert "stalled_closure for Ana at Acme: withdrawn" in learned.summary()
        assert store.get(DRAFTS, "k-stalled")["removed"] is True
    assert box.drafts() == []
