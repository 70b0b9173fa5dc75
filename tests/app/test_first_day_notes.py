"""Issue 20: the cycle says what would otherwise fail quietly on a first day."""

from __future__ import annotations

from pathlib import Path

from agent.app.digest import current_digest
from agent.app.first_day import cycle_notes
from agent.model import Action, ActionKind
from agent.store.db import Store
from tests.conftest import NOW, make_config


def no_play(account: str) -> Action:
    return Action(ActionKind.NO_PLAY, account, None, None, "why", f"k-{account}", fix="fix")


def test_due_accounts_without_a_play_and_a_missing_signature_are_said() -> None:
    config = make_config()
    notes = cycle_notes(config, [no_play(f"A{i}") for i in range(4)], drafts_made=2)
    assert (
        notes[0]
        == "4 due accounts got no play (A0, A1, A2, ...): `nurture plan` says why and what to add"
    )
    assert notes[1].startswith("drafts.signature is empty")
    signed = make_config(drafts={"signature": "Riley"})
    assert cycle_notes(signed, [], drafts_made=2) == []
    assert cycle_notes(config, [], drafts_made=0) == [], "no drafts: no signature note"


def test_the_digest_reads_the_plan_for_its_to_do(tmp_path: Path) -> None:
    config = make_config(
        accounts=[{"name": "Nobody Inc", "domains": ["nobody.com"], "tier": "dream"}]
    )
    with Store.open(tmp_path) as store:
        digest = current_digest(config, store, NOW)
    assert [row.account for row in digest.todo] == ["Nobody Inc"]
    assert "knows no one there" in digest.todo[0].reason


def test_plan_json_carries_the_fix() -> None:
    from agent.views.json import action_json

    row = action_json(no_play("Nobody Inc"))
    assert row["kind"] == "no_play" and row["reason"] == "why" and row["fix"] == "fix"
