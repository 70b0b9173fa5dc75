"""Issue 19, item 4: time away. `away:` periods and public holidays (the `holidays`
package) pause plays and blocks and move the digest; an account whose only reachable
people are out of the office is held whole. Scenarios on data the test builds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.app import blocks
from agent.app.pipeline import digest_due
from agent.core.away import digest_day, time_off
from agent.model import ActionKind
from agent.store.db import Store
from tests.conftest import make_config
from tests.kits.blockfake import MemoryHarness
from tests.kits.engine_kit import NOW, TODAY, account, away, config, drafts, past, person, touch
from tests.kits.engine_kit import plan as make_plan

PAPER = {"title": "Paper", "url": "https://x.com/paper"}
TRIP = {"from": str(TODAY - timedelta(days=1)), "to": str(TODAY + timedelta(days=4))}
NY = ZoneInfo("America/New_York")


def test_plays_wait_while_you_are_away_and_resume_after() -> None:
    cfg = config(account("Acme"), content=[PAPER], away=[{**TRIP, "note": "Lisbon"}])
    rows = [touch("a@acme.com", 30)]
    result = make_plan(cfg, rows)
    assert not drafts(result)
    (waiting,) = result.of_kind(ActionKind.DEFERRED)
    back = TODAY + timedelta(days=5)  # Wed 25 Nov: the first working day after the trip
    assert f"you are away (Lisbon) until Tue 24 Nov; plays resume on {back:%a %d %b}" in (
        waiting.reason
    )
    after = datetime.combine(back, time(9), NOW.tzinfo)
    assert drafts(make_plan(cfg, rows, now=after))


def test_a_public_holiday_is_not_a_working_day_for_plays_or_the_throttle() -> None:
    thanksgiving = datetime(2026, 11, 26, 15, tzinfo=NOW.tzinfo)
    cfg = config(account("Acme"), content=[PAPER], holidays="US")
    rows = [touch("a@acme.com", 30, now=thanksgiving)]
    result = make_plan(cfg, rows, now=thanksgiving)
    assert not drafts(result)
    assert "is a public holiday (Thanksgiving" in result.of_kind(ActionKind.DEFERRED)[0].reason
    assert drafts(make_plan(cfg, rows, now=thanksgiving + timedelta(days=1)))
    # The weekly throttle would free the account on Thanksgiving: it says Friday instead.
    acc = account("Acme", contacts=[person("a@acme.com"), person("b@acme.com")])
    cfg = config(acc, content=[PAPER], holidays="US", throttle={"per_account_per_week": 1})
    week = [past("z@acme.com", "share_content", 1, status="sent")]  # made Thu 19 Nov
    held = make_plan(cfg, [touch("a@acme.com", 20)], drafts=week)
    assert all(
        "the next can go on Fri 27 Nov" in a.reason for a in held.of_kind(ActionKind.DEFERRED)
    )


def test_an_account_whose_reachable_people_are_all_away_is_held_whole() -> None:
    acc = account("Acme", contacts=[person("a@acme.com", "Ann"), person("b@acme.com", "Bo")])
    cfg = config(acc, content=[PAPER])
    rows = [touch("a@acme.com", 30), touch("b@acme.com", 31)]
    both = [
        away("a@acme.com", 1, TODAY + timedelta(days=3)),
        away("b@acme.com", 1, TODAY + timedelta(days=10)),
    ]
    result = make_plan(cfg, rows, signals=both)
    (whole,) = [a for a in result.of_kind(ActionKind.HOLD) if a.contact is None]
    assert whole.account == "Acme" and whole.until == TODAY + timedelta(days=4)  # Ann's Tuesday
    assert "Ann until Tue 24 Nov and Bo until Tue 01 Dec" in whole.reason
    assert not result.worklist and not result.of_kind(ActionKind.NO_PLAY)  # no block time
    assert not drafts(result) and not result.of_kind(ActionKind.DEFERRED)
    one = make_plan(cfg, rows, signals=both[:1])  # Bo is reachable: the account is not held
    assert not [a for a in one.of_kind(ActionKind.HOLD) if a.contact is None]
    assert [d.contact for d in drafts(one)] == ["b@acme.com"]


def test_the_digest_moves_off_a_day_away_within_its_week() -> None:
    off = time_off(make_config(away=[{"from": "2026-12-10", "to": "2026-12-11"}]))
    assert digest_day(date(2026, 12, 11), off) == date(2026, 12, 9)  # Friday → Wednesday
    week = time_off(make_config(away=[{"from": "2026-12-07", "to": "2026-12-13"}]))
    assert digest_day(date(2026, 12, 11), week) is None  # next week's covers it
    monday = time_off(make_config(away=[{"from": "2026-12-04", "to": "2026-12-07"}]))
    assert digest_day(date(2026, 12, 7), monday) == date(2026, 12, 8)  # Monday → Tuesday
    christmas = time_off(make_config(holidays="GB", timezone="Europe/London"))
    assert digest_day(date(2026, 12, 25), christmas) == date(2026, 12, 24)


def test_digest_due_follows_the_move_and_waits_while_away(tmp_path: Path) -> None:
    cfg = make_config(
        timezone="America/New_York", away=[{"from": "2026-12-10", "to": "2026-12-11"}]
    )
    (tmp_path / "home").mkdir()
    store = Store(tmp_path / "home", {})
    assert not digest_due(cfg, store, datetime(2026, 12, 9, 15, 59, tzinfo=NY))
    assert digest_due(cfg, store, datetime(2026, 12, 9, 16, 1, tzinfo=NY))  # Wednesday
    assert not digest_due(cfg, store, datetime(2026, 12, 11, 16, 1, tzinfo=NY))  # away


MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=NY)  # Thanksgiving is on Thursday


def block_config(**overrides: object):  # type: ignore[no-untyped-def]
    return make_config(timezone="America/New_York", **overrides)  # Mon-Fri 09:00-17:30


@pytest.fixture
def store(tmp_path: Path) -> Store:
    (tmp_path / "home").mkdir()
    return Store(tmp_path / "home", {})


def block_days(rep: MemoryHarness) -> list[str]:
    return [f"{b.start.astimezone(NY):%a %d}" for b in rep.all_blocks()]


def test_no_block_on_a_holiday_or_a_day_away(store: Store, tmp_path: Path) -> None:
    rep = MemoryHarness()
    blocks.run(block_config(holidays="US"), store, rep.calendar, MONDAY, work=[])
    assert block_days(rep) == ["Mon 23", "Tue 24", "Wed 25", "Fri 27", "Mon 30"]
    rep = MemoryHarness()
    (tmp_path / "other").mkdir()
    trip = [{"from": "2026-11-24", "to": "2026-11-25"}]
    blocks.run(
        block_config(away=trip), Store(tmp_path / "other", {}), rep.calendar, MONDAY, work=[]
    )
    assert block_days(rep) == ["Mon 23", "Thu 26", "Fri 27", "Mon 30", "Tue 01"]


def test_a_block_on_a_day_you_now_take_off_moves_off_it(store: Store) -> None:
    rep = MemoryHarness()
    blocks.run(block_config(), store, rep.calendar, MONDAY, work=[])
    assert "Wed 25" in block_days(rep)
    trip = [{"from": "2026-11-25", "to": "2026-11-25"}]
    report = blocks.run(block_config(away=trip), store, rep.calendar, MONDAY, work=[])
    assert "Wed 25" not in block_days(rep)
    assert "1 moved off a meeting or a day off" in report.summary(), report.summary()
    (moved,) = [a for a in report.plan.actions if a.step.value == "move"]
    assert moved.reason == "its day is off (time away or a public holiday)"
    assert len(rep.all_blocks()) == 5


def test_with_time_away_the_daemon_asks_for_the_digest_every_day(tmp_path: Path) -> None:
    from agent.app.context import Context
    from agent.app.daemon import Daemon

    def digest_unit(cfg) -> str:  # type: ignore[no-untyped-def]
        daemon = Daemon(cfg, lambda: Context(None, tmp_path, NOW), tmp_path, {"digest": str})
        return str(daemon._schedule("digest", cfg.daemon.jobs["digest"]).start_day)

    assert digest_unit(make_config()) == "friday"
    assert digest_unit(make_config(holidays="US")) == "None"  # daily: the step decides
