"""Where a first local sync's time goes, step by step, with the counts that explain it.

    python -m bench.first_sync                      # the inline L book (bench.book_inline)
    python -m bench.first_sync --size M --runs 3
    python -m bench.first_sync --email-package      # also: every message through `email`

In one process (imports and config done first), on the book's mbox, each step timed on its
own (median of ``--runs``, wall and CPU): splitting the mbox into messages; the prefilter
(``agent.mailscan.Prefilter.check``) on every one; parsing the ones it keeps (with
``agent.mailfast`` where they have the common shape, else the ``email`` package); the
store taking them (``put_messages``), deriving touches and the sync summary, and writing
``observations.json`` (commit). ``--email-package`` adds the cost the first sync had
before the prefilter: ``message_from_bytes`` on every message. Counts do not vary from run
to run; times do (the machine is shared), which is why the CPU column is there too.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.book_inline import NOW, SIZES, write_inline_book
from bench.cycle import _pin


@dataclass(frozen=True)
class Step:
    name: str
    wall: float
    cpu: float
    note: str


def timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(book: Path, now: datetime, *, email_package: bool) -> list[Step]:
    from agent.app import book as cycle
    from agent.config.schema import load_config
    from agent.providers.local.mail import _split_mbox, takeout_thread
    from agent.providers.local.provider import LocalProvider
    from agent.providers.mail.parse import message_from_bytes
    from agent.providers.mail.scan import Prefilter, parse_raw
    from agent.store.db import Store

    config = load_config(book / "config.yaml")
    interest = cycle.interest_for(config, now)
    steps = []
    wall, cpu, raws = timed(lambda: [r for r in _split_mbox(book / "mail.mbox") if r.strip()])
    steps.append(Step("split the mbox", wall, cpu, f"{len(raws):,} messages"))
    prefilter = Prefilter.of(interest.domains, interest.since)
    wall, cpu, checked = timed(lambda: [(raw, prefilter.check(raw)) for raw in raws])
    kept = [(raw, parts) for raw, parts in checked if parts is not None]
    counts = prefilter.counts
    note = (
        f"{len(kept):,} kept; skipped unparsed: {counts['old']:,} older than the window, "
        f"{counts['other']:,} naming no account"
    )
    steps.append(Step("prefilter", wall, cpu, note))
    wall, cpu, parsed = timed(
        lambda: [parse_raw(raw, parts, takeout_thread(raw)) for raw, parts in kept]
    )
    fast = sum(1 for _, parts in kept if _fast(parts))
    note = f"{len(parsed):,} parsed: {fast:,} without the email package"
    steps.append(Step("parse the kept ones", wall, cpu, note))
    if email_package:
        wall, cpu, _ = timed(lambda: [message_from_bytes(raw) for raw in raws])
        steps.append(Step("(before: email package on all)", wall, cpu, f"{len(raws):,}"))
    with tempfile.TemporaryDirectory() as home, Store.open(Path(home)) as store:
        provider = LocalProvider.from_config(config)
        wall, cpu, pull = timed(lambda: provider.pull({}, interest))
        steps.append(Step("provider.pull (the three above)", wall, cpu, ""))
        wall, cpu, new = timed(lambda: store.put_messages(pull.messages))
        steps.append(Step("store.put_messages", wall, cpu, f"{new:,} new"))
        wall, cpu, found = timed(lambda: cycle.detect_all(config, store, now))
        steps.append(Step("touch detection", wall, cpu, f"{len(found.touches):,} touches"))
        wall, cpu, _ = timed(lambda: cycle.current_board(config, store, now))
        steps.append(Step("board (the sync summary's counts)", wall, cpu, ""))
        wall, cpu, _ = timed(store.commit)
        size = (Path(home) / "observations.json").stat().st_size
        steps.append(Step("commit", wall, cpu, f"observations.json {size / 1e6:.0f} MB"))
    return steps


def _fast(parts: Any) -> bool:
    from agent.providers.mail.fast import text_part
    from agent.providers.mail.scan import Unsplit

    return not isinstance(parts, Unsplit) and text_part(parts.headers) is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="L")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nurture-bench-inline"))
    parser.add_argument("--email-package", action="store_true")
    args = parser.parse_args()
    _pin()
    book = args.dir / f"first-{args.size}"
    if not (book / "config.yaml").exists():
        shutil.rmtree(book, ignore_errors=True)
        write_inline_book(book, SIZES[args.size])
    runs = [measure(book, NOW, email_package=args.email_package) for _ in range(args.runs)]
    print(f"| step ({args.size}, median of {args.runs}) | wall | CPU | what |")
    print("|---|---|---|---|")
    for at, step in enumerate(runs[0]):
        wall = statistics.median(run[at].wall for run in runs)
        cpu = statistics.median(run[at].cpu for run in runs)
        print(f"| {step.name} | {wall:.2f} s | {cpu:.2f} s | {step.note} |")


if __name__ == "__main__":
    main()
