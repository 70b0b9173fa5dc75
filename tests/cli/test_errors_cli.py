"""Issue 16 item 11: errors a rep meets, each said in words with what to do next.

A --home that is a file or a folder nurture may not use, Ctrl-C (exit 130), an unknown
account or draft (exit 2, "did you mean"), a misspelt config key, a semicolon CSV, every
bad CSV row in one report, and accounts named by their names in config errors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.demo.workspace import write_demo
from tests.cli.test_cli import run
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
ME = "me: [rep@seller.com]\n"
ACME = "accounts:\n  - name: Acme\n    domains: [acme.com]\n"


@pytest.fixture
def demo(tmp_path: Path) -> list[str]:
    write_demo(tmp_path, NOW)
    return ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]


def config_with(folder: Path, text: str) -> list[str]:
    (folder / "config.yaml").write_text(text)
    return ["--config", str(folder / "config.yaml"), "--home", str(folder / "home")]


# --- bad paths -----------------------------------------------------------------------------


def test_a_home_that_is_a_file_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    where = config_with(tmp_path, ME + ACME)
    where[-1] = str(tmp_path / "notes.txt")
    code, _, err = run(capsys, *where, "board")
    assert code == 2 and "Traceback" not in err
    assert f"the state folder {tmp_path / 'notes.txt'} is a file, not a folder" in err
    assert "Point --home" in err
    where[-1] = str(tmp_path / "notes.txt" / "state")
    code, _, err = run(capsys, *where, "board")
    assert code == 2 and f"{tmp_path / 'notes.txt'} is a file" in err
    assert (tmp_path / "notes.txt").read_text() == "mine"


CHILD = """
import os, sys
from agent.cli.main import main

config, good, locked = sys.argv[1:4]

def board(home):
    try:
        main(["--config", config, "--home", home, "board"])
    except SystemExit as done:
        return done.code

assert board(good) == 0  # every module the command needs is imported now
if os.geteuid() == 0:  # root reads any folder: be somebody else from here on
    os.setgid(65534)
    os.setuid(65534)
sys.exit(board(locked))
"""


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder another user can read (pytest's own tmp folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="nurture-16b-"))
    folder.chmod(0o755)
    yield folder
    (folder / "locked").chmod(0o700)
    shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        (0o555, "cannot use the state folder {home}: Permission denied"),  # not writable
        (0o000, "Invalid value for '--home': Path '{home}' is not readable"),
    ],
)
def test_a_home_folder_nurture_may_not_use_is_said_so(shared: Path, mode: int, says: str) -> None:
    (shared / "config.yaml").write_text(ME + ACME)
    (shared / "config.yaml").chmod(0o644)
    locked = shared / "locked"
    locked.mkdir()
    locked.chmod(mode)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(shared / "config.yaml"), str(shared / "good"), locked],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert says.format(home=locked) in done.stderr
    assert "Traceback" not in done.stderr


# --- Ctrl-C --------------------------------------------------------------------------------

CTRL_C = (
    f"{sys.executable} -c 'import os, signal; "
    "signal.signal(signal.SIGINT, signal.SIG_IGN); os.killpg(0, signal.SIGINT)'"
)


def test_ctrl_c_exits_130_and_says_what_was_kept(
    demo: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *demo, "cycle")
    assert code == 0, err
    _, listed, _ = run(capsys, *demo, "drafts", "list", "--json")
    draft = listed.split('"id": "')[1].split('"')[0]
    # The "editor" presses Ctrl-C: SIGINT to its whole process group, nurture included
    # (a session of its own, so the test runner is not in that group).
    done = subprocess.run(
        [sys.executable, "-m", "agent", "--now", NOW.isoformat(), *demo, "drafts", "edit", draft],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "EDITOR": CTRL_C},
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    assert done.returncode == 130, done.stderr
    assert "stopped (Ctrl-C)" in done.stderr and "Traceback" not in done.stderr
    code, out, _ = run(capsys, *demo, "drafts", "show", draft)
    assert code == 0 and "(edited)" not in out


# --- names ---------------------------------------------------------------------------------


def test_an_unknown_account_or_draft_exits_2_with_did_you_mean(
    demo: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, *demo, "account", "Atlass")
    assert code == 2 and "no account named 'Atlass'" in err
    assert "did you mean 'Atlas Manufacturing'?" in err
    code, _, err = run(capsys, *demo, "account", "Zzyzx")
    assert code == 2 and "see the names with `nurture board`" in err
    run(capsys, *demo, "cycle")
    _, listed, _ = run(capsys, *demo, "drafts", "list", "--json")
    draft = listed.split('"id": "')[1].split('"')[0]
    typo = draft[:-1] + ("0" if draft[-1] != "0" else "1")
    code, _, err = run(capsys, *demo, "drafts", "show", typo)
    assert code == 2 and f"no draft {typo!r}" in err and f"did you mean {draft!r}?" in err
    code, _, err = run(capsys, *demo, "drafts", "reject", typo)
    assert code == 2 and "did you mean" in err


# --- the config and its CSV ----------------------------------------------------------------


def test_a_misspelt_key_gets_did_you_mean_and_accounts_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ME + "coverag_target: 3\n" + ACME + "    tier: dreamy\n"
    code, _, err = run(capsys, *config_with(tmp_path, text), "board")
    assert code == 2
    assert "config.yaml:2: coverag_target: unknown key: did you mean coverage_target?" in err
    assert "config.yaml:6: accounts[Acme].tier: " in err and "accounts.0" not in err
    assert err.index("config.yaml:2:") < err.index("config.yaml:6:")  # in the file's order
    text = ME + ACME + "    contacts:\n      - {email: ann@acme.com, rol: CFO}\n"
    code, _, err = run(capsys, *config_with(tmp_path, text), "board")
    assert code == 2 and "accounts[Acme].contacts.0.rol: unknown key: did you mean role?" in err


def test_a_semicolon_csv_is_said_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "crm.csv").write_text("Name;Domain;Tier\nAcme;acme.com;dream\n")
    code, _, err = run(capsys, *config_with(tmp_path, ME + "accounts_file: crm.csv\n"), "board")
    assert code == 2
    assert "crm.csv:1: the columns are separated by semicolons, not commas" in err
    assert "comma-separated" in err


def test_every_bad_csv_row_is_in_one_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "crm.csv").write_text(
        "Name,Domain,Tier,Contacts\n"
        "Acme,acme.com,dream,\n"
        "Bolt,bolt.io,gold,\n"
        "Cask,cask.com,target,not-an-address\n"
        "Dune,dune.com,other,\n"
    )
    code, _, err = run(capsys, *config_with(tmp_path, ME + "accounts_file: crm.csv\n"), "board")
    assert code == 2
    assert "2 rows to fix:" in err
    assert "crm.csv:3: column 'Tier': " in err
    assert "crm.csv:4: column 'Contacts': " in err
    assert "fix those rows of the CSV" in err
