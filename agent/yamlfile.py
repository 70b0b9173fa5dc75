"""Reading YAML: values fast, line numbers when something must be explained.

``read_yaml`` is the line-numbering reader (ruamel's round-trip loader): values plus a
map from key path to line, for errors that point at the line to fix. It is slow on a big
file (about two seconds for 2,000 accounts inline), so ``read_values`` gives the values
alone, from ``agent.yamlcache`` when the text is the one last read, else from
``agent.yamlfast``, and falls back on ``read_yaml`` for whatever those are not sure of;
``YamlValues.lines()`` reads the line numbers only when an error needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import yamlfast
from agent.errors import ConfigError
from agent.yamlcache import YamlCache

KeyPath = tuple[str | int, ...]


def read_yaml(path: Path, *, what: str) -> tuple[Any, dict[KeyPath, int]]:
    """Return the document as plain data plus a map from key path to 1-based line."""
    return parse_with_lines(path, read_text(path, what=what))


@dataclass
class YamlValues:
    """A YAML file's text and values; its line numbers are read on first use."""

    path: Path
    text: str
    data: Any
    from_cache: bool = False
    _lines: dict[KeyPath, int] | None = field(default=None, repr=False)

    @property
    def has_lines(self) -> bool:
        return self._lines is not None

    def lines(self) -> dict[KeyPath, int]:
        if self._lines is None:
            self.data, self._lines = parse_with_lines(self.path, self.text)
            self.from_cache = False
        return self._lines


def read_values(path: Path, *, what: str, cache: YamlCache | None = None) -> YamlValues:
    """The values of a YAML file, as ``read_yaml`` gives them; the same ConfigError for a
    file that cannot be read or is not valid YAML."""
    text = read_text(path, what=what)
    if cache is not None:
        found, data = cache.get(path, text)
        if found:
            return YamlValues(path, text, data, from_cache=True)
    try:
        return YamlValues(path, text, yamlfast.load(text))
    except yamlfast.Unsure:
        data, lines = parse_with_lines(path, text)
        return YamlValues(path, text, data, _lines=lines)


def read_text(path: Path, *, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: {what} file not found",
            "pass --config PATH, set NURTURE_CONFIG, or run `nurture init` to create one",
        ) from None
    except UnicodeDecodeError:
        raise not_utf8(path, f"{what} file") from None
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot read the {what} file ({error.strerror or error})",
            "check that the file exists and that you may read it",
        ) from None


def parse_with_lines(path: Path, text: str) -> tuple[Any, dict[KeyPath, int]]:
    """ruamel's round-trip loader: values and the line of every key and item."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path}{line}: not valid YAML: {error.problem}", "fix the syntax at that line"
        ) from None
    except YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    lines: dict[KeyPath, int] = {}
    return _plain(document, (), lines, (CommentedMap, CommentedSeq)), lines


def not_utf8(path: Path, what: str) -> ConfigError:
    """A file that is not UTF-8: the line of its first bad byte, and how to fix it."""
    line = None
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
    except OSError:
        pass
    return ConfigError(
        f"{path}{f':{line}' if line else ''}: the {what} is not UTF-8 text",
        'save it as UTF-8 (spreadsheets: "CSV UTF-8") and run the command again',
    )


def _plain(node: Any, path: KeyPath, lines: dict[KeyPath, int], kinds: tuple[Any, Any]) -> Any:
    mapping, sequence = kinds
    if isinstance(node, mapping):
        result = {}
        for key, value in node.items():
            line = node.lc.key(key)[0] + 1
            lines[(*path, str(key))] = line
            result[str(key)] = _plain(value, (*path, str(key)), lines, kinds)
        return result
    if isinstance(node, sequence):
        items = []
        for index, value in enumerate(node):
            lines[(*path, index)] = node.lc.item(index)[0] + 1
            items.append(_plain(value, (*path, index), lines, kinds))
        return items
    return node
