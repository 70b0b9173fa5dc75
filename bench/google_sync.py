"""Google provider at the quota floor: what a first sync and an idle sync cost.

    python -m bench.google_sync              # 50,000 messages, 2,000 with 200 accounts
    python -m bench.google_sync --small      # 5,000 / 200 / 20 accounts, for a quick look
    python -m bench.google_sync --runs 5     # time five first syncs, report the median

A fake Gmail + Calendar (tests/kits/fakegoogle), in a process of its own, is seeded with a
mailbox of which a small part involves the configured accounts, and a calendar; 50 ms of
latency is added to every round trip, and every switch for what real Google does is on
(``realistic``: at most 50 Gmail calls of the user at once, batch parts counted). The
real google-api-python-client then runs the provider's first sync, a sync with nothing
new, and a first sync interrupted halfway (Ctrl-C) and run again, which resumes from its
journal. Reported: Gmail quota units (per relevant message, list pages included),
irrelevant messages fetched, requests and round trips, wall time against round trips x
latency, 429s, the most Gmail calls the fake saw at once, and for the resumed sync the
messages.get calls of both runs against an uninterrupted one. Results: bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from agent.app.book import interest_for
from agent.config.schema import Config
from agent.errors import UserError
from agent.providers.base import Interest, Progress, Pull
from agent.providers.google.provider import GoogleProvider
from tests.kits.fakegoogle import FakeGoogle

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
REP = "riley@northwind-analytics.com"
LATENCY = 0.05
PEOPLE = ("ann", "bob", "cy", "dee", "eli", "fay", "gus", "hal")


@dataclass(frozen=True)
class Size:
    messages: int
    relevant: int
    accounts: int
    events: int
    lookalikes: int  # addresses Gmail's word match finds but the local check drops


FULL = Size(messages=50_000, relevant=2_000, accounts=200, events=5_000, lookalikes=20)
SMALL = Size(messages=5_000, relevant=200, accounts=20, events=500, lookalikes=2)


def domain(n: int) -> str:
    return f"account{n:03d}-industries.com"


def config_for(size: Size, endpoint: str) -> Config:
    return Config.model_validate(
        {
            "me": [REP],
            "internal_domains": ["northwind-analytics.com"],
            "provider": "google",
            "google": {"endpoint": endpoint},
            "accounts": [
                {"name": f"Account {n}", "domains": [domain(n)]} for n in range(size.accounts)
            ],
        }
    )


def seed(fake: FakeGoogle, size: Size, rng: random.Random) -> None:
    for n in range(size.relevant):
        contact = f"{rng.choice(PEOPLE)}@{domain(n % size.accounts)}"
        when = NOW - timedelta(minutes=rng.randrange(1, 364 * 24 * 60))
        if n % 2:
            fake.add_message(from_=REP, to=contact, subject=f"Proposal {n}", date=when)
        else:
            fake.add_message(from_=contact, to=REP, subject=f"Re: proposal {n}", date=when)
    for n in range(size.lookalikes):
        fake.add_message(from_=f"billing@{domain(n)}.invoices-portal.net", subject="Invoice")
    for n in range(size.messages - size.relevant - size.lookalikes):
        when = NOW - timedelta(minutes=rng.randrange(1, 2 * 365 * 24 * 60))
        sender = rng.choice(
            [f"news@list{n % 97}.example.org", f"colleague{n % 40}@northwind-analytics.com"]
        )
        fake.add_message(from_=sender, to=REP, subject=f"Update {n}", body="...", date=when)
    for n in range(size.events):
        start = NOW + timedelta(hours=rng.randrange(-364 * 24, 60 * 24))
        guest = f"{rng.choice(PEOPLE)}@{domain(n % size.accounts)}" if n % 3 else "x@corp.example"
        fake.add_event(
            {
                "summary": f"Meeting {n}",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": (start + timedelta(minutes=45)).isoformat()},
                "attendees": [{"email": REP}, {"email": guest, "responseStatus": "accepted"}],
            }
        )
    # Gmail's search index exists before anyone searches; have the fake build its own now,
    # so that the timed sync measures the client, not the fake's first pass over the mail.
    with fake.lock:
        fake.mailbox.search("from:warm-up.invalid", [], False)


@dataclass
class Measured:
    wall: float
    cpu: float  # this process: the client, not the fake
    units: int
    gmail_requests: int
    calendar_requests: int
    round_trips: int
    gets: int
    lists: int
    rejections: int
    peak: int  # the most Gmail calls on the fake at once
    aborted: int = 0  # 1 when the pull ended in an error (Google kept failing)


def serve(size: Size, conn: Connection) -> None:
    """The fake, in its own process as Google's servers would be: its CPU (parsing batches,
    searching 50,000 messages) must not be billed to the client's."""
    with FakeGoogle(
        email=REP, now=NOW, quota_per_minute=15_000, calendar_per_minute=600, realistic=True
    ) as fake:
        seed(fake, size, random.Random(20261120))
        fake.latency = LATENCY
        conn.send(fake.base_url)
        while (command := conn.recv()) != "stop":
            if command == "reset":
                fake.reset_counters()
                fake.concurrency.peak = 0
                conn.send(None)
            else:
                conn.send(
                    {
                        "units": fake.quota_units,
                        "gmail_requests": sum(1 for api, _ in fake.requests if api == "gmail"),
                        "calendar_requests": fake.calendar_requests,
                        "round_trips": fake.round_trips,
                        "gets": fake.count("messages.get"),
                        "lists": fake.count("messages.list"),
                        "rejections": sum(1 for call in fake.calls if call.status == 429),
                        "peak": fake.concurrency.peak,
                        "violations": fake.violations,
                    }
                )


def timed(
    conn: Connection,
    provider: GoogleProvider,
    cursor: Any,
    interest: Interest,
    progress: Progress | None = None,
) -> tuple[Pull | None, Measured]:
    """One pull and what it cost; None for a pull interrupted by Ctrl-C."""
    conn.send("reset")
    conn.recv()
    started, cpu = time.perf_counter(), time.process_time()
    aborted = 0
    try:
        pull: Pull | None = provider.pull(cursor, interest, progress)
    except KeyboardInterrupt:
        pull = None
    except UserError as error:
        print(f"aborted: {error}")
        pull, aborted = None, 1
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    conn.send("counters")
    counters = conn.recv()
    if counters.pop("violations"):
        raise SystemExit("the fake saw requests Google would refuse")
    return pull, Measured(wall=wall, cpu=cpu, aborted=aborted, **counters)


def interrupted(conn: Connection, config: Config, interest: Interest, at: int) -> list[Measured]:
    """A first sync stopped by Ctrl-C once ``at`` messages were read, then run again
    (a fresh process would do the same: the journal is in the state folder)."""

    def ctrl_c(done: int, total: int | None) -> None:
        if done >= at:
            raise KeyboardInterrupt

    with tempfile.TemporaryDirectory() as home:
        first = GoogleProvider.from_config(config, home=Path(home))
        stopped, before = timed(conn, first, {}, interest, ctrl_c)
        again = GoogleProvider.from_config(config, home=Path(home))
        pull, after = timed(conn, again, {}, interest)
    assert stopped is None and pull is not None
    return [before, after]


def report(size: Size, runs: list[Measured], kept: int, idle: Measured) -> list[str]:
    first = sorted(runs, key=lambda run: run.wall)[len(runs) // 2]  # the median run
    irrelevant = first.gets - kept
    budget = first.round_trips * LATENCY
    walls = ", ".join(f"{run.wall:.2f}" for run in runs)
    return [
        f"mailbox {size.messages:,} messages, {size.relevant:,} with {size.accounts} accounts; "
        f"calendar {size.events:,} events; latency {LATENCY * 1000:.0f} ms",
        f"first sync (median of {len(runs)}):",
        f"  Gmail units           {first.units:,} = {first.units / size.relevant:.2f} per"
        " relevant message (target <= 5.5)",
        f"  messages fetched      {first.gets:,}, kept {kept:,}, irrelevant {irrelevant}"
        f" = {100 * irrelevant / max(first.gets, 1):.2f}% (target <= 2%)",
        f"  requests              Gmail {first.gmail_requests:,}, Calendar"
        f" {first.calendar_requests}",
        f"  round trips           {first.round_trips} x {LATENCY * 1000:.0f} ms = {budget:.2f} s",
        f"  wall time             {first.wall:.2f} s = {first.wall / budget:.2f} x round trips"
        f" x latency (target <= 1.5); runs {walls} s; client CPU {first.cpu:.2f} s",
        f"  429s                  {sum(run.rejections for run in runs)}; Gmail calls at once"
        f" at most {max(run.peak for run in runs)} (the fake's limit: 50); aborted syncs"
        f" {sum(run.aborted for run in runs)} of {len(runs)}",
        "sync with nothing new:",
        f"  requests              Gmail {idle.gmail_requests} (target <= 2), Calendar"
        f" {idle.calendar_requests} (target 1)",
        f"  Gmail units           {idle.units}; round trips {idle.round_trips};"
        f" wall {idle.wall:.2f} s",
        f"  429s                  {idle.rejections}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the size")
    parser.add_argument("--runs", type=int, default=3, help="first syncs to time (median)")
    args = parser.parse_args()
    size = SMALL if args.small else FULL
    conn, child_end = Pipe()
    server = Process(target=serve, args=(size, child_end), daemon=True)
    started = time.perf_counter()
    server.start()
    endpoint = conn.recv()
    print(f"seeded the fake in {time.perf_counter() - started:.1f} s")
    try:
        config = config_for(size, endpoint)
        interest = interest_for(config, NOW)
        runs = []
        for _ in range(args.runs):  # a fresh provider each time: a first sync, every time
            provider = GoogleProvider.from_config(config, home=None)
            pull, measured = timed(conn, provider, {}, interest)
            runs.append(measured)
        assert pull is not None
        _, idle = timed(conn, provider, pull.cursor, interest)
        stops = interrupted(conn, config, interest, size.relevant // 2)
    finally:
        conn.send("stop")
        server.join(timeout=10)
    print("\n".join(report(size, runs, len(pull.messages), idle)))
    print("\n".join(resumed_report(size, runs, stops)))


def resumed_report(size: Size, runs: list[Measured], stops: list[Measured]) -> list[str]:
    whole = sorted(runs, key=lambda run: run.wall)[len(runs) // 2]
    before, after = stops
    both, units = before.gets + after.gets, before.units + after.units
    return [
        f"first sync interrupted (Ctrl-C) after half of the {size.relevant:,} relevant messages,"
        " then run again:",
        f"  interrupted run       messages.get {before.gets:,}, units {before.units:,},"
        f" wall {before.wall:.2f} s",
        f"  resumed run           messages.get {after.gets:,}, units {after.units:,},"
        f" messages.list {after.lists}, wall {after.wall:.2f} s",
        f"  both runs             messages.get {both:,} = {both / whole.gets:.2f} x an"
        f" uninterrupted sync's {whole.gets:,} (target <= 1.3); units {units:,}"
        f" = {units / whole.units:.2f} x; 429s"
        f" {before.rejections + after.rejections}",
    ]


if __name__ == "__main__":
    main()
