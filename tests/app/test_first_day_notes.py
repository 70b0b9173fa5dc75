"""Issue 20: the cycle says what would otherwise fail quietly on a first day."""

from __future__ import annotations

from agent.app.first_day import cycle_notes
from agent.model import Action, ActionKind
from tests.conftest import make_config


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
