"""Which conversation a play belongs in (issue 13): the thread it should be a reply in."""

from __future__ import annotations

from datetime import timedelta

from agent.core.plays.threads import about_meeting, conversation, last_message, topic
from agent.model import PlayId, ThreadRef
from tests.kits.engine_kit import NOW, TODAY, account, config, drafts, person, plan, touch

ANA = "ana@acme.com"
BO = "bo@acme.com"


def cfg(acc):
    return config(acc, coverage_target=1)


def test_topic_leaves_out_reply_forward_and_invitation_prefixes() -> None:
    assert topic("RE: Fwd:  Pilot   pricing") == "pilot pricing"
    assert topic("Invitation: Pilot review @ Thu") == "pilot review @ thu"
    assert topic("AW: Sv[2]: Hallo") == "hallo"


def test_stalled_closure_is_a_reply_in_the_latest_conversation_with_that_person() -> None:
    stalled = account(
        stage="stalled",
        stage_since=str(TODAY - timedelta(days=40)),
        contacts=[person(ANA, "Ana Diaz")],
    )
    rows = [
        touch(ANA, 50, thread="t-old", subject="Intro", source="m1"),
        touch(ANA, 30, thread="t-deal", subject="Pilot pricing", source="m2"),
        touch(ANA, 29, inbound=True, thread="t-deal", subject="Re: Pilot pricing", source="m3"),
        touch(BO, 21, thread="t-deal", subject="Re: Pilot pricing", source="m4"),  # a colleague
        touch(ANA, 20, meeting=True, subject="Call"),
    ]
    (action,) = drafts(plan(cfg(stalled), rows))
    assert action.play is PlayId.STALLED_CLOSURE and action.contact == ANA
    newest = NOW - timedelta(days=21)
    assert action.reply_to == ThreadRef("m4", "t-deal", "Re: Pilot pricing", newest)
    assert action.last_message == ThreadRef("m4", "t-deal", "Re: Pilot pricing", newest)


def test_without_an_email_thread_a_play_starts_a_new_email() -> None:
    stalled = account(stage="stalled", stage_since=str(TODAY - timedelta(days=40)))
    (action,) = drafts(plan(cfg(stalled), [touch(ANA, 30, meeting=True), touch(ANA, 25)]))
    assert action.play is PlayId.STALLED_CLOSURE
    assert action.reply_to is None and action.last_message is None


def test_do_over_replies_in_the_thread_about_the_meeting() -> None:
    hot = account(stage="hot", needs=["the budget owner"])
    meeting = touch(ANA, 2, meeting=True, subject="Pilot review", source="cal-1")
    rows = [
        touch(ANA, 9, thread="t-review", subject="Agenda for the pilot review", source="m1"),
        touch(ANA, 4, inbound=True, thread="t-other", subject="Invoice", source="m2"),
        touch(ANA, 3, thread="t-other", subject="Re: Invoice", source="m3"),
        meeting,
    ]
    (action,) = drafts(plan(cfg(hot), rows))
    assert action.play is PlayId.DO_OVER
    assert action.reply_to is not None and action.reply_to.thread == "t-review"
    assert action.last_message is not None and action.last_message.message == "m3"


def test_about_a_meeting_without_its_title_the_latest_thread_before_it() -> None:
    meeting = touch(ANA, 2, meeting=True, subject="Quarterly", source="cal-1")
    rows = [
        touch(ANA, 40, thread="t-ancient", subject="Quarterly", source="m0"),  # too early
        touch(ANA, 6, thread="t-a", subject="Times?", source="m1"),
        touch(ANA, 5, inbound=True, thread="t-b", subject="Thursday works", source="m2"),
    ]
    found = about_meeting(rows, ANA, meeting)
    assert found is not None and found.thread == "t-b"
    assert about_meeting(rows[:1], ANA, meeting) is None
    assert conversation(rows, BO) is None and last_message(rows, BO) is None
