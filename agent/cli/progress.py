"""A progress bar for long syncs (a first Gmail back-fill reads a year of mail)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from agent.providers.base import Progress as ProgressCallback
from agent.views.tables import console


@contextmanager
def sync_progress() -> Iterator[ProgressCallback]:
    """A callback for ``Provider.pull``; draws on stderr, and only on a terminal."""
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
