"""Drafts and the digest through Gmail: idempotent by marker, and nothing sent unasked."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from agent.errors import UserError
from agent.model import MARKER_HEADER, Address, OutgoingMail
from agent.providers.google.provider import GoogleProvider
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

ME = "rep@example.com"
ANN = Address("ann@acme.com", "Ann Lee")


@pytest.fixture
def provider(fake_google: FakeGoogle) -> GoogleProvider:
    fake_google.now = NOW
    return google_provider(fake_google, google_config(fake_google))


def draft(marker: str = "share:acme:ann:2026-11-20", **kw: str) -> OutgoingMail:
    return OutgoingMail(
        to=(ANN,),
        subject="An article for you",
        text="Hi Ann,\nthis made me think of you.",
        html="<p>Hi Ann,</p><p>this made me think of you.</p>",
        marker=marker,
        **kw,
    )


def test_a_draft_is_text_and_html_with_the_marker(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    ref = provider.create_draft(draft())
    [(draft_id, stored)] = fake_google.drafts().items()
    assert ref.id == draft_id and ref.message_id == stored.id and ref.marker
    assert ref.link.endswith(stored.id)
    message = message_from_bytes(stored.raw, policy=policy.default)
    assert message[MARKER_HEADER] == "share:acme:ann:2026-11-20"
    assert [p.get_content_type() for p in message.walk()][1:] == ["text/plain", "text/html"]
    assert message["To"] == "Ann Lee <ann@acme.com>"


def test_a_reply_draft_joins_the_thread(provider: GoogleProvider, fake_google: FakeGoogle) -> None:
    first = fake_google.add_message(from_="ann@acme.com", message_id="<q1@acme.com>", date=NOW)
    ref = provider.create_draft(draft(thread=first, in_reply_to="q1@acme.com"))
    assert fake_google.message(ref.message_id).thread_id == first
    assert fake_google.message(ref.message_id).header("In-Reply-To") == "<q1@acme.com>"


def test_creating_the_same_draft_twice_makes_one(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    first = provider.create_draft(draft())
    again = provider.create_draft(draft())
    assert again == first and len(fake_google.drafts()) == 1
    # A fresh process (no cache) finds it too, by reading the marker back from Gmail.
    fresh = google_provider(fake_google, google_config(fake_google))
    assert fresh.create_draft(draft()) == first and len(fake_google.drafts()) == 1


def test_a_create_whose_answer_was_lost_is_not_repeated(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    fake_google.inject("drop", match="drafts.create", after=True)  # created, answer lost
    ref = provider.create_draft(draft())
    assert len(fake_google.drafts()) == 1 and ref.id in fake_google.drafts()


def test_a_create_that_did_not_happen_is_tried_again(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    fake_google.inject(503, match="drafts.create")
    ref = provider.create_draft(draft())
    assert list(fake_google.drafts()) == [ref.id] and fake_google.count("drafts.create") == 2


def test_drafts_lists_only_ours_that_still_exist(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    kept = provider.create_draft(draft("a"))
    sent = provider.create_draft(draft("b"))
    deleted = provider.create_draft(draft("c"))
    gmail = fake_google.build("gmail").users()
    gmail.drafts().create(userId="me", body={"message": {"raw": "VG86IHhAeS56DQoNCmhp"}}).execute()
    gmail.drafts().delete(userId="me", id=deleted.id).execute()
    sent_id = provider.send_draft(sent.id)
    assert [d.marker for d in provider.drafts()] == ["a"]
    assert kept.id in {d.id for d in provider.drafts()}
    assert fake_google.sends[-1].id == sent_id and fake_google.sends[-1].method == "drafts.send"


def test_sending_a_vanished_draft_says_so(provider: GoogleProvider) -> None:
    with pytest.raises(UserError, match="no longer in Gmail"):
        provider.send_draft("r123")


def test_the_digest_goes_to_the_rep_once(provider: GoogleProvider, fake_google: FakeGoogle) -> None:
    digest = OutgoingMail(to=(Address(ME),), subject="Your week", text="3 touches", marker="d:w47")
    first = provider.send_to_self(digest)
    assert provider.send_to_self(digest) == first
    [sent] = fake_google.sends
    assert sent.to == (ME,) and sent.method == "messages.send"


@pytest.mark.parametrize("to", [(ANN,), (Address(ME), ANN), ()])
def test_send_to_self_refuses_anyone_else(
    provider: GoogleProvider, fake_google: FakeGoogle, to: tuple[Address, ...]
) -> None:
    with pytest.raises(UserError, match="only ever sends mail to you"):
        provider.send_to_self(OutgoingMail(to=to, subject="x", text="y"))
    assert fake_google.sends == [] and fake_google.count("messages.send") == 0
