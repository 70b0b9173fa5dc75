"""One test per command, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli.main import cli, main
from agent.demo.workspace import write_demo
from tests.conftest import NOW


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def workspace(tmp_path: Path) -> list[str]:
    write_demo(tmp_path, NOW)
    return ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]


def test_every_command_has_help_with_an_example() -> None:
    for name, command in cli.commands.items():
        assert command.help and "Example" in command.help, f"`nurture {name}` needs help"


def test_sync_prints_a_summary(workspace: list[str], capsys) -> None:
    code, out, _ = run(capsys, *workspace, "sync")
    assert code == 0
    assert "touches with" in out and "not touched in 60+ days" in out


def test_second_sync_reads_nothing_new(workspace: list[str], capsys) -> None:
    run(capsys, *workspace, "sync")
    code, out, _ = run(capsys, *workspace, "sync")
    assert code == 0 and "(0 new messages, 0 meetings read)" in out


def test_board_json_has_the_contract_fields(workspace: list[str], capsys) -> None:
    run(capsys, *workspace, "sync")
    code, out, _ = run(capsys, *workspace, "board", "--json")
    rows = json.loads(out)
    assert code == 0 and rows
    for row in rows:
        assert {
            "name",
            "tier",
            "stage",
            "last_touch",
            "days_since_touch",
            "touches",
            "contacts_touched",
            "due",
        } <= row.keys()
        assert isinstance(row["due"], bool) and isinstance(row["touches"], int)


def test_board_table_lists_dream_clients_first(workspace: list[str], capsys) -> None:
    run(capsys, *workspace, "sync")
    code, out, _ = run(capsys, *workspace, "board")
    assert code == 0
    assert out.index("Atlas Manufacturing") < out.index("Pinecrest Insurance")


def test_missing_config_exits_2_without_traceback(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "--config", str(tmp_path / "nope.yaml"), "board")
    assert code == 2 and "nope.yaml" in err and "Traceback" not in err


def test_unknown_command_is_a_usage_error(capsys) -> None:
    code, _, _ = run(capsys, "frobnicate")
    assert code == 2


def test_python_dash_m_agent_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "nurture" in done.stdout
