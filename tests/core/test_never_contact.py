"""The never-contact list: the planner gives no play to a listed address or domain."""

from __future__ import annotations

import pytest

from agent.config.never import is_never
from agent.errors import ConfigError
from tests.kits.engine_kit import account, config, drafts, person, plan, touch

PAPER = {"title": "Paper", "url": "https://x.com/paper"}  # untagged: fits anyone
PEOPLE = [person("ann@acme.com", "Ann"), person("bob@eu.acme.com", "Bob")]
ROWS = [touch("ann@acme.com", 60), touch("bob@eu.acme.com", 50)]


def contacts_played(**overrides: object) -> set[str]:
    cfg = config(account(contacts=PEOPLE), content=[PAPER], coverage_target=1, **overrides)
    result = plan(cfg, ROWS)
    return {a.contact for a in drafts(result)} | {
        a.contact for a in result.actions if a.kind.value == "deferred"
    }


def test_without_the_list_the_due_contacts_get_plays() -> None:
    assert "ann@acme.com" in contacts_played()


def test_a_listed_address_gets_no_play_and_another_person_does() -> None:
    played = contacts_played(never_contact=["Ann@Acme.com"])
    assert "ann@acme.com" not in played
    assert played == {"bob@eu.acme.com"}


def test_a_listed_domain_covers_its_subdomains() -> None:
    assert contacts_played(never_contact=["acme.com"]) == set()
    assert contacts_played(never_contact=["eu.acme.com"]) == {"ann@acme.com"}


def test_is_never_matches_address_domain_and_parent_domain_only() -> None:
    entries = ["pat@x.com", "y.org"]
    assert is_never("PAT@x.com", entries)
    assert not is_never("pat2@x.com", entries)
    assert is_never("a@mail.y.org", entries)
    assert not is_never("a@my.org", entries)


def test_a_bad_entry_is_a_config_error(tmp_path) -> None:
    from agent.config.schema import load_config

    path = tmp_path / "config.yaml"
    path.write_text("me: [me@x.com]\nnever_contact: ['not an address']\n")
    with pytest.raises(ConfigError, match=r"never_contact\.0: 'not an address' is neither"):
        load_config(path)
