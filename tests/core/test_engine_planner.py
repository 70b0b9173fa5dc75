"""The planner: worklist order, throttles, replies owed, holds, keys, history from the store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from agent.app import book
from agent.core.planner import action_key
from agent.model import ActionKind, PlayId
from agent.model.tables import DRAFTS
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.engine_kit import TODAY, account, away, config, drafts, past, person, plan, touch

PAPER = {"title": "Paper", "url": "https://x.com/paper"}  # untagged: fits anyone


def three_accounts(**overrides: object):
    return config(
        account("Hot Small", tier="other", stage="hot"),
        account("Dream Late", tier="dream"),
        account("Dream Later", tier="dream"),
        content=[PAPER],
        coverage_target=1,
        **overrides,
    )


ROWS = [
    touch("a@hotsmall.com", 30, account="Hot Small"),
    touch("b@dreamlate.com", 20, account="Dream Late"),
    touch("c@dreamlater.com", 60, account="Dream Later"),
]


def test_worklist_ranks_dream_clients_above_hot_small_deals_then_by_overdue() -> None:
    result = plan(three_accounts(), ROWS)
    assert [s.name for s in result.worklist] == ["Dream Later", "Dream Late", "Hot Small"]
    assert [a.account for a in drafts(result)] == ["Dream Later", "Dream Late", "Hot Small"]


def test_tier_comes_before_days_overdue() -> None:
    cfg = config(account("Target", tier="target"), account("Dream", tier="dream"))
    rows = [
        touch("a@target.com", 100, account="Target"),  # 70 days over
        touch("b@dream.com", 20, account="Dream"),  # 6 days over
    ]
    assert [s.name for s in plan(cfg, rows).worklist] == ["Dream", "Target"]


def test_within_a_tier_cold_comes_before_hot() -> None:
    cfg = config(account("Hot", stage="hot"), account("Cold"))
    rows = [
        touch("a@hot.com", 30, account="Hot"),  # 23 days over its 7-day rhythm
        touch("b@cold.com", 20, account="Cold"),  # 6 days over
    ]
    assert [s.name for s in plan(cfg, rows).worklist] == ["Cold", "Hot"]


def test_coverage_gap_breaks_ties_in_days_overdue() -> None:
    cfg = config(account("Narrow"), account("Wide"), coverage_target=3)
    rows = [
        touch("a@narrow.com", 20, account="Narrow"),
        touch("b@narrow.com", 20, account="Narrow"),
        touch("c@wide.com", 20, account="Wide"),
    ]
    assert [s.name for s in plan(cfg, rows).worklist] == ["Wide", "Narrow"]


def test_never_touched_accounts_come_first() -> None:
    cfg = config(account("Old"), account("Never"))
    assert [s.name for s in plan(cfg, [touch("a@old.com", 300, account="Old")]).worklist] == [
        "Never",
        "Old",
    ]


def test_daily_cap_holds_back_the_rest_and_says_so() -> None:
    result = plan(three_accounts(throttle={"per_day": 2}), ROWS)
    assert [a.account for a in drafts(result)] == ["Dream Later", "Dream Late"]
    (waiting,) = result.of_kind(ActionKind.DEFERRED)
    assert waiting.account == "Hot Small"
    assert "today's limit of 2 plays" in waiting.reason


def test_drafts_already_made_today_count_against_the_daily_cap() -> None:
    today = [past("x@elsewhere.com", PlayId.SHARE_CONTENT, 0.1, account="Elsewhere")]
    result = plan(three_accounts(throttle={"per_day": 2}), ROWS, drafts=today)
    assert len(drafts(result)) == 1


def test_weekly_cap_per_account() -> None:
    acc = account(contacts=[person("a@acme.com"), person("b@acme.com")])
    cfg = config(acc, coverage_target=3, content=[PAPER], throttle={"per_account_per_week": 1})
    result = plan(cfg, [touch("a@acme.com", 20)])  # new_contact (b) and share_content (a)
    assert len(drafts(result)) == 1
    assert "already has 1 plays this week" in result.of_kind(ActionKind.DEFERRED)[0].reason
    frees = NOW + timedelta(days=7)  # all of this week's plays made now
    assert f"the next can go on {frees:%a %d %b}" in result.of_kind(ActionKind.DEFERRED)[0].reason
    week = [past("z@acme.com", PlayId.SHARE_CONTENT, 3, status="sent")]
    held = plan(cfg, [touch("a@acme.com", 20)], drafts=week)
    assert not drafts(held) and held.of_kind(ActionKind.DEFERRED)
    frees = NOW + timedelta(days=4)  # a week after the play made three days ago
    assert all(
        f"the next can go on {frees:%a %d %b}" in a.reason
        for a in held.of_kind(ActionKind.DEFERRED)
    )


def test_a_reply_owed_is_listed_separately_and_gets_no_play() -> None:
    cfg = config(content=[PAPER])
    result = plan(cfg, [touch("a@acme.com", 20), touch("a@acme.com", 16, inbound=True)])
    (reply,) = result.of_kind(ActionKind.REPLY)
    assert reply.contact == "a@acme.com"
    assert reply.play is None
    assert "waiting for your answer" in reply.reason
    assert not drafts(result)


def test_people_away_are_listed_with_the_day_they_may_hear_from_us() -> None:
    back = TODAY + timedelta(days=3)  # Monday
    result = plan(config(), [touch("a@acme.com", 20)], signals=[away("a@acme.com", 1, back)])
    (hold,) = [h for h in result.of_kind(ActionKind.HOLD) if h.contact]  # and the account's
    assert hold.until == back + timedelta(days=1)
    assert "out of the office" in hold.reason


def test_every_action_has_kind_account_reason_and_a_stable_key() -> None:
    result = plan(three_accounts(), ROWS)
    again = plan(three_accounts(), list(reversed(ROWS)))
    assert result.actions == again.actions
    for action in result.actions:
        assert action.reason.strip()
        assert action.key.startswith(action.kind.value)
    keys = [a.key for a in result.actions]
    assert len(set(keys)) == len(keys)


def test_the_key_changes_with_the_day_so_tomorrow_is_a_new_intent() -> None:
    today = drafts(plan(three_accounts(), ROWS))[0].key
    tomorrow = drafts(plan(three_accounts(), ROWS, now=NOW + timedelta(days=1)))[0].key
    assert today != tomorrow
    assert action_key("draft", "x") == action_key("draft", "x")


def test_history_is_read_from_the_drafts_table(tmp_path: Path) -> None:
    store = Store(tmp_path, {})
    store.put(
        DRAFTS,
        "k1",
        {
            "account": "Acme",
            "contact": "A@acme.com",
            "play": "share_content",
            "content_url": PAPER["url"],
            "status": "sent",
            "created_at": (NOW - timedelta(days=30)).isoformat(),
        },
    )
    store.put(DRAFTS, "broken", {"account": "Acme"})  # no created_at: skipped, not fatal
    history = book.load_history(store)
    assert history.offered() == {("a@acme.com", PAPER["url"])}
    result = plan(config(content=[PAPER]), [touch("a@acme.com", 20)], drafts=history.drafts)
    assert not drafts(result)  # the only item was already shared with her
