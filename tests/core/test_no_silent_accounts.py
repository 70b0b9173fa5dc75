"""Issue 20: every due account is in the plan with its action or why there is none, and
with no content library no draft is a bare check-in."""

from __future__ import annotations

from agent.config.schema import Config
from agent.core.planner import Plan
from agent.model import ActionKind, PlayId, Touch
from tests.kits.engine_kit import account, config, lost_since, past, person, plan, touch


def every_due_account_has_a_row(result: Plan) -> None:
    rows = {a.account for a in result.actions if a.kind is not ActionKind.SUGGEST_STAGE}
    missing = [s.name for s in result.worklist if s.name not in rows]
    assert not missing, f"due accounts with no word in the plan: {missing}"
    for action in result.of_kind(ActionKind.NO_PLAY):
        assert action.reason and action.fix, action


def no_play(result: Plan, name: str) -> str:
    rows = [a for a in result.of_kind(ActionKind.NO_PLAY) if a.account == name]
    assert len(rows) == 1, result.actions
    return f"{rows[0].reason} {rows[0].fix}"


def test_an_account_with_no_known_person_says_find_one() -> None:
    result = plan(config(account("Nobody Inc")))
    every_due_account_has_a_row(result)
    says = no_play(result, "Nobody Inc")
    assert "never touched" in says and "knows no one there" in says
    assert "add them to its contacts" in says


def lost_account(**overrides: object) -> Config:
    return config(account("TXU", stage="lost", tags=["energy", "trading"]), **overrides)


LOST_ROWS: list[Touch] = [touch("mjones7@txu.com", 73, account="TXU", inbound=True)]
LOST = {"TXU": lost_since(200)}


def test_a_lost_deal_with_nothing_to_give_is_explained_not_checked_in_on() -> None:
    result = plan(lost_account(), LOST_ROWS, stages=LOST)
    assert not result.of_kind(ActionKind.DRAFT), "no bare check-in"
    every_due_account_has_a_row(result)
    says = no_play(result, "TXU")
    assert "nothing to give them for its tags (energy, trading)" in says
    assert "Add content tagged energy or trading" in says and "insights:" in says


def test_an_insight_is_the_give_when_the_library_is_empty() -> None:
    cfg = lost_account(insights={"energy": "Hedging desks are moving to daily settlement."})
    result = plan(cfg, LOST_ROWS, stages=LOST)
    [draft] = result.of_kind(ActionKind.DRAFT)
    assert draft.play is PlayId.REENGAGE_LOST
    assert draft.offer is not None and draft.offer.kind == "insight"
    assert draft.offer.detail.startswith("Hedging desks")
    assert draft.contact_name == "", "mjones7 is not a name"


def test_an_introduction_is_a_give_for_a_lost_deal_too() -> None:
    intro = {"name": "jo", "who": "Jo Park, CFO of Acme Power", "tags": ["energy"]}
    result = plan(lost_account(introductions=[intro]), LOST_ROWS, stages=LOST)
    [draft] = result.of_kind(ActionKind.DRAFT)
    assert draft.offer is not None and draft.offer.key == "introduction:jo"


def test_a_cold_dream_client_without_content_gets_the_insight_or_the_reason() -> None:
    cfg = config(account("Cold", tags=["retail"], contacts=[person("ana.diaz@cold.com")]))
    rows = [touch("ana.diaz@cold.com", 40, account="Cold")]
    result = plan(cfg, rows)
    assert not result.of_kind(ActionKind.DRAFT)
    assert "nothing to give them for its tags (retail)" in no_play(result, "Cold")
    cfg = config(
        account("Cold", tags=["retail"], contacts=[person("ana.diaz@cold.com")]),
        insights={"retail": "Returns now cost more than shipping."},
    )
    [draft] = plan(cfg, rows).of_kind(ActionKind.DRAFT)
    assert draft.play is PlayId.SHARE_CONTENT and draft.offer is not None
    assert draft.offer.kind == "insight" and draft.contact_name == "Ana Diaz"


def test_an_account_whose_people_all_wait_on_a_draft_says_so() -> None:
    cfg = config(account("Acme"), content=[{"title": "P", "url": "https://x/p"}])
    rows = [touch("bo@acme.com", 40)]
    result = plan(cfg, rows, drafts=[past("bo@acme.com", PlayId.SHARE_CONTENT, 1)])
    every_due_account_has_a_row(result)
    assert "a draft to bo@acme.com is still waiting for your review" in no_play(result, "Acme")


def test_ten_accounts_in_every_state_all_have_a_row() -> None:
    accounts = [account(f"A{i}", stage=s) for i, s in enumerate(["cold", "lost", "stalled"] * 3)]
    rows = [touch(f"p{i}@a{i}.com", 90, account=f"A{i}") for i in range(0, 9, 2)]
    result = plan(config(*accounts, account("Fresh")), rows)
    assert len(result.worklist) == 10
    every_due_account_has_a_row(result)


def test_a_person_away_is_the_reason_when_they_are_the_only_one() -> None:
    from datetime import timedelta

    from tests.kits.engine_kit import TODAY, away

    cfg = config(account("Acme"), content=[{"title": "P", "url": "https://x/p"}])
    back = TODAY + timedelta(days=5)
    result = plan(cfg, [touch("bo@acme.com", 40)], signals=[away("bo@acme.com", 1, back)])
    assert result.of_kind(ActionKind.HOLD)
    every_due_account_has_a_row(result)
    # issue 19: the only one reachable is away, so the whole account is held (one row that
    # says until when), not a no_play row
    (whole,) = [h for h in result.of_kind(ActionKind.HOLD) if h.contact is None]
    assert "bo@acme.com until" in whole.reason and "whole account waits" in whole.reason
    assert not result.of_kind(ActionKind.NO_PLAY)
