"""Issue 20: a draft to someone whose name nobody wrote down says so on its card."""

from __future__ import annotations

from dataclasses import replace

from agent.cli.drafts import _card
from agent.core.drafts import compose, pending_record, sample_action
from agent.model import PlayId
from tests.conftest import NOW, make_config


def test_the_card_says_when_the_name_is_unknown() -> None:
    config = make_config(drafts={"sender_name": "Riley"})
    named = sample_action(PlayId.STALLED_CLOSURE)
    nameless = replace(named, contact="mjones7@txu.com", contact_name="")
    for action, says in ((named, False), (nameless, True)):
        mail = compose(action, config)
        card = _card(pending_record(action, mail, NOW, "local"), config)
        assert ("name unknown: add it in config or the web app" in card) is says, card
    card = _card(pending_record(nameless, compose(nameless, config), NOW, "local"), config)
    assert "To:      mjones7@txu.com (" in card
