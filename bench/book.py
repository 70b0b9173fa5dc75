"""Synthetic but realistic books for benchmarks: accounts, contacts, a mailbox, a calendar.

    python -m bench.book L /tmp/book-L          # writes config.yaml, mail.mbox, calendar.ics

Sizes (accounts / contacts / touches over three years / calendar events):
S 50 / 500 / 5,000 / 1,000;  M 400 / 4,000 / 40,000 / 10,000;  L 2,000 / 20,000 / 200,000 / 50,000.
Any size can be scaled with ``--scale`` (the 2x-data check uses it). Deterministic for a
given size, scale and ``now``. The mbox is written directly as bytes: building 200,000
``EmailMessage`` objects would make the generator slower than the thing it measures.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

REP = "rep@seller-demo.com"
TIERS = (("dream", 0.1), ("target", 0.3), ("other", 0.6))
STAGES = (("cold", 0.55), ("hot", 0.15), ("stalled", 0.1), ("lost", 0.1), ("won", 0.1))
FIRST = [
    "Ana",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lea",
    "Mo",
    "Nia",
    "Oto",
    "Pia",
    "Raj",
    "Sol",
    "Tam",
    "Uma",
]
LAST = [
    "Ortiz",
    "Berg",
    "Chen",
    "Dubois",
    "Eze",
    "Fox",
    "Gill",
    "Hahn",
    "Ito",
    "Jain",
    "Kerr",
    "Lund",
    "Mora",
    "Novak",
    "Oduya",
    "Park",
]
SUBJECTS = (
    "Quick question",
    "Follow-up",
    "Notes from today",
    "An article you may like",
    "Introduction",
    "Pricing",
    "Next steps",
    "Checking in",
    "Re: Proposal",
    "Agenda",
)


@dataclass(frozen=True)
class Size:
    accounts: int
    contacts_per_account: int
    touches: int
    events: int


SIZES = {
    "S": Size(50, 10, 5_000, 1_000),
    "M": Size(400, 10, 40_000, 10_000),
    "L": Size(2_000, 10, 200_000, 50_000),
}


def scaled(size: Size, scale: float) -> Size:
    return Size(
        max(1, round(size.accounts * scale)),
        size.contacts_per_account,
        round(size.touches * scale),
        round(size.events * scale),
    )


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


def write_book(directory: Path, size: Size, now: datetime, seed: int = 7) -> dict[str, int]:
    """Write the book; returns counts for the benchmark report."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    accounts = [f"acct{i:05d}.example.com" for i in range(size.accounts)]
    _write_config(directory, accounts, rng)
    people = [
        (f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"p{j:02d}@{domain}")
        for domain in accounts
        for j in range(size.contacts_per_account)
    ]
    meetings = size.touches // 10
    _write_mbox(directory / "mail.mbox", people, size.touches - meetings, now, rng)
    _write_ics(directory / "calendar.ics", people, meetings, size.events, now=now, rng=rng)
    return {
        "accounts": len(accounts),
        "contacts": len(people),
        "touches": size.touches,
        "events": size.events,
    }


def _write_config(directory: Path, domains: list[str], rng: random.Random) -> None:
    lines = [
        f"me: [{REP}]",
        "internal_domains: [seller-demo.com]",
        "timezone: Europe/Berlin",
        "provider: local",
        "local: {mail: mail.mbox, calendars: [calendar.ics], outbox: outbox}",
        "lookback_days: 1100",
        "accounts_file: accounts.csv",  # a book this size comes from a CRM export
    ]
    (directory / "config.yaml").write_text("\n".join(lines) + "\n")
    rows = ["name,domains,tier,stage,tags"]
    for index, domain in enumerate(domains):
        tier, stage = _pick(rng, TIERS), _pick(rng, STAGES)
        rows.append(f"Account {index:05d},{domain},{tier},{stage},t{index % 7}")
    (directory / "accounts.csv").write_text("\n".join(rows) + "\n")


def _write_mbox(
    path: Path, people: list[tuple[str, str]], count: int, now: datetime, rng: random.Random
) -> None:
    with path.open("wb") as out:
        for index in range(count):
            name, email = people[
                min(int(rng.paretovariate(1.2)) - 1, len(people) - 1)
                if rng.random() < 0.3
                else rng.randrange(len(people))
            ]
            at = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            outbound = rng.random() < 0.55
            sender, to = (
                (f"Rep <{REP}>", f"{name} <{email}>")
                if outbound
                else (f"{name} <{email}>", f"Rep <{REP}>")
            )
            out.write(_message(index, sender, to, rng.choice(SUBJECTS), at))


def _message(index: int, sender: str, to: str, subject: str, at: datetime) -> bytes:
    return (
        f"From bench {at:%a %b %d %H:%M:%S %Y}\n"
        f"From: {sender}\nTo: {to}\nSubject: {subject}\n"
        f"Date: {format_datetime(at)}\nMessage-ID: <b{index}@bench.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Hello, a short note about the thing we discussed.\n\n"
    ).encode()


def _write_ics(
    path: Path,
    people: list[tuple[str, str]],
    with_contacts: int,
    events: int,
    *,
    now: datetime,
    rng: random.Random,
) -> None:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//nurture bench//EN"]
    for index in range(events):
        start = (now - timedelta(days=3 * 365)) + timedelta(
            minutes=15 * rng.randrange(4 * 24 * (3 * 365 + 60))
        )
        stamp = start.strftime("%Y%m%dT%H%M%SZ")
        end = (start + timedelta(minutes=rng.choice((30, 60, 90)))).strftime("%Y%m%dT%H%M%SZ")
        lines += [
            "BEGIN:VEVENT",
            f"UID:e{index}@bench.example",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{stamp}",
            f"DTEND:{end}",
            "SUMMARY:Meeting",
            f"ORGANIZER:mailto:{REP}",
        ]
        if index < with_contacts:
            _, email = people[rng.randrange(len(people))]
            lines.append(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{email}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    path.write_text("\r\n".join(lines) + "\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    counts = write_book(args.directory, scaled(SIZES[args.size], args.scale), now)
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()), "→", args.directory)


if __name__ == "__main__":
    main()
