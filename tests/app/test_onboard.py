"""Onboarding use cases on the demo: suggested accounts, people to confirm, config writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.app import onboard
from agent.app.context import Context
from agent.config.schema import load_config
from agent.demo.workspace import write_demo
from agent.errors import ConfigError, UserError
from agent.model import Address, Tier
from agent.store.db import Store
from tests.conftest import NOW


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    write_demo(tmp_path, NOW)
    return tmp_path / "config.yaml"


def test_suggestions_are_two_way_external_domains_ranked_by_exchange(demo: Path) -> None:
    found = onboard.suggested_accounts(load_config(demo), NOW)
    assert [s.domain for s in found] == ["harborcold.com", "vireo-robotics.com"]
    harbor = found[0]
    assert (harbor.sent, harbor.received, harbor.name) == (2, 2, "Harborcold")
    assert {p.email for p in harbor.people} == {
        "hugo.brandt@harborcold.com",
        "mia.sato@harborcold.com",
    }
    # gmail.com (two-way, free mail), talentbridge.io (one-way), a newsletter, colleagues
    # and the existing accounts are never suggested.


def test_never_contact_domains_are_not_suggested(demo: Path) -> None:
    onboard.set_never_contact(demo, ["vireo-robotics.com"])
    found = onboard.suggested_accounts(load_config(demo), NOW)
    assert [s.domain for s in found] == ["harborcold.com"]


def test_adding_a_suggestion_keeps_comments_and_validates(demo: Path) -> None:
    before = demo.read_text()
    config = onboard.add_account(
        demo,
        name="Harbor Cold Storage",
        domain="harborcold.com",
        tier=Tier.DREAM,
        people=[Address("mia.sato@harborcold.com", "Mia Sato")],
    )
    added = next(a for a in config.accounts if a.name == "Harbor Cold Storage")
    assert (added.tier.value, added.domains, added.contacts[0].name) == (
        "dream",
        ("harborcold.com",),
        "Mia Sato",
    )
    text = demo.read_text()
    assert text.startswith(before.splitlines()[0])  # the generated comment line is kept
    assert "# " in text and "- name: Harbor Cold Storage" in text
    assert load_config(demo).accounts[-1].name == "Harbor Cold Storage"


def test_an_invalid_addition_is_refused_and_nothing_is_written(demo: Path) -> None:
    before = demo.read_text()
    with pytest.raises(ConfigError, match="free-mail domain") as caught:
        onboard.add_account(demo, name="Pals", domain="gmail.com", tier=Tier.OTHER)
    assert str(demo) in caught.value.message and ".check." not in caught.value.message
    with pytest.raises(ConfigError, match="listed twice"):
        onboard.add_account(demo, name="Meridian Bank", domain="meridian2.com", tier=Tier.OTHER)
    assert demo.read_text() == before
    assert [p.name for p in demo.parent.iterdir() if ".check." in p.name] == []


def test_unmatched_people_confirm_and_ignore(demo: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    context = Context(demo, home, NOW)
    from agent.app import pipeline

    with context.store() as store:
        pipeline.run_steps(pipeline.Run(context.config(), store, home, NOW), ["sync"])
        people = {u.email: u for u in onboard.unmatched_people(context.config(), store, NOW)}
    assert {"lena.fischer@meridianbank.com", "omar.haddad@corvidhealth.org"} <= set(people)
    assert "priya.nair@meridianbank.com" not in people  # listed in the config
    onboard.confirm_person(
        demo,
        account="Meridian Bank",
        email="lena.fischer@meridianbank.com",
        name="Lena Fischer",
        role="CFO",
    )
    with Store.open(home) as store:
        onboard.ignore_person(
            store, account="Corvid Health", email="omar.haddad@corvidhealth.org", now=NOW
        )
    with Store.open(home) as store:
        left = {u.email for u in onboard.unmatched_people(load_config(demo), store, NOW)}
    assert "lena.fischer@meridianbank.com" not in left
    assert "omar.haddad@corvidhealth.org" not in left
    meridian = next(a for a in load_config(demo).accounts if a.name == "Meridian Bank")
    assert ("lena.fischer@meridianbank.com", "CFO") in {
        (c.email, c.role) for c in meridian.contacts
    }


def test_a_person_at_an_account_from_the_csv_cannot_be_confirmed_in_yaml(demo: Path) -> None:
    with pytest.raises(UserError, match=r"not listed in config\.yaml"):
        onboard.confirm_person(demo, account="Nobody Inc", email="a@b.com", name="A", role="")


def test_never_contact_list_round_trips_and_validates(demo: Path) -> None:
    config = onboard.set_never_contact(demo, ["Pat@Acme.com", " legal.example.com ", ""])
    assert config.never_contact == ("pat@acme.com", "legal.example.com")
    with pytest.raises(ConfigError, match="neither an email address nor a domain"):
        onboard.set_never_contact(demo, ["not valid"])
    assert onboard.set_never_contact(demo, []).never_contact == ()
    assert "never_contact" not in demo.read_text()
