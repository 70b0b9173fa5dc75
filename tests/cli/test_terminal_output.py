"""Terminal output shows data and never obeys it (issue 15): no rich markup is read from
data, and control, escape and bidi characters are stripped from every command's output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.untrusted.terminal import clean, console
from tests.conftest import NOW
from tests.kits.attackworld import write_world

ESCAPES = "\x1b[2J\x1b]0;owned\x07\r\x9b31m\u202e"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_clean_keeps_text_tabs_and_newlines_only() -> None:
    assert clean(f"a{ESCAPES}b\tc\nd") == "a[2J]0;owned31mb\tc\nd"


def test_an_account_name_that_looks_like_markup_is_shown_as_it_is(tmp_path: Path, capsys) -> None:
    world = write_world(tmp_path / "w", account="Quarry [/] Finch [bold]x")
    for command in (["board"], ["plan"], ["cycle"], ["drafts", "list"], ["blocks"]):
        code, out, err = run(capsys, *world.args, *command)
        assert code == 0, (command, err)
    code, out, _ = run(capsys, *world.args, "board")
    assert "Quarry [/] Finch [bold]x" in out


def test_escapes_from_data_never_reach_the_terminal(tmp_path: Path, capsys) -> None:
    world = write_world(tmp_path / "w", account=f"Acme{ESCAPES}")
    assert run(capsys, *world.args, "cycle")[0] == 0
    # A record edited by hand, or written by an older nurture, carries them too.
    state = world.folder / "home" / "state.json"
    data = json.loads(state.read_text())
    for record in data["tables"]["drafts"].values():
        record["reason"] = f"because{ESCAPES}"
    state.write_text(json.dumps(data))
    [row] = json.loads(run(capsys, *world.args, "drafts", "list", "--json")[1])
    for command in (
        ["board"],
        ["plan"],
        ["account", f"Acme{ESCAPES}"],
        ["drafts", "list"],
        ["drafts", "show", row["id"]],
        ["drafts", "show", row["id"], "--json"],
        ["cycle"],
        ["digest"],
        ["status"],
    ):
        code, out, err = run(capsys, *world.args, *command)
        assert code == 0, (command, err)
        for text in (out, err):
            assert not any(c in text for c in "\x1b\x07\r\x9b\u202e"), (command, text)


def test_a_styled_table_keeps_its_styles_on_a_terminal() -> None:
    from rich.text import Text

    out = console(force_terminal=True, width=80)
    with out.capture() as captured:
        out.print(Text("due", style="bold red"), f"x{ESCAPES}y")
    text = captured.get()
    assert "\x1b[1;31mdue" in text  # rich's own style
    assert "\x1b[2J" not in text and "\x07" not in text and "owned" in text
