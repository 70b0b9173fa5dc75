"""The full cycle on the local provider: wall time and peak memory of the real CLI.

    python -m bench.cycle                    # S, M, L and 2L (twice L), 3 runs each
    python -m bench.cycle --sizes S M --runs 5 --dir /tmp/nurture-bench

For each size the book (``bench.book``) is built if missing and synced once (timed); then,
each in a fresh ``nurture`` process pinned to two cores, from a copy of the state the
first sync left: ``nurture board --json``, ``nurture cycle`` (the full cycle after a sync:
a sync that finds nothing new, drafts learnt and written, blocks placed), the same cycle
again with nothing new (the incremental cycle), and the store's load and save; then, from
another copy, both cycles in one process as the daemon runs them (``IN_PROCESS``: imports
and config done before the clock starts). The targets are judged on the CLI numbers, the
honest ones: a person waits for the whole process. Times are the median of the runs;
memory is the peak RSS of the process (``wait4`` rusage).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.book import SIZES, scaled, write_book

NOW = "2026-11-20T12:00:00+00:00"  # bench.book's now: the same drafts and blocks each run
ROOT = Path(__file__).resolve().parents[1]
NURTURE = [sys.executable, "-m", "agent"]
STORE_TIMES = """
import sys, time
from pathlib import Path
from agent.store.db import Store
started = time.perf_counter()
with Store.open(Path(sys.argv[1])) as store:
    state = time.perf_counter()
    _ = store.message_count  # the observations are read on first use
    loaded = time.perf_counter()
    store._obs.changed = True  # as after a sync that brought something: write it all
    store.set_meta("bench", loaded)
    store.commit()
    saved = time.perf_counter()
print(state - started, loaded - started, saved - loaded)
"""
# The cycle as the daemon runs it: imports done and the config loaded before the clock
# starts, each cycle on a freshly opened store (as each of the daemon's jobs opens it).
IN_PROCESS = """
import sys, time
from datetime import datetime
from pathlib import Path
from agent.app import pipeline
from agent.config.schema import load_config
from agent.store.db import Store
home, now = Path(sys.argv[1]), datetime.fromisoformat(sys.argv[2])
config = load_config(Path("config.yaml"))
times = []
for _ in range(2):  # the full cycle after the sync, then one with nothing new
    started = time.perf_counter()
    with Store.open(home) as store:
        pipeline.run_steps(pipeline.Run(config, store, home, now))
    times.append(time.perf_counter() - started)
print(*times)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float
    out: str


def run(args: list[str], home: Path, cwd: Path) -> Run:
    """One fresh process (pinned as this one is); its own peak RSS from ``wait4``."""
    env = {**os.environ, "NURTURE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{err.read().decode()}")
        return Run(seconds, usage.ru_maxrss / 1024, out.read().decode())


def _pin() -> None:
    """Cores 0 and 1 only, for this process and the ones it starts: the 2-core target."""
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2:
        os.sched_setaffinity(0, {0, 1})


def nurture(book: Path, home: Path, *command: str) -> Run:
    return run([*NURTURE, "--config", "config.yaml", "--now", NOW, *command], home, book)


def median(runs: list[Run]) -> Run:
    middle = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return Run(statistics.median(r.seconds for r in runs), max(r.rss_mb for r in runs), middle.out)


def fresh(book: Path, synced: Path) -> Path:
    """A copy of the state right after the first sync, and an empty outbox."""
    home = book / "home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(book / "outbox", ignore_errors=True)
    shutil.copytree(synced, home)
    return home


def prepare(size: str, base: Path) -> tuple[Path, Path, Run]:
    """The book, and its state after a first sync (made once, kept for later runs)."""
    book, factor = base / size, 2.0 if size == "2L" else 1.0
    if not (book / "config.yaml").exists():
        write_book(book, scaled(SIZES[size.removeprefix("2")], factor), datetime.fromisoformat(NOW))
    synced = book / "home-synced"
    timing = book / "first-sync.txt"
    if not synced.exists():
        home = book / "home"
        shutil.rmtree(home, ignore_errors=True)
        first = nurture(book, home, "sync")
        timing.write_text(f"{first.seconds} {first.rss_mb}\n")
        shutil.copytree(home, synced)
    seconds, rss = (float(x) for x in timing.read_text().split())
    return book, synced, Run(seconds, rss, "")


def measure(size: str, base: Path, runs: int) -> dict[str, Run]:
    book, synced, first = prepare(size, base)
    steps = ("board", "cycle", "again", "daemon cycle", "daemon again", "load", "save")
    found: dict[str, list[Run]] = {step: [] for step in steps}
    for _ in range(runs):
        home = fresh(book, synced)
        found["board"].append(nurture(book, home, "board", "--json"))
        found["cycle"].append(nurture(book, home, "cycle"))
        found["again"].append(nurture(book, home, "cycle"))
        times = run([sys.executable, "-c", STORE_TIMES, str(home)], home, ROOT)
        _, loaded, saved = (float(x) for x in times.out.split())
        found["load"].append(Run(loaded, times.rss_mb, ""))
        found["save"].append(Run(saved, times.rss_mb, ""))
        home = fresh(book, synced)
        inside = run([sys.executable, "-c", IN_PROCESS, str(home), NOW], home, book)
        full, again = (float(x) for x in inside.out.split())
        found["daemon cycle"].append(Run(full, inside.rss_mb, ""))
        found["daemon again"].append(Run(again, inside.rss_mb, ""))
    return {"sync": first, **{name: median(items) for name, items in found.items()}}


def table(results: dict[str, dict[str, Run]]) -> str:
    """The CLI numbers (a fresh process: what the targets are judged on), then the same
    cycles in-process, as the daemon runs them (no imports, no config parsing)."""
    head = ["size", "first sync", "board --json", "full cycle", "cycle, nothing new"]
    head += ["in-process full", "in-process nothing new", "store load", "store save"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for size, r in results.items():
        cells = [
            f"{r[k].seconds:.2f} s, {r[k].rss_mb:.0f} MB"
            for k in ("sync", "board", "cycle", "again")
        ]
        cells += [f"{r[k].seconds:.2f} s" for k in ("daemon cycle", "daemon again")]
        cells += [f"{r['load'].seconds:.2f} s", f"{r['save'].seconds:.2f} s"]
        lines.append(f"| {size} | " + " | ".join(cells) + " |")
    if "L" in results and "2L" in results:
        for step in ("cycle", "again", "board"):
            ratio = results["2L"][step].seconds / results["L"][step].seconds
            lines.append(f"\n2L / L {step}: {ratio:.2f}x time")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["S", "M", "L", "2L"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nurture-bench"))
    args = parser.parse_args()
    _pin()
    results = {}
    for size in args.sizes:
        results[size] = measure(size, args.dir, args.runs)
        print(f"{size}: cycle {results[size]['cycle'].out.strip().splitlines()[-1]}", flush=True)
    print(table(results))


if __name__ == "__main__":
    main()
