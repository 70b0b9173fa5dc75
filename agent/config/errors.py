"""A pydantic ValidationError of config.yaml as a ConfigError: file, line, key path, words.

YAML speaks of lists and mappings, pydantic of tuples and dictionaries; the messages are
put in the config's terms, and each names the line of the key when YAML told us.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from agent.config.yamlfile import KeyPath, not_utf8
from agent.errors import ConfigError, did_you_mean


def validation_error(
    path: Path,
    error: ValidationError,
    lines: dict[KeyPath, int],
    data: Any = None,
    model: type[BaseModel] | None = None,
) -> ConfigError:
    """``data`` (the document) names accounts by their names; ``model`` (the root
    model) lets a misspelt key be matched to the keys allowed where it stands."""
    problems: list[tuple[int, str]] = []
    items = error.errors()
    # A bad item also empties a min_length tuple; "at least 1 item" would only confuse.
    bad = {i["loc"][:-1] for i in items if i["type"] != "too_short" and i["loc"]}
    items = [i for i in items if not (i["type"] == "too_short" and i["loc"] in bad)]
    for item in items[:5]:
        loc = tuple(p for p in item["loc"] if p not in ("base_dir", "[key]"))
        if item["type"] == "duplicate_account":
            loc = (*loc, item["ctx"]["index"], "name")
        line = _line_for(loc, lines)
        where = f"{path}:{line}" if line else str(path)
        problems.append((line or 0, f"{where}: {_key(loc, data)}: {_message(item, loc, model)}"))
    problems.sort(key=lambda problem: problem[0])  # in the order the rep reads the file
    text = "\n".join(problem for _, problem in problems)
    return ConfigError(text, "fix the config and run the command again")


def _key(loc: KeyPath, data: Any) -> str:
    """The key path as the rep reads it: ``accounts[Acme].tier``, not ``accounts.0.tier``."""
    parts: list[str] = []
    for index, part in enumerate(loc):
        if index == 1 and loc[0] == "accounts" and isinstance(part, int):
            name = _account_name(data, part)
            if name:
                parts[-1] += f"[{name}]"
                continue
        parts.append(str(part))
    return ".".join(parts) or "(top level)"


def _account_name(data: Any, index: int) -> str:
    accounts = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(accounts, list) or not 0 <= index < len(accounts):
        return ""
    account = accounts[index]
    name = account.get("name") if isinstance(account, dict) else None
    return name.strip() if isinstance(name, str) else ""


def _message(item: Any, loc: KeyPath, model: type[BaseModel] | None) -> str:
    """Pydantic's words, in the config's terms (YAML has lists and mappings, not tuples)."""
    if item["type"] == "extra_forbidden":
        allowed = _keys_at(model, loc[:-1]) if model is not None and loc else []
        close = did_you_mean(str(loc[-1]), allowed, n=1, quote=False)
        if close:
            return f"unknown key: {close}"
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


def _keys_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """The keys the config allows at ``loc`` (a mapping's), or [] when not a model's."""
    found: list[Any] = [model]
    for part in loc:
        found = [inner for kind in found for inner in _inside(kind, part)]
    for kind in found:
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return [name for name in kind.model_fields if name != "base_dir"]
    return []


def _inside(kind: Any, part: str | int) -> list[Any]:
    """What ``kind`` (a model, a tuple, a mapping, an optional ...) holds under ``part``."""
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        return _inside(args[0], part)
    if origin in (Union, UnionType):
        return [inner for arg in args for inner in _inside(arg, part)]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(str(part))
        return [] if field is None else [field.annotation]
    if origin in (tuple, list) and isinstance(part, int) and args:
        return [args[0]]
    if origin in (dict, Mapping) and len(args) == 2:
        return [args[1]]
    return []
