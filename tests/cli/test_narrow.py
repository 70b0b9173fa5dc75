"""Readable where reps work (issue 16, item 6): every table at 80 columns, piped, with
long names: no line wider than the terminal, names and ids whole, times in the rep's zone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from agent.demo.workspace import write_demo
from tests.cli.test_demo import run
from tests.conftest import NOW

LONG = "Halvorsen Logistics International Group"  # fits whole next to the board's essentials
LONGER = "Summit Foods Cooperative of the Upper Midwest and the Great Lakes"  # cannot
PERSON = "Ingrid Margarethe Halvorsen-Lindqvist"


@pytest.fixture
def book(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    folder = tmp_path / "demo"
    write_demo(folder, NOW)
    config = folder / "config.yaml"
    text = config.read_text().replace("Halvorsen Logistics", LONG)
    text = text.replace("name: Summit Foods", f"name: {LONGER}")
    config.write_text(text.replace("name: Ingrid Halvorsen", f"name: {PERSON}"))
    args = ["--config", str(config), "--home", str(tmp_path / "home")]
    run(capsys, *args, "cycle")
    return args


def _daemon_ran(home: Path) -> None:
    error = "2026-11-22T08:00:00+00:00 UserError: " + "the mailbox could not be read " * 4
    job = {
        "last_run": "2026-11-22T08:00:00.123456+00:00",
        "last_ok": "2026-11-22T07:00:00.654321+00:00",
        "last_error": error,
        "next_run": "2026-11-22T09:00:00+00:00",
        "runs": 3,
        "failures": 1,
        "summary": "",
    }
    status = {"pid": 4242, "running": True, "jobs": {"sync": job, "digest": {**job}}}
    (home / "daemon-status.json").write_text(json.dumps(status))


COMMANDS = (
    ["board"],
    ["drafts", "list"],
    ["plan"],
    ["cycle", "--dry-run"],
    ["status"],
    ["account", LONG],
    ["account", LONGER],
    ["blocks", "--dry-run"],
)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_table_fits_80_columns_with_long_names(
    book: list[str], command: list[str], capsys, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    _daemon_ran(Path(book[-1]))
    out = run(capsys, *book, *command)
    lines = out.splitlines()
    assert lines, command
    assert max(cell_len(line) for line in lines) <= 80, out
    assert "…" not in out, out  # nothing is cut short
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", out), out  # no microseconds
    if command[0] in ("board", "plan", "account") and command[-1] != LONGER:
        assert any(LONG in line for line in lines), out  # whole, on one line
    if command[0] in ("board", "drafts"):
        # Too long for one line next to a whole id: wrapped at its spaces, never cut.
        assert _wrapped(LONGER, out) and _wrapped(LONG, out), out
    if command[0] == "drafts":
        assert len(re.findall(r"^draft-[0-9a-f]{16}\b", out, re.MULTILINE)) == 8, out


def _wrapped(name: str, out: str) -> bool:
    """Whether ``name`` is in a column of ``out``, on one line or wrapped at spaces."""
    words = name.split()
    lines = out.splitlines()
    for i, line in enumerate(lines):
        column = line.find(words[0])
        if column < 0:
            continue
        cells = [line[column:]] + [later[column:] for later in lines[i + 1 : i + len(words)]]
        found = " ".join(re.split(r"\s{2,}|│", cell.strip())[0] for cell in cells)
        if found.startswith(name):
            return True
    return False


def test_columns_is_honoured_when_piped(book: list[str], capsys, monkeypatch) -> None:
    for width in (60, 80, 160):
        monkeypatch.setenv("COLUMNS", str(width))
        out = run(capsys, *book, "board")
        assert max(cell_len(line) for line in out.splitlines()) <= width, width
    wide = run(capsys, *book, "board")
    assert "Tier" in wide and "90d touches" in wide  # the room is used when there is some
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run(capsys, *book, "board")
    assert "90d touches" not in narrow  # the low-value column went first


def test_status_says_in_words_whether_the_daemon_runs(book: list[str], capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    home = Path(book[-1])
    out = run(capsys, *book, "status")
    assert "The daemon has not run here yet" in out
    _daemon_ran(home)
    out = run(capsys, *book, "status")
    # A status file that says "running" is not believed: no daemon holds the lock.
    assert "The daemon is not running (it last ran as PID 4242)" in out
    assert "not running" in out and "Sun 22 Nov 02:00" in out  # America/Chicago, no seconds
