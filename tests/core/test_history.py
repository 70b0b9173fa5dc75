"""What the planner asks of earlier drafts: indexed once, the same answers as a full read."""

from __future__ import annotations

import random
from datetime import timedelta

from agent.core.history import CLOSED, REJECTED, PastDraft, history_of
from tests.conftest import NOW

PEOPLE = [f"p{n}@acct{n % 7}.example" for n in range(30)]
PLAYS = ("share_content", "introduction", "new_contact", "do_over")
STATUSES = ("sent", "expired", "rejected", "deleted", "withdrawn", "failed", "created", "pending")


def _drafts(count: int, seed: int) -> list[PastDraft]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        contact = rng.choice(PEOPLE)
        found.append(
            PastDraft(
                account=f"Acct {contact[-9]}",
                contact=contact,
                play=rng.choice(PLAYS),
                content_url="",
                status=rng.choice(STATUSES),
                created_at=NOW - timedelta(hours=rng.randrange(24 * 400)),
            )
        )
    return found


def test_every_question_answers_as_reading_every_draft() -> None:
    for seed in range(5):
        drafts = _drafts(400, seed)
        history = history_of(drafts)
        since = NOW - timedelta(days=30)
        assert history.open_contacts() == {d.contact for d in drafts if d.status not in CLOSED}
        for contact in [*PEOPLE, "nobody@else.example"]:
            mine = [d for d in drafts if d.contact == contact]
            rejected = [d.created_at for d in mine if d.status in REJECTED]
            assert history.last_rejected(contact) == max(rejected, default=None)
            for play in PLAYS:
                played = [d.created_at for d in mine if d.play == play]
                assert history.last_play(contact, play) == max(played, default=None)
        for account in {d.account for d in drafts} | {"Nobody"}:
            theirs = [d for d in drafts if d.account == account]
            assert history.created_since(since, account) == sum(
                1 for d in theirs if d.created_at > since
            )
            for play in PLAYS:
                assert history.plays_since(account, play, since) == any(
                    d.play == play and d.created_at >= since for d in theirs
                )
        assert history.created_since(since) == sum(1 for d in drafts if d.created_at > since)
