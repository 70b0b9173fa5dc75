"""Plays as a registry: each play is one module of ``agent.core.plays.catalog`` plus its
template, and a new play needs nothing else. The proof: a play written here, a module
added to the catalog from a temporary folder and a template added to (a copy of) the
bundled templates, is planned, drafted and template-checked by the code as it is, and
tuned from ``plays:`` in the config like a bundled one."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.app.doctor import diagnose
from agent.app.templates import check_templates
from agent.config.schema import Config
from agent.core.drafts import compose
from agent.core.plays import catalog, registry
from agent.errors import ConfigError
from agent.model import PlayId
from agent.render import jinja
from tests.conftest import NOW
from tests.kits.engine_kit import account, config, drafts, person, plan, touch

ROOT = Path(__file__).resolve().parents[2]
ANA = "ana@acme.com"

THANK_YOU = '''
"""Thank you: a due account whose main person met us gets a plain thank-you."""

from agent.config.playbook import PlayRule
from agent.core.plays.builders import Candidate, Play, Sample, warmest


def build(state, ctx, pick):
    contact = next((c for c in warmest(state.contacts) if pick(c)), None)
    if contact is None:
        return None
    return Candidate(PLAY.id, contact, f"Thank {contact.name} for their time.")


PLAY = Play(id="thank_you", defaults=PlayRule(priority=1), build=build, sample=Sample())
'''

TEMPLATE = """---
play: thank_you
subject: Thank you, {{ contact.first_name or "again" }}
---
Hi{% if contact.has_name %} {{ contact.first_name }}{% endif %},

Thank you for the time you gave {{ account.name }}'s project.

{{ signature }}
"""


@pytest.fixture
def new_play(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The two files of a new play: its module among the plays, its template among the
    bundled ones (a copy of ``templates/`` with the new file in it)."""
    modules, bundled = tmp_path / "plays", tmp_path / "templates"
    modules.mkdir()
    (modules / "thank_you.py").write_text(THANK_YOU)
    shutil.copytree(jinja.bundled_templates(), bundled)
    (bundled / "thank_you.j2").write_text(TEMPLATE)
    monkeypatch.setattr(jinja, "bundled_templates", lambda: bundled)
    monkeypatch.setattr(catalog, "__path__", [*catalog.__path__, str(modules)])
    registry.plays.cache_clear()
    yield
    sys.modules.pop(f"{registry.CATALOG}.thank_you", None)
    registry.plays.cache_clear()


def with_ana(**overrides: object) -> Config:
    return config(account(contacts=[person(ANA, "Ana Diaz", "COO")]), **overrides)


def test_every_bundled_play_is_a_module_with_its_template() -> None:
    assert set(registry.plays()) == {p.value for p in PlayId}
    for play in registry.plays().values():
        assert (ROOT / "templates" / f"{play.id}.j2").is_file(), play.id
        assert play.build.__module__ == f"{registry.CATALOG}.{play.id}"


@pytest.mark.usefixtures("new_play")
def test_a_new_play_is_planned_and_drafted_from_its_two_files() -> None:
    cfg = with_ana()
    (action,) = drafts(plan(cfg, [touch(ANA, 200)]))
    assert (action.play, action.contact) == ("thank_you", ANA)
    assert action.reason == "Thank Ana Diaz for their time."
    mail = compose(action, cfg)
    assert mail.subject == "Thank you, Ana"
    assert "Acme's project" in mail.text


@pytest.mark.usefixtures("new_play")
def test_a_new_play_is_template_checked() -> None:
    results = {r.play: r for r in check_templates(with_ana(), None)}
    assert set(results) == {*(p.value for p in PlayId), "thank_you"}
    assert results["thank_you"].error == ""
    assert Path(results["thank_you"].source).name == "thank_you.j2"


@pytest.mark.usefixtures("new_play")
def test_a_new_play_is_tuned_in_the_config_like_any() -> None:
    off = with_ana(plays={"thank_you": {"enabled": False}})
    assert all(a.play != "thank_you" for a in drafts(plan(off, [touch(ANA, 200)])))
    later = with_ana(plays={"thank_you": {"priority": 999}})
    order = [play.id for play, _ in registry.in_order(later)]
    assert order[-1] == "thank_you"
    assert registry.rule(later, "thank_you").cooldown_days == 0  # its own default


def test_a_play_row_in_the_config_keeps_the_play_defaults_it_does_not_name() -> None:
    cfg = config(plays={"stalled_closure": {"cooldown_days": 5}})
    rule = registry.rule(cfg, PlayId.STALLED_CLOSURE)
    assert (rule.cooldown_days, rule.priority) == (5, 20)


def test_a_play_the_registry_does_not_know_is_a_config_error() -> None:
    cfg = config(plays={"cold_call": {"priority": 1}})
    with pytest.raises(ConfigError, match=r"plays\.cold_call .*no play is called 'cold_call'"):
        registry.in_order(cfg)


def test_doctor_names_a_play_the_registry_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("me: [r@x.com]\nplays:\n  cold_call: {priority: 1}\n")
    (check,) = diagnose(path, tmp_path / "home", NOW, probes=[])
    assert (check.name, check.ok) == ("config", False)
    assert "no play is called 'cold_call'" in check.detail
