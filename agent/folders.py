"""Folders that hold the rep's mail and state: created readable by the rep alone.

The state folder holds the Google token, every draft's text and who the rep talks to; the
outbox holds drafts and sent mail. Each folder nurture creates (and each missing parent on
the way) is made 0700 whatever the umask: ``mkdir`` with mode 0700 can only be narrowed by
the umask, and the explicit ``chmod`` after it undoes a umask that took the owner's bits
too. A folder that already exists is left as the rep set it up.
"""

from __future__ import annotations

import os
from pathlib import Path

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
