"""Scenarios named after the playbook's articles: each one is a week the product must get right."""

from __future__ import annotations

from datetime import timedelta

from agent.core.accounts.status import StageChange
from agent.model import ActionKind, PatternKind, PlayId, Stage
from tests.kits.engine_kit import (
    TODAY,
    account,
    config,
    drafts,
    lost_since,
    person,
    plan,
    plays_by_contact,
    touch,
)

PAPER = {"title": "Benchmarks", "url": "https://x.com/bench", "tags": ["logistics"]}
EMPTY = {"subject": "Checking in", "snippet": "Just checking in, anything new?"}


def test_article_000_hot_deals_crowd_out_dream_clients() -> None:
    cfg = config(
        account("Small Hot", tier="other", stage="hot", tags=["logistics"]),
        account("Big Dream", tier="dream", stage="cold", tags=["logistics"]),
        content=[PAPER],
        coverage_target=1,
        throttle={"per_day": 1},
    )
    rows = [
        touch("ceo@smallhot.com", 20, account="Small Hot"),  # hot: 7-day rhythm, 13 over
        touch("coo@bigdream.com", 16, account="Big Dream"),  # dream: 14-day rhythm, 2 over
    ]
    result = plan(cfg, rows)
    assert [a.account for a in drafts(result)] == ["Big Dream"]
    assert [a.account for a in result.of_kind(ActionKind.DEFERRED)] == ["Small Hot"]
    assert drafts(result)[0].play is PlayId.SHARE_CONTENT  # a value touch, not a ping


def test_article_001_dont_wait_a_quarter_and_talk_to_many_people() -> None:
    cfg = config(
        account(
            tags=["logistics"],
            contacts=[person("coo@acme.com", "Ingrid", "COO"), person("vp@acme.com", "Marc", "VP")],
        ),
        content=[PAPER],
    )
    rows = [touch("coo@acme.com", d, **EMPTY) for d in (350, 260, 170, 80)]
    result = plan(cfg, rows)
    patterns = {p.kind for p in result.accounts[0].patterns}
    assert {PatternKind.PREDICTABLE_CHECKINS, PatternKind.SINGLE_THREADED} <= patterns
    assert plays_by_contact(result) == {
        "vp@acme.com": PlayId.NEW_CONTACT,  # a second thread into the account
        "coo@acme.com": PlayId.SHARE_CONTENT,  # something worth her time, not a check-in
    }


def test_article_002_be_there_when_a_lost_deal_is_reborn() -> None:
    cfg = config(account(tags=["logistics"]), content=[PAPER])
    lost = {"Acme": lost_since(120)}
    silent = plan(cfg, [touch("grace@acme.com", 130)], stages=lost)
    assert {p.kind for p in silent.accounts[0].patterns} >= {PatternKind.GONE_DARK_AFTER_LOSS}
    assert plays_by_contact(silent) == {"grace@acme.com": PlayId.REENGAGE_LOST}

    news = touch(
        "omar@acme.com",
        3,
        inbound=True,
        subject="Renewal coming up",
        snippet="Another outage this month; we are evaluating options.",
    )
    reborn = plan(cfg, [touch("grace@acme.com", 130), news], stages=lost)
    (suggested,) = reborn.of_kind(ActionKind.SUGGEST_STAGE)
    assert suggested.stage is Stage.HOT
    assert "may be reborn" in suggested.reason.lower()
    assert [a.contact for a in reborn.of_kind(ActionKind.REPLY)] == ["omar@acme.com"]
    assert "omar@acme.com" not in plays_by_contact(reborn)


def test_article_003_see_every_deal_and_push_stalled_ones_to_closure() -> None:
    cfg = config(
        account("Stuck", tier="target", stage="stalled", stage_since=str(TODAY - timedelta(50))),
        account("Quiet", tier="target", stage="hot"),
        coverage_target=1,
    )
    rows = [
        touch("will@stuck.com", 55, account="Stuck", inbound=True),
        *(touch("will@stuck.com", d, account="Stuck", **EMPTY) for d in (40, 30, 20)),
        touch("ben@quiet.com", 40, account="Quiet", inbound=True),
        touch("ben@quiet.com", 8, account="Quiet"),
    ]
    result = plan(cfg, rows)
    stuck, quiet = result.accounts
    assert {PatternKind.STALLED_HANGING, PatternKind.ONE_WAY} <= {p.kind for p in stuck.patterns}
    closure = next(a for a in drafts(result) if a.account == "Stuck")
    assert closure.play is PlayId.STALLED_CLOSURE
    assert "stalled for 50 days" in closure.reason
    assert [s.suggested for s in quiet.suggestions] == [Stage.STALLED]


def test_article_004_ask_for_a_do_over() -> None:
    cfg = config(
        account("Deal", tier="target", stage="hot", needs=["time with the operations team"])
    )
    met = touch("ben@deal.com", 1, account="Deal", meeting=True, subject="Site visit")
    (ask,) = drafts(plan(cfg, [met]))
    assert ask.play is PlayId.DO_OVER
    assert ask.asks == ("time with the operations team",)
    assert "Site visit" in ask.reason
    followed_up = touch("ben@deal.com", 0.5, account="Deal")
    assert not drafts(plan(cfg, [met, followed_up]))
    # A stage recorded in the store is honoured the same way.
    stalled = {"Deal": StageChange(Stage.STALLED, TODAY)}
    assert drafts(plan(cfg, [met], stages=stalled))[0].play is PlayId.DO_OVER
