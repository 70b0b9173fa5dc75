"""A book written the other way: accounts inline in config.yaml, mail only, newsletters.

    python -m bench.book_inline L /tmp/inline-L                 # accounts inline (~445 KB)
    python -m bench.book_inline L /tmp/csv-L --accounts csv      # the same in accounts.csv
    python -m bench.book_inline L /tmp/people-L --contacts       # + 20,000 contacts listed

``bench.book`` writes the book the benchmarks were first tuned on (accounts in a CSV, a
1,100-day look-back that keeps every message, a full calendar). This one is the shape of
an independent large book: **2,000 accounts given inline** in config.yaml (name, two
domains, tier, stage, stage_since, tags, needs), **200,000 messages over three years** in
one mbox with the headers a Gmail Takeout export has (Received with comments, X-GM-THRID,
labels, MIME), **10% newsletters** (list headers, senders at no account), a few
colleagues' messages, the default 365-day look-back (so two thirds of the mail is older
than the window) and an **empty calendar**. ``--contacts`` also lists the ten people of
each account (20,000 on L) in the config or the CSV. Deterministic for a size and seed.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bench.book import FIRST, LAST, STAGES, SUBJECTS, TIERS

REP = "rep@seller-demo.com"
COLLEAGUE = "pat@seller-demo.com"
NEWSLETTERS = (
    "news@dailybrief.example.net",
    "digest@industry-weekly.example.org",
    "noreply@saas-updates.example.io",
    "events@conference-hub.example.net",
)
WORDS = ("logistics", "retail", "emea", "cloud", "finance", "health", "energy", "public")
NEEDS = ("a reference in retail", "an intro to their CFO", "the EMEA roadmap", "a pilot plan")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class InlineSize:
    accounts: int
    contacts_per_account: int
    messages: int


SIZES = {
    "S": InlineSize(50, 10, 5_000),
    "M": InlineSize(400, 10, 40_000),
    "L": InlineSize(2_000, 10, 200_000),
}


def write_inline_book(
    directory: Path,
    size: InlineSize,
    now: datetime = NOW,
    *,
    accounts_in: str = "inline",
    contacts: bool = False,
    seed: int = 11,
) -> dict[str, int]:
    """Write config.yaml (+ accounts.csv), mail.mbox and an empty calendar.ics."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    count = size.accounts
    names = [f"{rng.choice(WORDS).title()} {rng.choice(LAST)} {i:05d}" for i in range(count)]
    domains = [
        (f"acct{i:05d}.example.com", f"acct{i:05d}-group.example.co.uk") for i in range(count)
    ]
    people = [
        [
            (f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"p{j:02d}@{domains[i][j % 4 == 3]}")
            for j in range(size.contacts_per_account)
        ]
        for i in range(size.accounts)
    ]
    accounts = [
        _account(rng, names[i], domains[i], people[i] if contacts else []) for i in range(count)
    ]
    _write_config(directory, accounts, accounts_in)
    everyone = [person for group in people for person in group]
    _write_mbox(directory / "mail.mbox", everyone, size.messages, now, rng)
    (directory / "calendar.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//nurture bench//EN\r\nEND:VCALENDAR\r\n"
    )
    return {
        "accounts": size.accounts,
        "contacts": len(everyone),
        "messages": size.messages,
        "config bytes": (directory / "config.yaml").stat().st_size,
    }


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


def _account(
    rng: random.Random, name: str, domains: tuple[str, str], people: list[tuple[str, str]]
) -> dict[str, object]:
    since = NOW.date() - timedelta(days=rng.randrange(30, 900))
    return {
        "name": name,
        "domains": list(domains),
        "tier": _pick(rng, TIERS),
        "stage": _pick(rng, STAGES),
        "stage_since": since.isoformat(),
        "tags": sorted(set(rng.sample(WORDS, 3))),
        "needs": rng.sample(NEEDS, 1),
        "contacts": [
            {"email": email, "name": person, "role": rng.choice(("CFO", "COO", "buyer", ""))}
            for person, email in people
        ],
    }


HEAD = """\
# An independent large book: every account inline (bench.book_inline).
me: [{rep}]
internal_domains: [seller-demo.com]
timezone: Europe/Berlin
provider: local
local:
  mail: mail.mbox
  calendars: [calendar.ics]
  outbox: outbox
"""


def _write_config(directory: Path, accounts: list[dict[str, object]], accounts_in: str) -> None:
    head = HEAD.format(rep=REP)
    if accounts_in == "csv":
        (directory / "config.yaml").write_text(head + "accounts_file: accounts.csv\n")
        _write_csv(directory / "accounts.csv", accounts)
        return
    lines = [head + "accounts:"]
    for a in accounts:
        lines += [
            f"  - name: {a['name']}",
            f"    domains: [{', '.join(a['domains'])}]",  # type: ignore[arg-type]
            f"    tier: {a['tier']}",
            f"    stage: {a['stage']}",
            f"    stage_since: {a['stage_since']}",
            f"    tags: [{', '.join(a['tags'])}]",  # type: ignore[arg-type]
            f"    needs: [{', '.join(a['needs'])}]",  # type: ignore[arg-type]
        ]
        contacts: list[dict[str, str]] = a["contacts"]  # type: ignore[assignment]
        if contacts:
            lines.append("    contacts:")
            for c in contacts:
                role = f", role: {c['role']}" if c["role"] else ""
                lines.append(f"      - {{email: {c['email']}, name: {c['name']}{role}}}")
    (directory / "config.yaml").write_text("\n".join(lines) + "\n")


def _write_csv(path: Path, accounts: list[dict[str, object]]) -> None:
    rows = ["name,domains,tier,stage,stage_since,tags,needs,contacts"]
    for a in accounts:
        contacts: list[dict[str, str]] = a["contacts"]  # type: ignore[assignment]
        people = "; ".join(f"{c['name']} <{c['email']}>" for c in contacts)
        cells = [
            str(a["name"]),
            " ".join(a["domains"]),  # type: ignore[arg-type]
            str(a["tier"]),
            str(a["stage"]),
            str(a["stage_since"]),
            "|".join(a["tags"]),  # type: ignore[arg-type]
            "; ".join(a["needs"]),  # type: ignore[arg-type]
            people,
        ]
        rows.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    path.write_text("\n".join(rows) + "\n")


def _write_mbox(
    path: Path, people: list[tuple[str, str]], count: int, now: datetime, rng: random.Random
) -> None:
    span = 3 * 365 * 24 * 60
    with path.open("wb") as out:
        for index in range(count):
            at = now - timedelta(minutes=rng.randrange(span))
            roll = rng.random()
            if roll < 0.10:
                out.write(_newsletter(index, rng.choice(NEWSLETTERS), at))
                continue
            name, email = people[
                min(int(rng.paretovariate(1.2)) - 1, len(people) - 1)
                if rng.random() < 0.3
                else rng.randrange(len(people))
            ]
            if roll < 0.12:  # a colleague, about an account: no contact, no touch
                who = (f"Pat <{COLLEAGUE}>", f"Rep <{REP}>", "")
            elif rng.random() < 0.55:
                other = people[rng.randrange(len(people))]
                cc = f"{other[0]} <{other[1]}>" if rng.random() < 0.15 else ""
                who = (f"Rep <{REP}>", f'"{name}" <{email}>', cc)
            else:
                who = (f"{name} <{email}>", f"Rep <{REP}>", "")
            out.write(_personal(index, who, at, rng))


def _received(at: datetime, index: int) -> str:
    return (
        f"Received: from mail-{index % 97}.example.net (mail-{index % 97}.example.net "
        f"[192.0.2.{index % 250}])\n        by mx.seller-demo.com with ESMTPS id x{index}\n"
        f"        for <{REP}>; {format_datetime(at + timedelta(seconds=3))}\n"
    )


def _personal(index: int, who: tuple[str, str, str], at: datetime, rng: random.Random) -> bytes:
    """A message between the rep and a contact; ``who``: From, To and Cc (may be "")."""
    sender, to, cc = who
    subject = rng.choice(SUBJECTS)
    thread = 1_700_000_000_000_000_000 + index // 3
    reply = f"In-Reply-To: <b{index - 1}@bench.example>\n" if index % 3 else ""
    return (
        f"From {thread}@xxx {at:%a %b %d %H:%M:%S +0000 %Y}\n"
        f"X-GM-THRID: {thread}\nX-Gmail-Labels: Inbox,Opened\n"
        + _received(at, index)
        + f"MIME-Version: 1.0\nDate: {format_datetime(at)}\n"
        f"Message-ID: <b{index}@bench.example>\n{reply}"
        f"Subject: {subject}\nFrom: {sender}\nTo: {to}\n"
        + (f"Cc: {cc}\n" if cc else "")
        + 'Content-Type: text/plain; charset="UTF-8"\n\n'
        "Hello, a short note about the thing we discussed.\n"
        f"{rng.choice(SUBJECTS)}: more next week.\n\n"
    ).encode()


def _newsletter(index: int, sender: str, at: datetime) -> bytes:
    return (
        f"From 1@xxx {at:%a %b %d %H:%M:%S +0000 %Y}\nX-Gmail-Labels: Updates\n"
        + _received(at, index)
        + f"Date: {format_datetime(at)}\nMessage-ID: <n{index}@list.example>\n"
        f"From: Weekly Brief <{sender}>\nTo: {REP}\nSubject: This week in the industry\n"
        f"List-Unsubscribe: <mailto:leave@{sender.partition('@')[2]}>\nPrecedence: bulk\n"
        'MIME-Version: 1.0\nContent-Type: text/html; charset="UTF-8"\n\n'
        "<html><body><p>Ten things that happened this week.</p></body></html>\n\n"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES))
    parser.add_argument("directory", type=Path)
    parser.add_argument("--accounts", choices=("inline", "csv"), default="inline")
    parser.add_argument("--contacts", action="store_true", help="list the people too")
    args = parser.parse_args()
    counts = write_inline_book(
        args.directory, SIZES[args.size], accounts_in=args.accounts, contacts=args.contacts
    )
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()), "→", args.directory)


if __name__ == "__main__":
    main()
