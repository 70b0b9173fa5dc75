"""JSON forms for ``agent.store.db``: the state file, and the frozen dataclasses of ``agent.model``.

The state file is ``{"schema": SCHEMA_VERSION, "tables": {table: {key: document}}}``,
compact UTF-8 JSON; an older schema is upgraded on load by ``MIGRATIONS``, one step each.
Schema 1 kept messages and meetings as tables of it; schema 2 moved them to their own file
as rows (see ``agent.store.observations``): the step 1 → 2 hands them over as ``"observations"``.

Documents (``to_json``) are dicts, for the small tables written by hand. Rows (``to_row``)
are lists in field order, nested dataclasses rows too, for the hundreds of thousands of
observations and touches: no repeated keys to write, store and parse. A file of rows
carries its ``columns`` (field names per class), so a field added later, or removed, still
reads: :class:`RowReader` maps the saved columns onto today's fields.

Datetimes become ISO 8601 with their UTC offset (a ``ZoneInfo`` comes back as a fixed
offset: the same instant, so equal), dates ISO, enums their value, tuples lists, nested
dataclasses dicts. Decoding follows the field annotations, so adding a field with a default
keeps old documents readable; keys the class does not know are ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import (
    TYPE_CHECKING,
    Any,
    NamedTuple,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

import orjson

from agent.errors import UserError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
#: from-version -> function upgrading the raw file data (``{"schema": n, ...}``) one step;
#: the loader then sets ``"schema"`` to n + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
OBSERVED = ("messages", "meetings")  # the schema 1 tables that schema 2 keeps as rows

Tables = dict[str, dict[str, dict[str, Any]]]

T = TypeVar("T", bound="DataclassInstance")
Codec = Callable[[Any], Any]
_Plan = tuple[tuple[str, Codec | None, Codec | None], ...]  # name, encode, decode (None: as is)


class Unreadable(Exception):
    """A state file that is not valid JSON of the expected shape."""


class Outdated(Unreadable):
    """A file that reads, but is older than the state that refers to it."""


def encode_state(tables: Tables) -> bytes:
    return dump_json({"schema": SCHEMA_VERSION, "tables": tables})


class Loaded(NamedTuple):
    tables: Tables
    migrated: bool  # a migration changed the data: worth saving
    observations: dict[str, Any] | None  # what a migration moved out of the tables


def decode_state(raw: bytes) -> Loaded:
    """The tables in a state file, whether a migration changed them, and observations a
    migration took out of them (to go to their own file)."""
    data = load_json(raw)
    version = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise Unreadable("no schema version")
    if version > SCHEMA_VERSION:
        raise UserError(
            f"the nurture state was saved by a newer nurture (schema {version}; "
            f"this one reads up to {SCHEMA_VERSION})",
            "Upgrade nurture (pip install -U nurture) and run the command again.",
        )
    for step in range(version, SCHEMA_VERSION):
        if step not in MIGRATIONS:
            raise UserError(
                f"the nurture state has schema {step}, which this nurture cannot upgrade",
                "Use the nurture version that wrote it, or move the state dir aside.",
            )
        data = MIGRATIONS[step](data)
        data["schema"] = step + 1
        log.info("upgraded the nurture state from schema %d to %d", step, step + 1)
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(docs, dict) and all(isinstance(doc, dict) for doc in docs.values())
        for docs in tables.values()
    ):
        raise Unreadable("not the expected {schema, tables} shape")
    moved = data.get("observations")
    return Loaded(tables, version != SCHEMA_VERSION, moved if isinstance(moved, dict) else None)


# orjson reads and writes the store's files in half the work of the json module (a large
# book's touches.json is 8 MB, read by every command that looks at the book). What it does
# not take (a lone surrogate from broken mail, NaN in a file, an integer past 64 bits, a key
# that is not a string) goes to the json module, so every file reads as it always did;
# datetimes and dataclasses are refused as the json module refuses them. One difference in
# writing: orjson writes a float NaN as null (the only floats stored, hours of blocks,
# are sums of durations).
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def load_json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Unreadable(f"not valid JSON: {error}") from None


def dump_json(data: Any) -> bytes:
    """Compact UTF-8 JSON; lone surrogates from broken mail are \\u-escaped instead."""
    try:
        return orjson.dumps(data, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is one
        pass
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":")).encode()


def _v1_tables_to_observations(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 → 2: messages and meetings leave the tables for a file of their own."""
    tables = data.get("tables")
    if not isinstance(tables, dict):
        return data  # let the shape check say what is wrong
    moved = {name: tables.pop(name, {}) for name in OBSERVED}
    if not all(isinstance(docs, dict) for docs in moved.values()):
        raise Unreadable("messages or meetings are not tables")
    data["observations"] = {
        "form": "documents",
        **{name: list(docs.values()) for name, docs in moved.items()},
    }
    return data


MIGRATIONS[1] = _v1_tables_to_observations


def to_json(obj: DataclassInstance) -> dict[str, Any]:
    """The dataclass as a dict of JSON values, every field included."""
    out = {}
    for name, encode, _ in _plan(type(obj)):
        value = getattr(obj, name)
        out[name] = value if encode is None else encode(value)
    return out


def from_json(cls: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild ``cls`` from :func:`to_json` output; missing keys take the field default."""
    kwargs = {}
    for name, _, decode in _plan(cls):
        if name in data:
            kwargs[name] = data[name] if decode is None else decode(data[name])
    return cls(**kwargs)


@cache
def _plan(cls: type) -> _Plan:
    # Built once per class from the annotations: 200,000 messages pay no introspection.
    hints = get_type_hints(cls)
    return tuple((f.name, *_codecs(hints[f.name])) for f in fields(cls))


def _codecs(tp: Any) -> tuple[Codec | None, Codec | None]:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, UnionType):
        inner = [arg for arg in args if arg is not NoneType]
        if len(inner) != 1:
            raise TypeError(f"cannot store the union {tp!r}")
        encode, decode = _codecs(inner[0])
        return _or_none(encode), _or_none(decode)
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] can be stored, not {tp!r}")
        encode, decode = _codecs(args[0])
        return (
            (lambda v: [encode(x) for x in v]) if encode else list,
            (lambda v: tuple(decode(x) for x in v)) if decode else tuple,
        )
    if tp is datetime:
        return datetime_to_json, datetime.fromisoformat
    if tp is date:
        return date.isoformat, date.fromisoformat
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum_value, tp
    if isinstance(tp, type) and is_dataclass(tp):
        return to_json, lambda v: from_json(tp, v)
    if tp in (str, int, float, bool):
        return None, None
    raise TypeError(f"no JSON form for {tp!r}")


def _or_none(codec: Codec | None) -> Codec | None:
    if codec is None:
        return None
    return lambda value: None if value is None else codec(value)


def datetime_to_json(value: datetime) -> str:
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store keeps aware datetimes only")
    return value.isoformat()


def _enum_value(value: Enum) -> Any:
    return value.value
