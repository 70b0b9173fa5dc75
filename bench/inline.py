"""Every read command on a book written the other way: accounts inline, a CSV, or people.

    python -m bench.inline                                   # L, inline accounts, 3 runs
    python -m bench.inline --sizes M L --variants inline csv contacts
    python -m bench.inline --code /tmp/nurture-before        # another checkout's agent/

For each size and variant, the book (``bench.book_inline``: 2,000 accounts on L, 200,000
messages over three years, 10% newsletters, an empty calendar) is written if missing:
``inline`` has the accounts in config.yaml (~445 KB on L), ``csv`` in accounts.csv,
``contacts`` inline with their 20,000 people listed. Then, each in a fresh ``nurture``
process pinned to cores 0 and 1 (as ``bench.cycle``): the first ``nurture sync`` from an
empty state (``--runs`` times), and from a copy of the state that sync left, ``--runs``
times each: ``nurture sync`` with nothing new, ``nurture board --json``, ``nurture plan
--json``. Wall time is the median; memory the largest peak RSS. ``--code`` runs another
source tree's ``agent`` (e.g. the commit before issue 17) on the same books.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import bench.cycle as cycle_bench
from bench.book_inline import NOW, SIZES, write_inline_book

COMMANDS = {
    "sync, nothing new": ("sync",),
    "board --json": ("board", "--json"),
    "plan --json": ("plan", "--json"),
}
VARIANTS = {  # name → (accounts in, people listed)
    "inline": ("inline", False),
    "csv": ("csv", True),
    "contacts": ("inline", True),
}


def book_for(base: Path, size: str, variant: str) -> Path:
    book = base / f"{variant}-{size}"
    if not (book / "config.yaml").exists():
        shutil.rmtree(book, ignore_errors=True)
        accounts_in, contacts = VARIANTS[variant]
        write_inline_book(book, SIZES[size], accounts_in=accounts_in, contacts=contacts)
    return book


def nurture(book: Path, home: Path, *command: str) -> cycle_bench.Run:
    args = [*cycle_bench.NURTURE, "--config", "config.yaml", "--now", NOW.isoformat()]
    return cycle_bench.run([*args, *command], home, book)


def measure(book: Path, runs: int) -> dict[str, cycle_bench.Run]:
    synced = book / "home-synced"
    firsts = []
    for _ in range(runs):
        home = book / "home"
        shutil.rmtree(home, ignore_errors=True)
        firsts.append(nurture(book, home, "sync"))
    shutil.rmtree(synced, ignore_errors=True)
    shutil.copytree(book / "home", synced)
    found = {"first sync": cycle_bench.median(firsts)}
    for name, command in COMMANDS.items():
        timed = []
        for _ in range(runs):
            home = cycle_bench.fresh(book, synced)
            timed.append(nurture(book, home, *command))
        found[name] = cycle_bench.median(timed)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["L"], choices=sorted(SIZES))
    parser.add_argument("--variants", nargs="+", default=["inline"], choices=sorted(VARIANTS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nurture-bench-inline"))
    parser.add_argument("--code", type=Path, help="the source tree whose agent/ to run")
    args = parser.parse_args()
    if args.code is not None:
        cycle_bench.ROOT = args.code.resolve()  # bench.cycle.run puts it on PYTHONPATH
    cycle_bench._pin()
    print(f"code: {cycle_bench.ROOT}; load average {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for size in args.sizes:
        for variant in args.variants:
            book = book_for(args.dir, size, variant)
            results[(size, variant)] = found = measure(book, args.runs)
            line = ", ".join(f"{k} {v.seconds:.2f} s" for k, v in found.items())
            print(f"{size} {variant}: {line}", flush=True)
    head = ["size", "accounts", *["first sync", *COMMANDS]]
    print("| " + " | ".join(head) + " |\n" + "|---" * len(head) + "|")
    for (size, variant), found in results.items():
        cells = [f"{run.seconds:.2f} s, {run.rss_mb:.0f} MB" for run in found.values()]
        print(f"| {size} | {variant} | " + " | ".join(cells) + " |")
    for variant in args.variants:
        if ("M", variant) in results and ("L", variant) in results:
            for name in COMMANDS:
                large, medium = results[("L", variant)][name], results[("M", variant)][name]
                print(f"L / M {variant} {name}: {large.seconds / medium.seconds:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
