"""What the planner remembers from earlier cycles, as plain data (built by ``agent.app.book``).

Drafts are the record of plays: a draft exists once the rep was offered a play, whatever
happened next. Its status says what happened: ``sent`` (it is also a touch), ``rejected``
or ``deleted`` (the rep said no: that person rests from every play for a while), ``expired`` (nobody
acted; no harm done), ``withdrawn`` (a reply overtaken by the conversation), ``failed``
(refused as unsafe before it reached the mailbox; the play rests as after any draft). Any
other status is a draft still waiting in the rep's mailbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

REJECTED = frozenset({"rejected", "deleted"})
CLOSED = REJECTED | {"sent", "expired", "withdrawn", "failed"}


@dataclass(frozen=True)
class PastDraft:
    account: str
    contact: str
    play: str
    content_url: str  # Offer.key of what it offered, "" when nothing
    status: str
    created_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED


@dataclass(frozen=True)
class History:
    drafts: tuple[PastDraft, ...] = ()
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def offered(self) -> frozenset[tuple[str, str]]:
        """(contact, offer key) pairs already put in front of a person."""
        return frozenset((d.contact, d.content_url) for d in self.drafts if d.content_url)

    def open_contacts(self) -> frozenset[str]:
        """People with a draft still waiting: no second one on top of it."""
        return frozenset(d.contact for d in self.drafts if d.is_open)

    def last_play(self, contact: str, play: str) -> datetime | None:
        times = [d.created_at for d in self.drafts if d.contact == contact and d.play == play]
        return max(times, default=None)

    def last_rejected(self, contact: str) -> datetime | None:
        """When the rep last said no to a draft for this person, whatever its play."""
        times = [d.created_at for d in self.drafts if d.contact == contact and d.status in REJECTED]
        return max(times, default=None)

    def created_since(self, since: datetime, account: str | None = None) -> int:
        return sum(
            1
            for d in self.drafts
            if d.created_at > since and (account is None or d.account == account)
        )

    def created_on(self, day: date, tz: ZoneInfo) -> int:
        return sum(1 for d in self.drafts if d.created_at.astimezone(tz).date() == day)

    def played_on(self, day: date, tz: ZoneInfo) -> frozenset[tuple[str, str]]:
        """(account, play) pairs drafted on ``day``: the day's plays are made once, so a
        second cycle that day does not hand the same play to the next person there."""
        key = ("played_on", day, tz.key)
        if key not in self._memo:
            self._memo[key] = frozenset(
                (d.account, d.play)
                for d in self.drafts
                if d.created_at.astimezone(tz).date() == day
            )
        found: frozenset[tuple[str, str]] = self._memo[key]
        return found

    def plays_since(self, account: str, play: str, since: datetime) -> bool:
        return any(
            d.account == account and d.play == play and d.created_at >= since for d in self.drafts
        )


def history_of(drafts: Iterable[PastDraft]) -> History:
    return History(tuple(sorted(drafts, key=lambda d: (d.created_at, d.contact, d.play))))
