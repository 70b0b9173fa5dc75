"""Reading YAML: values fast, line numbers when something must be explained.

``read_yaml`` is the line-numbering reader (ruamel's round-trip loader): values plus a
map from key path to line, for errors that point at the line to fix. It is slow on a big
file (about two seconds for 2,000 accounts inline), so ``read_values`` gives the values
alone, from ``agent.config.yamlcache`` when the text is the one last read, else from
``agent.config.yamlfast``, and falls back on ``read_yaml``'s parser for whatever those are
not sure of; ``YamlValues.lines()`` reads the line numbers only when an error needs them.

Every way in meets the same limits (``agent.config.yamlguard``): the size is checked
before the text is read; the fast path leaves aliases and deep nesting to the slow one,
which measures what the aliases expand to and turns a parser's recursion into an error;
and only the values of a load that succeeded are ever cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.config import yamlfast
from agent.config.yamlcache import YamlCache
from agent.config.yamlguard import check_size
from agent.errors import ConfigError

KeyPath = tuple[str | int, ...]


def read_yaml(path: Path, *, what: str) -> tuple[Any, dict[KeyPath, int]]:
    """Return the document as plain data plus a map from key path to 1-based line."""
    return parse_with_lines(path, read_text(path, what=what), what=what)


@dataclass
class YamlValues:
    """A YAML file's text and values; its line numbers are read on first use."""

    path: Path
    text: str
    data: Any
    what: str = "config"
    from_cache: bool = False
    _lines: dict[KeyPath, int] | None = field(default=None, repr=False)

    @property
    def has_lines(self) -> bool:
        return self._lines is not None

    def lines(self) -> dict[KeyPath, int]:
        if self._lines is None:
            self.data, self._lines = parse_with_lines(self.path, self.text, what=self.what)
            self.from_cache = False
        return self._lines


def read_values(path: Path, *, what: str, cache: YamlCache | None = None) -> YamlValues:
    """The values of a YAML file, as ``read_yaml`` gives them; the same ConfigError for a
    file that cannot be read, is too big, is not valid YAML or expands too far."""
    text = read_text(path, what=what)
    if cache is not None:
        found, data = cache.get(path, text)
        if found:
            return YamlValues(path, text, data, what, from_cache=True)
    try:
        return YamlValues(path, text, yamlfast.load(text), what)
    except yamlfast.Unsure:
        data, lines = parse_with_lines(path, text, what=what)
        return YamlValues(path, text, data, what, _lines=lines)


def read_text(path: Path, *, what: str) -> str:
    try:
        check_size(path, path.stat().st_size, what)
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


def parse_with_lines(path: Path, text: str, *, what: str) -> tuple[Any, dict[KeyPath, int]]:
    """ruamel's round-trip loader: values and the line of every key and item."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from agent.config.yamlguard import check_expansion

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
    except RecursionError:  # thousands of nested brackets: the parser recurses per level
        raise ConfigError(f"{path}: the {what} file is nested too deeply", "flatten it") from None
    check_expansion(path, document, what)  # before _plain copies every alias out
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
