"""Issue 16 item 8: read commands work while another process holds the store's lock.

A long sync or the daemon's job holds the lock; `board`, `status`, `plan`, `account`,
`drafts list/show` and `doctor` read the last committed state meanwhile, write nothing,
and doctor says "busy", not "fix". Commands that write still wait for their turn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.demo.workspace import write_demo
from agent.errors import StoreBusyError
from agent.model.tables import DRAFTS
from agent.store.db import Store
from tests.cli.test_cli import run
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from pathlib import Path
from agent.store.db import Store
with Store.open(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    write_demo(tmp_path, NOW)
    args = ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]
    code, _, err = run(capsys, *args, "cycle")
    assert code == 0, err
    return args


def _files(home: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in home.iterdir()}


def test_read_commands_read_the_last_saved_state_while_the_lock_is_held(
    workspace: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    code, before_board, _ = run(capsys, *workspace, "board", "--json")
    _, listed, _ = run(capsys, *workspace, "drafts", "list", "--json")
    drafts = json.loads(listed)
    assert code == 0 and drafts
    account = json.loads(before_board)[0]["name"]
    home = tmp_path / "home"
    config = tmp_path / "config.yaml"
    config.write_text(config.read_text() + "\n# edited: the config's values are read afresh\n")
    with _holding(tmp_path):
        before = _files(home)
        code, board, err = run(capsys, *workspace, "board", "--json")
        assert code == 0, err
        assert "this is the state saved before it" in caplog.text  # said (a warning)
        assert json.loads(board) == json.loads(before_board)
        for command in (
            ["status", "--json"],
            ["plan", "--json"],
            ["account", account, "--json"],
            ["drafts", "list"],
            ["drafts", "show", drafts[0]["id"]],
            ["cycle", "--dry-run"],
        ):
            code, out, err = run(capsys, *workspace, *command)
            assert code == 0, f"{command}: {err}"
            assert out.strip()
        code, out, err = run(capsys, *workspace, "drafts", "list", "--json")
        assert code == 0 and json.loads(out) == drafts
        assert _files(home) == before  # nothing written, not even a cache
        code, _, err = run(capsys, *workspace, "sync")  # a writer still waits its turn
        assert code == 1 and "another nurture process" in err


def test_doctor_says_busy_not_fix_while_another_process_works(
    workspace: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _holding(tmp_path):
        code, out, err = run(capsys, *workspace, "doctor")
        assert code == 0, out + err
        assert "busy state:" in out and "another nurture process" in out
        assert "fix " not in out
        code, out, _ = run(capsys, *workspace, "doctor", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    state = next(c for c in report["checks"] if c["name"] == "state")
    assert state["status"] == "busy"


def test_a_read_only_store_under_the_lock_sees_the_committed_state_and_cannot_write(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.put(DRAFTS, "d1", {"status": "created"})
        store.commit()
    with _holding(tmp_path), Store.open(home, read_only=True) as store:
        assert store.busy
        assert store.get(DRAFTS, "d1") == {"status": "created"}
        store.put(DRAFTS, "d2", {"status": "created"})
        with pytest.raises(RuntimeError, match="read-only"):
            store.commit()
    with Store.open(home, read_only=True) as store:  # free: taken, not busy
        assert not store.busy and store.get(DRAFTS, "d2") is None
    with pytest.raises(StoreBusyError), _holding(tmp_path), Store.open(home, lock_timeout=0.1):
        pass


class _holding:
    """Another nurture process holding the store, until the block ends."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        self.child: subprocess.Popen[str] | None = None

    def __enter__(self) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(self.home)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.child.stdout is not None
        assert self.child.stdout.readline() == "locked\n"

    def __exit__(self, *exc: object) -> None:
        assert self.child is not None and self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait(timeout=30)
