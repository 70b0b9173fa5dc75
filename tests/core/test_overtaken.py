"""Waiting drafts that events overtook (issue 16, item 3): the contact wrote in, went out of
office, or the account's stage changed. Untouched: withdrawn. Edited: kept, flagged stale."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from agent.core.overtaken import StageNow, overtaken
from agent.model import DraftRef, Signal
from agent.model.tables import DraftRecord
from tests.conftest import NOW
from tests.kits.engine_kit import touch

ANA = "ana@acme.com"
DAY = timedelta(days=1)
BERLIN = ZoneInfo("Europe/Berlin")
LIVE = [DraftRef("r1", "m1")]  # the draft as nurture wrote it
EDITED = [DraftRef("r1", "m2")]  # the rep changed it: a new message in the same draft


def record(**fields: object) -> DraftRecord:
    base = {
        "key": "k1",
        "account": "Acme",
        "contact": ANA,
        "contact_name": "Ana Ruiz",
        "status": "created",
        "created_at": (NOW - 2 * DAY).isoformat(),
        "provider_id": "r1",
        "message_id": "m1",
        "stage": "cold",
    }
    return DraftRecord(**{**base, **fields})  # type: ignore[typeddict-item]


def judge(rec: DraftRecord, *, touches=(), signals=(), stages=None, live=LIVE) -> list:
    return overtaken(
        {"k1": rec},
        touches=touches,
        signals=signals,
        stages=stages or {"Acme": StageNow("cold")},
        live=live,
        now=NOW,
        tz=BERLIN,
    )


def test_a_draft_nothing_overtook_stays() -> None:
    before = touch(ANA, 3, inbound=True)  # written before the draft: the plan knew it
    mine = touch(ANA, 1)  # the rep's own message is no reason
    assert judge(record(), touches=[before, mine]) == []


def test_the_contact_writing_in_withdraws_the_draft() -> None:
    wrote = touch(ANA, 1, inbound=True, source="q9")
    [change] = judge(record(), touches=[wrote])
    assert change.status == "withdrawn" and change.delete == "r1"
    day = f"{(NOW - DAY).astimezone(BERLIN):%a %d %b}"
    assert change.fields == {
        "removed": True,
        "stale": f"Ana Ruiz wrote on {day}: answer that first",
    }
    # A reply draft is the answer to the message it answers.
    assert judge(record(reply_to="q9"), touches=[wrote]) == []
    # Someone else at the account writing is not her writing.
    assert judge(record(), touches=[touch("bo@acme.com", 1, inbound=True)]) == []


def test_an_out_of_office_withdraws_the_draft() -> None:
    away = Signal("out_of_office", "Acme", ANA, NOW - DAY, until=date(2026, 12, 1))
    [change] = judge(record(), signals=[away])
    assert change.status == "withdrawn"
    assert change.fields["stale"].startswith("Ana Ruiz is out of office until Tue 01 Dec")
    earlier = Signal("out_of_office", "Acme", ANA, NOW - 5 * DAY)
    assert judge(record(), signals=[earlier]) == []  # the plan already held her then


def test_a_stage_change_withdraws_the_draft() -> None:
    [change] = judge(record(), stages={"Acme": StageNow("lost", NOW.date())})
    assert change.fields["stale"] == "Acme is lost now"
    assert judge(record(), stages={"Acme": StageNow("cold", NOW.date())}) == []
    # A record from before drafts kept their stage: a stage set by hand since then counts.
    old = record(stage="")
    assert judge(old, stages={"Acme": StageNow("won", NOW.date())})[0].status == "withdrawn"
    assert judge(old, stages={"Acme": StageNow("won", (NOW - 9 * DAY).date())}) == []


def test_an_edited_draft_stays_flagged_stale_once() -> None:
    wrote = touch(ANA, 1, inbound=True)
    [change] = judge(record(), touches=[wrote], live=EDITED)
    assert change.status == "created" and change.delete == ""
    assert change.fields["edited"] is True and "answer that first" in change.fields["stale"]
    flagged = record(edited=True, stale=change.fields["stale"])
    assert judge(flagged, touches=[wrote], live=EDITED) == []  # said once
    assert judge(record(), touches=[wrote], live=[]) == []  # gone: outcomes say sent/deleted
