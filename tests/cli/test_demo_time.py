"""Issue 19 in the demo's story: Meridian Bank going cold and the block that covers it,
Thanksgiving and a trade show off the calendar, Oakridge held whole while Jo is away,
Quarry & Finch one-way with its three clocks. And `nurture away` on the demo."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agent.app.context import Context
from agent.app.jobs import JOBS
from agent.app.pipeline import digest_due
from agent.cli.main import main
from tests.conftest import NOW


def run(capsys: pytest.CaptureFixture[str], *args: str, now: datetime = NOW) -> str:
    with pytest.raises(SystemExit) as done:
        main(["--now", now.isoformat(), *args])
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    return out


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    run(capsys, "demo", str(tmp_path / "demo"))
    return [
        "--config",
        str(tmp_path / "demo" / "config.yaml"),
        "--home",
        str(tmp_path / "demo" / ".nurture"),
    ]


def test_the_demo_shows_the_forecast_in_blocks_and_digest(demo: list[str], tmp_path: Path) -> None:
    folded = (tmp_path / "demo" / "outbox" / "blocks.ics").read_text()
    blocks = re.sub(r"\r?\n[ \t]", "", folded).replace("\\n", "\n").replace("\\", "")
    assert "Meridian Bank: cold from Tue 24 Nov" in blocks
    assert "Skipping Monday's block leaves Meridian Bank cold by 24 Nov." in blocks
    assert "20261126" not in blocks  # Thanksgiving: no block
    digest = (tmp_path / "demo" / "digest.html").read_text()
    assert 'data-section="forecast"' in digest
    assert "Meridian Bank" in digest and "goes cold on Tue 24 Nov" in digest


def test_the_demo_holds_oakridge_and_shows_quarry_one_way(
    demo: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    plan = json.loads(run(capsys, *demo, "plan", "--json"))
    whole = [a for a in plan if a["kind"] == "hold" and a["contact"] is None]
    assert [a["account"] for a in whole] == ["Oakridge Energy"]
    assert "Jo Park until Wed 25 Nov" in whole[0]["reason"]
    board = {r["name"]: r for r in json.loads(run(capsys, *demo, "board", "--json"))}
    quarry = board["Quarry & Finch"]
    assert quarry["last_outreach"][:10] == "2026-11-13"
    assert quarry["last_reply"][:10] == "2026-10-01"
    assert quarry["last_meeting"][:10] == "2026-09-21"
    assert any(p["detail"].startswith("one-way for 5 weeks") for p in quarry["patterns"])
    assert board["Meridian Bank"]["cold_on"] == "2026-11-24"  # the forecast, on the board
    meridian = run(capsys, *demo, "account", "Meridian Bank")
    assert "not due yet, goes cold on Tue 24 Nov" in meridian
    account = run(capsys, *demo, "account", "Quarry & Finch")
    assert "they replied 50 days ago" in account


def test_the_demo_trade_show_pauses_plays_and_moves_the_digest(
    demo: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = run(capsys, *demo, "away")
    assert "away Wed 02 Dec 2026 to Fri 04 Dec 2026 (trade show)" in listed
    assert "holiday Thu 26 Nov 2026: Thanksgiving Day" in listed
    context = Context(tmp_path / "demo" / "config.yaml", tmp_path / "demo" / ".nurture", NOW)
    config = context.config()
    tuesday = datetime(2026, 12, 1, 16, 1, tzinfo=config.tz)  # the digest's Friday is away
    with context.store() as store:
        assert digest_due(config, store, tuesday)
        assert not digest_due(config, store, tuesday - timedelta(minutes=2))
    home = tmp_path / "demo" / ".nurture"
    config_path = tmp_path / "demo" / "config.yaml"
    friday = datetime(2026, 12, 4, 16, tzinfo=config.tz)
    assert JOBS["digest"](Context(config_path, home, friday)) == "nothing to do"  # away
    sent = JOBS["digest"](Context(config_path, home, tuesday))  # the daemon asks daily
    assert sent.startswith("Digest for 2026-W49 sent to riley@"), sent
    at_the_show = datetime(2026, 12, 3, 10, tzinfo=config.tz)
    plan = json.loads(run(capsys, *demo, "plan", "--json", now=at_the_show))
    assert not [a for a in plan if a["kind"] == "draft"]
    waiting = [a for a in plan if a["kind"] == "deferred"]
    assert waiting and all(
        "you are away (trade show) until Fri 04 Dec; plays resume on Mon 07 Dec" in a["reason"]
        for a in waiting
    )


def test_nurture_away_records_a_period(
    demo: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    said = run(capsys, *demo, "away", "2026-11-23", "2026-11-24", "--note", "offsite")
    assert "Away Mon 23 Nov to Tue 24 Nov 2026: no plays, no blocks; back in the plan on " in said
    assert "Wed 25 Nov" in said
    text = (tmp_path / "demo" / "config.yaml").read_text()
    assert "{from: '2026-11-23', to: '2026-11-24', note: offsite}" in text
    assert "# Time away" in text  # the rep's comments are kept
    monday = datetime(2026, 11, 23, 10, tzinfo=NOW.tzinfo)
    plan = json.loads(run(capsys, *demo, "plan", "--json", now=monday))
    assert not [a for a in plan if a["kind"] == "draft"]
    with pytest.raises(SystemExit) as done:
        main([*demo, "away", "2026-11-24", "2026-11-23"])
    assert done.value.code != 0
