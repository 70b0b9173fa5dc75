"""Gmail sync against the fake: what is asked for, what it costs, and how it recovers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest

from agent.app import book
from agent.errors import UserError
from agent.providers.google.batches import BATCH_SIZE
from agent.providers.google.gmail import METADATA_HEADERS
from agent.providers.google.mailquery import MAX_QUERY_CHARS, domain_queries
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

ME = "rep@example.com"


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    return fake_google


def seed(fake: FakeGoogle) -> dict[str, str]:
    day = timedelta(days=1)
    return {
        "acme": fake.add_message(from_="Ann <ann@acme.com>", subject="Hi", date=NOW - 3 * day),
        "sent": fake.add_message(from_=ME, to="bob@globex.io", subject="Q", date=NOW - 2 * day),
        "cc": fake.add_message(from_="z@zeta.org", cc="carol@eu.acme.com", date=NOW - day),
        "evil": fake.add_message(from_="x@acme.com.evil.org", subject="Pay", date=NOW - day),
        "other": fake.add_message(from_="friend@other.org", subject="Dinner", date=NOW - day),
        "old": fake.add_message(from_="ann@acme.com", subject="Old", date=NOW - 400 * day),
    }


def gmail_calls(fake: FakeGoogle, method: str) -> list[Any]:
    return [c for c in fake.calls if c.method_id == f"gmail.users.{method}"]


def sync(fake: FakeGoogle, store: Store, **config: Any) -> book.SyncReport:
    settings = google_config(fake, **config)
    return book.sync(settings, store, google_provider(fake, settings), NOW)


def test_first_sync_fetches_only_headers_of_mail_with_the_accounts(fake: FakeGoogle) -> None:
    ids = seed(fake)
    store = Store(Path("x"), {})
    report = sync(fake, store)
    assert {m.provider_id for m in store.messages()} == {ids["acme"], ids["sent"], ids["cc"]}
    assert report.new_messages == 3
    [listing] = gmail_calls(fake, "messages.list")
    [q] = listing.query["q"]
    assert q.startswith("{from:acme.com to:acme.com cc:acme.com bcc:acme.com from:globex.io")
    assert f"after:{int((NOW - timedelta(days=366)).timestamp())}" in q
    assert q.endswith(" -in:drafts -in:chats")
    gets = gmail_calls(fake, "messages.get")
    assert all(c.in_batch and c.query["format"] == ["metadata"] for c in gets)
    assert gets[0].query["metadataHeaders"] == list(METADATA_HEADERS)
    # The look-alike domain is fetched (Gmail matches words) and dropped here; nothing else.
    assert {c.path.rpartition("/")[2] for c in gets} == {*ids.values()} - {ids["other"], ids["old"]}
    assert fake.count("getProfile") == 1


def test_messages_keep_gmail_thread_and_id(fake: FakeGoogle) -> None:
    first = fake.add_message(from_="ann@acme.com", message_id="<a1@acme.com>", date=NOW)
    reply = fake.add_message(from_=ME, to="ann@acme.com", in_reply_to="<a1@acme.com>", date=NOW)
    store = Store(Path("x"), {})
    sync(fake, store)
    threads = {m.provider_id: m.thread for m in store.messages()}
    assert threads == {first: first, reply: first}  # Gmail's threadId


def test_nothing_new_costs_one_gmail_and_one_calendar_request(fake: FakeGoogle) -> None:
    seed(fake)
    fake.add_calendar("team")
    store = Store(Path("x"), {})
    sync(fake, store, google={"endpoint": fake.base_url, "calendars": ["primary", "team"]})
    fake.reset_counters()
    sync(fake, store, google={"endpoint": fake.base_url, "calendars": ["primary", "team"]})
    assert sorted(fake.requests) == [
        ("calendar", "calendar.events.list"),
        ("calendar", "calendar.events.list"),
        ("gmail", "gmail.users.history.list"),
    ]
    assert fake.round_trips == 3 and fake.quota_units == 2


def test_later_syncs_fetch_only_added_mail(fake: FakeGoogle) -> None:
    seed(fake)
    store = Store(Path("x"), {})
    sync(fake, store)
    fake.reset_counters()
    new = fake.add_message(from_="ann@acme.com", subject="New", date=NOW)
    fake.add_message(from_="friend@other.org", subject="Noise", date=NOW)
    fake.add_message(from_=ME, to="ann@acme.com", labels=["DRAFT"], date=NOW)  # not mail yet
    report = sync(fake, store)
    assert report.new_messages == 1 and new in {m.provider_id for m in store.messages()}
    assert fake.count("messages.list") == 0 and fake.count("getProfile") == 0
    assert fake.count("messages.get") == 2  # the draft is skipped on its labels alone


def test_expired_history_falls_back_to_one_full_sync(fake: FakeGoogle) -> None:
    ids = seed(fake)
    store = Store(Path("x"), {})
    sync(fake, store)
    late = fake.add_message(from_="ann@acme.com", subject="While away", date=NOW)
    fake.prune_history()
    fake.reset_counters()
    sync(fake, store)
    assert fake.count("history.list") == 1 and fake.count("getProfile") == 1
    assert fake.count("messages.list") == 1
    assert {ids["acme"], late} <= {m.provider_id for m in store.messages()}
    fake.reset_counters()
    sync(fake, store)  # and the new history id works
    assert ("gmail", "gmail.users.history.list") in fake.requests and fake.round_trips == 2


def test_a_new_account_back_fills_only_its_domains(fake: FakeGoogle) -> None:
    seed(fake)
    eve = fake.add_message(from_="eve@initech.com", date=NOW - timedelta(days=30))
    store = Store(Path("x"), {})
    sync(fake, store)
    fake.reset_counters()
    accounts = [
        {"name": "Acme", "domains": ["acme.com", "labs.acme.com"]},  # covered by acme.com
        {"name": "Globex", "domains": ["globex.io"]},
        {"name": "Initech", "domains": ["initech.com"]},
    ]
    sync(fake, store, accounts=accounts)
    [listing] = gmail_calls(fake, "messages.list")
    assert listing.query["q"][0].startswith(
        "{from:initech.com to:initech.com cc:initech.com bcc:initech.com}"
    )
    assert eve in {m.provider_id for m in store.messages()}
    fake.reset_counters()
    sync(fake, store, accounts=accounts)
    assert fake.count("messages.list") == 0  # back-filled once


def test_hundreds_of_domains_are_split_into_short_searches(fake: FakeGoogle) -> None:
    domains = [f"account-{n:03d}.example-industries.com" for n in range(300)]
    queries = domain_queries(domains, NOW)
    assert len(queries) > 5 and all(len(quote_plus(q)) <= MAX_QUERY_CHARS for q in queries)
    found = [d for q in queries for d in domains if f"from:{d} " in q]
    assert sorted(found) == sorted(domains)  # each domain in exactly one search
    both = fake.add_message(from_=f"a@{domains[0]}", to=f"b@{domains[-1]}", date=NOW)
    accounts = [{"name": f"A{n}", "domains": [d]} for n, d in enumerate(domains)]
    store = Store(Path("x"), {})
    sync(fake, store, accounts=accounts)
    assert fake.count("messages.list") == len(queries)
    assert [c.path.rpartition("/")[2] for c in gmail_calls(fake, "messages.get")] == [both]


def test_progress_reports_the_back_fill(fake: FakeGoogle) -> None:
    for n in range(BATCH_SIZE + 7):
        fake.add_message(from_=f"p{n}@acme.com", date=NOW - timedelta(hours=n))
    seen: list[tuple[int, int | None]] = []
    settings = google_config(fake)
    provider = google_provider(fake, settings)
    provider.pull(
        {}, book.interest_for(settings, NOW), lambda done, total: seen.append((done, total))
    )
    assert (0, None) in seen
    assert seen[-1] == (BATCH_SIZE + 7, BATCH_SIZE + 7)
    # getProfile, sendAs.list, the searches' batch, two batches of gets, the calendar
    assert fake.count("messages.get") == BATCH_SIZE + 7 and fake.round_trips == 1 + 1 + 1 + 2 + 1


def test_a_failed_sync_moves_no_cursor(fake: FakeGoogle) -> None:
    seed(fake)
    store = Store(Path("x"), {})
    fake.inject(503, count=100, match="messages.get")
    with pytest.raises(UserError, match="run the command again"):
        sync(fake, store)
    assert store.messages() == [] and store.get_meta("cursor:google") is None
    fake.clear_faults()
    sync(fake, store)
    assert len(store.messages()) == 3


# --- mail a search does not show: rescued from Spam, Bcc'd, chats --------------------------


def test_mail_the_rep_takes_out_of_spam_is_read(fake: FakeGoogle) -> None:
    store = Store(Path("x"), {})
    caught = fake.add_message(from_="ann@acme.com", labels=["SPAM"], date=NOW - timedelta(days=2))
    sync(fake, store)
    assert store.messages() == []  # Gmail's search leaves Spam out
    fake.modify_labels(caught, add=["INBOX"], remove=["SPAM"])  # "Not spam"
    binned = fake.add_message(from_="bob@globex.io", date=NOW - timedelta(days=1))
    fake.modify_labels(binned, add=["TRASH"])
    sync(fake, store)
    fake.modify_labels(binned, remove=["TRASH"])  # taken back out of the bin
    sync(fake, store)
    assert {m.provider_id for m in store.messages()} == {caught, binned}


def test_mail_the_rep_sent_with_a_contact_in_bcc_is_read(fake: FakeGoogle) -> None:
    fake.make_realistic()  # `to:` does not look at Bcc
    sent = fake.add_message(
        from_=ME, to="colleague@example.com", bcc="Ann <ann@acme.com>", date=NOW - timedelta(days=1)
    )
    store = Store(Path("x"), {})
    settings = google_config(fake)
    book.sync(settings, store, google_provider(fake, settings), NOW)
    [message] = store.messages()
    assert message.provider_id == sent and [a.email for a in message.bcc] == ["ann@acme.com"]
    [touch] = book.detect_all(settings, store, NOW).touches
    assert touch.contact == "ann@acme.com" and touch.direction.value == "outbound"


def test_chats_are_not_mail(fake: FakeGoogle) -> None:
    store = Store(Path("x"), {})
    fake.add_message(from_="ann@acme.com", labels=["CHAT"], date=NOW - timedelta(days=2))
    sync(fake, store)
    fake.add_message(from_="ann@acme.com", labels=["CHAT"], date=NOW - timedelta(hours=1))
    sync(fake, store)
    assert store.messages() == []
    assert all("-in:chats" in c.query["q"][0] for c in gmail_calls(fake, "messages.list"))
