"""The agent's memory: TinyDB tables held in memory, saved atomically, one process at a time.

The small, often changing state (drafts, blocks, stages, jobs, cursors) is ``state.json``,
read whole when the store opens. Messages and meetings are ``observations.json``
(``agent.store.observations``), read only when a command asks for them. Every change happens in
memory and ``commit()`` writes what changed, each file once, atomically (temp file, fsync,
``os.replace``), keeping the previous good file as ``<name>.bak``: the observations first,
then the state with the cursors that cover them. Derived data (touches, busy time) is
cached in ``touches.json`` and ``busy.json`` keyed by the observations it came from
(``agent.store.cache``). A lock on the state dir keeps a second nurture process out while
the store is open. Only this module imports TinyDB.

On disk: ``{"schema": 2, "tables": {table: {key: document}}}`` (see ``agent.store.codec``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path
from typing import Any, TypeVar, cast

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table as TinyTable

from agent.atomic import private_folder
from agent.errors import ConfigError, StoreBusyError
from agent.model import MailMessage, Meeting
from agent.model.tables import Table
from agent.store.cache import Derived, DerivedCache
from agent.store.codec import (
    OBSERVED,
    Loaded,
    Tables,
    decode_state,
    dump_json,
    encode_state,
    load_json,
)
from agent.store.files import fingerprint, read_recovering, remove_stale_temps, write_atomically
from agent.store.observations import OBSERVATIONS_FILE, Observations, decoder, from_documents
from agent.store.rows import RowReader, columns_of, to_row
from agent.store.state_check import check_tables

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
BACKUP_FILE = "state.json.bak"
LOCK_FILE = "nurture.lock"
_META, _OBSERVATIONS = "_meta", "observations"
_OWN_TABLES = frozenset({_META, _OBSERVATIONS, *OBSERVED})  # written by their own methods
T = TypeVar("T")
R = TypeVar("R", bound=Mapping[str, Any])
Observed = TypeVar("Observed", MailMessage, Meeting)

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


class _KeyedTable(TinyTable):
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

    def __init__(
        self,
        home: Path,
        tables: Tables,
        *,
        dirty: bool = False,
        observations: Observations | None = None,
        on_disk: bool = False,
    ) -> None:
        self.home = home
        self._storage = _MemoryStorage(tables)
        self._storage.dirty = dirty
        self._db = _TinyDB(storage=lambda: self._storage)
        self._open = True
        self._on_disk = on_disk
        # None: on disk and not read yet (see _observations).
        self._obs = observations if observations or on_disk else Observations()
        self._cache = DerivedCache(home if on_disk else None)
        self._memo: dict[Hashable, Any] = {}
        self._read_only = False
        self.busy = False  # opened read-only while another process holds the lock

    @classmethod
    @contextmanager
    def open(
        cls, home: Path, *, lock_timeout: float = 5.0, read_only: bool = False
    ) -> Iterator[Store]:
        """Lock the state dir, load it, yield the store, release. Commits nothing by itself
        (derived data computed on the way is cached, if the observations are unchanged).

        ``read_only``: for commands that only look. The lock is taken if it is free; while
        another process holds it (a long sync, the daemon's job) the store is opened
        without it on the last committed files (written whole by renames, so never half
        of one), ``busy`` is True and nothing is written, not even a cache."""
        lock = FileLock(home / LOCK_FILE, timeout=0 if read_only else lock_timeout)
        busy = False
        try:
            private_folder(home)
            lock.acquire()
        except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
            if not read_only:
                raise StoreBusyError(
                    f"another nurture process is using {home}",
                    "Wait for it to finish (a command, or the daemon's current job) and try again.",
                ) from None
            busy = True
        except OSError as error:
            raise _unusable(home, error) from None
        if busy:
            with cls._loaded(home, busy=True) as store:
                yield store
            return
        try:
            with cls._loaded(home, busy=False) as store:
                store._read_only = read_only
                yield store
                store._save_derived()
        finally:
            lock.release()

    @classmethod
    @contextmanager
    def _loaded(cls, home: Path, *, busy: bool) -> Iterator[Store]:
        if not busy:  # a busy store's temp files may be the other process's writes
            remove_stale_temps(home)
        loaded = read_recovering(home, STATE_FILE, decode_state, restore=not busy)
        loaded = loaded or Loaded({}, False, None)
        check_tables(home / STATE_FILE, loaded.tables)  # a hand edit: a clear error
        moved = loaded.observations
        obs = from_documents(moved) if moved is not None else None
        store = cls(home, loaded.tables, dirty=loaded.migrated, observations=obs, on_disk=True)
        store.busy = store._read_only = busy
        store._check_observations_file()
        try:
            yield store
        finally:
            store._open = False

    def commit(self) -> None:
        """Write what changed since the last commit, each file once; no-op otherwise."""
        if not self._open:
            raise RuntimeError("commit() after the store was closed")
        if self._read_only:
            raise RuntimeError("commit() on a store opened read-only")
        obs = self._obs
        if obs is not None and obs.changed and self._on_disk:
            obs.generation = max(obs.generation, self._generation()) + 1
            write_atomically(self.home, OBSERVATIONS_FILE, obs.encode(), keep_backup=True)
            obs.changed = False  # before the state: its cursors cover what is now on disk
            self.set_meta(_OBSERVATIONS, {"generation": obs.generation})
        if self._storage.dirty:
            write_atomically(
                self.home, STATE_FILE, encode_state(self._storage.tables), keep_backup=True
            )
            self._storage.dirty = False
        self._save_derived()

    def derived(
        self,
        derived: Derived[T],
        fingerprint: str,
        compute: Callable[[], T],
        usable: Callable[[T], bool] | None = None,
    ) -> T:
        """``compute()``, or its answer saved for these observations and ``fingerprint``
        (and, with ``usable``, only if that says it still holds)."""
        obs = self._obs
        version = obs.version if obs is not None else 0
        disk_key = None if obs is not None and obs.changed else self._disk_key()
        return self._cache.get(derived, fingerprint, version, disk_key, compute, usable=usable)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` while this store is open (no disk involved)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return cast(T, self._memo[key])

    @property
    def derived_misses(self) -> list[str]:
        """The derived data computed afresh by this process (tests and benchmarks look)."""
        return self._cache.misses

    def get(self, table: Table[R], key: str) -> R | None:
        """A copy of the record, or None."""
        doc = self._table(table.name).docs().get(key)
        return None if doc is None else table.read(_json_copy(doc))

    def put(self, table: Table[R], key: str, record: R) -> None:
        """Insert or replace; the record must be JSON-able (tuples come back as lists)."""
        self._put(_writable(table), key, _json_copy(record))

    def delete(self, table: Table[Any], key: str) -> bool:
        docs = self._table(_writable(table))
        if key not in docs.docs():
            return False
        docs.drop([key])
        return True

    def items(self, table: Table[R]) -> dict[str, R]:
        """Every record by key, as copies: changing them changes nothing stored."""
        return {
            key: table.read(_json_copy(doc)) for key, doc in self._table(table.name).docs().items()
        }

    def view(self, table: Table[R]) -> dict[str, R]:
        """Every record by key, to read and not to change: each record is a copy, the lists
        and dicts in it are the store's own. Without :meth:`items`' deep copy, which a
        rep's year of drafts (2,500 records, 10 MB) costs every step that looks at them."""
        return {key: table.read(dict(doc)) for key, doc in self._table(table.name).docs().items()}

    def count(self, table: Table[Any]) -> int:
        return len(self._table(table.name))

    @property
    def message_count(self) -> int:
        return len(self._observations().messages)

    def get_meta(self, key: str, default: Any = None) -> Any:
        doc = self._table(_META).docs().get(key)
        return default if doc is None else _json_copy(doc["value"])

    def set_meta(self, key: str, value: Any) -> None:
        self._put(_META, key, {"value": _json_copy(value)})

    def put_messages(self, messages: Iterable[MailMessage]) -> int:
        """Add messages not seen before (by uid) and return how many were new."""
        pending = list(messages)
        return self._observations().put_messages(_stored(pending)) if pending else 0

    def messages(self) -> list[MailMessage]:
        """Every message, in the order first stored."""
        return list(self._observations().messages.values())

    def put_meetings(self, meetings: Iterable[Meeting]) -> None:
        """Insert or replace meetings by uid."""
        pending = list(meetings)
        if pending:
            self._observations().put_meetings(_stored(pending))

    def remove_meetings(self, uids: Iterable[str]) -> int:
        gone = list(uids)
        return self._observations().drop_meetings(gone) if gone else 0

    def reset_calendar(self, calendar: str) -> int:
        """Drop every meeting that came from ``calendar`` (before a full re-sync of it)."""
        obs = self._observations()
        return obs.drop_meetings([m.uid for m in obs.meetings.values() if m.calendar == calendar])

    def meetings(self) -> list[Meeting]:
        return list(self._observations().meetings.values())

    def _observations(self) -> Observations:
        if self._obs is None:
            expected = self._generation()
            decode = decoder(expected)
            found = read_recovering(self.home, OBSERVATIONS_FILE, decode, restore=not self.busy)
            self._obs = found or Observations(generation=expected)
        return self._obs

    def _generation(self) -> int:
        return int((self.get_meta(_OBSERVATIONS) or {}).get("generation") or 0)

    def _disk_key(self) -> str:
        return f"{self._generation()}:{fingerprint(self.home / OBSERVATIONS_FILE)}"

    def _check_observations_file(self) -> None:
        """Observations gone (moved aside by hand): cursors must not skip what they held."""
        if self._obs is not None or self._generation() == 0:
            return
        if not (self.home / OBSERVATIONS_FILE).exists():
            log.warning("%s is missing: the next sync reads everything again", OBSERVATIONS_FILE)
            for key in list(self._table(_META).docs()):
                if key.startswith("cursor:"):
                    self._table(_META).drop([key])
            self._obs = Observations(generation=self._generation())

    def _save_derived(self) -> None:
        obs = self._obs
        if self._open and not self.busy and not (obs is not None and obs.changed):
            self._cache.save(obs.version if obs is not None else 0, self._disk_key())

    def _table(self, name: str) -> _KeyedTable:
        return cast(_KeyedTable, self._db.table(name))

    def _put(self, table: str, key: str, doc: Doc) -> None:
        docs = self._table(table)
        if docs.docs().get(key) != doc:  # an unchanged value must not cause a write
            docs.put_many({key: doc})


_READER = RowReader(columns_of(MailMessage, Meeting))


def _unusable(home: Path, error: OSError) -> ConfigError:
    """Why the state folder cannot be used, in words: a file, or a folder not ours to use."""
    hint = "Point --home (or NURTURE_HOME) at a folder you can write to; nurture makes it."
    if home.exists() and not home.is_dir():
        return ConfigError(f"the state folder {home} is a file, not a folder", hint)
    blocker = next((p for p in home.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return ConfigError(f"cannot make the state folder {home}: {blocker} is a file", hint)
    return ConfigError(f"cannot use the state folder {home}: {error.strerror or error}", hint)


def _stored(observed: list[Observed]) -> list[Observed]:
    """Each as a reload will return it (a ``ZoneInfo`` becomes its offset, tuples stay):
    a command that syncs sees what the next one reads. Refuses naive datetimes now."""
    return [
        item if _as_stored(item) else _READER.read(type(item), to_row(item)) for item in observed
    ]


def _as_stored(item: Observed) -> bool:
    """A message whose one datetime has a fixed offset already is what a reload returns
    (what the mail parsers make; a first sync stores 60,000 of them)."""
    return type(item) is MailMessage and type(item.sent_at.tzinfo) is timezone


def _writable(table: Table[Any]) -> str:
    if table.name in _OWN_TABLES:
        raise ValueError(f"table {table.name!r} is written only through its own Store methods")
    return table.name


def _json_copy(value: Any) -> Any:
    # A deep copy that is also the check: what put() accepts is exactly what a reload returns
    # (the files' own JSON: a year of drafts is copied in milliseconds, not a second).
    return load_json(dump_json(value))
