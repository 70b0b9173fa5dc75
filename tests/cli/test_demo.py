"""The demo workspace: its board is checked against the generator's own ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.demo.workspace import write_demo
from tests.conftest import NOW


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    return out


def test_demo_board_matches_what_was_generated(tmp_path: Path, capsys) -> None:
    truth = write_demo(tmp_path / "demo", NOW)
    config = str(tmp_path / "demo" / "config.yaml")
    home = str(tmp_path / "home")
    run(capsys, "--config", config, "--home", home, "sync")
    rows = {
        r["name"]: r
        for r in json.loads(run(capsys, "--config", config, "--home", home, "board", "--json"))
    }
    assert len(rows) == 10  # 8 accounts, plus 2 for the engine's plays (Summit, Lakeshore)
    for name, row in rows.items():
        assert row["touches"] == len(truth.touches.get(name, ())), name
        assert row["contacts_touched"] == len(truth.people.get(name, ())), name
        if name in truth.last:
            assert row["last_touch"] is not None
            assert row["last_touch"][:16] == truth.last[name].isoformat()[:16], name
        else:
            assert row["last_touch"] is None and row["days_since_touch"] is None, name
    assert rows["Atlas Manufacturing"]["due"] is True  # never touched
    assert rows["Brightline Retail"]["due"] is False  # met two days ago
    assert rows["Meridian Bank"]["contacts_touched"] == 3  # payments. subdomain included


def test_demo_command_runs_twice_on_the_same_folder(tmp_path: Path, capsys) -> None:
    first = run(capsys, "demo", str(tmp_path / "d"))
    second = run(capsys, "demo", str(tmp_path / "d"))
    assert "Halvorsen Logistics" in first and "Halvorsen Logistics" in second
    assert "touches with" in second
    assert (tmp_path / "d" / "mail.mbox").exists() and (tmp_path / "d" / "calendar.ics").exists()
