"""Instructions, not seconds: what a read command costs whatever the host's mood.

    python -m bench.instructions                                   # this tree, M and L inline
    python -m bench.instructions --compare /tmp/nurture-before     # and another tree's agent/
    python -m bench.instructions --variants csv contacts --sizes L

Wall times on a shared VM move by a third between minutes; the instructions a command
executes (``valgrind --tool=cachegrind --cache-sim=no``, ``PYTHONHASHSEED=0``) do not. For
each code tree and book (``bench.book_inline``, as ``bench.inline`` writes it), a first
``nurture sync`` by that code makes its own state, the tree's bytecode is compiled
beforehand, and then ``sync`` with nothing new, ``board --json`` and ``plan --json`` each
run once under valgrind on a fresh copy of that state. Needs valgrind (Debian: ``apt
install valgrind``); about a minute per L command.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench.book_inline import NOW, SIZES
from bench.inline import COMMANDS, VARIANTS, after_first_sync, book_for

ROOT = Path(__file__).resolve().parents[1]
VALGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]


def nurture(code: Path, book: Path, home: Path, *command: str, valgrind: bool = False) -> str:
    env = {**os.environ, "NURTURE_HOME": str(home), "PYTHONPATH": str(code), "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    args = [sys.executable, "-m", "agent", "--config", "config.yaml", "--now", NOW.isoformat()]
    done = subprocess.run(
        [*(VALGRIND if valgrind else []), *args, *command],
        cwd=book,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr


def instructions(code: Path, book: Path, synced: Path, *command: str) -> int:
    home = book / "home-instructions"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(synced, home)
    try:
        report = nurture(code, book, home, *command, valgrind=True)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", report)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{report[-2000:]}")
    return int(found[1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["M", "L"], choices=sorted(SIZES))
    parser.add_argument("--variants", nargs="+", default=["inline"], choices=sorted(VARIANTS))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nurture-bench-inline"))
    parser.add_argument("--compare", type=Path, help="a second source tree, measured first")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt install valgrind)")
    codes = [ROOT] if args.compare is None else [args.compare.resolve(), ROOT]
    for code in codes:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "agent")], check=True)
    print("| size | accounts | code | " + " | ".join(COMMANDS) + " |")
    print("|---" * (3 + len(COMMANDS)) + "|")
    for size in args.sizes:
        for variant in args.variants:
            book = book_for(args.dir, size, variant)
            for index, code in enumerate(codes):
                synced = book / f"home-instructions-{index}"
                shutil.rmtree(synced, ignore_errors=True)
                nurture(code, book, synced, "sync")  # this code's own state, made afresh
                after_first_sync(variant, book, synced)
                counts = [instructions(code, book, synced, *c) for c in COMMANDS.values()]
                cells = " | ".join(f"{n / 1e9:.2f} G" for n in counts)
                print(f"| {size} | {variant} | {code.name} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
