"""Issue 19, item 2: replay the demo's year. On every morning of the past 120 days, forecast
the day each account goes cold; then ask the engine on each later morning whether it is
due. Every forecast the mail did not overtake (a touch before the day moves it, as it
should) must be within ±1 day of the day the engine first says due."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from agent.app import book
from agent.app.context import Context
from agent.cli.main import main
from agent.core.accounts.status import board
from agent.core.forecast import forecast
from agent.demo.workspace import write_demo
from agent.model import Tier
from tests.conftest import NOW

ALL_TIERS = frozenset(Tier)


def test_forecasts_hold_within_a_day_over_the_demo_year(tmp_path: Path, capsys) -> None:
    write_demo(tmp_path / "demo", NOW)
    where = ["--config", str(tmp_path / "demo" / "config.yaml"), "--home", str(tmp_path / "h")]
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *where, "sync"])
    assert done.value.code == 0, capsys.readouterr().err
    context = Context(tmp_path / "demo" / "config.yaml", tmp_path / "h", NOW)
    config = context.config()
    with context.store() as store:
        touches = book.detect_all(config, store, NOW).touches
    tz = config.tz
    today = NOW.astimezone(tz).date()
    mornings = [today - timedelta(days=n) for n in range(120, -1, -1)]

    def at(day):  # type: ignore[no-untyped-def]
        return datetime.combine(day, time(8, 0), tz)

    def due_on(day):  # type: ignore[no-untyped-def]
        seen = [t for t in touches if t.at <= at(day)]
        return {s.name for s in board(config, seen, at(day)) if s.due}

    due = {day: due_on(day) for day in mornings}
    checked = within = overtaken = 0
    misses = []
    for day in mornings:
        seen = [t for t in touches if t.at <= at(day)]
        for item in forecast(board(config, seen, at(day)), day, tz, tiers=ALL_TIERS):
            if item.cold_on > today:
                continue  # the engine has not computed that day yet
            moved = any(
                t.account == item.account and at(day) < t.at <= at(item.cold_on) for t in touches
            )
            if moved:
                overtaken += 1
                continue
            first = next(d for d in mornings if d >= day and item.account in due[d])
            checked += 1
            if abs((first - item.cold_on).days) <= 1:
                within += 1
            else:
                misses.append((day, item.account, item.cold_on, first))
    print(f"cold forecast replay: {within}/{checked} within ±1 day; {overtaken} overtaken")
    assert checked >= 20, "the demo should give the replay something to check"
    assert not misses, misses
