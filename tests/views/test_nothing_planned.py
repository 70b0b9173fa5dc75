"""A plan with no row never claims everything is done while drafts wait or an account was
never touched (issue 16, item 5)."""

from __future__ import annotations

import json
from dataclasses import replace

from agent.app.derived import PLAN
from agent.app.drafts import ApplyReport
from agent.core.briefs import brief_of
from agent.core.planner import NextCycle
from agent.store.cache import Dated
from agent.views.json import nothing_planned
from tests.conftest import NOW
from tests.kits.engine_kit import account, config, person, plan, touch

ANA = "ana@acme.com"


def test_all_done_only_when_it_is_true() -> None:
    cfg = config(account(contacts=[person(ANA)]))
    quiet = plan(cfg, [touch(ANA, 2)])
    assert not quiet.actions
    said = nothing_planned(NextCycle(quiet))
    assert said == "Nothing is due: every account was touched within its cadence."
    said = nothing_planned(NextCycle(quiet, waiting_drafts=3))
    assert said == "Nothing new to plan: 3 drafts wait for your review (nurture drafts list)."
    assert "1 draft waits" in nothing_planned(NextCycle(quiet, waiting_drafts=1))


def test_a_never_touched_account_is_named() -> None:
    cfg = config(account(contacts=[person(ANA)]), account("Zenith", domains=["zenith.com"]))
    result = plan(cfg, [touch(ANA, 2)])
    silent = replace(result, actions=())  # whatever the plan said about Zenith
    assert nothing_planned(NextCycle(silent)) == (
        "Nothing new to plan: 1 account never touched (Zenith)."
    )


def test_the_kept_plan_names_the_never_touched_as_the_plan_does() -> None:
    # `nurture plan` shows the plan's brief, read back from plan.json when it holds.
    cfg = config(account(contacts=[person(ANA)]), account("Zenith", domains=["zenith.com"]))
    silent = replace(plan(cfg, [touch(ANA, 2)]), actions=())
    saved = json.loads(json.dumps(PLAN.encode(Dated(NOW, NOW, brief_of(silent)))))
    kept = PLAN.decode(saved).value
    assert kept.never_touched == ("Zenith",)
    assert nothing_planned(NextCycle(kept, waiting_drafts=2)) == (
        "Nothing new to plan: 2 drafts wait for your review (nurture drafts list); "
        "1 account never touched (Zenith)."
    )


def test_the_cycle_says_how_many_drafts_wait() -> None:
    assert ApplyReport(waiting=8).summary() == (
        "0 new drafts for review; 8 waiting for your review (nurture drafts list)"
    )
    two_new = ApplyReport(created=("a", "b"), waiting=5).summary()
    assert (
        two_new == "2 new drafts for review; 5 waiting for your review in all (nurture drafts list)"
    )
    assert ApplyReport(created=("a",), waiting=1).summary() == "1 new draft for review"
