"""Issue 20: a person's name comes from what the mail says, never from a guessed local part."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.core.names import best_name, clean_name, name_from_local_part
from agent.providers.mail.parse import message_from_bytes


def test_a_local_part_is_a_name_only_when_it_clearly_is_one() -> None:
    assert name_from_local_part("melissa.jones@txu.com") == "Melissa Jones"
    assert name_from_local_part("daren.j.farmer@enron.com") == "Daren J Farmer"
    assert name_from_local_part("omar_haddad@x.org") == "Omar Haddad"
    for local in ("mjones7", "hherzog", "jsmith", "j.smith", "sales", "cstone1", "a.b.c.d"):
        assert name_from_local_part(f"{local}@x.com") == "", local


def test_display_names_are_cleaned_and_turned_round() -> None:
    assert clean_name('"Jones, Melissa"', "mjones7@txu.com") == "Melissa Jones"
    assert clean_name("mjones7", "mjones7@txu.com") == ""
    assert clean_name("mjones7@txu.com", "mjones7@txu.com") == ""
    assert clean_name("</O=ENRON/OU=NA/CN=RECIPIENTS/CN=MJONES>", "m@x.com") == ""
    assert clean_name("  Hans  Herzog ", "hherzog@x.com") == "Hans Herzog"
    assert clean_name("- *Herzog, Hans", "hherzog@x.com") == "Hans Herzog"
    assert clean_name("O'Brien, Pat", "pob@x.com") == "Pat O'Brien"
    assert clean_name("Betonte, Robert - TP2RSB", "rb@x.com") == "Robert Betonte"


def test_the_config_wins_then_the_newest_name_seen_then_nothing() -> None:
    assert best_name("hherzog@x.com", "Hans Herzog", ["H. H."]) == "Hans Herzog"
    assert best_name("hherzog@x.com", "", ["hherzog", "Hans Herzog"]) == "Hans Herzog"
    assert best_name("hherzog@x.com") == ""


def test_exchange_exports_give_names_in_x_headers() -> None:
    raw = (
        b"Message-ID: <1@x>\r\nDate: Thu, 13 Jul 2000 03:25:00 -0700\r\n"
        b"From: mjones7@txu.com\r\nTo: cstone1@txu.com, rep@enron.com\r\n"
        b'X-From: "Melissa Jones" <mjones7@txu.com>\r\n'
        b'X-To: "Charlie Stone" <cstone1@txu.com>, rep@enron.com\r\n'
        b"Subject: actuals\r\n\r\nbody\r\n"
    )
    message = message_from_bytes(raw)
    assert message.sender is not None and message.sender.name == "Melissa Jones"
    assert [(a.email, a.name) for a in message.to] == [
        ("cstone1@txu.com", "Charlie Stone"),
        ("rep@enron.com", ""),
    ]
    assert message.sent_at == datetime(2000, 7, 13, 10, 25, tzinfo=UTC)


def test_people_named_without_a_touch_are_seen_newest_name_kept() -> None:
    from agent.core.seen import seen_people
    from agent.model import Attendee, Meeting

    invite = Meeting(
        uid="m1",
        start=datetime(2026, 3, 2, 15, tzinfo=UTC),
        end=datetime(2026, 3, 2, 16, tzinfo=UTC),
        attendees=(Attendee("nlane@never.com", "Nora Lane"), Attendee("rep@seller.com")),
    )
    account_of = {"nlane@never.com": "Never", "bo@never.com": "Never"}.get
    found = seen_people(account_of, [], [invite], touched={"bo@never.com"})
    assert [(s.kind, s.account, s.contact, s.detail) for s in found] == [
        ("seen", "Never", "nlane@never.com", "Nora Lane")
    ]


def test_a_signature_names_the_sender_when_the_address_agrees() -> None:
    from agent.providers.mail.signature import name_from_signature

    body = "Numbers attached.\n\nThanks,\nMelissa Jones\nTXU Energy Trading\n"
    assert name_from_signature(body, "mjones7@txu.com") == "Melissa Jones"
    assert name_from_signature(body, "cstone1@txu.com") == "", "not her address"
    quoted = "Sure.\n\n-----Original Message-----\nFrom: x\n\nBest,\nMelissa Jones\n"
    assert name_from_signature(quoted, "mjones7@txu.com") == "", "a quoted signature"
    raw = (
        b"Message-ID: <s@x>\r\nDate: Thu, 13 Jul 2000 03:25:00 -0700\r\n"
        b"From: mjones7@txu.com\r\nTo: rep@enron.com\r\nSubject: numbers\r\n\r\n" + body.encode()
    )
    sender = message_from_bytes(raw).sender
    assert sender is not None and sender.name == "Melissa Jones"


def test_a_plain_name_skips_the_cleaning_and_ends_where_the_cleaning_would(monkeypatch) -> None:
    import re

    from agent.core import names

    raws = [
        "Kim Lee",
        "kim",
        "Kim",
        "J. R. R. Tolkien",
        "Kim Lee.",
        "O'Brien",
        "O'Brien'",
        "Anne - SMITH",
        "Betonte, Robert - TP2RSB",
        "Jones, Melissa",
        " Kim  Lee ",
        '"Kim Lee"',
        "kim.lee",
        "KIM",
        "Kim Lee)",
        "- *Herzog, Hans",
        "José Álvarez",
        "a",
        "Kim  Lee",
    ]
    emails = ["kim@acme.com", "kim.lee@acme.com", "", "o'brien@x.org"]
    fast = {(r, e): clean_name(r, e) for r in raws for e in emails}
    monkeypatch.setattr(names, "_PLAIN", re.compile(r"(?!)"))  # never plain: every step runs
    assert {(r, e): clean_name(r, e) for r in raws for e in emails} == fast
    assert fast[("Kim Lee", "kim@acme.com")] == "Kim Lee" and fast[("KIM", "kim@acme.com")] == ""
