"""Issue 19, item 5: three clocks per account (your last message, their last reply, the
last meeting) and "one-way for N weeks" when they have not answered."""

from __future__ import annotations

from datetime import date

from agent.core.accounts.clocks import clocks_line
from agent.core.accounts.status import board
from agent.model import PatternKind
from agent.views.json import board_json, clocks_json
from tests.kits.engine_kit import NOW, TODAY, account, config, state, touch


def test_the_three_clocks_tell_the_touches_apart() -> None:
    cfg = config(account("Acme"))
    rows = [
        touch("a@acme.com", 3),
        touch("a@acme.com", 40, inbound=True),
        touch("b@acme.com", 61, meeting=True),
        touch("a@acme.com", 70),
    ]
    acme = state(cfg, rows)
    assert acme.clocks.last_touch is rows[0]
    assert acme.clocks.last_reply is rows[1]
    assert acme.clocks.last_meeting is rows[2]
    line = clocks_line(acme.clocks, TODAY, cfg.tz)
    assert line == (
        "you wrote 3 days ago (Tue 17 Nov) · they replied 40 days ago (Sun 11 Oct) · "
        "met 61 days ago (Sun 20 Sep)"
    )
    assert clocks_line(state(cfg, []).clocks, TODAY, cfg.tz) == (
        "you never wrote · they never replied · no meeting yet"
    )


def test_board_json_carries_the_clocks_next_to_the_last_touch() -> None:
    cfg = config(account("Acme"))
    rows = [touch("a@acme.com", 2, inbound=True), touch("a@acme.com", 9)]
    acme = state(cfg, rows)
    (row,) = board_json(board(cfg, rows, NOW), cfg, {"Acme": acme})
    assert row["last_touch"].startswith(str(date(2026, 11, 18)))  # the newest, either way
    assert row["last_reply"].startswith("2026-11-18")
    assert row["last_outreach"].startswith("2026-11-11")
    assert row["last_meeting"] is None
    assert clocks_json(acme, cfg) == {
        k: row[k] for k in ("last_outreach", "last_reply", "last_meeting")
    }


def test_one_way_for_n_weeks_when_they_have_not_answered() -> None:
    cfg = config(account("Acme"))
    rows = [
        touch("a@acme.com", 60, inbound=True),
        touch("a@acme.com", 36),
        touch("a@acme.com", 22),
        touch("a@acme.com", 8),
    ]
    (found,) = [p for p in state(cfg, rows).patterns if p.kind is PatternKind.ONE_WAY]
    assert found.detail.startswith("one-way for 5 weeks: 3 messages in a row since 15 Oct")
    answered = [*rows, touch("a@acme.com", 2, inbound=True)]
    assert not [p for p in state(cfg, answered).patterns if p.kind is PatternKind.ONE_WAY]
