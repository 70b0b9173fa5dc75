"""A pydantic ValidationError of config.yaml as a ConfigError: file, line, key path, words.

YAML speaks of lists and mappings, pydantic of tuples and dictionaries; the messages are
put in the config's terms, and each names the line of the key when YAML told us.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.config.yamlfile import KeyPath, not_utf8
from agent.errors import ConfigError


def validation_error(path: Path, error: ValidationError, lines: dict[KeyPath, int]) -> ConfigError:
    problems = []
    items = error.errors()
    # A bad item also empties a min_length tuple; "at least 1 item" would only confuse.
    bad = {i["loc"][:-1] for i in items if i["type"] != "too_short" and i["loc"]}
    items = [i for i in items if not (i["type"] == "too_short" and i["loc"] in bad)]
    for item in items[:5]:
        loc = tuple(p for p in item["loc"] if p not in ("base_dir", "[key]"))
        if item["type"] == "duplicate_account":
            loc = (*loc, item["ctx"]["index"], "name")
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_for(loc, lines)
        where = f"{path}:{line}" if line else str(path)
        problems.append(f"{where}: {key}: {_message(item)}")
    return ConfigError("\n".join(problems), "fix the config and run the command again")


def _message(item: Any) -> str:
    """Pydantic's words, in the config's terms (YAML has lists and mappings, not tuples)."""
    if item["type"] == "extra_forbidden":
        return "unknown key (check the spelling against the example config.yaml)"
    if item["type"] == "missing":
        return "this key is required"
    message = str(item["msg"]).removeprefix("Value error, ")
    message = re.sub(r" or instance of \w+", "", message)
    return message.replace("a valid tuple", "a list").replace("a valid dictionary", "a mapping")


def _line_for(loc: KeyPath, lines: dict[KeyPath, int]) -> int | None:
    # Pydantic may report a deeper path than YAML has (e.g. inside a scalar); walk up.
    for size in range(len(loc), 0, -1):
        if loc[:size] in lines:
            return lines[loc[:size]]
    return None


@contextmanager
def csv_errors(path: Path, key: str, hint: str) -> Iterator[None]:
    """A CSV file named by config ``key`` that is missing, not UTF-8 or not CSV → a
    ConfigError naming the file and saying what to do."""
    try:
        yield
    except FileNotFoundError:
        raise ConfigError(f"{path}: {key} not found", f"fix {key} in the config") from None
    except UnicodeDecodeError:
        raise not_utf8(path, key) from None
    except csv.Error as error:
        raise ConfigError(f"{path}: not a readable CSV file ({error})", hint) from None
