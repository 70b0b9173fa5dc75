"""Text for the terminal: data is shown as it is, never obeyed.

A subject, a meeting title or a name can carry escape sequences (clear the screen, retitle
the window, hide the rest of a line), carriage returns that overwrite what was printed, or
bidirectional overrides that reorder it; and any text can look like rich markup
(``Quarry [/] Finch`` is a valid account name). Every command prints through
:func:`echo` or :func:`console`: the first strips those characters, the second is a rich
console that reads no markup (styles are given as ``Text`` styles) and strips them from
everything it renders, while keeping the styles rich itself emits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from functools import cache
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # rich is imported only by the commands that draw tables (start-up time)
    from rich.console import Console

# C0 but tab and newline, DEL, C1 (0x9b is a one-byte CSI), bidi marks and overrides.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without control, escape and bidi characters (tabs and newlines stay)."""
    return _UNSAFE.sub("", text)


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text that may hold data from mail, calendars or files."""
    click.echo(clean(message), err=err, nl=nl)


@cache
def _safe_console() -> type[Console]:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment

    class SafeConsole(Console):
        """A rich console whose every rendered piece of text is :func:`clean`."""

        def render(
            self, renderable: RenderableType, options: ConsoleOptions | None = None
        ) -> Iterable[Segment]:
            for segment in super().render(renderable, options):
                if segment.control or not segment.text:
                    yield segment
                    continue
                text = clean(segment.text)
                yield segment if text == segment.text else Segment(text, segment.style)

    return SafeConsole


def console(*, stderr: bool = False, **options: Any) -> Console:
    """The console every command prints tables with: no markup, no highlighting, every
    rendered piece of text :func:`clean` (rich's own styles are kept)."""
    return _safe_console()(stderr=stderr, highlight=False, markup=False, **options)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CleanFormatter(logging.Formatter):
    """Log lines (standard error) carry subjects, titles and file names too. With ``tz``
    (the rep's zone) their times are in it, to the second."""

    def __init__(self, fmt: str, tz: tzinfo | None = None) -> None:
        super().__init__(fmt)
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        return clean(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if self.tz is None:
            return super().formatTime(record, datefmt)
        return f"{datetime.fromtimestamp(record.created, self.tz):%Y-%m-%d %H:%M:%S %Z}"
