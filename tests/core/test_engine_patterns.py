"""The habits the playbook warns about, one rule at a time."""

from __future__ import annotations

from datetime import timedelta

from agent.core.accounts.patterns import carries_nothing
from agent.core.accounts.state import AccountState
from agent.core.accounts.status import StageChange
from agent.model import PatternKind, Stage, Touch
from tests.kits.engine_kit import TODAY, account, config, lost_since, state, touch

ANA = "ana@acme.com"
BO = "bo@acme.com"
EMPTY = {"subject": "Checking in", "snippet": "Just checking in, anything new?"}


def kinds(result: AccountState) -> set[PatternKind]:
    return {p.kind for p in result.patterns}


def checkins(*days_ago: float, **text: str) -> list[Touch]:
    fields = text or EMPTY
    return [touch(ANA, d, **fields) for d in days_ago]


def test_quarterly_empty_check_ins_are_predictable() -> None:
    result = state(config(), checkins(350, 260, 170, 80))
    assert PatternKind.PREDICTABLE_CHECKINS in kinds(result)
    detail = next(p.detail for p in result.patterns if p.kind is PatternKind.PREDICTABLE_CHECKINS)
    assert "every 90 days" in detail


def test_irregular_gaps_are_not_predictable() -> None:
    result = state(config(), checkins(350, 300, 170, 80))  # 50, 130, 90
    assert PatternKind.PREDICTABLE_CHECKINS not in kinds(result)


def test_short_gaps_are_not_the_quarterly_habit() -> None:
    result = state(config(), checkins(40, 30, 20, 10))
    assert PatternKind.PREDICTABLE_CHECKINS not in kinds(result)


def test_regular_touches_that_carry_something_are_not_empty_check_ins() -> None:
    useful = {"subject": "Benchmarks", "snippet": "The study: https://x.com/study"}
    result = state(config(), checkins(350, 260, 170, 80, **useful))
    assert PatternKind.PREDICTABLE_CHECKINS not in kinds(result)


def test_a_library_title_counts_as_content() -> None:
    cfg = config(content=[{"title": "Grid study", "url": "https://x.com/g"}])
    assert carries_nothing(cfg, "checking in")
    assert not carries_nothing(cfg, "checking in with the Grid study")
    assert not carries_nothing(cfg, "Pricing attached")  # no stock phrase: not judged empty


def test_all_touches_with_one_person_is_single_threaded() -> None:
    result = state(config(), [touch(ANA, 30), touch(ANA, 20, inbound=True), touch(ANA, 10)])
    assert PatternKind.SINGLE_THREADED in kinds(result)


def test_two_people_or_few_touches_are_not_single_threaded() -> None:
    two = state(config(), [touch(ANA, 30), touch(BO, 20), touch(ANA, 10)])
    few = state(config(), [touch(ANA, 30), touch(ANA, 10)])
    assert PatternKind.SINGLE_THREADED not in kinds(two)
    assert PatternKind.SINGLE_THREADED not in kinds(few)


def test_silence_from_us_after_a_loss_is_gone_dark() -> None:
    result = state(config(), [touch(ANA, 130), touch(ANA, 6, inbound=True)], stage=lost_since(120))
    assert PatternKind.GONE_DARK_AFTER_LOSS in kinds(result)


def test_staying_in_touch_after_a_loss_is_not_gone_dark() -> None:
    result = state(config(), [touch(ANA, 130), touch(ANA, 20)], stage=lost_since(120))
    assert PatternKind.GONE_DARK_AFTER_LOSS not in kinds(result)


def test_gone_dark_only_applies_to_lost_accounts() -> None:
    result = state(config(), [touch(ANA, 130)])
    assert PatternKind.GONE_DARK_AFTER_LOSS not in kinds(result)


def test_long_stalled_is_hanging() -> None:
    since = StageChange(Stage.STALLED, TODAY - timedelta(days=45))
    assert PatternKind.STALLED_HANGING in kinds(state(config(), [touch(ANA, 5)], stage=since))
    fresh = StageChange(Stage.STALLED, TODAY - timedelta(days=10))
    assert PatternKind.STALLED_HANGING not in kinds(state(config(), [touch(ANA, 5)], stage=fresh))


def test_stalled_without_a_date_hangs_by_the_silence() -> None:
    cfg = config(account(stage="stalled"))
    silent = state(cfg, [touch(ANA, 50, inbound=True), touch(ANA, 5)])
    talking = state(cfg, [touch(ANA, 10, inbound=True)])
    assert PatternKind.STALLED_HANGING in kinds(silent)
    assert PatternKind.STALLED_HANGING not in kinds(talking)


def test_unanswered_outbound_in_a_row_is_one_way() -> None:
    rows = [touch(ANA, 50, inbound=True), touch(ANA, 35), touch(BO, 21), touch(ANA, 7)]
    assert PatternKind.ONE_WAY in kinds(state(config(), rows))


def test_a_reply_or_a_meeting_breaks_one_way() -> None:
    replied = [touch(ANA, 35), touch(ANA, 21), touch(ANA, 10, inbound=True), touch(ANA, 7)]
    met = [touch(ANA, 35), touch(ANA, 21), touch(ANA, 10, meeting=True), touch(ANA, 7)]
    assert PatternKind.ONE_WAY not in kinds(state(config(), replied))
    assert PatternKind.ONE_WAY not in kinds(state(config(), met))


def test_one_message_to_two_people_counts_once_for_one_way() -> None:
    rows = [touch(ANA, 20, source="m1"), touch(BO, 20, source="m1"), touch(ANA, 10)]
    assert PatternKind.ONE_WAY not in kinds(state(config(), rows))  # 2 messages, not 3
