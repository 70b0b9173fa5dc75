"""The store: round trips, one atomic write per commit, crash safety, recovery, lock, schema."""

from __future__ import annotations

import ast
import errno
import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import agent as agent_package
import agent.store.codec as serial_module
from agent.errors import StoreBusyError, StoreCorruptError, UserError
from agent.model import (
    Address,
    Attendee,
    MailKind,
    MailMessage,
    Meeting,
    Response,
)
from agent.model.tables import DRAFTS, TABLES, DraftStatus, Table
from agent.store.db import Store
from agent.store.state_check import SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=PARIS)


def message(uid: str = "m1@acme.com", **changes: Any) -> MailMessage:
    fields: dict[str, Any] = {
        "uid": uid,
        "sent_at": T0,
        "sender": Address("ann@acme.com", "Ann Ödegaard"),
        "to": (Address("rep@seller.com", "Rep"), Address("bob@acme.com")),
        "cc": (Address("cy@acme.com", "Cy"),),
        "subject": "Re: pilot — next steps",
        "snippet": "Let's talk Tuesday",
        "kind": MailKind.AUTO_REPLY,
        "thread": "t-1",
        "in_reply_to": "m0@seller.com",
        "return_date": date(2026, 3, 9),
        "provider_id": "18c2f",
    }
    fields.update(changes)
    return MailMessage(**fields)


def meeting(uid: str = "ev1", **changes: Any) -> Meeting:
    fields: dict[str, Any] = {
        "uid": uid,
        "start": datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
        "end": datetime(2026, 3, 3, 14, 30, tzinfo=UTC),
        "title": "Acme QBR",
        "organizer": "rep@seller.com",
        "attendees": (
            Attendee("rep@seller.com", "Rep", Response.ACCEPTED, organizer=True),
            Attendee("ann@acme.com", "Ann", Response.TENTATIVE),
        ),
        "all_day": True,
        "cancelled": True,
        "busy": False,
        "calendar": "work",
        "own_block": True,
    }
    fields.update(changes)
    return Meeting(**fields)


def save(home: Path, **meta: Any) -> None:
    """One committed session that sets ``meta``."""
    with Store.open(home) as store:
        for key, value in meta.items():
            store.set_meta(key, value)
        store.commit()


def temps(home: Path) -> list[Path]:
    return sorted(home.glob(".state.json.*"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def replaces(monkeypatch: pytest.MonkeyPatch, home: Path) -> list[Path]:
    """Every os.replace onto state.json, i.e. every write of the state."""
    calls: list[Path] = []
    real = os.replace

    def counting(src: Any, dst: Any) -> None:
        if Path(dst) == home / "state.json":
            calls.append(Path(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", counting)  # the store calls os.replace
    return calls


# -- round trips ---------------------------------------------------------------------------


def test_messages_and_meetings_round_trip_every_field(home: Path) -> None:
    full = message()
    bare = message("m2@acme.com", sender=None, to=(), cc=(), return_date=None)
    event = meeting()
    with Store.open(home) as store:
        assert store.put_messages([full, bare]) == 2
        store.put_meetings([event, meeting("ev2", attendees=())])
        store.commit()
    with Store.open(home) as store:
        assert store.messages() == [full, bare]
        assert store.meetings() == [event, meeting("ev2", attendees=())]
        back = store.messages()[0]
    assert back.sent_at.utcoffset() == timedelta(hours=1)  # the offset survives, not only UTC
    assert back.kind is MailKind.AUTO_REPLY
    assert back.return_date == date(2026, 3, 9)
    raw = json.loads((home / "observations.json").read_text(encoding="utf-8"))
    columns = raw["columns"]["MailMessage"]
    row = dict(zip(columns, raw["messages"][0], strict=True))
    assert row["sent_at"] == "2026-03-02T09:30:00+01:00"
    assert row["kind"] == "auto_reply"
    assert row["sender"] == ["ann@acme.com", "Ann Ödegaard"]
    assert "Ödegaard" in (home / "observations.json").read_text(encoding="utf-8")  # not \u-escaped
    assert "messages" not in json.loads((home / "state.json").read_bytes())["tables"]


def test_naive_datetimes_are_refused(home: Path) -> None:
    with Store.open(home) as store, pytest.raises(ValueError, match="naive"):
        store.put_messages([message(sent_at=datetime(2026, 3, 2, 9, 30))])


def test_messages_dedupe_by_uid_and_keep_the_first(home: Path) -> None:
    first = message("a")
    with Store.open(home) as store:
        assert store.put_messages([first, message("a", subject="dup"), message("b")]) == 2
        store.commit()
    with Store.open(home) as store:
        assert store.put_messages([message("a", subject="changed"), message("c")]) == 1
        assert [m.uid for m in store.messages()] == ["a", "b", "c"]
        assert store.messages()[0] == first
        assert store.message_count == 3


def test_meetings_replace_remove_and_reset_by_calendar(home: Path) -> None:
    with Store.open(home) as store:
        store.put_meetings([meeting("a"), meeting("b"), meeting("c", calendar="home")])
        store.put_meetings([meeting("a", title="Moved")])
        assert [m.title for m in store.meetings()] == ["Moved", "Acme QBR", "Acme QBR"]
        assert store.remove_meetings(["b", "nope"]) == 1
        assert store.reset_calendar("work") == 1
        assert [m.uid for m in store.meetings()] == ["c"]
        assert store.reset_calendar("work") == 0


def test_generic_tables_and_meta(home: Path) -> None:
    with Store.open(home) as store:
        store.put(DRAFTS, "k1", {"to": ("ann@acme.com",), "n": 1})
        store.put(DRAFTS, "k2", {"n": 2})
        store.set_meta("cursor", {"history": "123"})
        returned = store.get(DRAFTS, "k1")
        assert returned == {"to": ["ann@acme.com"], "n": 1}  # what a reload would return
        returned["n"] = 99  # a copy: changing it changes nothing stored
        store.items(DRAFTS)["k2"]["n"] = 99
        store.get_meta("cursor")["history"] = "999"
        assert store.delete(DRAFTS, "k2") is True
        assert store.delete(DRAFTS, "k2") is False
        store.commit()
    with Store.open(home) as store:
        assert store.items(DRAFTS) == {"k1": {"to": ["ann@acme.com"], "n": 1}}
        assert store.get(DRAFTS, "k2") is None
        assert store.count(DRAFTS) == 1
        assert store.count(Table("never")) == 0
        assert store.get_meta("cursor") == {"history": "123"}
        assert store.get_meta("missing", "dflt") == "dflt"


def test_a_view_reads_what_items_reads_without_copying_the_records_deep(home: Path) -> None:
    with Store.open(home) as store:
        store.put(DRAFTS, "k1", {"status": "sent", "references": ["<a@x>"], "n": 1})
        store.put(DRAFTS, "k2", {"status": "created", "n": 2})
        seen = store.view(DRAFTS)
        assert seen == store.items(DRAFTS)
        assert seen["k1"]["status"] is DraftStatus.SENT  # read as the table reads it
        seen["k2"]["n"] = 99  # each record is a copy of its own
        assert store.get(DRAFTS, "k2") == {"status": "created", "n": 2}
        # Its lists are the store's own (that is what makes it cheap): the items are not.
        assert seen["k1"]["references"] is store.view(DRAFTS)["k1"]["references"]
        assert store.items(DRAFTS)["k1"]["references"] is not seen["k1"]["references"]


def test_generic_api_refuses_typed_tables_and_non_json(home: Path) -> None:
    with Store.open(home) as store:
        with pytest.raises(ValueError, match="messages"):
            store.put(Table("messages"), "x", {})
        with pytest.raises(TypeError):
            store.put(DRAFTS, "x", {"when": datetime.now(UTC)})
        assert store.count(DRAFTS) == 0


def test_lone_surrogates_from_broken_mail_are_saved(home: Path) -> None:
    with Store.open(home) as store:
        store.put(Table("t"), "k", {"s": "bad \udcff byte"})
        store.commit()
    with Store.open(home) as store:
        assert store.get(Table("t"), "k") == {"s": "bad \udcff byte"}


def test_keyed_puts_do_not_scan_the_table(home: Path) -> None:
    # TinyDB's stock table copies itself on every write: 20,000 puts would take minutes.
    with Store.open(home) as store:
        started = time.perf_counter()
        for i in range(20_000):
            store.put(Table("big"), str(i), {"i": i})
        assert store.get(Table("big"), "19999") == {"i": 19999}
    assert time.perf_counter() - started < 5


# -- one write per commit ------------------------------------------------------------------


def test_open_creates_the_dir_and_writes_nothing(home: Path) -> None:
    with Store.open(home / "deeper") as store:
        store.set_meta("x", 1)  # never committed
    assert (home / "deeper").is_dir()
    assert not (home / "deeper" / "state.json").exists()


def test_a_thousand_puts_make_exactly_one_write(home: Path, replaces: list[Path]) -> None:
    with Store.open(home) as store:
        store.put_messages(message(f"m{i}") for i in range(300))
        for i in range(1000):
            store.put(DRAFTS, f"k{i}", {"i": i})
            store.set_meta("last", i)
        assert replaces == []
        assert not (home / "state.json").exists()
        store.commit()
        assert len(replaces) == 1
        store.commit()  # nothing changed since
        assert len(replaces) == 1
    with Store.open(home) as store:
        assert store.count(DRAFTS) == 1000
        assert store.message_count == 300
        assert store.get_meta("last") == 999


def test_no_write_when_nothing_changed(home: Path, replaces: list[Path]) -> None:
    with Store.open(home) as store:
        store.put_messages([message()])
        store.put_meetings([meeting()])
        store.put(DRAFTS, "k", {"n": 1})
        store.set_meta("cursor", {"h": 1})
        store.commit()
    before = (home / "state.json").stat()
    with Store.open(home) as store:  # the same values again: a re-sync that found nothing
        assert store.put_messages([message()]) == 0
        store.put_meetings([meeting()])
        store.put(DRAFTS, "k", {"n": 1})
        store.set_meta("cursor", {"h": 1})
        assert store.remove_meetings(["unknown"]) == 0
        assert store.reset_calendar("other") == 0
        assert store.delete(DRAFTS, "unknown") is False
        store.commit()
    assert len(replaces) == 1
    after = (home / "state.json").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_commit_keeps_the_previous_state_as_bak(home: Path) -> None:
    save(home, n=1)
    assert not (home / "state.json.bak").exists()
    save(home, n=2)
    assert json.loads((home / "state.json.bak").read_bytes())["tables"]["_meta"]["n"] == {
        "value": 1
    }
    assert temps(home) == []


def test_an_error_inside_the_block_writes_nothing(home: Path) -> None:
    save(home, n=1)
    before = (home / "state.json").read_bytes()

    def crash() -> None:
        with Store.open(home) as store:
            store.set_meta("n", 2)
            store.put_messages([message()])
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        crash()
    assert (home / "state.json").read_bytes() == before
    with Store.open(home, lock_timeout=0.2) as store:  # and the lock was released
        assert store.get_meta("n") == 1
        assert store.message_count == 0


# -- crashes and bad files -------------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from agent.model.tables import Table
from agent.store.db import Store
with Store.open(Path(sys.argv[1])) as store:
    store.put(Table("pad"), "pad", {"text": "x" * 400_000})  # makes each write take a while
    i = 0
    while True:
        store.put(Table("commits"), str(i), {"i": i})
        store.set_meta("n", i)
        store.commit()
        if i == 0:
            print("committed", flush=True)
        i += 1
"""


def test_kill_9_at_any_moment_leaves_a_prefix_of_commits(tmp_path: Path) -> None:
    rng = random.Random(20261120)
    for trial in range(6):
        home = tmp_path / f"trial{trial}"
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(home)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "committed\n"
        time.sleep(rng.uniform(0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait()
        with Store.open(home, lock_timeout=1) as store:
            n = store.get_meta("n")
            assert set(store.items(Table("commits"))) == {str(i) for i in range(n + 1)}
            assert store.get(Table("pad"), "pad") == {"text": "x" * 400_000}
        assert list(home.glob("state.json.corrupt-*")) == []  # no recovery was even needed
        assert temps(home) == []  # a half-written temp file is cleaned up on open


@pytest.mark.parametrize(
    "bad",
    [b"", b'{"schema": 1, "tables": {"_meta": {"n": {"val', b"\xff\xfe{}", b"[1, 2]",
     b'{"schema": 1}', b'{"schema": 1, "tables": {"t": []}}', b'{"tables": {}}'],
)  # fmt: skip
def test_a_corrupt_state_recovers_from_the_backup(
    home: Path, bad: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    save(home, n=1)
    save(home, n=2)
    (home / "state.json").write_bytes(bad)
    with caplog.at_level(logging.WARNING, logger="agent.store.db"), Store.open(home) as store:
        assert store.get_meta("n") == 1
    assert "unreadable" in caplog.text
    (kept,) = home.glob("state.json.corrupt-*")
    assert kept.read_bytes() == bad  # nothing is lost
    os.remove(home / "state.json.bak")  # state.json itself was restored, not only memory
    with Store.open(home) as store:
        assert store.get_meta("n") == 1


@pytest.mark.parametrize("backup", [b"{broken", None])
def test_a_corrupt_state_without_a_good_backup_is_an_error(
    home: Path, backup: bytes | None
) -> None:
    save(home, n=1)
    (home / "state.json").write_bytes(b"{broken")
    if backup is not None:
        (home / "state.json.bak").write_bytes(backup)
    with pytest.raises(StoreCorruptError, match=re.escape(str(home / "state.json"))) as caught:
        Store.open(home).__enter__()
    assert "aside" in caught.value.hint
    assert (home / "state.json").read_bytes() == b"{broken"  # left for the person to look at


def test_disk_full_keeps_the_old_state_and_no_temp(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save(home, n=1)
    save(home, n=2)
    before = (home / "state.json").read_bytes(), (home / "state.json.bak").read_bytes()
    real_write = os.write
    calls = 0

    def full_disk(fd: int, data: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:  # part of the file fits, then the disk is full
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with Store.open(home) as store:
        store.set_meta("n", 3)
        store.put(DRAFTS, "k", {"body": "y" * 10_000})
        monkeypatch.setattr(os, "write", full_disk)
        with pytest.raises(UserError, match="No space left") as caught:
            store.commit()
        monkeypatch.undo()
        assert "disk space" in caught.value.hint
        assert ((home / "state.json").read_bytes(), (home / "state.json.bak").read_bytes()) == (
            before
        )
        assert temps(home) == []
        store.commit()  # once there is space again, the same changes are saved
    with Store.open(home) as store:
        assert store.get_meta("n") == 3


# -- lock ------------------------------------------------------------------------------------

HOLDER = """
import sys
from pathlib import Path
from agent.store.db import Store
with Store.open(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def held(home: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the store open until its stdin closes."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    assert child.stdout.readline() == "locked\n"
    yield child
    child.stdin.close()
    child.wait(timeout=10)


def test_a_second_process_gets_store_busy(home: Path, held: subprocess.Popen[str]) -> None:
    started = time.perf_counter()
    with pytest.raises(StoreBusyError, match=re.escape(str(home))) as caught:
        Store.open(home, lock_timeout=0.2).__enter__()
    assert 0.15 < time.perf_counter() - started < 3
    assert "another nurture process" in str(caught.value)
    assert caught.value.hint
    assert held.stdin is not None
    held.stdin.close()
    held.wait(timeout=10)
    with Store.open(home, lock_timeout=2) as store:  # free again once the other one closes
        store.set_meta("ok", True)


# -- schema ----------------------------------------------------------------------------------


def test_an_older_schema_is_migrated_by_the_registered_hooks(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.mkdir()
    (home / "state.json").write_text('{"schema": 0, "settings": {"greeting": "hej"}}')
    seen: list[dict[str, Any]] = []

    def v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
        seen.append(data)
        return {"tables": {"_meta": {"greeting": {"value": data["settings"]["greeting"]}}}}

    monkeypatch.setattr(serial_module, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(serial_module, "MIGRATIONS", {0: v0_to_v1})
    with Store.open(home) as store:
        assert store.get_meta("greeting") == "hej"
        store.commit()  # the upgrade itself is a change worth saving
    assert len(seen) == 1
    assert json.loads((home / "state.json").read_bytes())["schema"] == 1
    with Store.open(home) as store:
        assert store.get_meta("greeting") == "hej"
    assert len(seen) == 1  # a current file is not migrated again


def test_an_older_schema_without_a_hook_is_an_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.mkdir()
    (home / "state.json").write_text('{"schema": 0, "tables": {}}')
    monkeypatch.setattr(serial_module, "MIGRATIONS", {})
    with pytest.raises(UserError, match="schema 0"):
        Store.open(home).__enter__()


def test_a_newer_schema_asks_to_upgrade_and_touches_nothing(home: Path) -> None:
    save(home, n=1)
    save(home, n=2)  # a good .bak must not be used to silently downgrade
    newer = json.dumps({"schema": serial_module.SCHEMA_VERSION + 1, "tables": {}}).encode()
    (home / "state.json").write_bytes(newer)
    with pytest.raises(UserError, match="newer") as caught:
        Store.open(home).__enter__()
    assert not isinstance(caught.value, StoreCorruptError)
    assert "Upgrade nurture" in caught.value.hint
    assert (home / "state.json").read_bytes() == newer
    assert list(home.glob("state.json.corrupt-*")) == []


# -- typed tables ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(DraftStatus))
def test_every_draft_status_survives_a_reload_as_its_enum(home: Path, status: DraftStatus) -> None:
    # The state check once listed six of the seven statuses: a withdrawn reply made the
    # whole state file "corrupt" on the next command.
    with Store.open(home) as store:
        store.put(DRAFTS, "k", {"status": status, "created_at": "2026-11-20T09:00:00+00:00"})
        store.commit()
    with Store.open(home) as store:
        record = store.get(DRAFTS, "k")
        assert record is not None and record["status"] is status


def test_table_names_are_declared_in_one_module() -> None:
    """No module but agent/model/tables.py makes a store Table (rich's tables are others)."""
    agent = Path(agent_package.__file__).parent
    declaring = sorted(
        str(path.relative_to(agent)) for path in agent.rglob("*.py") if _makes_store_tables(path)
    )
    assert declaring == ["model/tables.py"]
    assert {table.name for table in TABLES} >= set(SCHEMAS)


def _makes_store_tables(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {"Table"} if path.name == "tables.py" and path.parent.name == "model" else set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "agent.model.tables":
            names |= {alias.asname or alias.name for alias in node.names if alias.name == "Table"}
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names
        for node in ast.walk(tree)
    )
