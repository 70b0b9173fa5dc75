"""Nurture blocks: the reconciliation contract, run against every BlockCalendar.

Each scenario is a rep's week: nurture places blocks, the rep (through the harness) moves,
deletes or accepts meetings, and nurture runs again. To add a provider, add a harness to
``HARNESSES`` (see tests/kits/blockfake.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.app import blocks
from agent.config.schema import Config, load_config
from agent.core.blocks.notes import WorkItem
from agent.core.blocks.reconcile import BlockStatus, Step, block_id
from agent.model import NurtureBlock
from agent.model.tables import BLOCK_ACTIONS, BLOCK_WEEKS, BLOCKS
from agent.providers.local.blocks import LocalBlockCalendar
from agent.store.db import Store
from tests.conftest import make_config
from tests.kits.blockfake import Harness, LocalHarness, MemoryHarness
from tests.kits.blockgoogle import GoogleHarness
from tests.kits.fakegoogle import FakeGoogle

NY = ZoneInfo("America/New_York")
MONDAY = datetime(2026, 11, 23, 7, 0, tzinfo=NY)  # a week with nothing on it yet
WORK = [
    WorkItem("Atlas Manufacturing", "never touched", ("Dana Whitfield <dana@atlas-mfg.com>",)),
    WorkItem("Halvorsen Logistics", "80 days since the last touch", drafts=("Intro: link-1",)),
    WorkItem("Meridian Bank", "20 days since the last touch"),
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Wall time in New York, ``day`` days after MONDAY."""
    return datetime.combine(MONDAY.date() + timedelta(days=day), time(hour, minute), NY)


def config_with(**blocks: Any) -> Config:
    return make_config(
        timezone="America/New_York",
        working_hours={
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:30",
        },
        blocks=blocks,
    )


def realistic(fake: FakeGoogle) -> FakeGoogle:
    fake.make_realistic()
    return fake


HARNESSES: dict[str, Callable[[pytest.FixtureRequest, Path], Harness]] = {
    "memory": lambda request, folder: MemoryHarness(),
    "local": lambda request, folder: LocalHarness(folder, NY),
    "google": lambda request, folder: GoogleHarness(
        realistic(request.getfixturevalue("fake_google")), "America/New_York"
    ),
}


@pytest.fixture(params=sorted(HARNESSES))
def rep(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    return HARNESSES[request.param](request, tmp_path)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    (tmp_path / "home").mkdir()
    return Store(tmp_path / "home", {})


def run(
    rep: Harness,
    store: Store,
    now: datetime,
    config: Config | None = None,
    work: list[WorkItem] | None = None,
    **kwargs: Any,
) -> blocks.BlocksReport:
    config = config or config_with()
    return blocks.run(
        config, store, rep.calendar, now, work=WORK if work is None else work, **kwargs
    )


def starts(rep: Harness) -> list[datetime]:
    return [b.start.astimezone(NY) for b in rep.all_blocks()]


def by_day(rep: Harness) -> dict[int, NurtureBlock]:
    return {(b.day - MONDAY.date()).days: b for b in rep.all_blocks()}


def test_places_five_two_hour_blocks_one_per_working_day(rep: Harness, store: Store) -> None:
    report = run(rep, store, MONDAY)
    assert [a.step for a in report.plan.actions] == [Step.PLACE] * 5
    assert starts(rep) == [at(d, 9) for d in range(5)]
    for block in rep.all_blocks():
        assert block.end - block.start == timedelta(hours=2)
        assert block.title == "NURTURE DREAM CLIENTS" and block.busy and block.colour == "basil"
        assert block.id == block_id("rep@seller.com", block.day)
    assert report.plan.shortfall == 0


def test_a_second_run_changes_nothing(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    before = rep.all_blocks()
    again = run(rep, store, MONDAY + timedelta(minutes=5))
    assert again.plan.actions == () and rep.all_blocks() == before


def test_blocks_keep_a_buffer_around_meetings(rep: Harness, store: Store) -> None:
    rep.add_meeting(at(0, 9), at(0, 10))
    rep.add_meeting(at(1, 10, 30), at(1, 11))
    run(rep, store, MONDAY)
    days = by_day(rep)
    assert days[0].start == at(0, 10, 15)  # 10:00 + 10 min buffer, on the quarter hour
    assert days[1].end <= at(1, 10, 20) or days[1].start >= at(1, 11, 10)


def test_a_block_the_rep_moved_stays_where_they_put_it(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    tuesday = by_day(rep)[1]
    rep.rep_move(tuesday.id, at(1, 14), at(1, 16))
    report = run(rep, store, MONDAY + timedelta(hours=1))
    assert report.plan.actions == ()
    assert report.plan.records[tuesday.id].status is BlockStatus.MOVED
    rep.add_meeting(at(1, 15), at(1, 16))  # even a meeting on it does not move it back
    report = run(rep, store, MONDAY + timedelta(hours=2))
    assert all(a.block.id != tuesday.id or a.step is Step.UPDATE for a in report.plan.actions)
    assert by_day(rep)[1].start == at(1, 14)


def test_a_block_the_rep_deleted_is_not_put_back(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    wednesday = by_day(rep)[2]
    rep.rep_delete(wednesday.id)
    report = run(rep, store, MONDAY + timedelta(hours=1))
    assert all(a.step is not Step.PLACE for a in report.plan.actions)
    assert report.plan.records[wednesday.id].status is BlockStatus.DELETED
    assert 2 not in by_day(rep) and len(rep.all_blocks()) == 4
    assert report.plan.shortfall == 0  # the rep's choice, not a lack of room


def test_a_meeting_landing_on_a_block_moves_it_the_same_day(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    thursday = by_day(rep)[3]
    rep.add_meeting(at(3, 9, 30), at(3, 10, 30))
    report = run(rep, store, MONDAY + timedelta(hours=1))
    assert [(a.step, a.block.id) for a in report.plan.actions if a.step is Step.MOVE] == [
        (Step.MOVE, thursday.id)
    ]
    moved = by_day(rep)[3]
    assert moved.id == thursday.id and moved.start == at(3, 10, 45)
    record = report.plan.records[thursday.id]
    assert record.status is BlockStatus.PLACED and record.rescheduled == 1
    assert run(rep, store, MONDAY + timedelta(hours=2)).plan.actions == ()


def test_a_full_day_conflict_moves_the_block_to_the_next_free_day(
    rep: Harness, store: Store
) -> None:
    config = config_with(count=1, horizon_days=3)
    run(rep, store, MONDAY, config)
    rep.add_meeting(at(0, 8), at(0, 18))
    report = run(rep, store, MONDAY + timedelta(hours=1), config)
    assert [a.step for a in report.plan.actions] == [Step.MOVE]
    (block,) = rep.all_blocks()
    assert block.start == at(1, 9) and block.day == MONDAY.date()


def test_a_conflict_with_nowhere_to_go_is_reported(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    thursday = by_day(rep)[3]
    rep.add_meeting(at(3, 8), at(3, 18))
    report = run(rep, store, MONDAY + timedelta(hours=1))
    assert report.plan.conflicts == (thursday.id,)
    assert "overlap a meeting" in report.summary()
    assert by_day(rep)[3].start == thursday.start


def test_a_day_without_room_pushes_its_block_to_the_next(rep: Harness, store: Store) -> None:
    rep.add_meeting(at(0, 8), at(0, 17))
    report = run(rep, store, MONDAY, config_with(count=3, horizon_days=5))
    assert sorted(by_day(rep)) == [1, 2, 3]
    assert report.plan.no_room == (MONDAY.date(),) and report.plan.shortfall == 0


def test_no_room_at_all_is_a_reported_shortfall(rep: Harness, store: Store) -> None:
    for day in range(7):
        rep.add_meeting(at(day, 0), at(day, 23))
    report = run(rep, store, MONDAY)
    assert rep.all_blocks() == [] and report.plan.shortfall == 5
    assert "5 block(s) short" in report.summary()


def test_a_block_still_there_after_its_time_is_kept(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    rep.rep_move(by_day(rep)[1].id, at(1, 14), at(1, 16))
    rep.rep_delete(by_day(rep)[2].id)
    report = run(rep, store, at(3, 7))  # Thursday morning
    statuses = {r.day.isoformat(): r.status for r in report.plan.records.values()}
    assert statuses == {
        "2026-11-23": BlockStatus.KEPT,
        "2026-11-24": BlockStatus.KEPT,  # where the rep moved it
        "2026-11-25": BlockStatus.DELETED,
        "2026-11-26": BlockStatus.PLACED,
        "2026-11-27": BlockStatus.PLACED,
        "2026-11-30": BlockStatus.PLACED,  # the horizon rolled on
        "2026-12-01": BlockStatus.PLACED,
        "2026-12-02": BlockStatus.PLACED,
    }
    week = store.get(BLOCK_WEEKS, "2026-W48")
    assert week == {"blocks": 5, "planned": 10.0, "kept": 4.0, "moved": 2.0, "deleted": 2.0}


def test_an_interrupted_run_is_finished_not_duplicated(rep: Harness, tmp_path: Path) -> None:
    class Flaky:
        def __init__(self, inner: Any) -> None:
            self.inner, self.calls = inner, 0

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def put_block(self, block: NurtureBlock) -> None:
            self.calls += 1
            if self.calls == 3:
                raise ConnectionError("network down")
            self.inner.put_block(block)

    home = tmp_path / "state"
    with Store.open(home) as store, pytest.raises(ConnectionError):
        blocks.run(config_with(), store, Flaky(rep.calendar), MONDAY, work=WORK)
    assert len(rep.all_blocks()) == 2
    with Store.open(home) as store:  # nothing of the failed run was committed but the marks
        assert {d["status"] for d in store.items(BLOCK_ACTIONS).values()} == {"pending"}
        report = run(rep, store, MONDAY + timedelta(minutes=1))
        store.commit()
    assert len(rep.all_blocks()) == 5 and len({b.id for b in rep.all_blocks()}) == 5
    assert {r.status for r in report.plan.records.values()} == {BlockStatus.PLACED}
    with Store.open(home) as store:
        assert {d["status"] for d in store.items(BLOCK_ACTIONS).values()} == {"done"}


def test_a_block_under_way_is_not_moved(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    rep.add_meeting(at(0, 10), at(0, 10, 30))
    report = run(rep, store, at(0, 9, 30))
    assert all(a.step is not Step.MOVE for a in report.plan.actions)


def test_the_worklist_is_split_across_the_blocks(rep: Harness, store: Store) -> None:
    work = [WorkItem(f"Account {n}", "due") for n in range(7)]
    report = run(rep, store, MONDAY, work=work)
    accounts = [a.done.accounts for a in report.plan.actions]
    assert accounts == [
        ("Account 0", "Account 1"),
        ("Account 2", "Account 3"),
        ("Account 4",),
        ("Account 5",),
        ("Account 6",),
    ]
    first = rep.all_blocks()[0].description
    assert "Account 0" in first and "Account 2" not in first
    assert run(rep, store, MONDAY, work=work).plan.actions == ()
    changed = run(rep, store, MONDAY, work=work[1:])
    assert {a.step for a in changed.plan.actions} == {Step.UPDATE}
    assert "Account 1" in rep.all_blocks()[0].description


def test_descriptions_name_people_and_link_drafts(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    text = rep.all_blocks()[0].description
    assert "Atlas Manufacturing: never touched" in text
    assert "Dana Whitfield <dana@atlas-mfg.com>" in text
    assert "draft: Intro: link-1" in rep.all_blocks()[1].description


def test_block_ids_are_google_event_ids_stable_per_rep_and_day(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    ids = [b.id for b in rep.all_blocks()]
    assert all(re.fullmatch(r"[a-v0-9]{5,1024}", i) for i in ids) and len(set(ids)) == 5
    assert block_id("rep@seller.com", MONDAY.date()) != block_id("other@x.com", MONDAY.date())


def test_dry_run_writes_nothing(rep: Harness, store: Store) -> None:
    report = run(rep, store, MONDAY, dry_run=True)
    assert len(report.plan.actions) == 5 and "(dry run)" in report.summary()
    assert rep.all_blocks() == [] and store.items(BLOCKS) == {}


def test_blocks_can_be_turned_off(rep: Harness, store: Store) -> None:
    report = run(rep, store, MONDAY, config_with(enabled=False))
    assert report.plan.actions == () and rep.all_blocks() == []


def test_shown_as_free_in_another_colour(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY, config_with(show_as="free", colour="tomato", title="Dream time"))
    block = rep.all_blocks()[0]
    assert not block.busy and block.colour == "tomato" and block.title == "Dream time"


def test_a_changed_policy_rewrites_the_coming_blocks_in_place(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    report = run(rep, store, MONDAY, config_with(title="Dream clients"))
    assert {a.step for a in report.plan.actions} == {Step.UPDATE}
    assert starts(rep) == [at(d, 9) for d in range(5)]
    assert {b.title for b in rep.all_blocks()} == {"Dream clients"}


def test_the_horizon_rolls_one_day_at_a_time(rep: Harness, store: Store) -> None:
    run(rep, store, MONDAY)
    report = run(rep, store, at(1, 7))
    assert [
        (a.step, a.block.day.isoformat()) for a in report.plan.actions if a.step is Step.PLACE
    ] == [(Step.PLACE, "2026-11-30")]


def test_fewer_blocks_than_days_keep_their_density(rep: Harness, store: Store) -> None:
    config = config_with(count=3, horizon_days=5)
    placed: set[str] = set()
    for day in range(0, 14):
        now = at(day, 7)
        if now.weekday() < 5:
            report = run(rep, store, now, config)
            placed |= {a.block.day.isoformat() for a in report.plan.actions if a.step is Step.PLACE}
    # Any five consecutive working days hold three blocks: never one every day.
    days = sorted(placed)
    assert days[:3] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert "2026-11-26" not in days and "2026-11-27" not in days


# --- the command ---------------------------------------------------------------------

NOW_TEXT = "2026-11-20T15:00:00+00:00"  # Friday 09:00 in the demo's Chicago


def nurture(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from agent.cli.main import main

    with pytest.raises(SystemExit) as done:
        main(["--now", NOW_TEXT, *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def demo_args(tmp_path: Path) -> list[str]:
    from agent.demo.workspace import write_demo

    write_demo(tmp_path, datetime.fromisoformat(NOW_TEXT))
    return ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]


def test_blocks_json_has_the_contract_fields(demo_args: list[str], capsys, tmp_path) -> None:
    nurture(capsys, *demo_args, "sync")
    code, out, _ = nurture(capsys, *demo_args, "blocks", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 5
    for row in rows:
        assert {"id", "start", "end", "title", "status", "accounts"} <= row.keys()
        start, end = datetime.fromisoformat(row["start"]), datetime.fromisoformat(row["end"])
        assert start.utcoffset() is not None and end - start == timedelta(hours=2)
        assert row["status"] == "placed" and row["title"] == "NURTURE DREAM CLIENTS"
        assert isinstance(row["accounts"], list) and row["action"] == "place"
    assert rows[0]["accounts"]  # the demo has due dream clients
    assert (tmp_path / "outbox" / "blocks.ics").exists()
    _, again, _ = nurture(capsys, *demo_args, "blocks", "--json")
    assert [r["action"] for r in json.loads(again)] == [None] * 5


def test_blocks_dry_run_writes_nothing(demo_args: list[str], capsys, tmp_path) -> None:
    code, out, err = nurture(capsys, *demo_args, "blocks", "--dry-run")
    assert code == 0 and "5 placed (dry run)" in err
    assert "place" in out
    assert not (tmp_path / "outbox" / "blocks.ics").exists()
    assert not (tmp_path / "home" / "state.json").exists()


def test_google_blocks_need_a_connection_first(tmp_path: Path, capsys) -> None:
    (tmp_path / "config.yaml").write_text("me: [rep@seller.com]\nprovider: google\n")
    code, _, err = nurture(capsys, "--config", str(tmp_path / "config.yaml"), "blocks")
    assert code == 1 and "nurture auth" in err and "Traceback" not in err


def test_nurture_blocks_on_google_calendar(tmp_path: Path, capsys, fake_google) -> None:
    (tmp_path / "config.yaml").write_text(
        f"me: [{fake_google.email}]\nprovider: google\ntimezone: America/Chicago\n"
        f"google: {{endpoint: '{fake_google.base_url}'}}\n"
    )
    args = ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]
    fake_google.add_event(
        {
            "id": "standup",
            "start": {"dateTime": "2026-11-23T15:00:00Z"},
            "end": {"dateTime": "2026-11-23T16:00:00Z"},
        }
    )  # Monday 09:00-10:00 in Chicago
    code, out, _ = nurture(capsys, *args, "blocks", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["action"] for r in rows] == ["place"] * 5
    ours = [e for e in fake_google.events(cancelled=False) if e["id"] != "standup"]
    assert sorted(e["id"] for e in ours) == sorted(r["id"] for r in rows)
    assert all(e["extendedProperties"]["private"]["nurture"] == "block" for e in ours)
    [monday] = [e for e in ours if e["start"]["dateTime"].startswith("2026-11-23")]
    assert datetime.fromisoformat(monday["start"]["dateTime"]) >= datetime(
        2026, 11, 23, 16, 10, tzinfo=UTC
    )  # after the stand-up and its buffer
    code, out, _ = nurture(capsys, *args, "blocks", "--json")
    assert code == 0 and [r["action"] for r in json.loads(out)] == [None] * 5
    assert len(fake_google.events(cancelled=False)) == 6


def test_a_block_longer_than_the_day_is_a_config_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "config.yaml").write_text(
        "me: [rep@seller.com]\nworking_hours: {start: '09:00', end: '10:00'}\n"
    )
    code, _, err = nurture(capsys, "--config", str(tmp_path / "config.yaml"), "blocks")
    assert code == 2 and "blocks.hours" in err


def test_the_demo_places_five_blocks_around_its_meetings(tmp_path: Path, capsys) -> None:
    from agent.demo.workspace import TZ
    from agent.providers.local.calendar import load_meetings

    code, out, _ = nurture(capsys, "demo", str(tmp_path / "demo"))
    assert code == 0 and "Nurture blocks: 5 placed" in out
    tz = ZoneInfo(TZ)
    now = datetime.fromisoformat(NOW_TEXT)
    calendar = LocalBlockCalendar.from_config(load_config(tmp_path / "demo" / "config.yaml"))
    blocks = calendar.blocks(now - timedelta(days=1), now + timedelta(days=30))
    meetings = load_meetings(
        tmp_path / "demo" / "calendar.ics", start=now, end=now + timedelta(days=14), tz=tz
    )
    future = [m for m in meetings if not m.cancelled]
    assert len(blocks) == 5 and len({b.start.astimezone(tz).date() for b in blocks}) == 5
    assert any(m.start.astimezone(tz).weekday() < 5 for m in future)
    for block in blocks:
        local = block.start.astimezone(tz)
        assert local.weekday() < 5 and local.time() >= time(8, 30)
        assert block.end.astimezone(tz).time() <= time(17, 30)
        for meeting in future:
            assert not (block.start < meeting.end and meeting.start < block.end), meeting.title


def test_the_cycle_places_blocks_with_the_saved_token(
    tmp_path: Path, capsys, fake_google, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with real Google: a token is needed, and the cycle's one connection places them."""
    from agent.providers.google import provider
    from tests.kits.googleworld import credentials

    monkeypatch.setattr(provider, "needs_token", lambda endpoint: True)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "google-token.json").write_text(credentials().to_json())
    (tmp_path / "config.yaml").write_text(
        f"me: [{fake_google.email}]\nprovider: google\ntimezone: America/Chicago\n"
        f"google: {{endpoint: '{fake_google.base_url}'}}\n"
    )
    args = ["--config", str(tmp_path / "config.yaml"), "--home", str(tmp_path / "home")]
    code, out, err = nurture(capsys, *args, "cycle")
    assert code == 0, err
    assert "Nurture blocks: 5 placed" in out
    assert len(fake_google.events(cancelled=False)) == 5
