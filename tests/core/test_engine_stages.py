"""Suggested stage changes: shown with their evidence, never applied."""

from __future__ import annotations

from datetime import timedelta

from agent.config.playbook import Signals
from agent.core.accounts.stages import REBORN_LABEL, STALLED_LABEL, matched_keywords
from agent.core.accounts.status import StageChange
from agent.model import ActionKind, Stage
from tests.kits.engine_kit import TODAY, account, config, lost_since, plan, state, touch

ANA = "ana@acme.com"
HOT = account(stage="hot")


def test_hot_deal_without_a_reply_for_n_days_looks_stalled() -> None:
    cfg = config(HOT, signals={"stalled_after_days": 21})
    result = state(cfg, [touch(ANA, 30, inbound=True), touch(ANA, 10)])
    (found,) = result.suggestions
    assert (found.suggested, found.label) == (Stage.STALLED, STALLED_LABEL)
    assert "30 days" in found.reason


def test_hot_deal_with_a_recent_reply_or_meeting_is_not_stalled() -> None:
    cfg = config(HOT)
    assert not state(cfg, [touch(ANA, 30), touch(ANA, 5, inbound=True)]).suggestions
    assert not state(cfg, [touch(ANA, 30), touch(ANA, 5, meeting=True)]).suggestions


def test_a_deal_made_hot_recently_is_not_yet_stalled() -> None:
    hot_since = StageChange(Stage.HOT, TODAY - timedelta(days=3))
    assert not state(config(), [touch(ANA, 60, inbound=True)], stage=hot_since).suggestions


def test_only_hot_deals_can_look_stalled() -> None:
    assert not state(config(), [touch(ANA, 60, inbound=True)]).suggestions


def signal_mail(days_ago: float = 6, text: str = "Our renewal is coming up after an outage"):
    return touch(ANA, days_ago, inbound=True, subject="Renewal", snippet=text)


def test_dissatisfaction_words_from_a_lost_account_may_mean_rebirth() -> None:
    result = state(config(), [signal_mail()], stage=lost_since(100))
    (found,) = result.suggestions
    assert (found.suggested, found.label) == (Stage.HOT, REBORN_LABEL)
    assert found.keywords == ("renewal", "outage")
    assert found.contact == ANA


def test_cold_accounts_are_watched_too_but_hot_ones_are_not() -> None:
    assert state(config(), [signal_mail()]).suggestions
    assert not state(config(HOT), [signal_mail()]).suggestions


def test_keywords_are_configurable_and_match_word_starts() -> None:
    settings = Signals(dissatisfaction_keywords=("RFP", "switch"))
    assert matched_keywords("Our RFPs go out in May", settings) == ("rfp",)
    assert matched_keywords("We are switching vendors", settings) == ("switch",)
    assert matched_keywords("a nonswitchable part", settings) == ()


def test_outbound_or_old_mail_is_no_signal() -> None:
    ours = touch(ANA, 6, subject="Renewal", snippet="renewal")
    assert not state(config(), [ours], stage=lost_since(100)).suggestions
    old = signal_mail(days_ago=60)
    assert not state(config(), [old], stage=lost_since(100)).suggestions


def test_a_stage_set_after_the_mail_means_the_rep_has_decided() -> None:
    decided = StageChange(Stage.LOST, TODAY)
    assert not state(config(), [signal_mail()], stage=decided).suggestions


def test_suggestions_reach_the_plan_but_never_change_the_stage() -> None:
    result = plan(config(), [signal_mail()], stages={"Acme": lost_since(100)})
    (suggested,) = result.of_kind(ActionKind.SUGGEST_STAGE)
    assert suggested.stage is Stage.HOT
    assert "--stage hot" in suggested.reason
    assert result.accounts[0].status.stage is Stage.LOST
