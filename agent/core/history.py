"""What the planner remembers from earlier cycles, as plain data (built by ``agent.app.book``).

Drafts are the record of plays: a draft exists once the rep was offered a play, whatever
happened next. Its status says what happened: ``sent`` (it is also a touch), ``rejected``
or ``deleted`` (the rep said no: that person rests from every play for a while), ``expired`` (nobody
acted; no harm done), ``withdrawn`` (a reply overtaken by the conversation), ``failed``
(refused as unsafe before it reached the mailbox; the play rests as after any draft). Any
other status is a draft still waiting in the rep's mailbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
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
    message_id: str = ""  # the Message-ID nurture wrote into it, lower-case without <>

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

    def plays_by_message(self) -> dict[str, str]:
        """Message-ID → play, for every draft nurture wrote: the message the rep sent from
        one is a touch whose source is that Message-ID (``agent.core.giveask``)."""
        return {d.message_id: d.play for d in self.drafts if d.message_id and d.play}

    # The planner asks about one person or account at a time, for each of thousands of
    # people; a rep's year of drafts is thousands too. So the drafts are indexed once.

    @cached_property
    def _by_contact(self) -> dict[str, list[PastDraft]]:
        return _grouped(self.drafts, lambda d: d.contact)

    @cached_property
    def _by_account(self) -> dict[str, list[PastDraft]]:
        return _grouped(self.drafts, lambda d: d.account)

    @cached_property
    def _open(self) -> frozenset[str]:
        return frozenset(d.contact for d in self.drafts if d.is_open)

    def open_contacts(self) -> frozenset[str]:
        """People with a draft still waiting: no second one on top of it."""
        return self._open

    def last_play(self, contact: str, play: str) -> datetime | None:
        mine = self._by_contact.get(contact, ())
        return max((d.created_at for d in mine if d.play == play), default=None)

    def last_rejected(self, contact: str) -> datetime | None:
        """When the rep last said no to a draft for this person, whatever its play."""
        mine = self._by_contact.get(contact, ())
        return max((d.created_at for d in mine if d.status in REJECTED), default=None)

    def created_since(self, since: datetime, account: str | None = None) -> int:
        drafts = self.drafts if account is None else self._by_account.get(account, ())
        return sum(1 for d in drafts if d.created_at > since)

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
            d.play == play and d.created_at >= since for d in self._by_account.get(account, ())
        )


def _grouped(
    drafts: Iterable[PastDraft], key: Callable[[PastDraft], str]
) -> dict[str, list[PastDraft]]:
    found: dict[str, list[PastDraft]] = {}
    for d in drafts:
        found.setdefault(key(d), []).append(d)
    return found


def history_of(drafts: Iterable[PastDraft]) -> History:
    return History(tuple(sorted(drafts, key=lambda d: (d.created_at, d.contact, d.play))))
