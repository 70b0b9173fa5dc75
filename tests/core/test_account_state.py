"""An account's state: what only some readers show is worked out when first read."""

from __future__ import annotations

import pytest

import agent.core.accounts.state as module
from agent.core.accounts.patterns import account_patterns
from agent.core.history import History
from agent.core.planner import make_plan
from agent.model import PlayId, Stage
from tests.app.test_perf_cache import spy
from tests.kits.engine_kit import NOW, account, config, state, touch

ANA = "ana@acme.com"


def test_the_plan_reads_no_patterns_of_an_account_that_is_not_stalled_nor_its_periods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patterns = spy(monkeypatch, module, "account_patterns")
    periods = spy(monkeypatch, module, "_by_period")
    cfg = config(account(), account("Bolt"))
    touches = [touch(ANA, 40), touch(ANA, 20), touch("kim@bolt.com", 3, account="Bolt")]
    states = [state(cfg, touches, index=i) for i in range(2)]
    made = make_plan(cfg, touches, [], NOW, history=History(), states=states)
    assert made.actions  # a plan was made from these states
    assert (patterns, periods) == ([], [])
    first = states[0]
    assert dict(first.touches_by_period) == {7: 0, 30: 1, 90: 2, 365: 2}
    assert first.patterns == account_patterns(cfg, first.status, first.touches, first.day.today)
    assert first.patterns is first.patterns and len(patterns) == 1  # once, then kept
    assert len(periods) == 1


def test_a_stalled_accounts_patterns_reach_its_plan() -> None:
    cfg = config(account(stage="stalled", stage_since="2026-09-01"))
    mail = [touch(ANA, n) for n in (60, 45, 30, 15)]  # four messages, never an answer
    found = state(cfg, mail)
    assert found.status.stage is Stage.STALLED
    made = make_plan(cfg, mail, [], NOW, history=History(), states=[found])
    (closure,) = [a for a in made.actions if a.play is PlayId.STALLED_CLOSURE]
    assert "(one-way for 8 weeks: 4 messages in a row since 21 Sep without an answer)" in (
        closure.reason
    )
