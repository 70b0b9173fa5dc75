"""The `nurture` program leaves without tearing its objects down, and loses nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

import pytest

from agent.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]


class Left(Exception):
    """What the test's ``os._exit`` raises instead of ending pytest."""


def _leave(code: int) -> NoReturn:
    raise Left(code)


@pytest.fixture
def leaving(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ran: list[str] = []
    monkeypatch.setattr(cli.os, "_exit", _leave)
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: ran.append("exit handlers"))
    return ran


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (130, 130)])
def test_the_program_leaves_with_the_commands_code_after_the_exit_handlers(
    monkeypatch: pytest.MonkeyPatch, leaving: list[str], code: int | None, status: int
) -> None:
    monkeypatch.setattr(cli, "main", lambda: sys.exit(code))
    with pytest.raises(Left) as left:
        cli.run()
    assert left.value.args == (status,)
    assert leaving == ["exit handlers"]


def test_a_thread_still_working_gets_pythons_own_exit(
    monkeypatch: pytest.MonkeyPatch, leaving: list[str]
) -> None:
    monkeypatch.setattr(cli, "main", lambda: sys.exit(0))
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)  # not a daemon: Python's exit waits for it
    worker.start()
    try:
        with pytest.raises(SystemExit):
            cli.run()
    finally:
        stop.set()
        worker.join()
    assert leaving == []


def test_a_message_for_an_exit_code_gets_pythons_own_exit(
    monkeypatch: pytest.MonkeyPatch, leaving: list[str]
) -> None:
    monkeypatch.setattr(cli, "main", lambda: sys.exit("printed by Python"))
    with pytest.raises(SystemExit, match="printed by Python"):
        cli.run()


def test_a_profiler_gets_pythons_own_exit_to_write_its_report(
    monkeypatch: pytest.MonkeyPatch, leaving: list[str]
) -> None:
    monkeypatch.setattr(cli, "main", lambda: sys.exit(0))
    monkeypatch.setattr(cli.sys, "getprofile", object)  # something is profiling
    with pytest.raises(SystemExit):
        cli.run()
    assert leaving == []


def test_a_profile_of_the_program_is_written(tmp_path: Path) -> None:
    report = tmp_path / "nurture.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(report), "-m", "agent", "--version"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert report.stat().st_size > 0


def test_output_that_cannot_be_flushed_gets_pythons_own_exit(
    monkeypatch: pytest.MonkeyPatch, leaving: list[str]
) -> None:
    class ClosedPipe:
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "main", lambda: sys.exit(0))
    monkeypatch.setattr(cli.sys, "stdout", ClosedPipe())
    with pytest.raises(SystemExit):
        cli.run()


def _nurture(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env: dict[str, Any] = {**os.environ, "NURTURE_HOME": str(tmp_path / "home")}
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_a_real_run_gives_all_its_output_and_its_code(tmp_path: Path) -> None:
    demo = _nurture("--now", "2026-11-23T09:00:00+00:00", "demo", "d", tmp_path=tmp_path)
    assert demo.returncode == 0, demo.stderr
    where = ("--config", "d/config.yaml", "--home", "d/home")
    board = _nurture(*where, "board", "--json", tmp_path=tmp_path)
    assert board.returncode == 0, board.stderr
    assert json.loads(board.stdout)  # all of it: JSON cut short does not parse
    wrong = _nurture("--config", "missing.yaml", "board", tmp_path=tmp_path)
    assert wrong.returncode == 2
    assert "missing.yaml" in wrong.stderr


def test_exit_handlers_registered_by_a_command_still_run(tmp_path: Path) -> None:
    script = (
        "import atexit, sys\n"
        "from agent.cli import main as cli\n"
        f"atexit.register(lambda: open({str(tmp_path / 'ran')!r}, 'w').write('yes'))\n"
        "cli.main = lambda: sys.exit(3)\n"
        "cli.run()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60, check=False)
    assert done.returncode == 3
    assert (tmp_path / "ran").read_text() == "yes"
