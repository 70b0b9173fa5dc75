"""The values of the config's files that loaded fine, kept by the hash of their text.

A command reads config.yaml (and a content.yaml, an accounts CSV) every time it starts;
when a text is the one the last good load read, its values come from ``config-cache.json``
in the state folder (a JSON read of a few milliseconds) instead of a YAML parse or a CSV
read (for a CSV: each row's values as handed to the Account model). Only values are kept,
never the validated config: every check that can depend on more than the text (pydantic,
the templates folder) runs on every load, as before.

The file is a cache: unreadable, of another format or written for another text is a miss;
it is written only after a load that succeeded (a wrong config leaves the state folder as
it was), and a failed write (a full disk, a read-only folder) is only logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

from agent.atomic import write_atomically
from agent.errors import UserError

log = logging.getLogger(__name__)

FORMAT = 1
FILE_NAME = "config-cache.json"
_DATE = "\x00date"  # {_DATE: "2026-01-01"} stands for a date; no YAML key is spelt so


class Uncacheable(Exception):
    """Values JSON cannot give back exactly (a time of day, a library's own scalar type)."""


class YamlCache:
    """Values by file; ``get`` before parsing, ``put`` after a good load, then ``save``."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._entries: dict[str, Any] | None = None
        self._used: dict[str, tuple[str, Any]] = {}  # path → (digest, values)
        self._changed = False

    def get(self, path: Path, text: str) -> tuple[bool, Any]:
        """(True, values) when ``text`` is what the cache holds for ``path``."""
        name, digest = str(path.resolve()), _digest(text)
        entry = self._read().get(name)
        if isinstance(entry, dict) and entry.get("sha256") == digest and "data" in entry:
            self._used[name] = (digest, entry["data"])
            return True, entry["data"]
        return False, None

    def put(self, path: Path, text: str, data: Any) -> None:
        self._used[str(path.resolve())] = (_digest(text), data)
        self._changed = True

    def save(self) -> None:
        """Keep the files this load read (others are dropped); only when one changed."""
        if not self._changed or not self.file.parent.is_dir():
            return
        self._changed = False
        files = {}
        for name, (digest, data) in self._used.items():
            try:
                files[name] = {"sha256": digest, "data": _encoded(data)}
            except Uncacheable as why:
                log.debug("%s: values not cached (%s)", name, why)
        body = json.dumps({"format": FORMAT, "files": files}, separators=(",", ":"))
        try:
            write_atomically(self.file, body.encode())
        except UserError as error:
            log.info("config cache not written: %s", error)

    def _read(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = {}
            try:
                found = json.loads(self.file.read_bytes(), object_hook=_decoded)
            except (OSError, ValueError):
                return self._entries
            if isinstance(found, dict) and found.get("format") == FORMAT:
                files = found.get("files")
                self._entries = files if isinstance(files, dict) else {}
        return self._entries


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _encoded(value: Any) -> Any:
    """Plain values as JSON values; a date as {_DATE: iso}; anything else: Uncacheable."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is date:
        return {_DATE: value.isoformat()}
    if kind is list:
        return [_encoded(item) for item in value]
    if kind is dict:
        if _DATE in value:
            raise Uncacheable("a key that the cache uses itself")
        return {str(key): _encoded(item) for key, item in value.items()}
    if isinstance(value, str):
        return str.__str__(value)  # a block scalar's string type: the same text
    raise Uncacheable(f"a value of type {kind.__name__}")


def _decoded(mapping: dict[str, Any]) -> Any:
    """json's object_hook: {_DATE: iso} back to a date."""
    if len(mapping) == 1 and _DATE in mapping:
        try:
            return date.fromisoformat(mapping[_DATE])
        except (TypeError, ValueError):
            raise ValueError("not a date") from None  # an unreadable cache: a miss
    return mapping
