"""What a command does not load: the start-up a person waits for on every command.

Each command runs in a fresh interpreter (as a person runs it) on a small inline book that
was synced once; the test reads which modules it imported. No clock is read: a sync with
nothing new must not import a mail or calendar parser, rich or the engine; ``board`` and
``plan --json`` need no YAML parser (the config's values are cached), no rich, no Jinja2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.book_inline import NOW, InlineSize, write_inline_book

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from agent.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
HEAVY_EVERYWHERE = {"ruamel.yaml", "yaml", "jinja2", "icalendar", "rich", "agent.render.jinja"}
SYNC_NEVER = {
    *HEAVY_EVERYWHERE,
    "agent.providers.mail.parse",
    "agent.providers.mail.scan",
    "agent.core.accounts.state",
    "agent.views.json",
}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lean")
    write_inline_book(folder, InlineSize(20, 3, 400))
    modules(folder, "sync")  # the first sync: reads the mail, keeps the config's values
    return folder


def modules(book: Path, *command: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NURTURE_HOME": str(book / "home")}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            "--config",
            "config.yaml",
            "--now",
            NOW.isoformat(),
            *command,
        ],
        cwd=book,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def loaded(found: set[str], names: set[str]) -> set[str]:
    return {m for m in found if m in names or any(m.startswith(f"{n}.") for n in names)}


def test_a_sync_with_nothing_new_loads_no_parser_no_engine_no_rich(book: Path) -> None:
    assert loaded(modules(book, "sync"), SYNC_NEVER) == set()


@pytest.mark.parametrize("command", [("board", "--json"), ("plan", "--json")])
def test_read_commands_load_no_yaml_no_rich_no_jinja(book: Path, command: tuple[str, ...]) -> None:
    assert loaded(modules(book, *command), HEAVY_EVERYWHERE) == set()


def test_a_changed_config_is_read_with_libyaml_not_ruamel(book: Path) -> None:
    config = book / "config.yaml"
    text = config.read_text()
    config.write_text(text + "\nlookback_days: 366\n")
    try:
        found = modules(book, "board", "--json")
    finally:
        config.write_text(text)
    assert "yaml" in found
    assert loaded(found, {"ruamel.yaml"}) == set()
