"""A large mbox read by several processes at once: a first sync of years of mail.

Each message is prefiltered and parsed on its own, so a big mbox is cut at message
boundaries into one range per core (at most ``MAX_PROCESSES``); this process reads the
first range and forked workers read the others, each with its own copy of the ``Scan``
(the prefilter), whose counts are merged back. A worker's messages come back as flat
lists of their fields (addresses as pairs), which cross back several times faster than
the objects would, in file order: the same list as reading the file alone
(tests/providers/test_mboxparts.py compares them).

Only when it pays and is safe: the file is at least ``PARALLEL_BYTES``, the machine lets
this process use more than one core, the platform forks, and no other thread runs here
(forking a process with threads can copy a lock held by one of them).
"""

from __future__ import annotations

import logging
import mmap
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from agent.model import Address, MailMessage
from agent.providers.local.mail import Parse, ThreadOf, _messages, takeout_thread

log = logging.getLogger(__name__)

PARALLEL_BYTES = 16 * 2**20  # below this a worker's start and hand-back cost more than it saves
MAX_PROCESSES = 4
_BOUNDARY = re.compile(rb"\n\r?\n(?=From )")  # where a message starts (after a blank line)


@runtime_checkable
class Scan(Protocol):
    """A ``Parse`` whose copies in the workers can be merged back (their counts)."""

    def __call__(self, raw: bytes, thread_of: ThreadOf) -> MailMessage | None: ...

    def blank(self) -> Scan: ...  # a copy with nothing counted yet, for a worker

    def merge(self, other: Scan) -> None: ...


def worth_it(file: Path, parse: Parse) -> bool:
    try:
        big = file.stat().st_size >= PARALLEL_BYTES
    except OSError:
        return False  # read_file reports it
    return big and isinstance(parse, Scan) and _cores() > 1 and _can_fork()


def read_mbox(file: Path, scan: Parse) -> list[MailMessage]:
    """The messages ``scan`` keeps, in file order, read by up to ``_cores()`` processes."""
    assert isinstance(scan, Scan)
    ranges = _ranges(file, min(_cores(), MAX_PROCESSES))
    if len(ranges) == 1:  # no second message start past the middle
        return _read_range(file, *ranges[0], scan)[0]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(ranges) - 1, mp_context=context) as pool:
        later = [
            pool.submit(_flat_range, file, start, stop, scan.blank()) for start, stop in ranges[1:]
        ]
        messages, _ = _read_range(file, *ranges[0], scan)
        for future in later:
            rows, copy = future.result()
            messages.extend(map(unflat, rows))
            scan.merge(copy)
    log.info("read %s in %d processes", file, len(ranges))
    return messages


def _read_range(file: Path, start: int, stop: int, scan: Scan) -> tuple[list[MailMessage], Scan]:
    with file.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        found = [scan(raw, takeout_thread) for raw in _messages(data, start, stop) if raw.strip()]
    return [message for message in found if message is not None], scan


def _flat_range(file: Path, start: int, stop: int, scan: Scan) -> tuple[list[Any], Scan]:
    """In a worker: the range's messages, flat (``flat``), to cross back to this process."""
    found, scan = _read_range(file, start, stop, scan)
    return [flat(message) for message in found], scan


# A message's fields in order; the ones that hold an address, or a tuple of them.
_FIELDS = tuple(f.name for f in fields(MailMessage))
_VALUES = attrgetter(*_FIELDS)
_ONE_ADDRESS = tuple(_FIELDS.index(name) for name in ("sender",))
_ADDRESSES = tuple(_FIELDS.index(name) for name in ("to", "cc", "bcc"))


def flat(message: MailMessage) -> list[Any]:
    """The message as a list of its field values, each address an (email, name) pair:
    plain values that pickle compactly (the tests check every field comes back)."""
    values = list(_VALUES(message))
    for at in _ONE_ADDRESS:
        one = values[at]
        values[at] = None if one is None else (one.email, one.name)
    for at in _ADDRESSES:
        values[at] = [(a.email, a.name) for a in values[at]]
    return values


def unflat(values: list[Any]) -> MailMessage:
    """``flat``'s list back to the message."""
    for at in _ONE_ADDRESS:
        one = values[at]
        values[at] = None if one is None else Address(*one)
    for at in _ADDRESSES:
        values[at] = tuple(Address(*pair) for pair in values[at])
    return MailMessage(*values)


def _ranges(file: Path, parts: int) -> list[tuple[int, int]]:
    """``parts`` ranges of about equal size, each starting where a message starts."""
    with file.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        size = len(data)
        cuts = [0]
        for part in range(1, parts):
            found = _BOUNDARY.search(data, max(cuts[-1], size * part // parts))
            if found is None:
                break
            if found.end() > cuts[-1]:
                cuts.append(found.end())
    return list(zip(cuts, [*cuts[1:], size], strict=True))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
