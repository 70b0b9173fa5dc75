"""One Mailbox contract, every provider: memory, local files and Gmail (the fake server).

What the use cases rely on: a draft once created is listed until it is sent or deleted,
a create repeated after a lost answer finds the first draft (its Message-ID, as
``draft_match`` looks for it among the unclaimed ones), an update gives it a new message id,
deleting twice is fine, sending takes the draft out of the list, and ``send_to_self``
mails the rep and nobody else.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.errors import UserError
from agent.model import Address, OutgoingMail
from agent.providers.base import Mailbox
from agent.providers.local.outbox import LocalOutbox
from agent.providers.memory import MemoryMailbox
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

ME = "rep@seller.com"


def mail(key: str = "k-1", to: str = "ann@acme.com", text: str = "Hello Ann.") -> OutgoingMail:
    return OutgoingMail(
        to=(Address(to, "Ann Lee"),),
        subject="A note",
        text=text,
        key=key,
        rfc822_id=f"{key}.4f2a9c@seller.com",
    )


@pytest.fixture(params=["memory", "local", "google"])
def mailbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mailbox]:
    if request.param == "memory":
        yield MemoryMailbox((ME,), now=lambda: NOW)
    elif request.param == "local":
        yield LocalOutbox(tmp_path / "outbox", [ME], "Rep", clock=lambda: NOW)
    else:
        with FakeGoogle(email=ME, now=NOW) as fake:
            yield google_provider(fake, google_config(fake)).mailbox


def test_a_create_repeated_after_a_lost_answer_leaves_one_draft(mailbox: Mailbox) -> None:
    mailbox.create_draft(mail(), since=NOW)
    again = mailbox.create_draft(mail(), claimed=(), since=NOW)
    assert [d.id for d in mailbox.drafts()] == [again.id]
    assert mailbox.unclaimed({again.id}) == []


def test_an_update_gives_the_draft_a_new_message_id(mailbox: Mailbox) -> None:
    draft = mailbox.create_draft(mail())
    updated = mailbox.update_draft(draft.id, mail(text="Hello again, Ann."))
    assert updated.id == draft.id and updated.message_id != draft.message_id
    assert [d.message_id for d in mailbox.drafts()] == [updated.message_id]


def test_deleting_a_draft_twice_is_fine(mailbox: Mailbox) -> None:
    draft = mailbox.create_draft(mail())
    mailbox.delete_draft(draft.id)
    mailbox.delete_draft(draft.id)
    assert mailbox.drafts() == []


def test_a_sent_draft_leaves_the_list_and_cannot_be_sent_twice(mailbox: Mailbox) -> None:
    keep = mailbox.create_draft(mail("k-2", "bob@acme.com"))
    draft = mailbox.create_draft(mail())
    assert mailbox.send_draft(draft.id)
    assert [d.id for d in mailbox.drafts()] == [keep.id]
    with pytest.raises(UserError):
        mailbox.send_draft(draft.id)


def test_send_to_self_goes_to_the_rep_only(mailbox: Mailbox) -> None:
    with pytest.raises(UserError, match="only ever sends mail to you"):
        mailbox.send_to_self(mail("digest-1"))
    assert mailbox.send_to_self(mail("digest-1", to=ME))
    assert mailbox.drafts() == []
