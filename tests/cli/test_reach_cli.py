"""The buying committee and give before ask, end to end on the demo: the board (table and
--json), one account, the plan and the digest."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

from agent.model.tables import DRAFTS
from agent.store.db import Store
from tests.cli.test_engine_cli import run, synced  # noqa: F401  (the fixture)
from tests.conftest import NOW


def test_board_json_has_give_ask_and_the_committee(synced, capsys) -> None:  # noqa: F811
    _, out, _ = run(capsys, *synced, "board", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    quarry = rows["Quarry & Finch"]
    assert (quarry["give_ask"], quarry["asks_in_a_row"]) == ("0:3", True)
    halvorsen = rows["Halvorsen Logistics"]
    assert (halvorsen["give_ask"], halvorsen["asks_in_a_row"]) == ("0:1", True)  # 90 days
    meridian = rows["Meridian Bank"]
    assert meridian["asks_in_a_row"] is False and meridian["gives"] >= 2
    summit = [m["email"] for m in rows["Summit Foods"]["committee"]]
    assert summit[:3] == [
        "luis.romero@summitfoods.com",
        "raj.mehta@summitfoods.com",
        "anna.kowalski@summitfoods.com",
    ]
    luis = rows["Summit Foods"]["committee"][0]
    assert (luis["bridge_name"], luis["play"]) == ("Kate Morgan", "new_contact")
    assert "Kate" in luis["reason"] and luis["thread"] in luis["reason"]


def test_board_table_account_view_and_plan_say_it_in_words(
    synced,  # noqa: F811
    capsys,
    monkeypatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # room for every column
    _, board, _ = run(capsys, *synced, "board")
    board = " ".join(board.split())
    assert "Give:ask" in board and "three asks in a row" in board
    assert "committee: Luis Romero via Kate Morgan" in board
    _, account, _ = run(capsys, *synced, "account", "Summit Foods")
    assert "Buying committee" in account and "Anna Kowalski" in account
    _, plan, _ = run(capsys, *synced, "plan", "--json")
    quarry = next(a for a in json.loads(plan) if a["account"] == "Quarry & Finch" and a["play"])
    assert "Give before ask: your last 3 messages there all asked" in quarry["reason"]


def test_the_digest_lists_who_else_to_reach_and_the_askers(synced, capsys) -> None:  # noqa: F811
    _, text, _ = run(capsys, *synced, "digest")
    reach = text.split("WHO ELSE TO REACH", 1)[1].split("GIVE BEFORE ASK", 1)
    assert "Summit Foods *: Luis Romero, via Kate Morgan" in reach[0]
    assert "Halvorsen Logistics *: your last 3 messages there all asked" in reach[1]
    assert "Quarry & Finch: your last 3 messages" in reach[1]


def test_a_sent_nurture_draft_counts_by_its_play(synced, capsys) -> None:  # noqa: F811
    """The newest "Following up" to Quarry & Finch was, say, nurture's share_content draft:
    its play says give, whatever its words say."""
    box = mailbox.mbox(Path(synced[1]).parent / "mail.mbox")
    ids = [m["Message-ID"] for m in box if m["Subject"] == "Following up"]
    box.close()
    with Store.open(Path(synced[3])) as store:
        record = {"account": "Quarry & Finch", "contact": "will.tanner@quarryfinch.com"}
        record |= {"play": "share_content", "status": "sent", "rfc822_id": ids[-1].strip("<>")}
        store.put(DRAFTS, "sent-1", record | {"created_at": NOW.isoformat()})
        store.commit()
    _, out, _ = run(capsys, *synced, "board", "--json")
    quarry = next(r for r in json.loads(out) if r["name"] == "Quarry & Finch")
    assert (quarry["give_ask"], quarry["asks_in_a_row"]) == ("1:2", False)
    _, text, _ = run(capsys, *synced, "digest")
    asking = text.split("GIVE BEFORE ASK", 1)[1].split("NEXT WEEK'S", 1)[0]
    assert "Halvorsen Logistics" in asking and "Quarry & Finch" not in asking


def test_the_demo_tells_both_stories(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # room for every column
    _, out, _ = run(capsys, "demo", str(tmp_path / "d"))
    flat = " ".join(out.split())
    assert "Give:ask" in flat and "three asks in a row" in flat
    assert "committee: Luis Romero via Kate Morgan" in flat
