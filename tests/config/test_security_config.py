"""Issue 15's guards around the config, the state and the folders, through the real CLI:
`me` is single addresses, the Google token goes only where it may, YAML cannot explode,
folders are private whatever the umask, and a hand-broken state says what is wrong."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.config.schema import load_config
from agent.errors import ConfigError
from tests.conftest import NOW
from tests.kits.attackworld import write_world


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


# --- me ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "me",
    [
        "rep@seller.com,boss@evil.example",
        "rep@seller.com boss@evil.example",
        "Riley <rep@seller.com>",
        "=?utf-8?q?rep=40seller.com=3E=2C_=3Cx?=@seller.com",
        "rep@seller.com\\r\\nBcc: x@evil.example",
    ],
)
def test_me_is_one_plain_address_or_a_config_error(tmp_path: Path, capsys, me: str) -> None:
    path = config_file(tmp_path, f'me: ["{me}"]\n')
    code, _, err = run(capsys, "--config", str(path), "board")
    assert code == 2
    assert "config.yaml:1: me.0: " in err and "is not an email address" in err


# --- google.endpoint --------------------------------------------------------------------


def google(tmp_path: Path, endpoint: str, trust: str = "") -> Path:
    extra = f", trust_endpoint: {trust}" if trust else ""
    return config_file(
        tmp_path,
        f"me: [rep@seller.com]\nprovider: google\ngoogle: {{endpoint: '{endpoint}'{extra}}}\n",
    )


@pytest.mark.parametrize(
    ("endpoint", "says"),
    [
        ("http://10.0.0.5:8080/", "plain http to another machine"),
        ("http://mirror.example/", "plain http to another machine"),
        ("https://mirror.example/", "set google.trust_endpoint: true"),
        ("https://googleapis.com.evil.example/", "set google.trust_endpoint: true"),
        ("ftp://127.0.0.1/", "is not an http(s) URL"),
    ],
)
def test_the_token_goes_only_where_it_may(tmp_path: Path, capsys, endpoint: str, says: str) -> None:
    code, _, err = run(capsys, "--config", str(google(tmp_path, endpoint)), "board")
    assert code == 2 and "google.endpoint" in err and says in err, err


@pytest.mark.parametrize(
    ("endpoint", "trust"),
    [
        ("http://127.0.0.1:9/", ""),
        ("http://localhost:9/", ""),
        ("http://[::1]:9/", ""),
        ("https://gmail.googleapis.com/", ""),
        ("https://mirror.example/", "true"),
    ],
)
def test_loopback_google_and_trusted_endpoints_load(
    tmp_path: Path, endpoint: str, trust: str
) -> None:
    assert load_config(google(tmp_path, endpoint, trust)).google.endpoint == endpoint


def test_trust_does_not_allow_plain_http_to_another_machine(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="plain http"):
        load_config(google(tmp_path, "http://mirror.example/", "true"))


# --- YAML size and aliases --------------------------------------------------------------

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefghi", "bcdefghij", strict=True)
)


def test_a_kilobyte_of_aliases_is_refused_within_a_second(tmp_path: Path, capsys) -> None:
    text = "me: [rep@seller.com]\na: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB
    assert len(text) < 1024  # 9**9: 387 million values once expanded
    path = config_file(tmp_path, text)
    started = time.monotonic()
    code, _, err = run(capsys, "--config", str(path), "board")
    assert time.monotonic() - started < 1.0
    assert code == 2 and "expands to more than" in err


def test_an_alias_bomb_in_the_content_file_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "content.yaml").write_text("a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB)
    path = config_file(tmp_path, "me: [rep@seller.com]\ncontent_file: content.yaml\n")
    started = time.monotonic()
    code, _, err = run(capsys, "--config", str(path), "board")
    assert time.monotonic() - started < 1.0
    assert code == 2 and "content.yaml: the content file expands" in err


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    # ruamel resolves `&x [*x]` to no loop today; a loader that did would not hang us.
    from ruamel.yaml.comments import CommentedSeq

    from agent.config.yamlguard import check_expansion

    loop = CommentedSeq(["a"])
    loop.append(loop)
    with pytest.raises(ConfigError, match="alias that contains itself"):
        check_expansion(tmp_path / "config.yaml", CommentedSeq([loop]), "config")


def test_a_deeply_nested_config_is_a_config_error(tmp_path: Path, capsys) -> None:
    path = config_file(tmp_path, "me: [rep@seller.com]\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = run(capsys, "--config", str(path), "board")
    assert code == 2 and "nested too deeply" in err


def test_a_huge_config_is_refused_before_it_is_parsed(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.yaml"
    with path.open("w") as handle:
        handle.write("me: [rep@seller.com]\n")
        handle.truncate(9 * 1024 * 1024)
    started = time.monotonic()
    code, _, err = run(capsys, "--config", str(path), "board")
    assert time.monotonic() - started < 1.0
    assert code == 2 and "more than the 8,388,608 nurture reads" in err


# --- folders and state ------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000, 0o077])
def test_state_and_outbox_folders_are_private_whatever_the_umask(
    tmp_path: Path, capsys, umask: int
) -> None:
    world = write_world(tmp_path / "w")
    old = os.umask(umask)
    try:
        code, _, err = run(capsys, *world.args, "cycle")
    finally:
        os.umask(old)
    assert code == 0, err
    home, outbox = world.folder / "home", world.folder / "outbox"
    for folder in (home, outbox, outbox / "drafts"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((home / "state.json").stat().st_mode) == 0o600
    for draft in world.outbox():
        assert stat.S_IMODE(draft.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("table", "field", "value", "says"),
    [
        ("drafts", "status", 5, "'status' should be one of pending"),
        ("drafts", "contact", ["kate@acme.example"], "'contact' should be text"),
        ("drafts", "created_at", "yesterday", "'created_at' should be an ISO date and time"),
        ("drafts", "edited", "no", "'edited' should be true or false"),
    ],
)
def test_a_hand_edited_state_with_wrong_types_names_the_file_and_record(
    tmp_path: Path, capsys, *, table: str, field: str, value: object, says: str
) -> None:
    world = write_world(tmp_path / "w")
    assert run(capsys, *world.args, "cycle")[0] == 0
    state = world.folder / "home" / "state.json"
    data = json.loads(state.read_text())
    key = next(iter(data["tables"][table]))
    data["tables"][table][key][field] = value
    state.write_text(json.dumps(data))
    for command in (["drafts", "list"], ["cycle"], ["board"]):
        code, _, err = run(capsys, *world.args, *command)
        assert code == 1, command
        assert f"{state}: {table} record {key!r}: {says}" in err
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("table", "record", "says"),
    [
        ("stages", {"stage": "frozen", "since": "2026-11-01"}, "'stage' should be one of cold"),
        ("stages", {"stage": "hot", "since": 20261101}, "'since' should be an ISO date"),
        ("blocks", {"id": "b", "day": "2026-11-20", "hours": "two"}, "'hours' should be a number"),
        ("digests", {"status": "sent", "sends": "1"}, "'sends' should be a whole number"),
        ("block_weeks", {"planned": "2h"}, "every value should be a number"),
    ],
)
def test_other_tables_are_checked_too(
    tmp_path: Path, capsys, table: str, record: object, says: str
) -> None:
    world = write_world(tmp_path / "w")
    assert run(capsys, *world.args, "cycle")[0] == 0
    state = world.folder / "home" / "state.json"
    data = json.loads(state.read_text())
    data["tables"].setdefault(table, {})["hand-made"] = record
    state.write_text(json.dumps(data))
    code, _, err = run(capsys, *world.args, "board")
    assert code == 1 and f"{table} record 'hand-made': {says}" in err
