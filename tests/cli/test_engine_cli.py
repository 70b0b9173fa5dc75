"""`nurture plan`, `nurture account` and the board's patterns and suggestions, end to end."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from agent.cli.main import main
from agent.demo.workspace import write_demo
from agent.model.tables import DRAFTS, STAGES
from agent.store.db import Store
from tests.conftest import NOW


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def synced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    write_demo(tmp_path, NOW)
    where = ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]
    run(capsys, *where, "sync")
    return where


def test_plan_table_groups_drafts_replies_suggestions_and_holds(synced, capsys) -> None:
    code, out, _ = run(capsys, *synced, "plan")
    assert code == 0
    for heading in ("Replies you owe", "Drafts the next cycle would write", "On hold"):
        assert heading in out
    assert out.index("Replies you owe") < out.index("Drafts the next cycle")
    assert "stalled_closure" in out


def test_plan_json_has_the_contract_fields(synced, capsys) -> None:
    _, out, _ = run(capsys, *synced, "plan", "--json")
    actions = json.loads(out)
    for action in actions:
        assert {"kind", "account", "contact", "play", "reason", "key"} <= action.keys()
        assert action["kind"] in {
            *("draft", "reply", "hold", "suggest_stage", "deferred", "no_play", "block", "digest")
        }
        if action["kind"] == "no_play":  # a due account without a play says why and the fix
            assert action["reason"] and action["fix"]
    content = next(a for a in actions if a["play"] == "share_content")
    assert content["offer"]["url"].startswith("https://")


def test_plan_shows_the_blocks_and_the_digest_the_cycle_would_write(
    synced, capsys, tmp_path
) -> None:
    friday_evening = "2026-11-20T23:00:00+00:00"  # 17:00 in Chicago: past the digest's time
    code, out, _ = run(capsys, *synced, "--now", friday_evening, "plan", "--json")
    blocks = [a for a in json.loads(out) if a["kind"] == "block"]
    assert code == 0 and [b["step"] for b in blocks] == ["place"] * 5
    assert all(b["start"] < b["end"] and b["reason"] for b in blocks)
    assert any(b["accounts"] for b in blocks)
    [digest] = [a for a in json.loads(out) if a["kind"] == "digest"]
    assert "2026-W47" in digest["reason"] and "riley@northwind-analytics.com" in digest["reason"]
    assert not (tmp_path / "outbox" / "blocks.ics").exists()  # a plan writes nothing
    run(capsys, *synced, "--now", friday_evening, "cycle")
    _, out, _ = run(capsys, *synced, "--now", friday_evening, "plan", "--json")
    assert {a["kind"] for a in json.loads(out)} & {"block", "digest"} == set()
    _, text, _ = run(capsys, *synced, "--now", friday_evening, "plan")
    assert "Nurture blocks: no change" in text


def test_account_shows_people_patterns_and_suggestions(synced, capsys) -> None:
    code, out, _ = run(capsys, *synced, "account", "corvid")
    assert code == 0
    assert "Corvid Health: dream, lost for 120 days" in out
    assert "opportunity may be reborn" in out
    assert "you owe a reply" in out
    assert "Grace Liu" in out


def test_account_json_lists_contacts_with_their_state(synced, capsys) -> None:
    _, out, _ = run(capsys, *synced, "account", "Oakridge Energy", "--json")
    data = json.loads(out)
    (jo,) = data["contacts"]
    assert jo["held_until"] == "2026-11-25"
    assert data["touches_by_period"]["90d"] == 1
    assert data["actions"][0]["kind"] == "hold"


def test_account_stage_is_recorded_with_its_date_and_shown_on_the_board(synced, capsys) -> None:
    code, out, _ = run(capsys, *synced, "account", "Corvid Health", "--stage", "hot")
    assert code == 0
    assert "stage is now hot (since 2026-11-20)" in out
    with Store.open(Path(synced[3])) as store:
        assert store.get(STAGES, "Corvid Health") == {"stage": "hot", "since": "2026-11-20"}
    _, board, _ = run(capsys, *synced, "board", "--json")
    corvid = next(r for r in json.loads(board) if r["name"] == "Corvid Health")
    assert (corvid["stage"], corvid["stage_since"]) == ("hot", "2026-11-20")
    assert corvid["suggestions"] == []  # the rep agreed: nothing left to suggest


def test_account_stage_with_an_explicit_date(synced, capsys) -> None:
    run(capsys, *synced, "account", "Quarry", "--stage", "lost", "--since", "2026-11-02")
    _, out, _ = run(capsys, *synced, "account", "Quarry", "--json")
    assert (json.loads(out)["stage"], json.loads(out)["days_in_stage"]) == ("lost", 18)


def test_board_json_carries_patterns_and_suggestions(synced, capsys) -> None:
    _, out, _ = run(capsys, *synced, "board", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    kinds = {p["kind"] for p in rows["Halvorsen Logistics"]["patterns"]}
    assert kinds == {"predictable_checkins", "single_threaded"}
    assert rows["Corvid Health"]["suggestions"][0]["label"] == "opportunity may be reborn"
    assert rows["Atlas Manufacturing"]["patterns"] == []


def test_board_table_footnotes_the_flags(synced, capsys) -> None:
    _, out, _ = run(capsys, *synced, "board")
    assert "Corvid Health: opportunity may be reborn" in out
    assert "Quarry & Finch: single-threaded, stalled and hanging, one-way" in out


def test_unknown_or_ambiguous_account_names_say_what_to_do(synced, capsys) -> None:
    code, _, err = run(capsys, *synced, "account", "Corvid Helth")
    assert code == 2
    assert "did you mean 'Corvid Health'" in err
    code, _, err = run(capsys, *synced, "account", "e")
    assert code == 2
    assert "matches several accounts" in err


def test_a_bad_stage_is_a_usage_error(synced, capsys) -> None:
    code, _, _ = run(capsys, *synced, "account", "Corvid", "--stage", "tepid")
    assert code == 2


def test_plan_shows_the_daily_volume_lowered_by_expired_drafts(synced, capsys) -> None:
    _, out, _ = run(capsys, *synced, "plan", "--json")
    before = [a for a in json.loads(out) if a["kind"] == "draft"]
    assert len(before) > 1
    expired_at = (NOW - timedelta(days=2)).isoformat()
    with Store.open(Path(synced[3])) as store:
        for n in range(8):  # eight drafts in a row left to expire: the rep is swamped
            record = {"account": "Summit Foods", "contact": f"p{n}@summitfoods.com"}
            record |= {"status": "expired", "status_at": expired_at, "created_at": expired_at}
            store.put(DRAFTS, f"old-{n}", record)
        store.commit()
    _, out, _ = run(capsys, *synced, "plan", "--json")
    assert len([a for a in json.loads(out) if a["kind"] == "draft"]) == 1
