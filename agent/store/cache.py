"""The one keyed cache: answers derived from the observations, kept between commands.

Every derived value (``touches.json``, ``busy.json``, ``plan.json``, ``book.json``; what
each holds is declared in ``agent.app.derived``) goes through :class:`DerivedCache`.
Touch detection over 180,000 messages costs seconds and gives the same answer until the
observations or the config parts it reads change. So an answer is saved with a key: the
generation and file fingerprint of ``observations.json`` plus a fingerprint of what else
it read. A command whose key matches loads the answer and never reads the observations;
any change (a sync that brought mail, a new account or domain) misses, and the answer is
derived again. Within one process each answer is derived once.

An answer that also depends on the time is kept :class:`Dated`, with its validity horizon
``[since, until)`` (``dated`` declares such a kind, ``holds_at`` is the test a kept one
must pass); outside it the answer is a miss. The cache only stores and hands back values:
it never computes one itself beyond calling the ``compute`` its caller passed.

A cache is not state: a torn or unreadable file is only a miss, so it has no ``.bak``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

from agent.store.codec import SCHEMA_VERSION, Unreadable, dump_json, load_json
from agent.store.files import write_atomically

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Derived(Generic[T]):
    """How one kind of derived data is named on disk, saved and read back."""

    name: str  # the file is <name>.json
    encode: Callable[[T], Any]
    decode: Callable[[Any], T]


@dataclass(frozen=True)
class Dated(Generic[T]):
    """An answer computed at ``since`` that holds for any ``now`` before ``until``."""

    since: datetime
    until: datetime
    value: T

    def holds_at(self, now: datetime) -> bool:
        return self.since <= now < self.until


def dated(name: str, encode: Callable[[T], Any], decode: Callable[[Any], T]) -> Derived[Dated[T]]:
    """A kind of derived data kept with its validity horizon."""

    def dump(entry: Dated[T]) -> Any:
        since, until = entry.since.isoformat(), entry.until.isoformat()
        return {"since": since, "until": until, "value": encode(entry.value)}

    def load(data: Any) -> Dated[T]:
        since, until = (datetime.fromisoformat(data[k]) for k in ("since", "until"))
        return Dated(since, until, decode(data["value"]))

    return Derived(name, dump, load)


def holds_at(now: datetime) -> Callable[[Dated[Any]], bool]:
    """The ``usable`` test of a dated answer: its horizon covers ``now``."""
    return lambda entry: entry.holds_at(now)


_FINGERPRINT = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def fingerprint_of(*parts: Any) -> str:
    """A short stable hash of JSON-able ``parts`` (the config a derivation depends on; the
    drafts table, a year of which is 10 MB: orjson writes it in a hundredth of a second)."""
    try:
        text = orjson.dumps(parts, default=str, option=_FINGERPRINT)
    except TypeError:  # a key that is not a string, an integer past 64 bits
        text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(text).hexdigest()[:24]


@dataclass
class _Pending:
    derived: Derived[Any]
    fingerprint: str
    version: int
    value: Any


@dataclass
class DerivedCache:
    """The in-process memo and the files; ``home`` None keeps it in memory only."""

    home: Path | None
    memo: dict[tuple[str, str, int], Any] = field(default_factory=dict)
    pending: dict[str, _Pending] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # names derived afresh (tests look)

    def get(
        self,
        derived: Derived[T],
        fingerprint: str,
        version: int,
        disk_key: str | None,
        compute: Callable[[], T],
        *,
        usable: Callable[[T], bool] | None = None,
    ) -> T:
        """The answer for (fingerprint, observations ``version``); ``disk_key`` None: the
        observations changed in memory, so no file can hold the answer. ``usable``: whether
        a kept answer still holds (e.g. at this time); one that does not is a miss."""
        memo_key = (derived.name, fingerprint, version)
        kept = self.memo.get(memo_key)
        if kept is not None and (usable is None or usable(kept)):
            return kept  # type: ignore[no-any-return]
        value = self._read(derived, fingerprint, disk_key) if disk_key is not None else None
        if value is not None and usable is not None and not usable(value):
            value = None
        if value is None:
            self.misses.append(derived.name)
            value = compute()
            self.pending[derived.name] = _Pending(derived, fingerprint, version, value)
        self.memo = {k: v for k, v in self.memo.items() if k[0] != derived.name}
        self.memo[memo_key] = value
        return value

    def _read(self, derived: Derived[T], fingerprint: str, disk_key: str) -> T | None:
        if self.home is None:
            return None
        try:
            data = load_json((self.home / f"{derived.name}.json").read_bytes())
            if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
                return None
            if data.get("observations") != disk_key or data.get("fingerprint") != fingerprint:
                return None
            return derived.decode(data["data"])
        except FileNotFoundError:
            return None
        except (OSError, Unreadable, KeyError, TypeError, ValueError) as error:
            log.info("derived data %s not used: %s", derived.name, error)
            return None

    def save(self, version: int, disk_key: str) -> None:
        """Write what was derived from the observations as they are now on disk."""
        pending, self.pending = self.pending, {}
        if self.home is None:
            return
        for item in pending.values():
            if item.version != version:
                continue  # derived from observations that changed since
            payload = {
                "schema": SCHEMA_VERSION,
                "observations": disk_key,
                "fingerprint": item.fingerprint,
                "data": item.derived.encode(item.value),
            }
            name = f"{item.derived.name}.json"
            write_atomically(self.home, name, dump_json(payload), keep_backup=False)
