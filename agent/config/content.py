"""The content library from a file: ``content.yaml`` or a CSV (e.g. a CMS export).

Items are validated by the same model as the inline ``content:`` list of config.yaml, and
a bad item names the file, the line and the field, like every other config error.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.config.errors import csv_errors
from agent.config.playbook import ContentItem
from agent.config.yamlcache import YamlCache
from agent.config.yamlfile import KeyPath, read_values
from agent.errors import ConfigError

COLUMNS = ("title", "url", "kind", "tags", "published", "evergreen")
_TRUE = {"yes", "y", "true", "1", "x", "evergreen"}
_FALSE = {"", "no", "n", "false", "0"}
_ROW_HINT = "fix that row of the content file"


def read_content_file(path: Path, *, cache: YamlCache | None = None) -> tuple[ContentItem, ...]:
    """Every item in the file; ``.csv`` is read as CSV, anything else as YAML (its values
    from ``cache`` while the text is the one it holds; put there once all are good)."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    if not path.exists():  # read_values' own hint is about the config file
        raise ConfigError(f"{path}: content_file not found", "fix content_file in the config")
    document = read_values(path, what="content", cache=cache)
    try:
        items = _read_yaml(path, document.data, document.lines() if document.has_lines else {})
    except ConfigError:
        if document.has_lines:
            raise
        # Explained from the line-numbering reader: its values, its lines.
        items = _read_yaml(path, document.data, document.lines())
    if cache is not None and not document.from_cache:
        cache.put(path, document.text, document.data)
    return items


def _read_yaml(path: Path, data: Any, lines: dict[KeyPath, int]) -> tuple[ContentItem, ...]:
    prefix: KeyPath = ()
    if isinstance(data, dict) and set(data) == {"content"}:
        data, prefix = data["content"], ("content",)  # the same shape as in config.yaml
    if not isinstance(data, list):
        raise ConfigError(
            f"{path}: the content file must be a list of items (title, url, kind, tags, ...)",
            "see `content:` in the example config.yaml for the layout",
        )
    items = []
    for index, entry in enumerate(data):
        where = f"{path}:{lines.get((*prefix, index), '?')}"
        items.append(_validate(entry, where, f"item {index + 1}"))
    return tuple(items)


def _read_csv(path: Path) -> tuple[ContentItem, ...]:
    with (
        csv_errors(path, "content_file", _ROW_HINT),
        path.open(newline="", encoding="utf-8-sig") as handle,
    ):
        reader = csv.DictReader(handle)
        header = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
        for required in ("title", "url"):
            if required not in header:
                raise ConfigError(
                    f"{path}:1: no {required!r} column (found: {', '.join(header)})",
                    f"the columns are: {', '.join(COLUMNS)}",
                )
        items = []
        for row in reader:
            where = f"{path}:{reader.line_num}"
            items.append(_validate(_row(row, header, where), where, "row"))
        return tuple(items)


def _row(row: dict[str, str], header: dict[str, str], where: str) -> dict[str, Any]:
    def cell(name: str) -> str:
        return (row.get(header[name]) or "").strip() if name in header else ""

    data: dict[str, Any] = {
        "title": cell("title"),
        "url": cell("url"),
        "tags": [t.strip() for t in re.split(r"[;,|]", cell("tags")) if t.strip()],
        "evergreen": _flag(cell("evergreen"), where),
    }
    if cell("kind"):
        data["kind"] = cell("kind").lower().replace(" ", "_").replace("-", "_")
    if cell("published"):
        data["published"] = cell("published")
    return data


def _flag(value: str, where: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{where}: column 'evergreen': {value!r} is not yes or no", _ROW_HINT)


def _validate(entry: Any, where: str, what: str) -> ContentItem:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: {what} must be a mapping with title and url", "fix that item")
    try:
        return ContentItem.model_validate(entry)
    except ValidationError as error:
        item = error.errors()[0]
        field = ".".join(str(p) for p in item["loc"]) or what
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown field (the fields are: {', '.join(COLUMNS)})"
        elif item["type"] == "missing":
            message = "this field is required"
        raise ConfigError(
            f"{where}: {field}: {message}", "fix that item of the content file"
        ) from None
