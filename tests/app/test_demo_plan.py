"""On the demo workspace, `nurture plan` shows every play at least once, with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.demo.workspace import write_demo
from agent.model import PlayId
from tests.conftest import NOW


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    return out


@pytest.fixture
def demo_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    write_demo(tmp_path / "demo", NOW)
    where = ["--config", str(tmp_path / "demo" / "config.yaml"), "--home", str(tmp_path / "home")]
    run(capsys, *where, "sync")
    return json.loads(run(capsys, *where, "plan", "--json"))


def test_every_play_appears_with_a_reason(demo_plan: list[dict]) -> None:
    planned = {a["play"]: a for a in demo_plan if a["kind"] == "draft"}
    assert set(planned) == {p.value for p in PlayId}
    for play, action in planned.items():
        assert action["reason"].strip(), play
        assert action["account"], play
        assert action["contact"], play


def test_the_demo_story_gets_the_plays_it_was_written_for(demo_plan: list[dict]) -> None:
    drafts = {(a["account"], a["play"]) for a in demo_plan if a["kind"] == "draft"}
    assert ("Brightline Retail", "do_over") in drafts
    assert ("Quarry & Finch", "stalled_closure") in drafts
    assert ("Halvorsen Logistics", "new_contact") in drafts
    assert ("Lakeshore Freight", "reengage_lost") in drafts
    do_over = next(a for a in demo_plan if a["play"] == "do_over")
    assert do_over["asks"] == [
        "the current vendor's contract end date",
        "a meeting with the IT director",
    ]


def test_the_demo_lists_replies_owed_holds_and_a_reborn_deal(demo_plan: list[dict]) -> None:
    by_kind = {(a["kind"], a["account"], a["contact"]) for a in demo_plan}
    assert ("reply", "Corvid Health", "omar.haddad@corvidhealth.org") in by_kind
    assert ("hold", "Oakridge Energy", "jo.park@oakridge.energy") in by_kind
    reborn = next(a for a in demo_plan if a["kind"] == "suggest_stage")
    assert (reborn["account"], reborn["stage"]) == ("Corvid Health", "hot")
    assert not any(
        a["kind"] == "draft"
        and a["contact"] in {"omar.haddad@corvidhealth.org", "jo.park@oakridge.energy"}
        for a in demo_plan
    )


def test_plan_changes_nothing_in_the_store(tmp_path: Path, capsys) -> None:
    write_demo(tmp_path / "demo", NOW)
    where = ["--config", str(tmp_path / "demo" / "config.yaml"), "--home", str(tmp_path / "home")]
    run(capsys, *where, "sync")
    state = tmp_path / "home" / "state.json"
    before = state.read_bytes()
    first = run(capsys, *where, "plan", "--json")
    assert state.read_bytes() == before
    assert run(capsys, *where, "plan", "--json") == first
