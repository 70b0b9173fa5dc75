"""The smaller things from the walk-through (issue 16, item 12), through the real CLI on the
demo workspace (local provider, America/Chicago)."""

from __future__ import annotations

from email import message_from_bytes, policy

import click
import pytest

from tests.cli.test_drafts_cli import by_play, demo, drafts_dir, run

__all__ = ["demo"]  # the fixture, used by name


def test_a_status_filter_with_no_drafts_says_so(demo: list[str], capsys) -> None:
    code, out, _ = run(capsys, *demo, "drafts", "list", "--status", "sent")
    assert code == 0
    assert out.strip() == "No drafts with status sent; `nurture drafts list` shows them all."


def test_draft_date_headers_are_in_the_reps_zone(demo: list[str], capsys) -> None:
    draft = by_play(capsys, demo, "do_over")
    raw = (drafts_dir(demo) / f"{draft['id']}.eml").read_bytes()
    assert str(message_from_bytes(raw, policy=policy.default)["Date"]).endswith("-0600")
    assert run(capsys, *demo, "drafts", "approve", draft["id"], "--yes")[0] == 0
    sent = (drafts_dir(demo, "sent") / f"{draft['id']}.eml").read_bytes()
    assert str(message_from_bytes(sent, policy=policy.default)["Date"]).endswith("-0600")


def test_editing_a_draft_with_an_html_part_says_it_goes_out_as_text(
    demo: list[str], capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(click, "edit", lambda text, **_: text.replace("\n\n", "\n\nHello! ", 1))
    html = by_play(capsys, demo, "invitation")
    code, out, err = run(capsys, *demo, "drafts", "edit", html["id"])
    assert code == 0, err
    assert "It now goes out as plain text: the HTML version was the template's" in out
    raw = (drafts_dir(demo) / f"{html['id']}.eml").read_bytes()
    assert b"text/html" not in raw  # what it said is what happened
    plain = by_play(capsys, demo, "introduction")
    code, out, err = run(capsys, *demo, "drafts", "edit", plain["id"])
    assert code == 0 and out.strip() == f"Updated {plain['id']}.", err


def test_counts_read_as_a_rep_says_them(demo: list[str], capsys) -> None:
    draft = by_play(capsys, demo, "do_over")
    assert run(capsys, *demo, "drafts", "approve", draft["id"], "--yes")[0] == 0
    code, out, _ = run(capsys, *demo, "sync")
    assert code == 0 and "(1 new message, 0 meetings read)" in out


def _every_command() -> list[list[str]]:
    from agent.cli.main import cli

    found = []
    for name, command in cli.commands.items():
        found.append([name])
        if isinstance(command, click.Group):
            found += [[name, sub] for sub in command.commands]
    return found


@pytest.mark.parametrize("command", _every_command(), ids=" ".join)
def test_help_examples_are_never_wrapped_inside_an_argument(command: list[str]) -> None:
    from click.testing import CliRunner

    from agent.cli.main import cli

    result = CliRunner().invoke(cli, [*command, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80, result.output
    # On a line of its own (and the ones after it), not run into the text before it.
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Example:"))
    end = lines.index("", start)
    example = " ".join(line.strip() for line in lines[start:end])
    for line in lines[start:end]:
        assert not line.rstrip().endswith("-"), result.output  # never `--dry-` / `run`
    assert example.startswith("Example: ") and "nurture" in example
    for argument in example.split():
        assert argument in " ".join(lines[start:end]), argument


def test_a_drafts_card_wraps_its_prose_at_the_terminal(demo: list[str], capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    draft = by_play(capsys, demo, "invitation")
    code, out, _ = run(capsys, *demo, "drafts", "show", draft["id"])
    card = out.split("\n\n")[0].splitlines()
    assert code == 0 and len(draft["reason"]) > 80
    assert all(len(line) <= 80 for line in card if not line.startswith(("To:", "Open:"))), out
    play = [line for line in card if line.startswith("Play:") or line.startswith(" " * 9)]
    assert " ".join(" ".join(play).split()) == f"Play: invitation: {draft['reason']}"


def test_hints_name_nurture_as_the_shell_would_find_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import sys
    from pathlib import Path

    from agent.cli.invocation import nurture_command

    here = Path(sys.executable).parent / "nurture"
    assert here.is_file()  # the venv's, installed with the package
    monkeypatch.setattr(shutil, "which", lambda name: None)  # venv not activated
    assert nurture_command() == str(here)
    monkeypatch.setattr(shutil, "which", lambda name: str(here))  # activated
    assert nurture_command() == "nurture"
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/nurture")  # another one
    assert nurture_command() == str(here)
