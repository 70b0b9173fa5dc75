"""How to run nurture, as the rep can type it: hints that work without the venv, help
examples that can be copied whole."""

from __future__ import annotations

import inspect
import re
import shlex
import shutil
import sys
from pathlib import Path

import click


def nurture_command() -> str:
    """``nurture`` when that is what the shell finds, else the full path of the one that is
    running now (a venv the rep has not activated), else ``python -m agent``."""
    here = Path(sys.executable).parent / "nurture"
    on_path = shutil.which("nurture")
    if here.is_file():
        if on_path and Path(on_path).resolve() == here.resolve():
            return "nurture"
        return shlex.quote(str(here))
    if on_path:
        return "nurture"
    return f"{shlex.quote(sys.executable)} -m agent"


EXAMPLE = "Example:"
HELP_WIDTH = 74  # click's help is at most 78 columns, 2 of them indent; 2 to spare
_ARGUMENT = re.compile(r"""(?:[^\s'"]+|'[^']*'|"[^"]*")+""")


def examples_whole(command: click.Command) -> None:
    """Give the example that ends each help text (``command``'s and its subcommands') a
    paragraph of its own that click does not rewrap: broken between arguments, never
    inside one (``--dry-\\nrun``), with the lines after the first indented."""
    command.help = _example_apart(command.help)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            examples_whole(sub)


def _example_apart(text: str | None) -> str | None:
    if not text or EXAMPLE not in text:
        return text
    before, _, example = inspect.cleandoc(text).rpartition(EXAMPLE)
    lines = [EXAMPLE]
    for argument in _ARGUMENT.findall(example):
        if len(lines[-1]) + 1 + len(argument) > HELP_WIDTH:
            lines.append("   ")
        lines[-1] += f" {argument}"
    # "\b" alone on a paragraph's first line: click prints the paragraph as it is.
    return f"{before.rstrip()}\n\n\b\n" + "\n".join(lines)
