"""Writing a file so that readers see the old version or the new one, never half of one.

The new bytes go to a temp file next to the target, are fsynced, and replace it with one
rename. A failure (a full disk, a read-only folder) is a :class:`UserError` naming the
file, and leaves the old file as it was and no temp file behind. A process killed halfway
cannot clean up: its temp file carries its pid, and the next write into the same folder
removes the temp files of writers that are no longer running.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from pathlib import Path

from agent.errors import UserError

_TAG = ".nurture-"  # temp files are .<name>.nurture-<pid>-<random>.tmp
_FULL = (errno.ENOSPC, errno.EDQUOT)


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Readers see the old file or the new one, never half of one, even after a crash.

    ``mode``: the new file's permissions, set before any byte is written (secrets are
    never readable by others, not even for a moment)."""
    _remove_leftovers(path.parent)
    try:
        _write_and_replace(path, data, mode)
    except OSError as error:
        raise _failure(path, error) from error
    # Make the rename itself durable; not every platform lets a directory be opened.
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write_and_replace(path: Path, data: bytes, mode: int | None) -> None:
    fd, temp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}{_TAG}{os.getpid()}-", suffix=".tmp"
    )
    try:
        try:
            if mode is not None:
                os.chmod(temp, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _failure(path: Path, error: OSError) -> UserError:
    reason = error.strerror or str(error)
    if error.errno in _FULL:
        hint = "Free some disk space"
    else:
        hint = f"Check that {path.parent} exists and is writable"
    return UserError(
        f"could not write {path}: {reason}",
        f"{hint}, then run the command again; {path.name} is as it was before.",
    )


def _remove_leftovers(folder: Path) -> None:
    """Temp files of writers killed mid-write (their pid is gone); best effort."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    for temp in folder.glob(f".*{glob.escape(_TAG)}*.tmp"):
        pid = temp.name.rpartition(_TAG)[2].partition("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                temp.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


# --- folders nurture creates: readable by the rep alone ------------------------------
# The state folder holds the Google token, every draft's text and who the rep talks to;
# the outbox holds drafts and sent mail. Each folder nurture creates (and each missing
# parent on the way) is made 0700 whatever the umask: ``mkdir`` with mode 0700 can only be
# narrowed by the umask, and the explicit ``chmod`` after it undoes a umask that took the
# owner's bits too. A folder that already exists is left as the rep set it up.

PRIVATE = 0o700


def private_folder(path: Path) -> Path:
    """``path`` as a folder, created (with its missing parents) mode 0700; OSError as mkdir."""
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE)
        except FileExistsError:  # made meanwhile by another process: theirs to set
            continue
        os.chmod(folder, PRIVATE)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)  # raises the reason it is not a folder
    return path
