"""Tables that fit the terminal: names and ids whole, low-value columns dropped first.

A rep reads the board in an 80-column window or pipes it into a file. Rich, left alone,
shares the lack of room among all columns and cuts account names to ``Halvor…``. Here
each column says what it is worth: fixed columns (names, ids, numbers) are never cut or
wrapped, free-text columns wrap onto more lines and take the room left, and while the
table is still too wide the column dropped first goes. Only when even the columns that
are never dropped do not fit do fixed texts wrap too (still whole, never cut).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import JustifyMethod
from rich.table import Table
from rich.text import Text

Cell = str | Text

# A wrapping column is given at least this much room (less when its longest text is shorter).
WRAP_MIN = 8


@dataclass(frozen=True)
class Column:
    header: str
    justify: JustifyMethod = "left"
    drop: int = 0  # 0: kept at any width; otherwise the highest is dropped first
    wrap: bool = False  # free text: wraps onto more lines, takes the room left


def fit_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    *,
    boxed: bool = True,
    **table_options: Any,
) -> Table:
    """A table of ``rows`` no wider than ``width``: see the module's docstring."""
    # A column that could go and has nothing to say goes first (no one has a role).
    kept = [i for i, c in enumerate(columns) if not c.drop or any(_plain(r[i]) for r in rows)]
    while _needed([columns[i] for i in kept], [[r[i] for r in rows] for i in kept], boxed) > width:
        droppable = [i for i in kept if columns[i].drop]
        if not droppable:
            break
        worst = max(columns[i].drop for i in droppable)
        kept = [i for i in kept if columns[i].drop != worst]
    chosen = [columns[i] for i in kept]
    texts = [[row[i] for row in rows] for i in kept]
    widths = _widths(chosen, texts, width - _overhead(len(kept), boxed))
    style: dict[str, Any] = {"box": box.HEAVY_HEAD} if boxed else {"box": None, "pad_edge": False}
    table = Table(**style, **table_options)
    for column, room in zip(chosen, widths, strict=True):
        # An exact width each: rich would otherwise take the room from every column alike.
        table.add_column(column.header, justify=column.justify, width=room, overflow="fold")
    for row in rows:
        table.add_row(*(row[i] for i in kept))
    return table


def _widths(columns: Sequence[Column], cells: Sequence[Sequence[Cell]], room: int) -> list[int]:
    """Each column's width: fixed ones whole and wrapping ones their least, the room left
    shared out among wrapping ones (up to their natural width). When the fixed ones do not
    fit whole, they wrap at spaces too and get the room left first; when not even every
    longest word fits, the room is shared out in proportion (rich folds the words)."""
    natural = [_natural(c, texts) for c, texts in zip(columns, cells, strict=True)]
    least = [_width(c, texts) for c, texts in zip(columns, cells, strict=True)]
    if sum(least) <= room:
        return _grow(least, natural, [c.wrap for c in columns], room)
    words = [
        least[i] if c.wrap else min(natural[i], _longest_word(c, cells[i]))
        for i, c in enumerate(columns)
    ]
    if sum(words) <= room:
        fixed = _grow(words, natural, [not c.wrap for c in columns], room)
        return _grow(fixed, natural, [c.wrap for c in columns], room)
    return [max(1, w * room // sum(least)) for w in least]


def _grow(widths: list[int], natural: Sequence[int], which: Sequence[bool], room: int) -> list[int]:
    """``widths`` with the room left given a column at a time to those ``which`` may grow."""
    widths = list(widths)
    left = room - sum(widths)
    while left > 0:
        growing = [i for i, ok in enumerate(which) if ok and widths[i] < natural[i]]
        if not growing:
            break
        for i in growing[:left]:
            widths[i] += 1
        left -= min(left, len(growing))
    return widths


def _overhead(n: int, boxed: bool) -> int:
    return 3 * n + 1 if boxed else 2 * max(0, n - 1)


def _needed(columns: Sequence[Column], cells: Sequence[Sequence[Cell]], boxed: bool) -> int:
    """The narrowest the table can be: fixed columns whole, wrapping ones at their least."""
    return _overhead(len(columns), boxed) + sum(
        _width(c, texts) for c, texts in zip(columns, cells, strict=True)
    )


def _width(column: Column, cells: Sequence[Cell]) -> int:
    """The least a column can have: all of a fixed one, a wrapping one's longest word."""
    natural = _natural(column, cells)
    if not column.wrap:
        return natural
    return min(natural, max(WRAP_MIN, min(_longest_word(column, cells), 24)))


def _longest_word(column: Column, cells: Sequence[Cell]) -> int:
    return max(
        (cell_len(w) for t in [column.header, *map(_plain, cells)] for w in t.split()), default=0
    )


def _natural(column: Column, cells: Sequence[Cell]) -> int:
    return max([cell_len(column.header), *(_longest_line(_plain(c)) for c in cells)])


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else cell


def _longest_line(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)
