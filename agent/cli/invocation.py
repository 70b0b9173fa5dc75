"""How to run nurture again, as the rep can type it: hints that work without the venv."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path


def nurture_command() -> str:
    """``nurture`` when that is what the shell finds, else the full path of the one that is
    running now (a venv the rep has not activated), else ``python -m agent``."""
    here = Path(sys.executable).parent / "nurture"
    on_path = shutil.which("nurture")
    if here.is_file():
        if on_path and Path(on_path).resolve() == here.resolve():
            return "nurture"
        return shlex.quote(str(here))
    if on_path:
        return "nurture"
    return f"{shlex.quote(sys.executable)} -m agent"
