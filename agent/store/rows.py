"""Frozen dataclasses as rows: lists in field order, for files of many records.

A message as a document repeats its thirteen keys (and each address its two) 180,000
times in a large book; as a row it does not, so the file is smaller and parses faster.
Values take the same forms as in ``agent.store.codec`` documents (ISO datetimes with their
offset, enum values, tuples as lists); nested dataclasses are rows too.

A file of rows carries ``columns_of(...)``: the field names per class when it was
written. :class:`RowReader` reads rows by those names, so a field added to a class later
takes its default and a field that no longer exists is ignored.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache, partial
from operator import attrgetter
from types import MemberDescriptorType, NoneType, UnionType
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from agent.store.codec import Unreadable, datetime_to_json

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
R = TypeVar("R")  # a dataclass or a named tuple (``from_columns``)
Codec = Callable[[Any], Any]
Columns = dict[str, list[str]]


def to_row(obj: DataclassInstance) -> list[Any]:
    """The dataclass as a list of JSON values, in field order."""
    return _row_maker(type(obj))(obj)


@cache
def _row_maker(cls: type) -> Callable[[Any], list[Any]]:
    """``to_row`` for one class: every field read at once (``attrgetter``), and only the
    fields that need it encoded (a first sync writes 60,000 messages)."""
    encoders = _encoders(cls)
    names = [name for name, _ in encoders]
    coded = [(at, encode) for at, (_, encode) in enumerate(encoders) if encode is not None]
    if not names:
        return lambda obj: []
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        (name,) = names
        return lambda obj: [_encoded(getattr(obj, name), coded)]
    read = attrgetter(*names)

    def row(obj: Any) -> list[Any]:
        values = list(read(obj))
        for at, encode in coded:
            values[at] = encode(values[at])
        return values

    return row


def _encoded(value: Any, coded: list[tuple[int, Codec]]) -> Any:
    return coded[0][1](value) if coded else value


@cache
def _encoders(cls: type) -> tuple[tuple[str, Codec | None], ...]:
    hints = get_type_hints(cls)
    return tuple((name, _encoder(hints[name])) for name, _ in _fields(cls))


def _fields(cls: type) -> list[tuple[str, Any]]:
    """(name, default or ``MISSING``) of a dataclass's or a named tuple's fields, in order."""
    if _is_named_tuple(cls):
        defaults = cls._field_defaults  # type: ignore[attr-defined]
        return [(name, defaults.get(name, MISSING)) for name in cls._fields]  # type: ignore[attr-defined]
    return [(f.name, f.default) for f in fields(cls)]


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and hasattr(cls, "_fields")


def _encoder(tp: Any) -> Codec | None:
    inner, optional, many = _unwrap(tp)
    if inner is datetime:
        one: Codec | None = datetime_to_json
    elif inner is date:
        one = date.isoformat
    elif isinstance(inner, type) and issubclass(inner, Enum):
        one = _enum_value
    elif isinstance(inner, type) and is_dataclass(inner):
        one = to_row
    else:
        one = None
    if many:
        return list if one is None else (lambda v: [one(x) for x in v])
    if one is not None and optional:
        return lambda v: None if v is None else one(v)
    return one


def columns_of(*classes: type) -> Columns:
    """Field names of ``classes`` and of the dataclasses nested in them."""
    found: Columns = {}
    todo = list(classes)
    while todo:
        cls = todo.pop()
        if cls.__name__ in found:
            continue
        found[cls.__name__] = [f.name for f in fields(cls)]
        hints = get_type_hints(cls)
        todo.extend(
            inner
            for inner in (_unwrap(hints[f.name])[0] for f in fields(cls))
            if isinstance(inner, type) and is_dataclass(inner)
        )
    return found


def _unwrap(tp: Any) -> tuple[Any, bool, bool]:
    """(the inner type, optional, a tuple of them) for X, X | None and tuple[X, ...]."""
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, UnionType):
        inner = [arg for arg in args if arg is not NoneType]
        if len(inner) != 1:
            raise TypeError(f"cannot store the union {tp!r}")
        return inner[0], True, False
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"only tuple[X, ...] can be stored, not {tp!r}")
        return args[0], False, True
    return tp, False, False


def _enum_value(value: Enum) -> Any:
    return value.value


class RowReader:
    """Reads rows written with ``columns`` (class name → field names) into dataclasses."""

    def __init__(self, columns: Mapping[str, Sequence[str]]) -> None:
        self.columns = columns
        self._plans: dict[type, list[tuple[str, int, Codec | None]]] = {}
        # Classes saved with today's fields in order → the columns that need decoding.
        self._in_order: dict[type, list[tuple[int, Codec]]] = {}

    def read(self, cls: type[T], row: Sequence[Any]) -> T:
        """The dataclass in ``row``; a list row is decoded in place (rows are read once)."""
        plan = self._plans.get(cls) or self._plan(cls)
        if len(row) == len(plan) and isinstance(row, list) and cls in self._in_order:
            for at, decode_at in self._in_order[cls]:  # the common case: today's columns
                row[at] = decode_at(row[at])
            return cls(*row)
        kwargs = {}
        for name, at, decode in plan:
            if at < len(row):
                kwargs[name] = row[at] if decode is None else decode(row[at])
        return cls(**kwargs)

    def read_all(self, cls: type[T], rows: Sequence[Any]) -> list[T]:
        try:
            return [self.read(cls, row) for row in rows]
        except (TypeError, ValueError, KeyError, IndexError) as error:
            raise Unreadable(f"a {cls.__name__} row does not read: {error!r}") from None

    def _plan(self, cls: type) -> list[tuple[str, int, Codec | None]]:
        saved = list(self.columns.get(cls.__name__, ()))
        hints = get_type_hints(cls)
        plan = []
        for field in fields(cls):
            if field.name in saved:
                plan.append((field.name, saved.index(field.name), self._decoder(hints[field.name])))
            elif field.default is MISSING and field.default_factory is MISSING:
                raise Unreadable(f"rows of {cls.__name__} lack the field {field.name}")
        self._plans[cls] = plan
        if [at for _, at, _ in plan] == list(range(len(fields(cls)))):
            self._in_order[cls] = [(at, dec) for _, at, dec in plan if dec is not None]
        return plan

    def _decoder(self, tp: Any) -> Codec | None:
        inner, optional, many = _unwrap(tp)
        one = self._one(inner)
        if many:
            return tuple if one is None else (lambda v: tuple([one(x) for x in v]))
        if one is not None and optional:
            return lambda v: None if v is None else one(v)
        return one

    def _one(self, inner: Any) -> Codec | None:
        if inner is datetime:
            return datetime.fromisoformat
        if inner is date:
            return date.fromisoformat
        if isinstance(inner, type) and issubclass(inner, Enum):
            return {member.value: member for member in inner}.__getitem__  # faster than inner(v)
        if isinstance(inner, type) and is_dataclass(inner):
            return lambda v: self.read(inner, v)
        return None


def to_columns(cls: type, items: Sequence[Any]) -> dict[str, Any]:
    """Many records of ``cls`` as one list per field (a repetitive text column as a table
    of its distinct values and an index per record): smaller, and decoded per column."""
    columns = {}
    for name, encode in _encoders(cls):
        values = [getattr(item, name) for item in items]
        columns[name] = _packed(values if encode is None else [encode(v) for v in values])
    return {"count": len(items), "columns": columns}


def _packed(values: list[Any]) -> dict[str, list[Any]]:
    try:
        table = list(dict.fromkeys(values))
    except TypeError:  # lists (tuples in the record) are kept as they are
        return {"values": values}
    if len(table) * 2 > len(values):
        return {"values": values}
    at = {value: index for index, value in enumerate(table)}
    return {"table": table, "index": [at[v] for v in values]}


def from_columns(cls: type[R], data: Mapping[str, Any]) -> list[R]:
    """:func:`to_columns` read back, by field name (a field added later takes its default)."""
    try:
        count, columns = int(data["count"]), data["columns"]
        hints, reader = get_type_hints(cls), RowReader({})
        args = []
        for name, default in _fields(cls):
            if name in columns:
                values = _unpacked(columns[name], reader._decoder(hints[name]))
            elif default is not MISSING:
                values = [default] * count
            else:
                raise Unreadable(f"columns of {cls.__name__} lack the field {name}")
            if len(values) != count:
                raise Unreadable(f"the column {name} has {len(values)} of {count} values")
            args.append(values)
        return _built(cls, count, args)
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise Unreadable(f"{cls.__name__} columns do not read: {error!r}") from None


def _built(cls: type[R], count: int, columns: list[list[Any]]) -> list[R]:
    """``cls(*row)`` for every row of ``columns`` (one list per field, in field order).

    A named tuple is made whole from its row. A frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__`` (4 µs for eleven fields); a slotted one
    (``slots=True``, without ``__post_init__``) is filled a column at a time through its
    slots' own descriptors instead, in C. What it holds is the same; the checks its
    ``__init__`` makes are none."""
    if _is_named_tuple(cls):  # made as tuples: one column per field, of one length
        return list(map(partial(tuple.__new__, cls), zip(*columns, strict=True)))  # type: ignore[type-var]
    found = [cls.__dict__.get(name) for name, _ in _fields(cls)]
    slots = [s for s in found if isinstance(s, MemberDescriptorType)]
    if hasattr(cls, "__post_init__") or len(slots) != len(found):
        return list(map(cls, *columns))
    made: list[R] = [object.__new__(cls) for _ in range(count)]
    for slot, values in zip(slots, columns, strict=True):
        deque(map(slot.__set__, made, values), maxlen=0)
    return made


def _unpacked(column: Mapping[str, Any], decode: Codec | None) -> list[Any]:
    if "table" in column:
        table = column["table"] if decode is None else [decode(v) for v in column["table"]]
        return [table[i] for i in column["index"]]
    values = column["values"]
    return list(values) if decode is None else [decode(v) for v in values]
