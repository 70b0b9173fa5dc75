"""Limits on a YAML document before it is turned into plain data (config, content files).

A YAML alias is a reference: ``b: &b [*a, *a, ...]`` nine levels deep is a few hundred
bytes that the parser holds as a few dozen shared nodes, but that becomes nine to the
ninth values (hundreds of millions, gigabytes) once copied out into plain lists and dicts,
or once validated. So the document is measured first: its size in bytes, and how many
values it expands to, counted once per shared node (memoised), which costs no more than
the document itself. An alias that contains itself can never be expanded and is refused
too. Each limit is far above any real config or content library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.errors import ConfigError

MAX_BYTES = 8 * 1024 * 1024  # a config with thousands of accounts inline is ~2 MB
MAX_VALUES = 500_000  # every key, value and item once expanded


def check_size(path: Path, size: int, what: str) -> None:
    if size > MAX_BYTES:
        raise ConfigError(
            f"{path}: the {what} file is {size:,} bytes, more than the {MAX_BYTES:,} nurture reads",
            "keep large account lists in a CSV (accounts_file) and check the file is the right one",
        )


def check_expansion(path: Path, document: Any, what: str) -> None:
    """ConfigError when the document's aliases expand past ``MAX_VALUES`` or into a loop."""
    # ruamel only here: a config read from the cache or by libyaml never loads it.
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, (CommentedMap, CommentedSeq)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise ConfigError(
                f"{path}: the {what} file has an alias that contains itself",
                "remove the recursive alias (an &anchor used inside its own value)",
            )
        open_nodes.add(key)
        children = node.values() if isinstance(node, CommentedMap) else node
        total = 1 + len(node) if isinstance(node, CommentedMap) else 1
        for child in children:
            total += size(child)
            if total > MAX_VALUES:
                break
        open_nodes.discard(key)
        sizes[key] = total
        if total > MAX_VALUES:
            raise ConfigError(
                f"{path}: the {what} file expands to more than {MAX_VALUES:,} values "
                "(YAML aliases repeated inside each other)",
                "write the values out, or use fewer nested aliases",
            )
        return total

    try:
        size(document)
    except RecursionError:
        raise ConfigError(
            f"{path}: the {what} file is nested too deeply", "flatten the nested lists or mappings"
        ) from None
