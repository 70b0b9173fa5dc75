"""Issue 19, item 2: when each account goes cold, and which nurture block is the last one
before it. Scenarios on data the test builds; the replay of the demo's year is in
tests/app/test_forecast_replay.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.app.blocks import block_policy
from agent.core.accounts.status import board
from agent.core.blocks.reconcile import Scene, plan_blocks
from agent.core.digest.build import Snapshot, build_digest
from agent.core.forecast import forecast, last_chances, skipping
from tests.kits.engine_kit import account, config, touch

# Monday 23 Nov 2026, 07:00 UTC: a week of five working days ahead
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
TODAY = MONDAY.date()


def book():  # type: ignore[no-untyped-def]
    cfg = config(
        account("Halvorsen"),
        account("Summit"),
        account("Meridian"),
        account("Atlas"),
        account("Globex", tier="target"),
    )
    touches = [
        touch("ingrid@halvorsen.com", 10, account="Halvorsen", now=MONDAY),  # cold Fri 27
        touch("kate@summit.com", 9, account="Summit", now=MONDAY),  # cold Sat 28
        touch("raj@summit.com", 12, account="Summit", inbound=True, now=MONDAY),
        touch("priya@meridian.com", 1, account="Meridian", now=MONDAY),  # cold Sun 6 Dec
        touch("dana@atlas.com", 20, account="Atlas", now=MONDAY),  # already cold
        touch("hal@globex.com", 25, account="Globex", now=MONDAY),  # target: not forecast
    ]
    return cfg, touches


def test_each_dream_account_gets_the_day_it_goes_cold() -> None:
    cfg, touches = book()
    soon = forecast(board(cfg, touches, MONDAY), TODAY, cfg.tz)
    assert [(f.account, f.cold_on) for f in soon] == [
        ("Halvorsen", TODAY + timedelta(days=4)),
        ("Summit", TODAY + timedelta(days=5)),  # counted from the newest touch either way
        ("Meridian", TODAY + timedelta(days=13)),
    ]
    # The engine agrees: not due the day before, due on the day.
    for item in soon:
        day_before = datetime.combine(item.cold_on - timedelta(days=1), MONDAY.timetz())
        on_the_day = datetime.combine(item.cold_on, MONDAY.timetz())
        status = {s.name: s for s in board(cfg, touches, day_before)}[item.account]
        assert not status.due
        assert {s.name: s for s in board(cfg, touches, on_the_day)}[item.account].due


def test_a_touch_before_the_day_moves_the_forecast() -> None:
    cfg, touches = book()
    touches.append(touch("marcus@halvorsen.com", 1, account="Halvorsen", now=MONDAY))
    soon = {f.account: f.cold_on for f in forecast(board(cfg, touches, MONDAY), TODAY, cfg.tz)}
    assert soon["Halvorsen"] == TODAY + timedelta(days=13)
    week = forecast(board(cfg, touches, MONDAY), TODAY, cfg.tz, days=7)
    assert [f.account for f in week] == ["Summit"]


def test_each_block_names_the_accounts_it_is_the_last_chance_for() -> None:
    cfg, touches = book()
    soon = forecast(board(cfg, touches, MONDAY), TODAY, cfg.tz)
    policy = block_policy(cfg)
    result = plan_blocks(policy, Scene(MONDAY, [], {}, {}), [], soon)
    texts = {a.block.day: a.block.description for a in result.actions}
    thursday = TODAY + timedelta(days=3)
    friday = TODAY + timedelta(days=4)
    # Halvorsen goes cold on Friday: Thursday's block is the last before it. Summit goes
    # cold on Saturday: Friday's is. Meridian (6 Dec) is beyond this week's blocks: the
    # last block placed before it is Friday's too.
    assert "Skipping Thursday's block leaves Halvorsen cold by 27 Nov." in texts[thursday]
    assert "Summit: cold from Sat 28 Nov" in texts[friday]
    assert "Skipping Friday's block leaves Summit and Meridian cold by 06 Dec." in texts[friday]
    monday_text = texts[TODAY]
    assert "Skipping" not in monday_text and "No account is due" in monday_text


def test_the_digest_lists_them_with_their_block() -> None:
    cfg, touches = book()
    soon = forecast(board(cfg, touches, MONDAY), TODAY, cfg.tz)
    placed = plan_blocks(block_policy(cfg), Scene(MONDAY, [], {}, {}), [], soon)
    digest = build_digest(
        cfg, Snapshot(tuple(touches), blocks=tuple(placed.records.values())), MONDAY
    )
    rows = {r.account: r for r in digest.cold_soon}
    assert list(rows) == ["Halvorsen", "Summit", "Meridian"]
    assert rows["Halvorsen"].block == TODAY + timedelta(days=3)
    assert rows["Halvorsen"].days_left == 4
    assert "Thursday's block (26 Nov) is the last one before" in rows["Halvorsen"].sentence
    assert digest.skipping == (
        "Skipping Thursday's block leaves Halvorsen cold by 27 Nov.",
        "Skipping Friday's block leaves Summit and Meridian cold by 06 Dec.",
    )
    bare = build_digest(cfg, Snapshot(tuple(touches)), MONDAY)  # no block coming
    assert all(r.block is None for r in bare.cold_soon)
    assert "no nurture block comes before then" in bare.cold_soon[0].sentence


def test_an_account_going_cold_before_every_block_is_nobodys() -> None:
    cfg, touches = book()
    soon = forecast(board(cfg, touches, MONDAY), TODAY, cfg.tz)
    chances = last_chances(soon, [TODAY + timedelta(days=6)])  # a block only on Sunday
    assert [f.account for f in chances[TODAY + timedelta(days=6)]] == ["Meridian"]
    assert skipping(TODAY, ()) == ""
