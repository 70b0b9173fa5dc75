"""The daemon, in-process with fake jobs and as a real subprocess on the demo workspace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from agent.app.context import Context
from agent.app.daemon import Daemon, next_wait, read_status
from agent.demo.workspace import write_demo
from tests.conftest import NOW, make_config

FAST = {
    "daemon": {
        "jobs": {
            "sync": {"every": "1s"},
            "plan": {"every": "1s"},
            "blocks": {"at": "mon 07:00", "enabled": False},
            "digest": {"at": "fri 16:00", "enabled": False},
        },
        "retry_backoff": ["1s"],
    }
}


def run_for(daemon: Daemon, seconds: float) -> int:
    timer = threading.Timer(seconds, daemon.stop.set)
    timer.start()
    try:
        return daemon.run()
    finally:
        timer.cancel()


def test_a_failing_job_does_not_stop_the_others(tmp_path: Path, caplog) -> None:
    calls = {"sync": 0, "plan": 0}

    def broken_sync(_: Context) -> str:
        calls["sync"] += 1
        raise ConnectionError("network is down")

    def plan(_: Context) -> str:
        calls["plan"] += 1
        return "planned"

    daemon = Daemon(
        make_config(**FAST),
        lambda: Context(None, tmp_path, NOW),
        tmp_path,
        {"sync": broken_sync, "plan": plan},
    )
    assert run_for(daemon, 3.5) == 0
    assert calls["plan"] >= 3
    assert calls["sync"] >= 2  # first run, then retried with backoff
    status = read_status(tmp_path)
    assert status is not None
    assert "ConnectionError: network is down" in status["jobs"]["sync"]["last_error"]
    assert status["jobs"]["sync"]["failures"] >= 2
    assert status["jobs"]["plan"]["last_ok"] is not None
    assert "Traceback" in caplog.text  # logged with its traceback


def test_a_failed_job_catches_up_when_the_cause_goes_away(tmp_path: Path) -> None:
    outage = {"left": 2}

    def flaky(_: Context) -> str:
        if outage["left"]:
            outage["left"] -= 1
            raise TimeoutError("5xx from Google")
        return "synced"

    config = make_config(**FAST)
    daemon = Daemon(config, lambda: Context(None, tmp_path, NOW), tmp_path, {"sync": flaky})
    run_for(daemon, 4)
    state = read_status(tmp_path)["jobs"]["sync"]
    assert state["failures"] == 0 and state["summary"] == "synced"


def test_backoff_grows_then_repeats_its_last_step() -> None:
    steps = (timedelta(seconds=30), timedelta(minutes=2))
    assert [next_wait(n, steps) for n in (1, 2, 3, 9)] == [steps[0], steps[1], steps[1], steps[1]]


def test_daemon_settings_merge_with_defaults() -> None:
    config = make_config(daemon={"jobs": {"sync": {"every": "5m"}}})
    assert set(config.daemon.jobs) == {"sync", "plan", "blocks", "digest"}
    assert config.daemon.jobs["sync"].every == timedelta(minutes=5)
    assert config.daemon.jobs["digest"].weekday == "fri"


def _nurture(workspace: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    base = [
        sys.executable,
        "-m",
        "agent",
        "--config",
        str(workspace / "config.yaml"),
        "--home",
        str(workspace / "home"),
    ]
    return subprocess.run([*base, *args], capture_output=True, text=True, check=False, **kw)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_demo(tmp_path, NOW)
    with (tmp_path / "config.yaml").open("a") as config:
        config.write("daemon:\n  jobs:\n    sync: {every: 1s}\n")
    return tmp_path


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_daemon_subprocess_runs_refuses_a_second_and_stops_on_sigterm(workspace: Path) -> None:
    home = workspace / "home"
    cmd = [
        sys.executable,
        "-m",
        "agent",
        "-v",
        "--config",
        str(workspace / "config.yaml"),
        "--home",
        str(home),
        "run",
    ]
    daemon = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(
            lambda: (read_status(home) or {}).get("jobs", {}).get("sync", {}).get("runs", 0) >= 2
        )
        board = _nurture(workspace, "board", "--json")  # a CLI command while the daemon runs
        assert board.returncode == 0, board.stderr
        assert len(json.loads(board.stdout)) == 10  # the demo's accounts
        second = _nurture(workspace, "run", timeout=30)
        assert second.returncode == 1
        assert "already running" in second.stderr
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if daemon.poll() is None:
            daemon.kill()
    _, err = daemon.communicate()
    assert "job sync ok" in err
    assert "received SIGTERM" in err
    status = _nurture(workspace, "status", "--json")
    assert status.returncode == 0
    assert json.loads(status.stdout)["daemon"]["jobs"]["sync"]["last_ok"]


def test_doctor_says_what_to_fix(workspace: Path) -> None:
    ok = _nurture(workspace, "doctor")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    os.remove(workspace / "mail.mbox")
    broken = _nurture(workspace, "doctor")
    assert broken.returncode == 1
    assert "mail.mbox does not exist" in broken.stdout
    assert "fix `local.mail`" in broken.stdout
