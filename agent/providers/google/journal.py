"""A first Gmail sync's progress on disk, so an interrupted one goes on where it stopped.

A large mailbox takes minutes to read at the quota floor; a laptop going to sleep, Ctrl-C
or a network drop used to throw all of it away (the store keeps a pull only when the
whole pull succeeded). The journal keeps, as it goes:

1. a header: the account, the history id snapshot taken before the listing, the domains
   and the look-back start the listing searched;
2. the listed ids, once the listing is complete;
3. the answers, batch by batch (a message, or null for one that is not a touch).

A later first sync of the same account, domains and a look-back start no earlier resumes
from it: it keeps the old snapshot (mail that arrived since comes through history), skips
the listing, and fetches only the ids without an answer. The file is a cache of work in
flight, not state: one that does not match, or cannot be read, is started afresh, and a
cut last line (a kill mid-write) is ignored. It stays after the sync that used it, in
case the store could not keep that sync, and is removed by the next pull that finds a
cursor covering it (its history id at least the journal's).

Lines are flushed at once (Ctrl-C and kill lose nothing the OS has) and fsync'd every
few seconds (a power cut loses at most those seconds). Mode 0600: it holds mail headers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from agent.model import MailMessage
from agent.store.codec import from_json, to_json

log = logging.getLogger(__name__)

JOURNAL_FILE = "google-first-sync.jsonl"
VERSION = 1
FSYNC_EVERY = 2.0  # seconds


@dataclass
class Resumed:
    history: str
    ids: list[str] | None  # the listing, when it was complete
    answers: dict[str, MailMessage | None]  # message id → message, None: not a touch


class Journal:
    """The journal file at ``path``; with None, a journal that keeps nothing."""

    def __init__(self, path: Path | None, clock: Any = time.monotonic) -> None:
        self.path = path
        self.clock = clock
        self._file: IO[str] | None = None
        self._synced = 0.0

    # --- reading ------------------------------------------------------------------------

    def resume(self, account: str, domains: frozenset[str], since: datetime) -> Resumed | None:
        """What an earlier first sync of this account and window already did, if any."""
        lines = self._lines()
        if not lines:
            return None
        head = lines[0]
        try:
            matches = (
                head.get("v") == VERSION
                and head.get("account") == account
                and frozenset(head.get("domains", ())) == domains
                and datetime.fromisoformat(str(head["since"])) <= since
                and str(head.get("history", "")).isdigit()
            )
        except (KeyError, ValueError, TypeError):
            matches = False
        if not matches:
            return None
        resumed = Resumed(str(head["history"]), None, {})
        for line in lines[1:]:
            if isinstance(line.get("listed"), list):
                resumed.ids = [str(i) for i in line["listed"]]
            for mid, doc in dict(line.get("got", {})).items():
                resumed.answers[str(mid)] = None if doc is None else from_json(MailMessage, doc)
        return resumed

    def _lines(self) -> list[dict[str, Any]]:
        if self.path is None:
            return []
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return []
        found = []
        for raw in text.splitlines():
            try:
                line = json.loads(raw)
            except ValueError:
                break  # the last line was cut by a kill: everything before it holds
            if not isinstance(line, dict):
                break
            found.append(line)
        return found

    def history(self) -> str | None:
        """The snapshot the journal's sync started from (its first line only)."""
        if self.path is None:
            return None
        try:
            with self.path.open(encoding="utf-8") as handle:
                head = json.loads(handle.readline())
        except (OSError, UnicodeDecodeError, ValueError):
            return None if not self.path.exists() else ""
        return str(head.get("history", "")) if isinstance(head, dict) else ""

    # --- writing ------------------------------------------------------------------------

    def start(self, account: str, history: str, domains: Iterable[str], since: datetime) -> None:
        """Begin a new first sync (an older journal is replaced)."""
        self.close()
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        head = {"v": VERSION, "account": account, "history": history}
        self._write({**head, "domains": sorted(domains), "since": since.isoformat()}, sync=True)

    def reopen(self) -> None:
        """Go on appending to the journal being resumed."""
        self.close()
        if self.path is None:
            return
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open

    def listed(self, ids: list[str]) -> None:
        self._write({"listed": ids}, sync=True)

    def answered(self, answers: Mapping[str, MailMessage | None]) -> None:
        self._write({"got": {k: None if m is None else to_json(m) for k, m in answers.items()}})

    def _write(self, line: dict[str, Any], sync: bool = False) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(line, separators=(",", ":")) + "\n")
        self._file.flush()
        if sync or self.clock() - self._synced >= FSYNC_EVERY:
            os.fsync(self._file.fileno())
            self._synced = self.clock()

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.flush()
                os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    def settled(self, committed_history: str) -> None:
        """Remove the journal once a stored cursor covers the sync it recorded."""
        started = self.history()
        if started is None or self.path is None:
            return
        if not started.isdigit() or int(started) <= int(committed_history):
            self.close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            log.info("the first sync's journal is no longer needed: removed")
