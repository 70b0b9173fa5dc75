"""The Google client plumbing: endpoints, pacing under the quota, retries and faults."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httplib2
import pytest
from googleapiclient.errors import HttpError

from agent.app import book
from agent.errors import UserError
from agent.providers.google.batches import MAX_ATTEMPTS
from agent.providers.google.calls import Calls
from agent.providers.google.client import build_apis, make_http
from agent.providers.google.failures import GoogleUnavailable, retry_after
from agent.providers.google.pacing import Pacer
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    for n in range(60):
        fake_google.add_message(from_=f"c{n}@acme.com", date=NOW - timedelta(hours=n + 1))
    return fake_google


def sync(fake: FakeGoogle, sleeps: list[float] | None = None, **kw: object) -> Store:
    config = google_config(fake)
    store = Store(Path("x"), {})
    provider = google_provider(fake, config, sleeps=sleeps, **kw)  # type: ignore[arg-type]
    book.sync(config, store, provider, NOW)
    return store


# --- endpoints ------------------------------------------------------------------------


def test_an_endpoint_gets_googles_own_paths() -> None:
    gmail, calendar = build_apis("http://127.0.0.1:9/", make_http, gmail_units_per_minute=15000)
    request = gmail.service.users().messages().list(userId="me")
    assert request.uri.startswith("http://127.0.0.1:9/gmail/v1/users/me/messages")
    assert (
        calendar.service.events()
        .list(calendarId="primary")
        .uri.startswith("http://127.0.0.1:9/calendar/v3/calendars/primary/events")
    )
    assert gmail.batch_uri == "http://127.0.0.1:9/batch/gmail/v1"
    assert calendar.batch_uri == "http://127.0.0.1:9/batch/calendar/v3"


def test_without_an_endpoint_the_client_talks_to_google() -> None:
    gmail, calendar = build_apis(None, make_http, gmail_units_per_minute=15000)
    assert (
        gmail.service.users()
        .getProfile(userId="me")
        .uri.startswith("https://gmail.googleapis.com/gmail/v1/users/me/profile")
    )
    assert gmail.batch_uri == "https://gmail.googleapis.com/batch/gmail/v1"
    assert calendar.batch_uri == "https://www.googleapis.com/batch/calendar/v3"


def test_a_bad_endpoint_is_a_config_problem() -> None:
    with pytest.raises(UserError, match=r"google\.endpoint"):
        build_apis("ftp://files.example/", make_http, gmail_units_per_minute=15000)


# --- pacing ---------------------------------------------------------------------------


def test_the_pacer_never_spends_more_than_its_budget_in_a_minute() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    pacer = Pacer(1000, clock=lambda: now[0], sleep=sleep)
    spent: list[tuple[float, int]] = []
    for _ in range(40):
        pacer.spend(250)
        spent.append((now[0], 250))
        now[0] += 0.5
    for at, _ in spent:
        assert sum(u for t, u in spent if at - 60 < t <= at) <= 900
    assert sleeps and now[0] > 600  # 10,000 units at 900 a minute take ten minutes


def test_pacing_keeps_a_sync_clear_of_429s() -> None:
    # A "minute" of one second: 300 units a second, against a sync of about 320 units.
    with FakeGoogle(now=NOW, quota_per_minute=300) as fake:
        fake.quota_window = 1.0
        for n in range(60):
            fake.add_message(from_=f"c{n}@acme.com", date=NOW - timedelta(hours=n + 1))
        config = google_config(
            fake, google={"endpoint": fake.base_url, "quota_units_per_minute": 300}
        )
        sleeps: list[float] = []
        provider = google_provider(fake, config, sleeps=sleeps, window=1.0)
        book.sync(config, Store(Path("x"), {}), provider, NOW)
        assert fake.quota_rejections == 0 and fake.quota_units >= 306
        assert sum(sleeps) > 0.5  # it had to wait for the window to move
        fake.assert_no_violations()


# --- retries and faults ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (429, None),
        (403, "rateLimitExceeded"),
        (403, "userRateLimitExceeded"),
        (500, None),
        (503, None),
    ],
)
def test_failed_batch_parts_are_sent_again(
    fake: FakeGoogle, status: int, reason: str | None
) -> None:
    fake.inject(status, count=7, match="messages.get", reason=reason)
    sleeps: list[float] = []
    store = sync(fake, sleeps)
    assert len(store.messages()) == 60
    assert fake.count("messages.get") == 67 and sleeps  # 7 parts twice, after a backoff


def test_a_retry_after_header_sets_the_wait() -> None:
    error = HttpError(httplib2.Response({"status": 429, "retry-after": "7"}), b"{}")
    assert retry_after(error) == 7.0
    dated = HttpError(httplib2.Response({"status": 503, "retry-after": "garbage"}), b"{}")
    assert retry_after(dated) == 0.0


@pytest.mark.parametrize("fault", ["drop", "truncate"])
def test_a_lost_batch_is_sent_again(fake: FakeGoogle, fault: str) -> None:
    fake.inject(fault, match="batch")
    store = sync(fake)
    assert len(store.messages()) == 60 and fake.pending_faults == 0


def test_a_slow_answer_times_out_and_is_asked_again(fake: FakeGoogle) -> None:
    fake.inject("slow", seconds=1.5, match="messages.list")
    store = sync(fake, timeout=0.5)
    assert len(store.messages()) == 60 and fake.count("messages.list") == 2


@pytest.mark.parametrize("fault", [500, "drop", "truncate"])
def test_single_reads_are_retried(fake: FakeGoogle, fault: int | str) -> None:
    fake.inject(fault, match="getProfile")
    store = sync(fake)
    assert len(store.messages()) == 60 and fake.count("getProfile") == 2


def test_google_failing_for_good_ends_in_a_sentence(fake: FakeGoogle) -> None:
    fake.inject(500, count=1000, match="messages.get")
    with pytest.raises(GoogleUnavailable, match="kept failing") as caught:
        sync(fake)
    assert "run the command again" in str(caught.value)
    # Batches keep failing until one part has had all its tries; then it stops asking.
    assert MAX_ATTEMPTS <= fake.count("messages.get") <= 60 * MAX_ATTEMPTS


def test_missing_permission_says_to_authorize_again(fake: FakeGoogle) -> None:
    fake.inject(403, match="getProfile", reason="insufficientPermissions")
    with pytest.raises(UserError, match="nurture auth"):
        sync(fake)


def test_writes_are_tried_once(fake: FakeGoogle) -> None:
    gmail, _ = build_apis(fake.base_url, make_http, gmail_units_per_minute=15000)
    fake.inject(503, match="messages.send")
    request = gmail.service.users().messages().send(userId="me", body={"raw": "eA"})
    with pytest.raises(GoogleUnavailable):
        Calls(sleep=lambda s: None).once(gmail, request, "messages.send")
    assert fake.count("messages.send") == 1 and fake.sends == []
