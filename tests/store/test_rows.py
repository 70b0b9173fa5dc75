"""Records by column (``agent.store.rows``): what goes in comes back, frozen as it was."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest

from agent.model import Channel, Direction, Signal, Touch
from agent.store.rows import from_columns, to_columns

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _touches() -> list[Touch]:
    return [
        Touch("m1", "Acme", "kim@acme.com", AT, Direction.INBOUND, Channel.EMAIL, 2, "Hi", "x"),
        Touch("m2", "Acme", "lee@acme.com", AT, Direction.OUTBOUND, Channel.MEETING, 3, name="Lee"),
        Touch(
            "m3", "Corvid", "kim@corvid.org", AT, Direction.OUTBOUND, Channel.EMAIL, 1, thread="t"
        ),
    ]


def test_touches_and_signals_come_back_equal_hashable_and_unchangeable(monkeypatch) -> None:
    made = {
        Touch: _touches(),
        Signal: [
            Signal("out_of_office", "Acme", "kim@acme.com", AT, "back", date(2026, 11, 9)),
            Signal("copied", "Acme", "ann@acme.com", AT, by="kim@acme.com", name="Ann"),
        ],
    }
    stored = {cls: json.loads(json.dumps(to_columns(cls, items))) for cls, items in made.items()}

    def field_by_field(*args: object, **kwargs: object) -> None:
        raise AssertionError("built through __init__, a field at a time")

    monkeypatch.setattr(Signal, "__init__", field_by_field)  # read back without it
    for cls, items in made.items():
        back = from_columns(cls, stored[cls])
        assert back == items and [type(b) for b in back] == [cls] * len(items)
        assert {hash(b) for b in back} == {hash(i) for i in items}
        with pytest.raises(AttributeError):  # FrozenInstanceError is one
            back[0].account = "Other"  # type: ignore[misc]


def test_a_record_class_that_checks_itself_is_built_through_its_init() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("negative")

    assert from_columns(Checked, to_columns(Checked, [Checked(1)])) == [Checked(1)]
    with pytest.raises(Exception, match="negative"):
        from_columns(Checked, {"count": 1, "columns": {"n": {"values": [-1]}}})
