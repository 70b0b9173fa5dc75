"""Schema 2: observations in their own file, written first; migration from schema 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import agent.store.db
from agent.errors import StoreCorruptError, UserError
from agent.model.tables import DRAFTS
from agent.store.codec import to_json
from agent.store.db import Store
from tests.store.test_store import meeting, message


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


def test_schema_1_moves_messages_and_meetings_to_their_own_file(home: Path) -> None:
    home.mkdir()
    old = {
        "schema": 1,
        "tables": {
            "_meta": {"cursor:local": {"value": {"mail": {"x": "1:2"}}}},
            "messages": {m.uid: to_json(m) for m in (message("a"), message("b"))},
            "meetings": {"ev1": to_json(meeting())},
            "drafts": {"k": {"status": "created"}},
        },
    }
    (home / "state.json").write_text(json.dumps(old))
    with Store.open(home) as store:
        assert [m.uid for m in store.messages()] == ["a", "b"]
        assert store.messages()[0] == message("a")
        assert store.meetings() == [meeting()]
        store.commit()
    state = json.loads((home / "state.json").read_bytes())
    assert state["schema"] == 2
    assert set(state["tables"]) == {"_meta", "drafts"}
    assert json.loads((home / "observations.json").read_bytes())["generation"] == 1
    with Store.open(home) as store:
        assert store.get_meta("cursor:local") == {"mail": {"x": "1:2"}}
        assert [m.uid for m in store.messages()] == ["a", "b"]
        assert store.get(DRAFTS, "k") == {"status": "created"}


def test_commands_that_need_no_mail_do_not_read_it(home: Path) -> None:
    with Store.open(home) as store:
        store.put_messages([message("a")])
        store.set_meta("cursor:local", {"n": 1})
        store.commit()
    with Store.open(home) as store:
        store.put(DRAFTS, "k", {"n": 1})
        store.put_messages([])  # a sync that found nothing
        store.commit()
        assert store._obs is None
    assert json.loads((home / "observations.json").read_bytes())["generation"] == 1


def test_a_crash_between_the_two_writes_keeps_the_older_cursor(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(home) as store:
        store.put_messages([message("a")])
        store.set_meta("cursor:local", {"n": 1})
        store.commit()
    real = agent.store.db.write_atomically

    def state_fails(where: Path, name: str, payload: bytes, **kwargs: Any) -> None:
        if name == "state.json":
            raise UserError("disk gone")
        real(where, name, payload, **kwargs)

    with Store.open(home) as store:
        store.put_messages([message("b")])
        store.set_meta("cursor:local", {"n": 2})
        monkeypatch.setattr(agent.store.db, "write_atomically", state_fails)
        with pytest.raises(UserError):
            store.commit()
    monkeypatch.undo()
    with Store.open(home) as store:  # more mail than the cursor says: fetched again, once
        assert store.get_meta("cursor:local") == {"n": 1}
        assert [m.uid for m in store.messages()] == ["a", "b"]
        assert store.put_messages([message("b")]) == 0


def test_observations_older_than_the_state_are_refused(home: Path) -> None:
    for uid in ("a", "b"):
        with Store.open(home) as store:
            store.put_messages([message(uid)])
            store.commit()
    shutil.copy(home / "observations.json.bak", home / "observations.json")
    with Store.open(home) as store, pytest.raises(StoreCorruptError, match="older"):
        store.messages()


def test_corrupt_observations_with_an_older_backup_say_so(home: Path) -> None:
    """The backup of observations.json always trails the state: it is older, not
    unreadable, and the advice (move the file aside) leads to a full sync."""
    for uid in ("a", "b"):
        with Store.open(home) as store:
            store.put_messages([message(uid)])
            store.set_meta("cursor:local", {"n": uid})
            store.commit()
    (home / "observations.json").write_bytes(b'{"schema": 2, "gen')
    with Store.open(home) as store, pytest.raises(StoreCorruptError) as raised:
        store.messages()
    text = str(raised.value)
    assert "older" in text and "aside" in text and "so is its backup" not in text
    (home / "observations.json").rename(home / "aside.json")
    with Store.open(home) as store:
        assert store.get_meta("cursor:local") is None


def test_observations_moved_aside_mean_a_full_sync(home: Path) -> None:
    with Store.open(home) as store:
        store.put_messages([message("a")])
        store.set_meta("cursor:local", {"n": 1})
        store.commit()
    (home / "observations.json").rename(home / "aside.json")
    with Store.open(home) as store:
        assert store.get_meta("cursor:local") is None  # read everything again
        assert store.messages() == []
