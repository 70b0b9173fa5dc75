"""The kept plan (``agent.app.derived.PLAN``): a kept plan is exactly the plan a fresh computation
gives, at any moment inside its horizon; outside it, or after any input changed, it is a
miss. And a cycle with nothing new really uses it (no account states are rolled up)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

import agent.core.accounts.state
from agent.app import book as book_state
from agent.app.derived import touch_candidates
from agent.config.schema import Config, load_config
from agent.core.briefs import PlanBrief, brief_of
from agent.core.outcomes import adapted
from agent.model.tables import DRAFTS
from agent.store.db import Store
from bench.book import REP, SIZES, scaled, write_book
from tests.app.test_perf_cache import nurture, spy
from tests.conftest import NOW

BOOK = scaled(SIZES["S"], 0.1)  # 5 accounts, 500 touches, 100 calendar events


@pytest.fixture
def book(tmp_path: Path) -> Path:
    write_book(tmp_path / "book", BOOK, NOW)
    nurture(tmp_path / "book", "sync")
    return tmp_path / "book"


def config_of(book: Path) -> Config:
    return load_config(book / "config.yaml")


@pytest.fixture
def rolled_up(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Calls of the account roll-up: none when the memo answers."""
    return spy(monkeypatch, agent.core.accounts.state, "account_states")


def memo_then_fresh(book: Path, now: datetime, rolled_up: list[Any]) -> tuple[PlanBrief, bool]:
    """The memo's answer at ``now`` (saved for the next open), whether it was a hit, and
    the check that it equals a fresh computation."""
    config = config_of(book)
    with Store.open(book / "home") as store:
        before = len(rolled_up)
        kept = book_state.plan_brief(config, store, now)
        hit = len(rolled_up) == before
        assert kept == brief_of(book_state.current_plan(config, store, now)), now
    return kept, hit


def moments(start: datetime, span: timedelta, count: int, seed: int) -> Iterator[datetime]:
    rng = random.Random(seed)
    for _ in range(count):
        yield start + timedelta(seconds=rng.randrange(int(span.total_seconds())))


def test_a_kept_plan_is_the_fresh_plan_at_any_moment(book: Path, rolled_up: list[Any]) -> None:
    _, hit = memo_then_fresh(book, NOW, rolled_up)
    assert not hit
    hits = 0
    for now in sorted(moments(NOW - timedelta(hours=6), timedelta(days=9), 14, seed=3)):
        _, hit = memo_then_fresh(book, now, rolled_up)
        hits += hit
    _, hit = memo_then_fresh(book, NOW + timedelta(days=9, seconds=1), rolled_up)
    assert not hit  # another day: computed afresh
    _, hit = memo_then_fresh(book, NOW + timedelta(days=9, seconds=2), rolled_up)
    assert hit  # ... and kept for the rest of it
    assert 0 < hits < 14, hits


def test_a_plan_holds_until_the_next_meeting_ends(book: Path, rolled_up: list[Any]) -> None:
    config = config_of(book)
    with Store.open(book / "home") as store:
        ends = sorted(e for e in touch_candidates(config, store).ends if e and e > NOW)
    memo_then_fresh(book, NOW, rolled_up)
    first_end = ends[0]
    if first_end.astimezone(config.tz).date() == NOW.astimezone(config.tz).date():
        _, hit = memo_then_fresh(book, first_end - timedelta(microseconds=1), rolled_up)
        assert hit
    _, hit = memo_then_fresh(book, first_end, rolled_up)
    assert not hit


def test_new_mail_a_config_change_or_a_drafts_change_misses(
    book: Path, rolled_up: list[Any]
) -> None:
    memo_then_fresh(book, NOW, rolled_up)
    assert memo_then_fresh(book, NOW, rolled_up)[1]
    later = NOW + timedelta(minutes=1)
    with (book / "mail.mbox").open("a") as mbox:
        mbox.write(
            f"From someone {later:%a %b %d %H:%M:%S %Y}\nFrom: Ann <p00@acct00000.example.com>\n"
            f"To: Rep <{REP}>\nSubject: renewal\nMessage-ID: <memo-test@x>\n"
            f"Date: {format_datetime(later)}\n\nAre you still there?\n\n"
        )
    nurture(book, "sync")
    assert not memo_then_fresh(book, NOW + timedelta(minutes=2), rolled_up)[1]
    assert memo_then_fresh(book, NOW + timedelta(minutes=2), rolled_up)[1]

    text = (book / "config.yaml").read_text()
    (book / "config.yaml").write_text(text + "throttle: {per_day: 1}\n")
    assert not memo_then_fresh(book, NOW + timedelta(minutes=2), rolled_up)[1]

    with Store.open(book / "home") as store:
        store.put(
            DRAFTS,
            "k1",
            {
                "account": "Account 00000",
                "contact": "p00@acct00000.example.com",
                "play": "share_content",
                "status": "created",
                "created_at": NOW.isoformat(),
            },
        )
        store.commit()
    assert not memo_then_fresh(book, NOW + timedelta(minutes=2), rolled_up)[1]
    assert memo_then_fresh(book, NOW + timedelta(minutes=3), rolled_up)[1]


def test_a_cycle_with_nothing_new_rolls_up_no_account(book: Path, rolled_up: list[Any]) -> None:
    first = nurture(book, "cycle")
    assert rolled_up, "the first cycle plans afresh"
    rolled_up.clear()
    again = nurture(book, "cycle")
    assert rolled_up == []
    assert first.splitlines()[0] == again.splitlines()[0]
    assert (book / "home" / "plan.json").exists()


def test_a_dry_run_with_a_lowered_daily_volume_plans_once(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expired drafts lower the daily volume (``core.outcomes.adapted``); the nurture blocks'
    worklist and cold forecast come from that same plan, not from a second one."""
    import agent.core.planner

    with Store.open(book / "home") as store:
        for n in range(12):
            at = (NOW - timedelta(days=3, hours=n)).isoformat()
            store.put(
                DRAFTS,
                f"d{n}",
                {"account": "x", "contact": f"p{n}@x.example", "play": "share_content",
                 "status": "expired" if n % 2 else "sent", "created_at": at, "status_at": at},
            )  # fmt: skip
        store.commit()
        config = config_of(book)
        lowered = adapted(config, store.items(DRAFTS).values(), NOW).throttle.per_day
        assert lowered < config.throttle.per_day
    planned = spy(monkeypatch, agent.core.planner, "make_plan")
    nurture(book, "plan")
    assert len(planned) == 1
