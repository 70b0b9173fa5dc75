"""`status` and `run` as a rep reads them (issue 16, item 7): whether the daemon runs, in
words, with its PID and times in the rep's zone; one log line per job and side effect."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from agent.app.daemon import DAEMON_LOCK, STATUS_FILE, read_status
from agent.demo.workspace import write_demo
from tests.cli.test_demo import run
from tests.conftest import NOW


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, list[str]]:
    write_demo(tmp_path, NOW)
    home = tmp_path / "home"
    home.mkdir()
    return home, ["--config", str(tmp_path / "config.yaml"), "--home", str(home)]


def test_status_names_the_running_daemon_and_its_next_runs(demo, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    home, args = demo
    job = {
        "last_run": "2026-11-20T15:00:00.250000+00:00",
        "last_ok": "2026-11-20T15:00:01.500000+00:00",
        "last_error": None,
        "next_run": "2026-11-20T15:10:00+00:00",
        "runs": 1,
        "failures": 0,
    }
    status = {"pid": 31337, "running": True, "jobs": {"sync": job}}
    (home / STATUS_FILE).write_text(json.dumps(status))
    with FileLock(home / DAEMON_LOCK, timeout=0):  # as `nurture run` holds it
        out = run(capsys, *args, "status")
    assert "The daemon is running (PID 31337)." in out
    # America/Chicago, to the minute: last run 09:00, next 09:10
    assert "Fri 20 Nov 09:00" in out and "Fri 20 Nov 09:10" in out and "ok" in out
    assert "15:00" not in out and ".25" not in out
    after = run(capsys, *args, "status")
    assert "The daemon is not running (it last ran as PID 31337)" in after
    assert "Fri 20 Nov 09:10" not in after  # a stopped daemon has no next run


def test_run_logs_each_job_and_side_effect_at_the_default_verbosity(demo) -> None:
    home, args = demo
    config_file = Path(args[1])
    # The daemon runs on the real clock: the demo's trade show (away:, dated from the demo's
    # own day) could be today, and time away rightly writes no drafts.
    text = re.sub(r"\naway:\n(  - .*\n)+", "\n", config_file.read_text())
    config_file.write_text(text)
    with config_file.open("a") as config:
        config.write(
            "daemon:\n  jobs:\n    sync: {every: 1h}\n    plan: {every: 1h}\n"
            "    blocks: {every: 1h}\n    digest: {at: 'fri 16:00', enabled: false}\n"
        )
    command = [sys.executable, "-m", "agent", *args, "run"]  # no -v
    daemon = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        jobs = ("sync", "plan", "blocks")
        while not all(
            (read_status(home) or {}).get("jobs", {}).get(name, {}).get("runs") for name in jobs
        ):
            assert daemon.poll() is None, "the daemon stopped"
            time.sleep(0.1)
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    lines = err.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d C[SD]T ", line) for line in lines), err
    for name in ("sync", "plan", "blocks"):
        assert sum(f"job {name} ok" in line for line in lines) == 1, err
    drafts = json.loads(_nurture_json(args, "drafts", "list"))
    blocks = json.loads(_nurture_json(args, "blocks", "--json", "--dry-run"))
    assert drafts and blocks
    assert sum("is in the mailbox as" in line for line in lines) == len(drafts), err
    assert sum("place block" in line for line in lines) == len(blocks), err


def _nurture_json(args: list[str], *command: str) -> str:
    wanted = [*command] if "--json" in command else [*command, "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "agent", *args, *wanted],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout
