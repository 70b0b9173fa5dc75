"""YAML values fast: libyaml's parser read as events, scalars typed by YAML 1.2's rules.

The line-numbering reader (``agent.config.yamlfile``, ruamel's round-trip loader) spends about
two seconds on a 445 KB config.yaml of 2,000 accounts; libyaml's event stream plus this
module's small builder takes a few hundredths. The values must be the ones ruamel gives,
so plain scalars are typed with ruamel's YAML 1.2 resolvers (``true``, not ``yes``;
``010`` is a number, ``9:00`` a string; copied below and checked against ruamel by the
tests), and whatever this module is not sure to build exactly as ruamel does raises
:class:`Unsure`: anchors and aliases, explicit tags, merge keys, directives, repeated
keys, numbers other than plain decimals, times of day, non-scalar keys, more than one
document, nesting deeper than ``MAX_DEPTH``, and every input libyaml itself refuses. The
caller then reads the file the slow way, which also gives today's error and line number
for a file that is wrong (and applies ``agent.config.yamlguard``'s limits).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # PyYAML is imported on a first load: a cached config needs none of it
    from yaml.events import ScalarEvent

# Characters YAML 1.1 (libyaml) reads as line breaks and YAML 1.2 (ruamel) may not, a
# byte-order mark, and directives (%YAML 1.1 would switch ruamel to 1.1's rules).
_UNSURE_TEXT = re.compile("[\x85\u2028\u2029\ufeff]|^%", re.MULTILINE)

# libyaml keeps its own stack, so it reads thousands of nested brackets that ruamel (which
# recurses) refuses with "nested too deeply" (``agent.config.yamlguard``); a real config is
# a few levels deep, so anything deeper is left to the slow reader and its error.
MAX_DEPTH = 32

# ruamel.yaml's implicit resolvers for YAML 1.2 (ruamel/yaml/resolver.py), in its order:
# (tag, pattern, first characters). tests/config/test_config_fast.py compares them with ruamel's.
RESOLVERS_1_2: tuple[tuple[str, str, str], ...] = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "float",
        r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        "int",
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
        "-+0123456789",
    ),
    ("merge", r"^(?:<<)$", "<"),
    (
        "null",
        r"""^(?: ~
        |null|Null|NULL
        | )$""",
        "~nN",
    ),
    (
        "timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    ("value", r"^(?:=)$", "="),
    ("yaml", r"^(?:!|&|\*)$", "!&*"),
)
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in RESOLVERS_1_2:
    for _char in _first:
        _BY_FIRST.setdefault(_char, []).append((_tag, re.compile(_pattern, re.X)))
_EMPTY = "null"  # ruamel's resolver for "" is the null one

_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_POINT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOLS["FALSE"] = False


class Unsure(Exception):
    """This text is left to the slow reader: it may not give what ruamel would."""


def load(text: str) -> Any:
    """The document as plain data (dicts with str keys, lists, scalars), as
    ``agent.config.yamlfile.read_yaml`` would return it; :class:`Unsure` otherwise."""
    if _UNSURE_TEXT.search(text):
        raise Unsure("directive, byte-order mark or YAML 1.1 line break")
    import yaml

    # libyaml's parser; PyYAML built without libyaml has the same parser in Python.
    parser = getattr(yaml, "CLoader", yaml.Loader)
    try:
        return _build(yaml.parse(text, Loader=parser))
    except yaml.YAMLError as error:
        raise Unsure(str(error)) from None


def _build(events: Any) -> Any:
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    stack: list[list[Any] | _Mapping] = []  # the collections still open
    root: list[Any] = []
    documents = 0
    for event in events:
        kind = type(event)
        if kind is ScalarEvent:
            _add(stack, root, _scalar(event))
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise Unsure("anchor or tag")
            frame: list[Any] | _Mapping = _Mapping() if kind is MappingStartEvent else []
            _add(stack, root, frame.data if isinstance(frame, _Mapping) else frame)
            stack.append(frame)
            if len(stack) > MAX_DEPTH:
                raise Unsure("nested deeper than a config is")
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1 or event.version is not None or event.tags:
                raise Unsure("several documents or directives")
        elif kind is AliasEvent:
            raise Unsure("alias")
    return root[0] if root else None


class _Mapping:
    """An open mapping and the key whose value comes next (None: a key comes next)."""

    __slots__ = ("data", "key", "keys")

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.key: str | None = None
        self.keys: set[Any] = set()  # as built: ruamel finds 1 and true the same key


_SCALAR_KEYS = (str, int, bool, date, type(None))  # str() of these is what ruamel's gives


def _add(stack: list[list[Any] | _Mapping], root: list[Any], value: Any) -> None:
    if not stack:
        root.append(value)
        return
    top = stack[-1]
    if isinstance(top, list):
        top.append(value)
    elif top.key is not None:
        top.data[top.key] = value
        top.key = None
    elif type(value) in _SCALAR_KEYS:
        key = str(value)
        if key in top.data or value in top.keys:
            raise Unsure("a repeated key")  # ruamel's DuplicateKeyError names the line
        top.keys.add(value)
        top.key = key
    else:
        raise Unsure("a key that is a list, a mapping or a number with a point")


def _scalar(event: ScalarEvent) -> Any:
    if event.anchor is not None or event.tag is not None:
        raise Unsure("anchor or tag")
    value = event.value
    if not event.implicit[0]:
        return value  # quoted or a block scalar: a string
    tag = _resolve(value)
    if tag == "str":
        return value
    if tag == "null":
        return None
    if tag == "bool":
        return _BOOLS[value]
    if tag == "int" and _DECIMAL.fullmatch(value):
        return int(value)
    if tag == "float" and _DECIMAL_POINT.fullmatch(value):
        return float(value)
    found = _DATE.fullmatch(value) if tag == "timestamp" else None
    if found:
        try:
            return date(*(int(part) for part in found.groups()))
        except ValueError:
            pass  # ruamel's own error says it better
    raise Unsure(f"{value!r}")


def _resolve(value: str) -> str:
    """The tag ruamel's YAML 1.2 resolver gives a plain scalar."""
    if not value:
        return _EMPTY
    for tag, pattern in _BY_FIRST.get(value[0], ()):
        if pattern.match(value):
            return tag
    return "str"
