"""What a nurture block's description says: the accounts and people for that session.

Pure. The worklist (ranked, most urgent first) is split in order across the coming
blocks, so the first session works the coldest dream clients.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from agent.core.forecast import ColdForecast, skipping


@dataclass(frozen=True)
class WorkItem:
    """One account to work in a session, with the people and the drafts waiting for them."""

    account: str
    reason: str
    people: tuple[str, ...] = ()  # "Name <email>" (or the address) as shown to the rep
    drafts: tuple[str, ...] = ()  # "subject: link" of drafts waiting for review


def split(items: Sequence[WorkItem], parts: int) -> list[tuple[WorkItem, ...]]:
    """``items`` in order, in ``parts`` runs as even as possible (the first ones longer)."""
    if parts <= 0:
        return []
    size, extra = divmod(len(items), parts)
    runs: list[tuple[WorkItem, ...]] = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        runs.append(tuple(items[start:end]))
        start = end
    return runs


def describe(
    items: Sequence[WorkItem], keeps: Sequence[ColdForecast] = (), day: date | None = None
) -> str:
    """Plain text for the block's description (Google and .ics both show it as is).

    ``keeps``: dream clients for which this (on ``day``) is the last block before they go
    cold (``agent.core.forecast.last_chances``)."""
    if not items:
        lines = [
            "No account is due this session: review the board (`nurture board`) "
            "and reach a second person at a dream client."
        ]
    else:
        accounts = "one account" if len(items) == 1 else f"these {len(items)} accounts"
        lines = [f"Work {accounts} in this session:", ""]
    for number, item in enumerate(items, 1):
        lines.append(f"{number}. {item.account}: {item.reason}")
        lines.extend(f"   - {person}" for person in item.people)
        lines.extend(f"   - draft: {draft}" for draft in item.drafts)
    if keeps and day is not None:
        lines += ["", "Going cold after this session, with no later block before then:"]
        lines.extend(f"- {k.account}: cold from {k.cold_on:%a %d %b}" for k in keeps)
        lines.append(skipping(day, keeps))
    lines += ["", "Placed by nurture. Move it and it stays; delete it and it is not put back."]
    return "\n".join(lines) + "\n"


def digest(*parts: object) -> str:
    """A short fingerprint of what was written, to tell whether a block needs rewriting."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]
