"""A rep's year of drafts, written into a book's state: what a book looks like after use.

    python -m bench.history /tmp/nurture-bench-inline/inline-L/config.yaml STATE_DIR

A bench book starts with no drafts, but a rep who has used nurture for a year has about
ten a working day: 2,500 records in the ``drafts`` table, each with its text and HTML,
settled as the learn step leaves them (sent from the mailbox, expired or withdrawn and
removed, rejected), so the mailbox has nothing more to tell about any of them. The
planner asks about each person's drafts and every command reads the table, so a read that
is fast on a fresh book must stay fast on this one (``bench.inline --variants history``).
Drafts still waiting in the mailbox are not modelled: they need the mailbox's own files.
Deterministic for a book and seed.
"""

from __future__ import annotations

import argparse
import random
from datetime import datetime, timedelta
from pathlib import Path

from bench.book_inline import NOW

PLAYS = ("share_content", "introduction", "invitation", "new_contact", "reengage_lost")
SETTLED = (("sent", 50), ("expired", 30), ("rejected", 10), ("withdrawn", 8), ("failed", 2))
AS_LEFT = {  # what the learn step records with each status (agent.core.outcomes)
    "sent": {"sent_subject": "A piece on peak-season planning"},  # found in the sent mail
    "expired": {"removed": True},
    "withdrawn": {"removed": True},
    "rejected": {"rejected_by": "you"},
    "failed": {"failed_reason": "refused before it reached the mailbox"},
}
PARAGRAPH = (
    "I came across a short piece on how logistics teams plan their peak season and thought "
    "of our conversation in the spring. It is a ten-minute read with two charts worth a look. "
)


def seed_drafts(
    config_path: Path, home: Path, count: int = 2_500, now: datetime = NOW, seed: int = 5
) -> int:
    """Put ``count`` drafts of the past year into the state at ``home``; returns ``count``."""
    from agent.config.schema import load_config
    from agent.model.tables import DRAFTS
    from agent.store.db import Store

    rng = random.Random(seed)
    accounts = load_config(config_path).accounts
    with Store.open(home) as store:
        for index in range(count):
            account = rng.choice(accounts)
            domain = account.domains[0]
            contact = f"p{rng.randrange(10):02d}@{domain}"
            created = now - timedelta(days=365 * (count - index) / count, hours=rng.random())
            status = rng.choices([s for s, _ in SETTLED], [w for _, w in SETTLED])[0]
            play = rng.choice(PLAYS)
            key = f"draft|{account.name}|{contact}|{play}|{created:%Y-%m-%d}|{index}"
            store.put(
                DRAFTS,
                key,
                {
                    "key": key,
                    "account": account.name,
                    "contact": contact,
                    "contact_name": "",
                    "play": play,
                    "content_url": f"https://content.example.com/{rng.randrange(40)}",
                    "reason": f"{account.name} is due; a piece worth their time.",
                    "subject": "A piece on peak-season planning",
                    "text": PARAGRAPH * 6,
                    "html": f"<p>{PARAGRAPH * 6}</p>" * 2,
                    "status": status,
                    "created_at": created.isoformat(),
                    "status_at": (created + timedelta(days=2)).isoformat(),
                    "provider": "local",
                    "provider_id": f"outbox/{index}.eml",
                    "message_id": "",
                    "rfc822_id": f"<d{index}@nurture.bench>",
                    "thread": "",
                    "link": "",
                    "edited": False,
                    "in_reply_to": "",
                    "references": [],
                    "reply_thread": "",
                    **AS_LEFT[status],
                },
            )
        store.commit()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("home", type=Path)
    parser.add_argument("--count", type=int, default=2_500)
    args = parser.parse_args()
    print(f"{seed_drafts(args.config, args.home, args.count):,} drafts written")


if __name__ == "__main__":
    main()
