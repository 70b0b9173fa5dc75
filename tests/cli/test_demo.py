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


def attempt(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out + err


def test_demo_never_overwrites_a_folder_it_did_not_make(tmp_path: Path, capsys) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "mail.mbox").write_text("From me\n\nmy own mail\n")
    (mine / "config.yaml").write_text("me: [rep@example.com]\n")
    code, said = attempt(capsys, "demo", str(mine))
    assert code != 0
    assert "would overwrite config.yaml, mail.mbox" in said and "--force" in said
    assert (mine / "mail.mbox").read_text() == "From me\n\nmy own mail\n"
    assert sorted(p.name for p in mine.iterdir()) == ["config.yaml", "mail.mbox"]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    code, said = attempt(capsys, "demo", str(tmp_path / "other"))
    assert code != 0 and "notes.txt" in said
    code, said = attempt(capsys, "demo", str(mine), "--force")
    assert code == 0 and "my own mail" not in (mine / "mail.mbox").read_text()


def test_demo_keeps_the_reps_edits_to_its_own_workspace(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "demo"
    assert attempt(capsys, "demo", str(folder))[0] == 0
    edited = (folder / "config.yaml").read_text() + "# my own note\n"
    (folder / "config.yaml").write_text(edited)
    code, said = attempt(capsys, "demo", str(folder))
    assert code != 0 and "you changed config.yaml" in said and "--force" in said
    assert (folder / "config.yaml").read_text() == edited
    (folder / "mail.mbox").unlink()  # gone is not changed: nothing of the rep's to lose
    code, said = attempt(capsys, "demo", str(folder), "--force")
    assert code == 0 and "# my own note" not in (folder / "config.yaml").read_text()
    assert attempt(capsys, "demo", str(folder))[0] == 0  # its own again: refreshed freely


def test_the_demos_closing_hint_runs_without_activating_the_venv(tmp_path: Path, capsys) -> None:
    out = run(capsys, "demo", str(tmp_path / "d"))
    hint = next(line for line in out.splitlines() if line.startswith("Try: "))
    program = hint.removeprefix("Try: ").split(" --config")[0]
    assert program == "nurture" or Path(program).is_file(), hint
    assert hint.endswith(f"--home {tmp_path / 'd' / '.nurture'} board")


def test_the_demo_withdraws_last_weeks_draft_even_after_a_holiday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # On 3 December the cycle of a week before fell on Thanksgiving (holidays: US), which
    # writes no play: the story's draft comes from the working day before it.
    with pytest.raises(SystemExit) as done:
        main(["--now", "2026-12-03T15:00:00+00:00", "demo", str(tmp_path / "d")])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "reengage_lost for Omar Haddad at Corvid Health: withdrawn (Omar Haddad wrote" in out
