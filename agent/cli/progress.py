"""A progress bar for long syncs (a first Gmail back-fill reads a year of mail)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from agent.providers.base import Progress as ProgressCallback

# What can make rich draw on something that is not a terminal.
_FORCING = ("FORCE_TERMINAL", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@contextmanager
def sync_progress() -> Iterator[ProgressCallback]:
    """A callback for ``Provider.pull``; draws on stderr, and only on a terminal."""
    if not _maybe_terminal():  # known without importing rich (a sync run by a script)
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    from agent.views.tables import console

    err = console(stderr=True)
    if not err.is_terminal:
        yield lambda done, total: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("searching mail", total=None)

        def update(done: int, total: int | None) -> None:
            described = "searching mail" if total is None else "reading mail headers"
            bar.update(task, completed=done, total=total, description=described)

        yield update


def _maybe_terminal() -> bool:
    if any(name in os.environ for name in _FORCING):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False
