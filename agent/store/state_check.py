"""The state file's records have the types the code reads them with, or a clear error.

``state.json`` is plain JSON that a rep may open and edit. A draft whose ``status`` became
a number, a stage whose ``since`` is not a date, a block whose ``hours`` is text would
otherwise fail deep inside a command with a traceback. Checked once when the store opens:
a wrong record is a :class:`StoreCorruptError` naming the file, the table, the record and
the field, and what to do. Fields the code does not read are not checked; a missing field
takes the code's default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from agent.errors import StoreCorruptError
from agent.model import Stage
from agent.model.tables import (
    BLOCK_WEEKS,
    BLOCKS,
    DIGESTS,
    DRAFTS,
    STAGES,
    DigestStatus,
    DraftStatus,
)

Check = tuple[Callable[[Any], bool], str]  # (accepts the value, what it should be)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _moment(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _day(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _interval(value: Any) -> bool:
    return isinstance(value, dict) and _moment(value.get("start")) and _moment(value.get("end"))


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _numbers(value: Any) -> bool:
    return isinstance(value, dict) and all(_number(v) for v in value.values())


def _one_of(*allowed: str) -> Check:
    return (lambda v: v in allowed), f"one of {', '.join(allowed)}"


TEXT: Check = (_text, "text")
FLAG: Check = (_flag, "true or false")
MOMENT: Check = (_moment, "an ISO date and time, e.g. 2026-11-20T09:00:00+00:00")
DAY: Check = (_day, "an ISO date, e.g. 2026-11-20")

_DRAFT_TEXT = (
    "key account contact contact_name play content_url reason subject text html provider "
    "provider_id message_id link failed_reason reject_reason rejected_by edit_summary sent_by"
)
SCHEMAS: dict[str, dict[str, Check]] = {
    DRAFTS.name: {
        **dict.fromkeys(_DRAFT_TEXT.split(), TEXT),
        "status": _one_of(*DraftStatus),
        "created_at": MOMENT,
        "status_at": MOMENT,
        "edited": FLAG,
        "removed": FLAG,
        "edits": (lambda v: isinstance(v, dict), "a mapping"),
    },
    STAGES.name: {
        "stage": _one_of(*Stage),
        "since": DAY,
    },
    DIGESTS.name: {
        "status": _one_of(*DigestStatus),
        "sends": (_whole, "a whole number"),
        "to": TEXT,
        "marker": TEXT,
        "at": MOMENT,
        "where": TEXT,
    },
    BLOCKS.name: {
        "id": TEXT,
        "day": DAY,
        "hours": (_number, "a number"),
        "planned": (_interval, "a mapping with ISO start and end"),
        "seen": (lambda v: v is None or _interval(v), "a mapping with ISO start and end"),
        "status": _one_of("placed", "moved", "deleted", "kept"),
        "rep_moved": FLAG,
        "rescheduled": (_whole, "a whole number"),
        "pending": TEXT,
        "written": TEXT,
        "accounts": (_texts, "a list of account names"),
    },
    BLOCK_WEEKS.name: {},  # every value a number: see _record_problem
}
REQUIRED = {STAGES.name: ("stage", "since")}  # a draft without them is skipped (load_history)


def check_tables(path: Path, tables: Mapping[str, Mapping[str, Any]]) -> None:
    """StoreCorruptError for the first record whose fields have the wrong type."""
    for table, schema in SCHEMAS.items():
        for key, record in (tables.get(table) or {}).items():
            problem = _record_problem(table, schema, record)
            if problem:
                raise StoreCorruptError(
                    f"{path}: {table} record {key!r}: {problem}",
                    f"Fix that record (or remove it) in {path.name}; the copy before the last "
                    f"change is {path.name}.bak.",
                )


def _record_problem(table: str, schema: Mapping[str, Check], record: Any) -> str:
    if not isinstance(record, dict):
        return "is not a mapping of fields"
    if table == BLOCK_WEEKS.name:
        return "" if _numbers(record) else "every value should be a number of hours"
    for field in REQUIRED.get(table, ()):
        if field not in record:
            return f"has no {field!r}"
    for field, (accepts, wanted) in schema.items():
        if field in record and not accepts(record[field]):
            shown = repr(record[field])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            return f"{field!r} should be {wanted}, not {shown}"
    return ""
