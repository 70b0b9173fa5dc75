"""The agent's memory: TinyDB tables held in memory, saved atomically, one process at a time.

The whole ``state.json`` is read when the store opens; every change happens in memory and
``commit()`` writes the file once, atomically (temp file, fsync, ``os.replace``), keeping the
previous good file as ``state.json.bak``. A lock on the state dir keeps a second nurture
process out while the store is open. Only this module imports TinyDB.

On disk: ``{"schema": 1, "tables": {table: {key: document}}}`` (see ``agent.serial``).
"""

from __future__ import annotations

import errno
import json
import logging
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from filelock import FileLock, Timeout
from tinydb import Query, TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from agent.errors import StoreBusyError, StoreCorruptError, UserError
from agent.model import MailMessage, Meeting
from agent.serial import Tables, Unreadable, decode_state, encode_state, from_json, to_json

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
BACKUP_FILE = "state.json.bak"
LOCK_FILE = "nurture.lock"
_META, _MESSAGES, _MEETINGS = "_meta", "messages", "meetings"
_TYPED_TABLES = frozenset({_META, _MESSAGES, _MEETINGS})  # written only by their own methods

Doc = dict[str, Any]


class _MemoryStorage(Storage):
    """TinyDB storage over one in-memory dict: a TinyDB write only marks it dirty."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.dirty = False

    def read(self) -> Tables:
        return self.tables

    def write(self, data: Tables) -> None:
        self.tables = data
        self.dirty = True


class _KeyedTable(Table):
    """A TinyDB table whose document ids are our string keys (message uid, draft key, ...).

    TinyDB's own ``_update_table`` copies the whole table on every write, O(n) per record;
    the data lives in memory anyway, so we update the live dict in place: keyed reads and
    writes are O(1). Documents are always stored under a key, never with TinyDB's int ids.
    """

    document_id_class = str  # type: ignore[assignment]  # ids are our keys, not ints

    def _update_table(self, updater: Callable[[dict[int, Mapping[Any, Any]]], None]) -> None:
        tables = cast(Tables, self._storage.read())
        updater(cast("dict[int, Mapping[Any, Any]]", tables.setdefault(self.name, {})))
        self._storage.write(tables)
        self.clear_cache()

    def docs(self) -> dict[str, Doc]:
        """The live documents by key: read them, never change them."""
        return cast("dict[str, Doc]", self._read_table())

    def put_many(self, docs: Mapping[str, Doc]) -> None:
        if docs:
            self._update_table(lambda table: table.update(cast(Any, docs)))

    def drop(self, keys: Collection[str]) -> None:
        def updater(table: dict[Any, Any]) -> None:
            for key in keys:
                del table[key]

        if keys:
            self._update_table(updater)


class _TinyDB(TinyDB):
    table_class = _KeyedTable


class Store:
    """Domain-level access to the saved state: use ``Store.open``.

    ``Store(home, {})`` alone is an unlocked in-memory store, handy in tests.
    """

    def __init__(self, home: Path, tables: Tables, *, dirty: bool = False) -> None:
        self.home = home
        self._storage = _MemoryStorage(tables)
        self._storage.dirty = dirty
        self._db = _TinyDB(storage=lambda: self._storage)
        self._open = True

    @classmethod
    @contextmanager
    def open(cls, home: Path, *, lock_timeout: float = 5.0) -> Iterator[Store]:
        """Lock the state dir, load it, yield the store, release. Commits nothing by itself."""
        home.mkdir(parents=True, exist_ok=True)
        lock = FileLock(home / LOCK_FILE, timeout=lock_timeout)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusyError(
                f"another nurture process is using {home}",
                "Wait for it to finish (a command, or the daemon's current job) and try again.",
            ) from None
        try:
            _remove_stale_temps(home)
            tables, migrated = _load(home)
            store = cls(home, tables, dirty=migrated)
            try:
                yield store
            finally:
                store._open = False
        finally:
            lock.release()

    def commit(self) -> None:
        """One atomic write if anything changed since the last commit; no-op otherwise."""
        if not self._open:
            raise RuntimeError("commit() after the store was closed")
        if self._storage.dirty:
            _write_atomically(self.home, encode_state(self._storage.tables), keep_backup=True)
            self._storage.dirty = False

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        """A copy of the document, or None."""
        doc = self._table(table).docs().get(key)
        return None if doc is None else _json_copy(doc)

    def put(self, table: str, key: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace; the document must be JSON-able (tuples come back as lists)."""
        self._put(_writable(table), key, _json_copy(doc))

    def delete(self, table: str, key: str) -> bool:
        docs = self._table(_writable(table))
        if key not in docs.docs():
            return False
        docs.drop([key])
        return True

    def items(self, table: str) -> dict[str, dict[str, Any]]:
        """Every document by key, as copies: changing them changes nothing stored."""
        return {key: _json_copy(doc) for key, doc in self._table(table).docs().items()}

    def count(self, table: str) -> int:
        return len(self._table(table))

    def get_meta(self, key: str, default: Any = None) -> Any:
        doc = self._table(_META).docs().get(key)
        return default if doc is None else _json_copy(doc["value"])

    def set_meta(self, key: str, value: Any) -> None:
        self._put(_META, key, {"value": _json_copy(value)})

    def put_messages(self, messages: Iterable[MailMessage]) -> int:
        """Add messages not seen before (by uid) and return how many were new."""
        known = self._table(_MESSAGES).docs()
        new: dict[str, Doc] = {}
        for message in messages:
            if message.uid not in known and message.uid not in new:
                new[message.uid] = to_json(message)
        self._table(_MESSAGES).put_many(new)
        return len(new)

    def messages(self) -> list[MailMessage]:
        """Every message, in the order first stored."""
        return [from_json(MailMessage, doc) for doc in self._table(_MESSAGES).docs().values()]

    def put_meetings(self, meetings: Iterable[Meeting]) -> None:
        """Insert or replace meetings by uid."""
        known = self._table(_MEETINGS).docs()
        changed = {m.uid: to_json(m) for m in meetings}
        self._table(_MEETINGS).put_many(
            {uid: doc for uid, doc in changed.items() if known.get(uid) != doc}
        )

    def remove_meetings(self, uids: Iterable[str]) -> int:
        known = self._table(_MEETINGS).docs()
        gone = {uid for uid in uids if uid in known}
        self._table(_MEETINGS).drop(gone)
        return len(gone)

    def reset_calendar(self, calendar: str) -> int:
        """Drop every meeting that came from ``calendar`` (before a full re-sync of it)."""
        table = self._table(_MEETINGS)
        gone = [str(doc.doc_id) for doc in table.search(Query().calendar == calendar)]
        table.drop(gone)
        return len(gone)

    def meetings(self) -> list[Meeting]:
        return [from_json(Meeting, doc) for doc in self._table(_MEETINGS).docs().values()]

    def _table(self, name: str) -> _KeyedTable:
        return cast(_KeyedTable, self._db.table(name))

    def _put(self, table: str, key: str, doc: Doc) -> None:
        docs = self._table(table)
        if docs.docs().get(key) != doc:  # an unchanged value must not cause a write
            docs.put_many({key: doc})


def _writable(table: str) -> str:
    if table in _TYPED_TABLES:
        raise ValueError(f"table {table!r} is written only through its own Store methods")
    return table


def _json_copy(value: Any) -> Any:
    # A deep copy that is also the check: what put() accepts is exactly what a reload returns.
    return json.loads(json.dumps(value, ensure_ascii=False))


def _load(home: Path) -> tuple[Tables, bool]:
    """The tables in ``home`` and whether a migration changed them; recovers from .bak."""
    state, backup = home / STATE_FILE, home / BACKUP_FILE
    try:
        return decode_state(state.read_bytes())
    except FileNotFoundError:
        return {}, False
    except OSError as error:
        raise UserError(
            f"cannot read {state}: {error.strerror or error}", f"Check the permissions of {home}."
        ) from None
    except Unreadable as problem:
        broken = f"{problem}"
    try:
        good = backup.read_bytes()
        tables, migrated = decode_state(good)
    except (OSError, Unreadable) as problem:
        raise StoreCorruptError(
            f"the nurture state file {state} is unreadable ({broken}) and so is its backup "
            f"{backup} ({problem})",
            f"Move {state} aside to start afresh (the next sync reads your mail again), "
            "or put back a good copy from your own backups.",
        ) from None
    kept = _keep_corrupt(state)
    _write_atomically(home, good, keep_backup=False)
    log.warning(
        "%s was unreadable (%s): restored %s, kept the bad file as %s", state, broken, backup, kept
    )
    return tables, migrated


def _keep_corrupt(state: Path) -> Path:
    """Keep the unreadable file next to the state as state.json.corrupt-<timestamp>."""
    stamp = datetime.now().astimezone().strftime("%Y%m%dT%H%M%S")
    kept = state.with_name(f"{state.name}.corrupt-{stamp}")
    n = 1
    while kept.exists():
        kept, n = state.with_name(f"{state.name}.corrupt-{stamp}-{n}"), n + 1
    _link_or_copy(state, kept)
    return kept


def _write_atomically(home: Path, payload: bytes, *, keep_backup: bool) -> None:
    """Replace state.json by ``payload`` so that it is always either the old or the new file."""
    state, backup = home / STATE_FILE, home / BACKUP_FILE
    tmp, backup_tmp = home / ".state.json.new.tmp", home / ".state.json.bak.tmp"
    try:  # fixed temp names are safe: we hold the lock, and open() removes leftovers
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if keep_backup and state.exists():
            backup_tmp.unlink(missing_ok=True)  # os.link will not overwrite
            _link_or_copy(state, backup_tmp)
            os.replace(backup_tmp, backup)
        os.replace(tmp, state)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        backup_tmp.unlink(missing_ok=True)
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        hint = "Free some disk space" if full else f"Check that {home} is writable"
        raise UserError(
            f"could not save the nurture state to {state}: {error.strerror or error}",
            f"{hint}, then run the command again; the previously saved state is intact.",
        ) from error
    _fsync_dir(home)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        target.write_bytes(source.read_bytes())


def _fsync_dir(home: Path) -> None:
    # Makes the renames durable; directories cannot be opened this way on Windows.
    if os.name == "posix":
        fd = os.open(home, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_temps(home: Path) -> None:
    """Temp files left by a process killed mid-write (we hold the lock: none is in use)."""
    for stale in home.glob(".state.json.*.tmp"):
        stale.unlink(missing_ok=True)
