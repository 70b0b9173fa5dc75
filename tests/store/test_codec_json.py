"""The store's JSON (``agent.store.codec``): orjson where it can, the json module where it
cannot, and the same files and answers either way."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from agent.store.codec import Unreadable, dump_json, load_json


def _stdlib(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def test_ordinary_data_is_written_as_the_json_module_writes_it() -> None:
    data = {
        "schema": 3,
        "name": "Zoë Ångström",
        "tags": ["a", "b"],
        "n": None,
        "ok": True,
        "nested": {"x": [1, 2.5, -3], "y": "\u2013 \U0001f600"},
        "t": (1, 2),
    }
    assert dump_json(data) == _stdlib(data)
    assert load_json(dump_json(data)) == json.loads(_stdlib(data))


def test_what_orjson_refuses_goes_through_the_json_module() -> None:
    lone = {"subject": "broken \udcff mail"}  # a lone surrogate from undecodable bytes
    assert load_json(dump_json(lone)) == lone
    assert dump_json({1: "x"}) == b'{"1":"x"}'  # a key that is not a string
    assert load_json(dump_json({"big": 2**70})) == {"big": 2**70}
    assert math.isnan(load_json(b'{"x": NaN}')["x"])


def test_datetimes_are_refused_as_before_and_bad_bytes_are_unreadable() -> None:
    with pytest.raises(TypeError):
        dump_json({"at": datetime(2026, 12, 3, tzinfo=UTC)})
    for raw in (b"\xff\xfe", b"{not json", b""):
        with pytest.raises(Unreadable):
            load_json(raw)


def test_ordinary_data_does_not_need_the_json_module(monkeypatch) -> None:
    from agent.store import codec

    def slow(*args: object, **kwargs: object) -> None:
        raise AssertionError("read or written by the json module")

    monkeypatch.setattr(codec.json, "loads", slow)
    monkeypatch.setattr(codec.json, "dumps", slow)
    data = {"touches": {"count": 2, "columns": {"at": {"values": ["2026-12-03T09:00:00+00:00"]}}}}
    assert codec.load_json(codec.dump_json(data)) == data
