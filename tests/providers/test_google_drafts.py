"""Drafts and the digest through Gmail: created once with nothing in them that names
nurture, tracked by draft id, and nothing sent unasked."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from agent.errors import UserError
from agent.model import Address, OutgoingMail
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


def draft(key: str = "draft-0123456789abcdef", **kw: str) -> OutgoingMail:
    return OutgoingMail(
        to=(ANN,),
        subject="An article for you",
        text="Hi Ann,\nthis made me think of you.",
        html="<p>Hi Ann,</p><p>this made me think of you.</p>",
        key=key,
        rfc822_id=kw.pop("rfc822_id", "1763625600.4242.987654321@example.com"),
        **kw,
    )


def test_a_draft_is_text_and_html_with_nothing_that_names_nurture(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    ref = provider.create_draft(draft())
    [(draft_id, stored)] = fake_google.drafts().items()
    assert ref.id == draft_id and ref.message_id == stored.id
    assert ref.thread == stored.thread_id
    assert ref.link == f"https://mail.google.com/mail/u/{ME}/#drafts?compose={stored.id}"
    message = message_from_bytes(stored.raw, policy=policy.default)
    assert [p.get_content_type() for p in message.walk()][1:] == ["text/plain", "text/html"]
    assert message["To"] == "Ann Lee <ann@acme.com>"
    assert message["Message-ID"] == "<1763625600.4242.987654321@example.com>"
    head = stored.raw.split(b"\r\n\r\n", 1)[0].lower()
    assert b"x-" not in head and b"nurture" not in head and b"0123456789abcdef" not in head


def test_a_reply_draft_joins_the_thread(provider: GoogleProvider, fake_google: FakeGoogle) -> None:
    first = fake_google.add_message(from_="ann@acme.com", message_id="<q1@acme.com>", date=NOW)
    ref = provider.create_draft(draft(thread=first, in_reply_to="q1@acme.com"))
    assert fake_google.message(ref.message_id).thread_id == first
    assert fake_google.message(ref.message_id).header("In-Reply-To") == "<q1@acme.com>"


def test_the_rep_name_is_on_the_from_line_of_drafts_and_the_digest(fake_google: FakeGoogle) -> None:
    fake_google.now = NOW
    config = google_config(fake_google, drafts={"sender_name": "Riley Quinn"})
    provider = google_provider(fake_google, config)
    ref = provider.create_draft(draft())
    assert fake_google.drafts()[ref.id].header("From") == f"Riley Quinn <{ME}>"
    provider.send_draft(ref.id)  # approved
    provider.send_to_self(OutgoingMail(to=(Address(ME),), subject="Your week", text="3"))
    assert [s.sender for s in fake_google.sends] == [f"Riley Quinn <{ME}>"] * 2


def test_a_create_whose_answer_was_lost_is_not_repeated(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    fake_google.inject("drop", match="drafts.create", after=True)  # created, answer lost
    ref = provider.create_draft(draft())
    assert len(fake_google.drafts()) == 1 and ref.id in fake_google.drafts()


def test_after_a_lost_answer_a_draft_nurture_tracks_is_never_taken(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    """The lookup after a lost answer only considers drafts nurture does not track: an
    earlier draft to the same person with the same subject is not this one."""
    earlier = provider.create_draft(draft(rfc822_id="earlier@example.com"))
    fake_google.inject(503, match="drafts.create")  # not created
    ref = provider.create_draft(draft(), {earlier.id}, NOW - timedelta(minutes=1))
    assert ref.id != earlier.id and len(fake_google.drafts()) == 2


def test_after_a_lost_answer_a_draft_the_rep_opened_is_found_by_what_it_says(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    """An earlier try wrote the draft and the rep opened it before nurture looked (the
    composer replaced its Message-ID): the same recipient and subject, written since it
    was recorded, identify it."""
    first = provider.create_draft(draft())
    fake_google.composer.open(first.id)
    found = provider.mailbox.unclaimed(())
    assert [d.id for d in found] == [first.id] and found[0].rfc822_id.endswith("mail.gmail.com")
    fake_google.inject(503, match="drafts.create")  # this try is refused: look, then stop
    ref = provider.create_draft(draft(), (), NOW - timedelta(minutes=1))
    assert ref.id == first.id and len(fake_google.drafts()) == 1


def test_a_create_that_did_not_happen_is_tried_again(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    fake_google.inject(503, match="drafts.create")
    ref = provider.create_draft(draft())
    assert list(fake_google.drafts()) == [ref.id] and fake_google.count("drafts.create") == 2


def test_drafts_lists_every_draft_that_still_exists_and_reads_no_message(
    provider: GoogleProvider, fake_google: FakeGoogle
) -> None:
    kept = provider.create_draft(draft("a", rfc822_id="a@example.com"))
    sent = provider.create_draft(draft("b", rfc822_id="b@example.com"))
    deleted = provider.create_draft(draft("c", rfc822_id="c@example.com"))
    gmail = fake_google.build("gmail").users()
    own = gmail.drafts().create(userId="me", body={"message": {"raw": "VG86IHhAeS56DQoNCmhp"}})
    theirs = own.execute()  # the rep's own draft
    gmail.drafts().delete(userId="me", id=deleted.id).execute()
    sent_id = provider.send_draft(sent.id)
    fake_google.reset_counters()
    assert {d.id for d in provider.drafts()} == {kept.id, theirs["id"]}
    assert fake_google.requests == [("gmail", "gmail.users.drafts.list")]
    assert [d.id for d in provider.mailbox.unclaimed({kept.id})] == [theirs["id"]]
    assert fake_google.sends[-1].id == sent_id and fake_google.sends[-1].method == "drafts.send"


def test_sending_a_vanished_draft_says_so(provider: GoogleProvider) -> None:
    with pytest.raises(UserError, match="no longer in Gmail"):
        provider.send_draft("r123")


def test_the_digest_goes_to_the_rep_once(provider: GoogleProvider, fake_google: FakeGoogle) -> None:
    digest = OutgoingMail(
        to=(Address(ME),), subject="Your week", text="3 touches", rfc822_id="d-w47@example.com"
    )
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
