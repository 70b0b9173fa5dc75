"""The fake learns what real Gmail does to drafts and threads (GOOGLE.md): the composer's
autosave, sending and discarding from the UI, Gmail's threading rule, Google's Message-IDs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.kits.fakegoogle import FakeGoogle
from tests.kits.fakegoogle.mime import compose


def raw_of(**fields: Any) -> str:
    data = compose(from_="rep@example.com", to="ann@acme.com", **fields)
    return base64.urlsafe_b64encode(data).decode()


def conversation(fake: FakeGoogle) -> str:
    """Ann wrote "Pilot pricing"; returns its thread id."""
    return fake.add_message(
        from_="ann@acme.com", subject="Pilot pricing", message_id="<q1@acme.com>", body="?"
    )


def reply_body(thread: str | None, subject: str = "Re: Pilot pricing", **kw: Any) -> dict:
    message: dict[str, Any] = {
        "raw": raw_of(subject=subject, in_reply_to="<q1@acme.com>", body="Yes.", **kw)
    }
    if thread is not None:
        message["threadId"] = thread
    return {"message": message}


def test_an_autosave_rebuilds_the_draft_message(fake_google: FakeGoogle) -> None:
    drafts = fake_google.build("gmail").users().drafts()
    raw = raw_of(subject="Hello", message_id="<mine@example.com>", headers={"X-Mine": "1"})
    created = drafts.create(userId="me", body={"message": {"raw": raw}}).execute()
    new_id = fake_google.composer.open(created["id"])
    [(draft_id, message)] = fake_google.drafts().items()
    assert draft_id == created["id"] and message.id == new_id != created["message"]["id"]
    assert message.header("X-Mine") is None
    assert message.header("Message-ID") not in (None, "<mine@example.com>")
    assert message.header("Message-ID").endswith("@mail.gmail.com>")
    assert message.thread_id == created["message"]["threadId"]  # same subject: same thread
    listed = drafts.list(userId="me").execute()["drafts"]
    assert listed == [{"id": draft_id, "message": {"id": new_id, "threadId": message.thread_id}}]


def test_a_new_subject_moves_the_draft_to_a_thread_of_its_own(fake_google: FakeGoogle) -> None:
    thread = conversation(fake_google)
    drafts = fake_google.build("gmail").users().drafts()
    created = drafts.create(userId="me", body=reply_body(thread)).execute()
    assert created["message"]["threadId"] == thread
    fake_google.composer.edit(created["id"], text="Yes, Thursday works.")
    assert fake_google.drafts()[created["id"]].thread_id == thread
    fake_google.composer.edit(created["id"], subject="Thursday")
    assert fake_google.drafts()[created["id"]].thread_id != thread


def test_sending_from_gmail_leaves_a_sent_message_in_the_thread(fake_google: FakeGoogle) -> None:
    thread = conversation(fake_google)
    drafts = fake_google.build("gmail").users().drafts()
    body = reply_body(thread, message_id="<mine@example.com>")
    created = drafts.create(userId="me", body=body).execute()
    start = fake_google.history_id
    sent_id = fake_google.composer.send(created["id"])
    assert fake_google.drafts() == {}
    sent = fake_google.message(sent_id)
    assert sent.labels == {"SENT"} and sent.thread_id == thread
    assert sent.header("Message-ID").endswith("@mail.gmail.com>")
    assert sent.header("In-Reply-To") == "<q1@acme.com>"
    assert fake_google.sends[-1].method == "ui"
    history = fake_google.build("gmail").users().history()
    page = history.list(userId="me", startHistoryId=str(start)).execute()
    records = [r for r in page["history"] if "messagesAdded" in r]
    added = [r["messagesAdded"][0]["message"]["id"] for r in records]
    assert added == [sent_id]


def test_discarding_in_gmail_removes_the_draft(fake_google: FakeGoogle) -> None:
    drafts = fake_google.build("gmail").users().drafts()
    created = drafts.create(userId="me", body={"message": {"raw": raw_of()}}).execute()
    fake_google.composer.discard(created["id"])
    assert fake_google.drafts() == {}
    with pytest.raises(HttpError) as gone:
        drafts.get(userId="me", id=created["id"]).execute()
    assert gone.value.resp.status == 404


def test_strict_threads_need_the_headers_and_the_subject(fake_google: FakeGoogle) -> None:
    fake_google.gmail_as_it_is()
    thread = conversation(fake_google)
    drafts = fake_google.build("gmail").users().drafts()

    def thread_of(body: dict) -> str:
        return drafts.create(userId="me", body=body).execute()["message"]["threadId"]

    assert thread_of(reply_body(thread)) == thread
    assert thread_of(reply_body(thread, subject="Something else")) != thread
    plain = {"message": {"raw": raw_of(subject="Re: Pilot pricing"), "threadId": thread}}
    assert thread_of(plain) != thread  # no In-Reply-To / References
    assert thread_of(reply_body(None)) != thread  # the headers alone do not thread a draft
    # Without the switch the fake takes any threadId, as before.
    fake_google.draft_store.strict_threads = False
    assert thread_of(reply_body(thread, subject="Something else")) == thread


def test_strict_threads_an_update_without_thread_id_leaves_the_thread(
    fake_google: FakeGoogle,
) -> None:
    fake_google.gmail_as_it_is()
    thread = conversation(fake_google)
    drafts = fake_google.build("gmail").users().drafts()
    created = drafts.create(userId="me", body=reply_body(thread)).execute()
    kept = drafts.update(userId="me", id=created["id"], body=reply_body(thread)).execute()
    assert kept["message"]["threadId"] == thread
    left = drafts.update(userId="me", id=created["id"], body=reply_body(None)).execute()
    assert left["message"]["threadId"] != thread


def test_google_replaces_message_ids_of_sent_mail(fake_google: FakeGoogle) -> None:
    users = fake_google.build("gmail").users()
    mine = {"raw": raw_of(message_id="<mine@example.com>")}
    kept = users.messages().send(userId="me", body=mine).execute()
    assert fake_google.message(kept["id"]).header("Message-ID") == "<mine@example.com>"
    fake_google.gmail_as_it_is()
    replaced = users.messages().send(userId="me", body=mine).execute()
    created = users.drafts().create(userId="me", body={"message": mine}).execute()
    assert fake_google.message(created["message"]["id"]).header("Message-ID") == (
        "<mine@example.com>"  # a draft keeps what the client wrote until the composer saves it
    )
    via_draft = users.drafts().send(userId="me", body={"id": created["id"]}).execute()
    for sent in (replaced, via_draft):
        message = fake_google.message(sent["id"])
        assert message.header("Message-ID").endswith("@mail.gmail.com>")
        assert b"mine@example.com" not in message.raw
