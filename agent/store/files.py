"""The store's files on disk: written atomically with a last-good ``.bak``, read with recovery.

Each file is replaced whole: a temp file is written and fsynced (``agent.atomic``), the
current file is hard-linked to ``<name>.bak``, and the temp is renamed over the file, so a
reader (or a process killed at any moment) sees the old file or the new one, never half
of one. The
caller holds the store's lock, so the backup's fixed temp name is safe.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from agent import atomic
from agent.errors import StoreCorruptError, UserError
from agent.store.codec import Outdated, Unreadable

log = logging.getLogger(__name__)

T = TypeVar("T")
NAMES = ("state.json", "observations.json", "touches.json", "busy.json", "plan.json", "book.json")


def write_atomically(home: Path, name: str, payload: bytes, *, keep_backup: bool) -> None:
    """Replace ``home/name`` by ``payload`` so that it is always either the old or the new.

    The bytes are staged whole first (``agent.atomic``: written, fsynced, a full disk a
    :class:`UserError`), so a failure leaves both the file and its ``.bak`` as they were."""
    target, staged = home / name, home / f".{name}.new.tmp"
    atomic.write_atomically(staged, payload, mode=0o600)
    try:
        if keep_backup and target.exists():
            _keep_backup(home, name)
        os.replace(staged, target)
    except OSError as error:
        staged.unlink(missing_ok=True)
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        hint = "Free some disk space" if full else f"Check that {home} is writable"
        raise UserError(
            f"could not save the nurture state to {target}: {error.strerror or error}",
            f"{hint}, then run the command again; the previously saved state is intact.",
        ) from error
    fsync_dir(home)


def _keep_backup(home: Path, name: str) -> None:
    target, backup, backup_tmp = home / name, home / f"{name}.bak", home / f".{name}.bak.tmp"
    try:
        backup_tmp.unlink(missing_ok=True)  # os.link will not overwrite
        link_or_copy(target, backup_tmp)
        os.replace(backup_tmp, backup)
    finally:
        # After a kill between the renames of a save, the file and its .bak are two links
        # to one file, and rename() between two links of one file does nothing: the temp
        # link would stay behind.
        backup_tmp.unlink(missing_ok=True)


def read_recovering(
    home: Path, name: str, decode: Callable[[bytes], T], *, restore: bool = True
) -> T | None:
    """``decode`` of ``home/name`` (None when there is none); an unreadable file is kept as
    ``<name>.corrupt-<time>`` and replaced by its ``.bak``, or, without a good one, is a
    :class:`StoreCorruptError` that leaves everything in place. Without ``restore`` (a
    reader without the lock) the ``.bak`` is only read: nothing is written."""
    target, backup = home / name, home / f"{name}.bak"
    try:
        return decode(target.read_bytes())
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UserError(
            f"cannot read {target}: {error.strerror or error}", f"Check the permissions of {home}."
        ) from None
    except Unreadable as problem:
        broken = f"{problem}"
    try:
        good = backup.read_bytes()
        value = decode(good)
    except Outdated as problem:
        raise StoreCorruptError(
            f"the nurture state file {target} is unreadable ({broken}); its backup {backup} "
            f"reads, but it is older than the rest of the state ({problem}): it lacks what "
            "the latest syncs brought",
            f"Move {target} aside: the next sync then reads your mail and calendars again "
            "and nothing is lost (or put back a good copy from your own backups).",
        ) from None
    except (OSError, Unreadable) as problem:
        raise StoreCorruptError(
            f"the nurture state file {target} is unreadable ({broken}) and so is its backup "
            f"{backup} ({problem})",
            f"Move {target} aside to start afresh (the next sync reads your mail again), "
            "or put back a good copy from your own backups.",
        ) from None
    if not restore:
        log.warning("%s is unreadable (%s): read its backup %s", target, broken, backup)
        return value
    kept = keep_corrupt(target)
    write_atomically(home, name, good, keep_backup=False)
    log.warning(
        "%s was unreadable (%s): restored %s, kept the bad file as %s", target, broken, backup, kept
    )
    return value


def keep_corrupt(path: Path) -> Path:
    """Keep an unreadable file next to it as <name>.corrupt-<timestamp>."""
    stamp = datetime.now().astimezone().strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while kept.exists():
        kept, n = path.with_name(f"{path.name}.corrupt-{stamp}-{n}"), n + 1
    link_or_copy(path, kept)
    return kept


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        target.write_bytes(source.read_bytes())


def fsync_dir(home: Path) -> None:
    # Makes the renames durable; directories cannot be opened this way on Windows.
    if os.name == "posix":
        fd = os.open(home, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fingerprint(path: Path) -> str:
    """Which version of a file this is, without reading it. Not the inode: a state dir
    copied with its times (``cp -a``, a restored backup) keeps its caches."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "none"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def remove_stale_temps(home: Path) -> None:
    """Temp files left by a process killed mid-write (we hold the lock: none is in use)."""
    for name in NAMES:
        for stale in home.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)
