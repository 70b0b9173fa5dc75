"""The Google fault suite: every fault the fake can make, and what the rep gets from it.

Data assertions go through GoogleProvider (waits recorded, not slept); what the rep reads,
and revoked tokens, through `nurture sync` in tests/cli/test_google_faults_cli.py.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app import book
from agent.errors import UserError
from agent.model import Address, OutgoingMail
from agent.providers.base import Pull
from agent.providers.google.batches import MAX_ATTEMPTS
from agent.providers.google.failures import GoogleUnavailable
from agent.providers.mail.draft_match import made_from
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.fakegoogle import FakeGoogle
from tests.kits.googleworld import google_config, google_provider

MAIL = 60  # two batches of messages.get (50 + 10)
RATE_LIMITS = [(429, None), (403, "rateLimitExceeded"), (403, "userRateLimitExceeded")]


class World:
    """A provider on the fake with a store, the way `nurture sync` uses them."""

    def __init__(self, fake: FakeGoogle, timeout: float = 10.0) -> None:
        self.fake = fake
        self.config = google_config(fake)
        self.store = Store(Path("x"), {})
        self.sleeps: list[float] = []
        self.provider = google_provider(fake, self.config, sleeps=self.sleeps, timeout=timeout)

    def sync(self) -> book.SyncReport:
        return book.sync(self.config, self.store, self.provider, NOW)

    def pull(self) -> Pull:
        cursor = self.store.get_meta("cursor:google", {})
        return self.provider.pull(cursor, book.interest_for(self.config, NOW))

    def saved(self) -> tuple[Any, list[str], list[str]]:
        """(cursor, message ids, meeting uids) as stored."""
        messages = sorted(m.provider_id for m in self.store.messages())
        meetings = sorted(m.uid for m in self.store.meetings())
        return self.store.get_meta("cursor:google"), messages, meetings


@pytest.fixture
def fake(fake_google: FakeGoogle) -> FakeGoogle:
    fake_google.now = NOW
    for n in range(MAIL):
        fake_google.add_message(from_=f"c{n}@acme.com", date=NOW - timedelta(hours=n + 1))
    fake_google.add_message(from_="ann@acme.com", date=NOW - timedelta(days=400))  # too old
    start = NOW - timedelta(days=2)
    fake_google.add_event(
        {
            "summary": "Acme review",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
            "attendees": [{"email": "ann@acme.com"}],
        }
    )
    return fake_google


def complete(pull: Pull, fake: FakeGoogle) -> None:
    """Every message of the window exactly once, the meeting, and every fault was met."""
    ids = [m.provider_id for m in pull.messages]
    assert len(ids) == len(set(ids)) == MAIL
    assert len(pull.meetings) == 1 and fake.pending_faults == 0


# --- 429 storms and rate-limit 403s ----------------------------------------------------


@pytest.mark.parametrize(("status", "reason"), RATE_LIMITS)
@pytest.mark.parametrize("retry_after", [None, 3])
def test_a_rate_limit_storm_in_batches_is_ridden_out_more_slowly(
    fake: FakeGoogle,
    caplog: pytest.LogCaptureFixture,
    status: int,
    reason: str | None,
    retry_after: int | None,
) -> None:
    # Each of the 60 parts is refused twice: 120 refusals, batch after batch.
    refused: Counter[str] = Counter()

    def twice(call: Any) -> bool:
        if not call.method_id.endswith("messages.get") or refused[call.path] == 2:
            return False
        refused[call.path] += 1
        return True

    fake.inject(status, count=2 * MAIL, match=twice, reason=reason, retry_after=retry_after)
    world = World(fake)
    with caplog.at_level(logging.INFO, logger="agent.providers.google"):
        complete(world.pull(), fake)
    assert fake.count("messages.get") == 3 * MAIL
    assert "one batch at a time" in caplog.text  # pacing slowed: no more two in flight
    assert len(world.sleeps) >= 2 and max(world.sleeps) >= 0.5  # backed off, and longer
    if retry_after:
        assert min(world.sleeps) >= retry_after


@pytest.mark.parametrize(("status", "reason"), RATE_LIMITS)
@pytest.mark.parametrize("retry_after", [None, 7])
def test_a_rate_limit_storm_on_a_single_call_is_ridden_out(
    fake: FakeGoogle, status: int, reason: str | None, retry_after: int | None
) -> None:
    refusals = MAX_ATTEMPTS - 1  # the most one call may meet and still succeed
    fake.inject(status, count=refusals, match="getProfile", reason=reason, retry_after=retry_after)
    world = World(fake)
    complete(world.pull(), fake)
    assert fake.count("getProfile") == MAX_ATTEMPTS and len(world.sleeps) == refusals
    if retry_after:
        assert min(world.sleeps) >= retry_after  # as long as asked, never sooner
    else:
        assert world.sleeps == sorted(world.sleeps) and world.sleeps[-1] >= 4  # exponential


# --- longer than the retry budget: a clear error, nothing saved, the next run catches up --


def _only(method: str, message_id: str) -> Any:
    return lambda call: call.method_id.endswith(method) and message_id in call.path


@pytest.mark.parametrize(
    ("fault", "match", "first"),
    [
        (429, "history.list", False),
        (503, "history.list", False),
        (500, "events.list", False),
        (429, "messages.get", True),
        (503, "messages.get", True),
        ("cut", "history.list", False),
        ("truncate", "messages.get", True),
        ("cut", "messages.get", True),
        ("slow", "history.list", False),
    ],
)
def test_a_fault_outlasting_the_retries_saves_nothing_and_the_next_sync_catches_up(
    fake: FakeGoogle, fault: int | str, match: str, first: bool
) -> None:
    world = World(fake, timeout=0.2)
    if not first:
        world.sync()
        fake.add_message(from_="late@acme.com", date=NOW - timedelta(minutes=5))
    before = world.saved()
    fake.inject(fault, count=10_000, match=match, seconds=0.3)
    with pytest.raises(GoogleUnavailable, match="run the command again"):
        world.sync()
    assert world.saved() == before  # the cursor did not move, nothing was half-saved
    fake.clear_faults()
    world.sync()
    assert len(world.store.messages()) == MAIL + (0 if first else 1)


def test_one_part_failing_for_good_keeps_the_parts_that_worked_out_of_the_store(
    fake: FakeGoogle,
) -> None:
    world = World(fake)
    victim = fake.messages()[-2].id  # one message of the second batch
    fake.inject(503, count=10_000, match=_only("messages.get", victim))
    with pytest.raises(GoogleUnavailable, match=f"after {MAX_ATTEMPTS} tries"):
        world.sync()
    assert world.saved() == (None, [], [])
    assert fake.count("messages.get") == MAIL - 1 + MAX_ATTEMPTS


# --- 5xx, timeouts, lost and cut answers that pass ---------------------------------------


@pytest.mark.parametrize(
    ("fault", "match"),
    [
        (fault, match)
        for fault in (500, 503, "drop", "truncate", "cut", "slow")
        for match in ("getProfile", "events.list", "messages.get", "batch")
        if not (match == "batch" and isinstance(fault, int))  # see the next test
    ],
)
def test_a_passing_fault_is_retried_and_the_sync_is_complete(
    fake: FakeGoogle, fault: int | str, match: str
) -> None:
    # Twice in a row; "batch" is the envelope, a part ("messages.get") loses it whole.
    fake.inject(fault, count=2, match=match, seconds=0.3)
    world = World(fake, timeout=0.2)
    complete(world.pull(), fake)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_the_batch_envelope_failing_is_sent_again(fake: FakeGoogle, status: int) -> None:
    fake.inject(status, count=2, match="batch")
    complete(World(fake).pull(), fake)


# --- creates are not duplicated by a retry -----------------------------------------------


def draft() -> OutgoingMail:
    return OutgoingMail(
        to=(Address("ann@acme.com"),),
        subject="Hi",
        text="Hi Ann",
        key="draft-1",
        rfc822_id="1.2.3@example.com",
    )


@pytest.mark.parametrize(
    "fault",
    [
        {"fault": "slow", "after": True, "seconds": 0.4},  # created; the answer came too late
        {"fault": "drop", "after": True},  # created; the connection died before the answer
        {"fault": "cut"},  # created; the answer was cut mid-JSON
        {"fault": "drop", "after": False},  # never reached Gmail
        {"fault": 503},
        {"fault": 429, "retry_after": 2},
    ],
)
def test_a_draft_is_created_exactly_once_whatever_happens_to_the_answer(
    fake: FakeGoogle, fault: dict[str, Any]
) -> None:
    world = World(fake, timeout=0.2)
    fake.inject(match="drafts.create", **fault)
    ref = world.provider.create_draft(draft())
    assert list(fake.drafts()) == [ref.id]
    # A run that died before recording it finds it among the drafts it does not track.
    found = made_from(world.provider.unclaimed(()), draft(), None)
    assert found is not None and found.id == ref.id


@pytest.mark.parametrize(
    "fault",
    [
        {"fault": "slow", "seconds": 0.4},  # Gmail acts after we gave up
        {"fault": "slow", "seconds": 0.4, "after": True},
        {"fault": "drop", "after": True},
        {"fault": "cut"},
        {"fault": 503, "count": 3},
    ],
)
def test_a_block_is_inserted_exactly_once_whatever_happens_to_the_answer(
    fake: FakeGoogle, fault: dict[str, Any]
) -> None:
    from tests.providers.test_google_calendar import block

    world = World(fake, timeout=0.2)
    fake.inject(match="events.insert", **fault)
    day = NOW.date() + timedelta(days=3)
    world.provider.put_block(block(day))
    ours = [e for e in fake.events(cancelled=False) if e["id"].startswith("nurture")]
    assert [e["id"] for e in ours] == [f"nurture{day:%Y%m%d}"]
    assert ours[0]["summary"] == "NURTURE DREAM CLIENTS"


@pytest.mark.parametrize("fault", [None, {"fault": "drop", "after": True}, {"fault": 503}])
def test_a_block_is_deleted_once_and_a_repeat_after_a_lost_answer_is_harmless(
    fake: FakeGoogle, fault: dict[str, Any] | None
) -> None:
    from tests.providers.test_google_calendar import block

    world = World(fake)
    day = NOW.date() + timedelta(days=3)
    world.provider.put_block(block(day))
    if fault:
        fake.inject(match="events.delete", **fault)
    world.provider.delete_block(f"nurture{day:%Y%m%d}")
    assert fake.count("events.delete") == (1 if fault is None else 2)
    assert not [e for e in fake.events(cancelled=False) if e["id"].startswith("nurture")]


# --- history pruned (404) and sync token expired (410) -----------------------------------


def test_pruned_history_means_one_bounded_full_resync(fake: FakeGoogle) -> None:
    world = World(fake)
    world.sync()
    late = fake.add_message(from_="late@acme.com", date=NOW - timedelta(minutes=5))
    fake.add_message(from_="old@acme.com", date=NOW - timedelta(days=500))  # outside the window
    fake.prune_history()
    fake.reset_counters()
    pull = world.pull()
    assert [c.status for c in fake.calls if c.method_id.endswith("history.list")] == [404]
    ids = [m.provider_id for m in pull.messages]
    assert len(ids) == len(set(ids)) == MAIL + 1 and late in ids
    assert fake.count("messages.get") == MAIL + 1  # the window once; nothing older
    assert fake.count("getProfile") == 1 and fake.count("messages.list") == 1
    world.sync()
    assert len(world.store.messages()) == MAIL + 1  # no duplicates in the store either


def test_an_expired_sync_token_relists_the_calendar_and_forgets_cancelled_events(
    fake: FakeGoogle,
) -> None:
    world = World(fake)
    world.sync()
    [meeting] = world.store.meetings()
    [kept] = fake.events()
    gone = fake.add_event({**_event_body(NOW - timedelta(days=1)), "summary": "Gone"})
    world.sync()
    assert len(world.store.meetings()) == 2
    fake.cancel_event(gone["id"])
    fake.add_event({**_event_body(NOW - timedelta(hours=5)), "summary": "New"})
    fake.expire_sync_tokens()
    fake.reset_counters()
    pull = world.pull()
    assert [c.status for c in fake.calls if c.api == "calendar"] == [410, 200]
    assert pull.reset_calendars == ("primary",)
    world.sync()
    titles = sorted(m.title for m in world.store.meetings())
    assert titles == ["Acme review", "New"] and meeting.uid == kept["iCalUID"]


def _event_body(start: Any) -> dict[str, Any]:
    end = start + timedelta(hours=1)
    return {"start": {"dateTime": start.isoformat()}, "end": {"dateTime": end.isoformat()}}


# --- permissions (tokens: tests/cli/test_google_faults_cli.py) --------------------------


@pytest.mark.parametrize("match", ["getProfile", "messages.get", "events.list"])
def test_missing_permission_is_not_retried_and_says_what_to_do(
    fake: FakeGoogle, match: str
) -> None:
    fake.inject(403, count=10_000, match=match, reason="insufficientPermissions")
    world = World(fake)
    with pytest.raises(UserError, match="nurture auth") as caught:
        world.sync()
    assert not isinstance(caught.value, GoogleUnavailable) and world.sleeps == []
    assert "insufficientPermissions" in str(caught.value)
    assert world.saved() == (None, [], [])


@pytest.mark.parametrize(
    ("reason", "match", "says", "fix"),
    [
        ("insufficientPermissions", "messages.get", "View your email messages", "tick every box"),
        ("insufficientPermissions", "events.list", "View and edit events", "tick every box"),
        ("domainPolicy", "getProfile", "administrator", "API controls"),
        ("dailyLimitExceeded", "messages.get", "daily limit", "tomorrow"),
        ("quotaExceeded", "events.list", "daily limit", "tomorrow"),
        ("requiredAccessLevel", "events.list", "may not do that with that calendar", "calendars"),
        ("accessNotConfigured", "getProfile", "not enabled", "Google Cloud console"),
        ("somethingNew", "getProfile", "somethingNew", "nurture doctor"),
    ],
)
def test_each_refusal_says_its_own_fix(
    fake: FakeGoogle, reason: str, match: str, says: str, fix: str
) -> None:
    fake.inject(403, count=10_000, match=match, reason=reason)
    world = World(fake)
    with pytest.raises(UserError) as caught:
        world.sync()
    assert says in caught.value.message and fix in caught.value.hint
    assert not isinstance(caught.value, GoogleUnavailable) and world.sleeps == []
    if reason != "insufficientPermissions":
        assert "Testing" not in str(caught.value)  # not the one hint for every 403
