"""Every read command on a book written the other way: accounts inline, a CSV, or people.

    python -m bench.inline                                   # L, inline accounts, 3 runs
    python -m bench.inline --sizes M L --variants inline csv contacts history
    python -m bench.inline --code /tmp/nurture-before        # another checkout's agent/
    python -m bench.inline --compare /tmp/nurture-before     # both, run by run, alternately

For each size and variant, the book (``bench.book_inline``: 2,000 accounts on L, 200,000
messages over three years, 10% newsletters, an empty calendar) is written if missing:
``inline`` has the accounts in config.yaml (~445 KB on L), ``csv`` in accounts.csv,
``contacts`` inline with their 20,000 people listed, ``history`` the inline book with a
rep's year of drafts (2,500, ``bench.history``) put into its state after the first sync.
Then, each in a fresh ``nurture`` process pinned to cores 0 and 1 (as ``bench.cycle``):
the first ``nurture sync`` from an empty state (``--runs`` times), and from a copy of the
state that sync left, ``--runs`` times each, every size (and code) taking its turn inside
each run: ``nurture sync`` with nothing new, ``nurture
board --json``, ``nurture plan --json``. Wall time is the median; memory the largest
peak RSS. ``--code`` runs another source tree's ``agent`` (e.g. the commit before issue
17) on the same books; ``--compare`` runs it too, alternating with this one run by run, so
that both meet the same load on a shared machine. Bytecode is cached (no
PYTHONDONTWRITEBYTECODE), as in any installed copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import bench.cycle as cycle_bench
from bench.book_inline import NOW, SIZES, write_inline_book
from bench.history import seed_drafts

COMMANDS = {
    "sync, nothing new": ("sync",),
    "board --json": ("board", "--json"),
    "plan --json": ("plan", "--json"),
}
VARIANTS = {  # name → (accounts in, people listed)
    "inline": ("inline", False),
    "csv": ("csv", True),
    "contacts": ("inline", True),
    "history": ("inline", False),  # the inline book after a year of drafts (bench.history)
}
HISTORY = {"history": 2_500}  # variant → drafts in its state after the first sync


def book_for(base: Path, size: str, variant: str) -> Path:
    book = base / f"{'inline' if variant in HISTORY else variant}-{size}"
    if not (book / "config.yaml").exists():
        shutil.rmtree(book, ignore_errors=True)
        accounts_in, contacts = VARIANTS[variant]
        write_inline_book(book, SIZES[size], accounts_in=accounts_in, contacts=contacts)
    return book


def after_first_sync(variant: str, book: Path, home: Path) -> None:
    """What the variant adds to a first sync's state: a year of drafts for ``history``."""
    if variant in HISTORY:
        seed_drafts(book / "config.yaml", home, HISTORY[variant])


def nurture(book: Path, home: Path, code: Path, *command: str) -> cycle_bench.Run:
    cycle_bench.ROOT = code  # bench.cycle.run puts it on PYTHONPATH
    args = [*cycle_bench.NURTURE, "--config", "config.yaml", "--now", NOW.isoformat()]
    return cycle_bench.run([*args, *command], home, book)


Case = tuple[str, Path]  # (size, code): one book measured with one source tree


def measure(
    books: dict[str, Path], runs: int, codes: list[Path], variant: str = "inline"
) -> dict[Case, dict[str, cycle_bench.Run]]:
    """Medians per (size, code). Every size and code takes its turn inside each run of a
    command, so that a growth M → L and a before/after meet the same load on a host
    whose speed moves by a third between minutes."""
    cases = [(size, code) for size in books for code in codes]
    timed: dict[Case, dict[str, list[cycle_bench.Run]]] = {case: {} for case in cases}

    def synced(size: str, code: Path) -> Path:
        return books[size] / f"home-synced-{codes.index(code)}"

    for _ in range(runs):
        for size, code in cases:
            home = books[size] / "home"
            shutil.rmtree(home, ignore_errors=True)
            first = nurture(books[size], home, code, "sync")
            timed[(size, code)].setdefault("first sync", []).append(first)
            shutil.rmtree(synced(size, code), ignore_errors=True)
            shutil.copytree(home, synced(size, code))
            after_first_sync(variant, books[size], synced(size, code))
    for name, command in COMMANDS.items():
        for _ in range(runs):
            for size, code in cases:
                home = cycle_bench.fresh(books[size], synced(size, code))
                run = nurture(books[size], home, code, *command)
                timed[(size, code)].setdefault(name, []).append(run)
    return {
        case: {name: cycle_bench.median(items) for name, items in found.items()}
        for case, found in timed.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["L"], choices=sorted(SIZES))
    parser.add_argument("--variants", nargs="+", default=["inline"], choices=sorted(VARIANTS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nurture-bench-inline"))
    parser.add_argument("--code", type=Path, help="the source tree whose agent/ to run")
    parser.add_argument("--compare", type=Path, help="a second source tree, run alternately")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    codes = [(args.code or cycle_bench.ROOT).resolve()]
    if args.compare is not None:
        codes.insert(0, args.compare.resolve())
    cycle_bench._pin()
    print(f"code: {', '.join(map(str, codes))}; load average {os.getloadavg()[0]:.1f}")
    results = {}
    for variant in args.variants:
        books = {size: book_for(args.dir, size, variant) for size in args.sizes}
        for (size, code), found in measure(books, args.runs, codes, variant).items():
            results[(size, variant, code)] = found
            line = ", ".join(f"{k} {v.seconds:.2f} s" for k, v in found.items())
            print(f"{size} {variant} {code.name}: {line}", flush=True)
    head = ["size", "accounts", "code", *["first sync", *COMMANDS]]
    print("| " + " | ".join(head) + " |\n" + "|---" * len(head) + "|")
    for (size, variant, code), found in results.items():
        cells = [f"{run.seconds:.2f} s, {run.rss_mb:.0f} MB" for run in found.values()]
        print(f"| {size} | {variant} | {code.name} | " + " | ".join(cells) + " |")
    for variant in args.variants:
        for code in codes:
            large, medium = results.get(("L", variant, code)), results.get(("M", variant, code))
            if large and medium:
                for name in ("first sync", *COMMANDS):
                    ratio = large[name].seconds / medium[name].seconds
                    print(f"L / M {variant} {code.name} {name}: {ratio:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
