"""What a draft can bring, matched to an account: content, introductions, invitations. Pure.

Matching is on tags (case-insensitive): more shared tags rank first, then the newest.
Something with no tags and no account list suits anyone, after the tagged matches.
What was already offered to a person (a draft) or sent to them (a link or title in our
own mail) is never offered to that person again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from agent.config.playbook import ContentItem, Introduction, Invitation
from agent.config.schema import Account, Config
from agent.model import Channel, Direction, Offer, Touch


def content_offers(config: Config, account: Account, today: date) -> list[Offer]:
    fresh = [i for i in config.content if not is_stale(i, today, config.content_max_age_days)]
    return _best_first(
        (
            _score(i.tags, (), account),
            i.published.toordinal() if i.published else 0,  # newest first
            Offer(kind=i.kind, key=i.url, title=i.title, url=i.url, when=i.published),
        )
        for i in fresh
    )


def is_stale(item: ContentItem, today: date, max_age_days: int) -> bool:
    if item.published is not None and item.published > today:
        return True  # not out yet
    if item.evergreen or item.published is None:
        return False
    return (today - item.published).days > max_age_days


def introduction_offers(config: Config, account: Account, today: date) -> list[Offer]:
    current = [i for i in config.introductions if i.until is None or i.until >= today]
    return _best_first((_score(i.tags, i.accounts, account), 0, _introduction(i)) for i in current)


def _introduction(item: Introduction) -> Offer:
    return Offer(
        kind="introduction", key=f"introduction:{item.name}", title=item.who, detail=item.why
    )


def invitation_offers(config: Config, account: Account, today: date) -> list[Offer]:
    upcoming = [i for i in config.invitations if i.when is None or i.when > today]
    return _best_first(
        (
            _score(i.tags, i.accounts, account),
            # The soonest event first (it cannot wait for the next cycle); open-ended last.
            -i.when.toordinal() if i.when else -(10**7),
            _invitation(i),
        )
        for i in upcoming
    )


def _invitation(item: Invitation) -> Offer:
    return Offer(
        kind=item.kind,
        key=f"invitation:{item.name}",
        title=item.title,
        url=item.url,
        detail=item.where,
        when=item.when,
    )


def insight_offers(config: Config, account: Account) -> list[Offer]:
    """The rep's own insights (``insights:`` tag → text) for the account's tags."""
    tags = {t.lower() for t in account.tags}
    return [
        Offer(kind="insight", key=f"insight:{tag}", title=f"A thought on {tag}", detail=text)
        for tag, text in sorted(config.insights.items())
        if tag.lower() in tags and text.strip()
    ]


def shared_in_mail(config: Config, touches: Iterable[Touch]) -> frozenset[tuple[str, str]]:
    """(contact, url) for library items whose link or title is in mail we sent them."""
    found = set()
    for touch in touches:
        if touch.direction is not Direction.OUTBOUND or touch.channel is not Channel.EMAIL:
            continue
        text = f"{touch.subject}\n{touch.snippet}".lower()
        for item in config.content:
            if item.url.lower() in text or item.title.lower() in text:
                found.add((touch.contact, item.url))
    return frozenset(found)


def _score(tags: Sequence[str], accounts: Sequence[str], account: Account) -> int | None:
    """How well something fits an account; None when it does not fit at all."""
    if accounts:
        return 100 if account.name.lower() in {a.lower() for a in accounts} else None
    if not tags:
        return 0
    shared = {t.lower() for t in tags} & {t.lower() for t in account.tags}
    return len(shared) if shared else None


def _best_first(rows: Iterable[tuple[int | None, int, Offer]]) -> list[Offer]:
    """Fitting offers by score, then by the given recency, then by title (stable)."""
    kept = [(score, recency, offer) for score, recency, offer in rows if score is not None]
    kept.sort(key=lambda row: (-row[0], -row[1], row[2].title, row[2].key))
    return [offer for _, _, offer in kept]
