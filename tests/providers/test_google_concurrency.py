"""Gmail's per-user concurrency limit: too many calls at once (batch parts count) get 429
"Too many concurrent requests for user". Small batches, halved on a 429, and rate-limit
answers never use up a call's tries."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app import book
from agent.providers.google.batches import BATCH_SIZE, MAX_ATTEMPTS
from agent.providers.google.failures import GoogleUnavailable
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.fakegoogle.concurrency import REALISTIC_LIMIT
from tests.kits.googleworld import google_config, google_provider

MAIL = 120


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    for n in range(MAIL):
        fake_google.add_message(from_=f"c{n}@acme.com", date=NOW - timedelta(hours=n + 1))
    return fake_google


def refusals(fake: FakeGoogle) -> list[Any]:
    return [c for c in fake.calls if c.status == 429]


def sync(fake: FakeGoogle, sleeps: list[float] | None = None) -> Store:
    config = google_config(fake)
    store = Store(Path("x"), {})
    book.sync(config, store, google_provider(fake, config, sleeps=sleeps), NOW)
    return store


def test_the_fake_counts_every_part_of_the_batches_in_flight(fake: FakeGoogle) -> None:
    fake.concurrency.limit = REALISTIC_LIMIT
    fake.latency = 0.3  # both batches are on the server at once
    ids = [m.id for m in fake.messages()][:100]
    answers: list[tuple[int, str]] = []

    def batch(chunk: list[str]) -> None:
        gmail = fake.build("gmail")  # a transport per thread: httplib2 is not thread-safe

        def answer(rid: str, response: Any, error: Any) -> None:
            if error is not None:
                body = json.loads(error.content)["error"]
                answers.append((error.resp.status, body["message"]))
            else:
                answers.append((200, ""))

        request = gmail.new_batch_http_request(callback=answer)
        for mid in chunk:
            request.add(gmail.users().messages().get(userId="me", id=mid, format="minimal"))
        request.execute()

    threads = [threading.Thread(target=batch, args=(ids[n : n + 50],)) for n in (0, 50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [a for a in answers if a[0] == 429]
    assert refused and all(m == "Too many concurrent requests for user" for _, m in refused)
    assert len(answers) - len(refused) == REALISTIC_LIMIT and fake.concurrency.active == 0
    fake.latency = 0
    fake.reset_counters()
    batch(ids[:50])  # one batch of 50 alone fits
    assert not refusals(fake)


def test_a_first_sync_stays_under_the_concurrency_limit(fake: FakeGoogle) -> None:
    fake.make_realistic()
    fake.latency = 0.05  # two batches overlap on the server, as on Google
    store = sync(fake)
    assert len(store.messages()) == MAIL
    assert refusals(fake) == [] and fake.concurrency.peak <= REALISTIC_LIMIT
    assert fake.count("messages.get") == MAIL


def test_a_429_halves_the_batch_size_until_the_batches_fit(
    fake: FakeGoogle, caplog: pytest.LogCaptureFixture
) -> None:
    # Another client of the mailbox (the phone) holds most of the slots: 4 are left.
    fake.concurrency.limit = 4
    sleeps: list[float] = []
    with caplog.at_level(logging.INFO, logger="agent.providers.google"):
        store = sync(fake, sleeps)
    assert len(store.messages()) == MAIL
    assert "batches of 12, one batch at a time" in caplog.text
    assert "batches of 3, one batch at a time" in caplog.text
    # Parts refused over and over in the first batches; none used up its tries.
    assert len(refusals(fake)) > MAX_ATTEMPTS
    assert fake.count("messages.get") == MAIL + len(refusals(fake))


def test_the_size_grows_back_once_the_429s_stop(
    fake: FakeGoogle, caplog: pytest.LogCaptureFixture
) -> None:
    fake.inject(429, count=BATCH_SIZE, match="messages.get")  # one crowded moment
    with caplog.at_level(logging.INFO, logger="agent.providers.google"):
        sync(fake)
    assert fake.count("messages.get") == MAIL + BATCH_SIZE
    assert "batches of 12" in caplog.text
    # Far fewer round trips than one-at-a-time batches of 12 would take.
    assert fake.round_trips <= 4 + (BATCH_SIZE + MAIL) // 12


def test_rate_limit_answers_do_not_use_up_a_calls_tries(fake: FakeGoogle) -> None:
    fake.inject(429, count=3 * MAX_ATTEMPTS, match="getProfile")
    sleeps: list[float] = []
    store = sync(fake, sleeps)
    assert len(store.messages()) == MAIL
    assert fake.count("getProfile") == 3 * MAX_ATTEMPTS + 1 and len(sleeps) >= 3 * MAX_ATTEMPTS


def test_rate_limit_answers_do_not_use_up_a_batch_parts_tries(fake: FakeGoogle) -> None:
    victim = fake.messages()[0].id
    fake.inject(
        429,
        count=3 * MAX_ATTEMPTS,
        match=lambda call: call.method_id.endswith("messages.get") and victim in call.path,
    )
    assert len(sync(fake).messages()) == MAIL


def test_a_rate_limit_that_never_ends_is_given_up_after_minutes_of_waiting(
    fake: FakeGoogle,
) -> None:
    from agent.providers.google.batches import RATE_LIMIT_PATIENCE

    fake.inject(429, count=100_000, match="getProfile")
    sleeps: list[float] = []
    with pytest.raises(GoogleUnavailable, match="slow down for 10 minutes"):
        sync(fake, sleeps)
    assert RATE_LIMIT_PATIENCE - 60 < sum(sleeps) <= RATE_LIMIT_PATIENCE


def test_a_5xx_still_uses_up_the_tries(fake: FakeGoogle) -> None:
    fake.inject(503, count=100_000, match="getProfile")
    with pytest.raises(GoogleUnavailable, match=f"{MAX_ATTEMPTS} tries"):
        sync(fake)
    assert fake.count("getProfile") == MAX_ATTEMPTS
