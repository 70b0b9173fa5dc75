"""Reading YAML with line numbers, so errors can point at the line to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from agent.config.yamlguard import check_expansion, check_size
from agent.errors import ConfigError

KeyPath = tuple[str | int, ...]


def read_yaml(path: Path, *, what: str) -> tuple[Any, dict[KeyPath, int]]:
    """Return the document as plain data plus a map from key path to 1-based line."""
    try:
        check_size(path, path.stat().st_size, what)
        text = path.read_text(encoding="utf-8")
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
    return _plain(document, (), lines), lines


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


def _plain(node: Any, path: KeyPath, lines: dict[KeyPath, int]) -> Any:
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            line = node.lc.key(key)[0] + 1
            lines[(*path, str(key))] = line
            result[str(key)] = _plain(value, (*path, str(key)), lines)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            lines[(*path, index)] = node.lc.item(index)[0] + 1
            items.append(_plain(value, (*path, index), lines))
        return items
    return node
