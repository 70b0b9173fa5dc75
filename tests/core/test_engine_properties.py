"""Properties of the planner over random books of accounts, touches and earlier drafts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.config.schema import Config
from agent.core.history import History, PastDraft, history_of
from agent.core.planner import Plan, make_plan
from agent.core.plays.offers import shared_in_mail
from agent.model import Channel, Direction, PlayId, Signal, Touch
from tests.conftest import NOW, make_config
from tests.kits.engine_kit import TODAY, drafts

ACCOUNTS = ("Acme", "Globex", "Initech")
PEOPLE = ("ana", "bo", "cy", "di")
TAGS = ("ops", "finance", "retail")
STATUSES = ("pending", "sent", "rejected", "expired", "deleted")
URLS = tuple(f"https://x.com/{n}" for n in range(4))


def email(person: str, account: str) -> str:
    return f"{person}@{account.lower()}.com"


@dataclass(frozen=True)
class Book:
    config: Config
    touches: tuple[Touch, ...]
    signals: tuple[Signal, ...]
    history: History

    def plan(self) -> Plan:
        return make_plan(self.config, self.touches, self.signals, NOW, history=self.history)


@st.composite
def accounts(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for name in ACCOUNTS[: draw(st.integers(1, 3))]:
        listed = draw(st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True))
        rows.append(
            {
                "name": name,
                "domains": [f"{name.lower()}.com"],
                "tier": draw(st.sampled_from(["dream", "target", "other"])),
                "stage": draw(st.sampled_from(["cold", "hot", "stalled", "lost", "won"])),
                "tags": draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True)),
                "needs": draw(st.lists(st.sampled_from(["access", "numbers"]), max_size=1)),
                "contacts": [{"email": email(p, name)} for p in listed],
            }
        )
    return rows


@st.composite
def touches(draw: st.DrawFn, names: list[str]) -> tuple[Touch, ...]:
    rows = []
    for index in range(draw(st.integers(0, 20))):
        account = draw(st.sampled_from(names))
        meeting = draw(st.sampled_from([False, False, False, True]))
        url = draw(st.sampled_from(("", *URLS)))
        rows.append(
            Touch(
                source=f"s{index}",
                account=account,
                contact=email(draw(st.sampled_from(PEOPLE)), account),
                at=NOW - timedelta(hours=draw(st.integers(1, 24 * 200))),
                direction=draw(st.sampled_from([*[Direction.OUTBOUND] * 3, Direction.INBOUND])),
                channel=Channel.MEETING if meeting else Channel.EMAIL,
                weight=1,
                subject="Checking in" if not url else "Thought of you",
                snippet=url,
            )
        )
    return tuple(rows)


@st.composite
def past_drafts(draw: st.DrawFn, names: list[str]) -> tuple[PastDraft, ...]:
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        account = draw(st.sampled_from(names))
        rows.append(
            PastDraft(
                account=account,
                contact=email(draw(st.sampled_from(PEOPLE)), account),
                play=draw(st.sampled_from(list(PlayId))).value,
                content_url=draw(st.sampled_from(("", *URLS))),
                status=draw(st.sampled_from(STATUSES)),
                created_at=NOW - timedelta(hours=draw(st.integers(1, 24 * 20))),
            )
        )
    return tuple(rows)


@st.composite
def books(draw: st.DrawFn) -> Book:
    rows = draw(accounts())
    names = [r["name"] for r in rows]
    content = [
        {
            "title": f"Item {n}",
            "url": url,
            "tags": draw(st.lists(st.sampled_from(TAGS), max_size=1)),
        }
        for n, url in enumerate(URLS[: draw(st.integers(0, 4))])
    ]
    config = make_config(
        accounts=rows,
        content=content,
        introductions=draw(st.sampled_from([[], [{"name": "i", "who": "Jo", "tags": ["ops"]}]])),
        invitations=draw(st.sampled_from([[], [{"name": "l", "title": "Lunch", "kind": "lunch"}]])),
        coverage_target=draw(st.integers(1, 3)),
        throttle={
            "per_day": draw(st.integers(0, 8)),
            "per_account_per_week": draw(st.integers(0, 4)),
        },
    )
    signals = tuple(
        Signal("out_of_office", a, email(p, a), NOW - timedelta(days=1), until=TODAY + timedelta(2))
        for a, p in draw(
            st.lists(st.tuples(st.sampled_from(names), st.sampled_from(PEOPLE)), max_size=2)
        )
    )
    return Book(config, draw(touches(names)), signals, history_of(draw(past_drafts(names))))


@settings(max_examples=150, deadline=None)
@given(books())
def test_no_play_for_a_contact_touched_within_cadence(book: Book) -> None:
    tiers = {a.name: a for a in book.config.accounts}
    for action in drafts(book.plan()):
        account = tiers[action.account]
        mine = [t for t in book.touches if t.contact == action.contact and t.at <= NOW]
        if action.play is PlayId.DO_OVER:
            # The one play a touch triggers: its last touch is the fresh meeting itself.
            latest = max(mine, key=lambda t: (t.at, t.source))
            assert latest.channel is Channel.MEETING
            assert (TODAY - latest.at.date()).days <= book.config.do_over_days
            continue
        cadence = book.config.cadence.days(account.tier, account.stage)
        for touch in mine:
            assert (TODAY - touch.at.date()).days >= cadence, action


@settings(max_examples=150, deadline=None)
@given(books())
def test_never_the_same_content_twice_to_one_person(book: Book) -> None:
    before = book.history.offered() | shared_in_mail(book.config, book.touches)
    offered = [(a.contact, a.offer.key) for a in drafts(book.plan()) if a.offer is not None]
    assert not set(offered) & before
    assert len(offered) == len(set(offered))


@settings(max_examples=150, deadline=None)
@given(books())
def test_throttles_are_never_exceeded(book: Book) -> None:
    throttle = book.config.throttle
    planned = drafts(book.plan())
    today = book.history.created_on(TODAY, book.config.tz)
    assert len(planned) <= max(0, throttle.per_day - today)
    week = NOW - timedelta(days=7)
    for account, count in Counter(a.account for a in planned).items():
        already = book.history.created_since(week, account)
        assert count <= max(0, throttle.per_account_per_week - already)


@settings(max_examples=100, deadline=None)
@given(books(), st.randoms(use_true_random=False))
def test_the_plan_is_deterministic_for_the_same_inputs(book: Book, random: Any) -> None:
    shuffled = list(book.touches)
    random.shuffle(shuffled)
    history = list(book.history.drafts)
    random.shuffle(history)
    again = make_plan(book.config, shuffled, book.signals, NOW, history=History(tuple(history)))
    first = book.plan()
    assert first.actions == again.actions
    assert first.actions == book.plan().actions
