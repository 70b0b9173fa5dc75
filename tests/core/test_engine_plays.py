"""Each play, and the play table that decides when it may be chosen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agent.core.accounts.status import StageChange
from agent.core.plays.registry import rule
from agent.model import PlayId, Stage
from tests.kits.engine_kit import (
    TODAY,
    account,
    away,
    config,
    drafts,
    lost_since,
    past,
    person,
    plan,
    plays_by_contact,
    touch,
)

ANA = "ana@acme.com"
BO = "bo@acme.com"
PAPER = {"title": "Paper", "url": "https://x.com/paper", "tags": ["ops"]}
NOTE = {"title": "Note", "url": "https://x.com/note", "tags": ["ops"]}
INTRO = {"name": "jo", "who": "Jo Reyes", "why": "did it before", "tags": ["ops"]}
TOUR = {"name": "tour", "kind": "tour", "title": "the plant tour", "tags": ["ops"]}
OPS = account(tags=["ops"], contacts=[person(ANA, "Ana Diaz", "COO")])


def cfg(acc: dict[str, Any] = OPS, **overrides: Any):
    return config(acc, coverage_target=1, **overrides)


# --- one test per play -----------------------------------------------------------------


def test_share_content_sends_a_matching_item_to_someone_who_knows_us() -> None:
    (action,) = drafts(plan(cfg(content=[PAPER]), [touch(ANA, 20)]))
    assert action.play is PlayId.SHARE_CONTENT
    assert action.contact == ANA
    assert action.offer is not None
    assert action.offer.url == PAPER["url"]
    assert "Paper" in action.reason


def test_share_content_never_sends_the_same_item_twice_to_a_person() -> None:
    before = [past(ANA, PlayId.SHARE_CONTENT, 30, status="sent", url=PAPER["url"])]
    (action,) = drafts(plan(cfg(content=[PAPER, NOTE]), [touch(ANA, 20)], drafts=before))
    assert action.offer is not None
    assert action.offer.title == "Note"


def test_share_content_counts_links_in_our_sent_mail_as_shared() -> None:
    sent = touch(ANA, 20, snippet=f"Thought of you: {PAPER['url']}")
    assert not drafts(plan(cfg(content=[PAPER]), [sent]))


def test_share_content_needs_something_that_fits_the_account() -> None:
    other = {**PAPER, "tags": ["banking"]}
    assert not drafts(plan(cfg(content=[other]), [touch(ANA, 20)]))


def test_introduction_offers_a_matching_person_once() -> None:
    (action,) = drafts(plan(cfg(introductions=[INTRO]), [touch(ANA, 20)]))
    assert action.play is PlayId.INTRODUCTION
    assert action.offer is not None
    assert action.offer.key == "introduction:jo"
    assert "Jo Reyes" in action.reason
    before = [past(ANA, PlayId.INTRODUCTION, 90, status="sent", url="introduction:jo")]
    assert not drafts(plan(cfg(introductions=[INTRO]), [touch(ANA, 20)], drafts=before))


def test_invitation_invites_to_an_upcoming_event() -> None:
    event = {**TOUR, "when": str(TODAY + timedelta(days=10))}
    (action,) = drafts(plan(cfg(invitations=[event]), [touch(ANA, 20)]))
    assert action.play is PlayId.INVITATION
    assert action.offer is not None
    assert action.offer.when == TODAY + timedelta(days=10)
    gone = {**TOUR, "when": str(TODAY - timedelta(days=1))}
    assert not drafts(plan(cfg(invitations=[gone]), [touch(ANA, 20)]))


def test_reengage_lost_keeps_a_slower_rhythm_with_something_useful() -> None:
    lost = {"Acme": lost_since(100)}
    (action,) = drafts(plan(cfg(content=[PAPER]), [touch(ANA, 50)], stages=lost))
    assert action.play is PlayId.REENGAGE_LOST
    assert action.offer is not None
    assert "every 45 days" in action.reason
    # 20 days would be overdue for a cold dream client (14), not for a lost one (45).
    assert not drafts(plan(cfg(content=[PAPER]), [touch(ANA, 20)], stages=lost))


def test_reengage_lost_replaces_value_plays_on_lost_accounts() -> None:
    lost = {"Acme": lost_since(100)}
    result = plan(cfg(content=[PAPER], introductions=[INTRO]), [touch(ANA, 50)], stages=lost)
    assert plays_by_contact(result) == {ANA: PlayId.REENGAGE_LOST}


def test_stalled_closure_asks_the_main_person_an_honest_question() -> None:
    stalled = account(stage="stalled", stage_since=str(TODAY - timedelta(days=40)))
    rows = [touch(BO, 60), touch(ANA, 50), touch(ANA, 30), touch(ANA, 20)]
    (action,) = drafts(plan(cfg(stalled), rows))
    assert action.play is PlayId.STALLED_CLOSURE
    assert action.contact == ANA  # the most touched person
    assert "stalled for 40 days" in action.reason
    assert action.subject_hint == "Is this still the right time?"


def test_do_over_follows_a_recent_meeting_with_the_needs_as_the_ask() -> None:
    hot = account(stage="hot", needs=["the budget owner", "their current costs"])
    (action,) = drafts(plan(cfg(hot), [touch(ANA, 2, meeting=True, subject="Pilot review")]))
    assert action.play is PlayId.DO_OVER
    assert action.asks == ("the budget owner", "their current costs")
    assert action.meeting == "Pilot review"
    assert "the budget owner" in action.reason


def test_do_over_needs_needs_a_fresh_meeting_and_silence_since() -> None:
    hot = account(stage="hot", needs=["the budget owner"])
    meeting = touch(ANA, 2, meeting=True)
    assert not drafts(plan(cfg(account(stage="hot")), [meeting]))  # no needs
    assert not drafts(plan(cfg(hot), [touch(ANA, 5, meeting=True)]))  # too long ago
    assert not drafts(plan(cfg(hot), [meeting, touch(ANA, 1)]))  # we followed up
    done = [past(ANA, PlayId.DO_OVER, 1, status="expired")]  # one ask per meeting
    assert not drafts(plan(cfg(hot), [meeting], drafts=done))


def test_new_contact_reaches_a_listed_person_nobody_has_reached() -> None:
    acc = account(contacts=[person(ANA), person(BO, "Bo Berg", "CFO")])
    result = plan(config(acc, coverage_target=2), [touch(ANA, 20)])
    assert plays_by_contact(result) == {BO: PlayId.NEW_CONTACT}
    (action,) = drafts(result)
    assert "Bo Berg (CFO)" in action.reason
    assert "never been reached" in action.reason


def test_new_contact_never_goes_to_someone_the_rep_has_reached() -> None:
    # Bo was written to long ago: "we haven't met" would be untrue; no new_contact for him.
    acc = account(contacts=[person(ANA), person(BO, "Bo Berg", "CFO")])
    result = plan(config(acc, coverage_target=2), [touch(ANA, 20), touch(BO, 200)])
    assert PlayId.NEW_CONTACT not in plays_by_contact(result).values()
    assert all(a.contact != BO or a.play != PlayId.NEW_CONTACT for a in drafts(result))


def test_new_contact_waits_when_coverage_is_on_target() -> None:
    acc = account(contacts=[person(ANA), person(BO)])
    assert not drafts(plan(config(acc, coverage_target=1), [touch(ANA, 20)]))


# --- the table -------------------------------------------------------------------------


def test_a_disabled_play_is_never_chosen() -> None:
    off = cfg(content=[PAPER], plays={"share_content": {"enabled": False}})
    assert not drafts(plan(off, [touch(ANA, 20)]))


def test_stages_and_tiers_in_the_table_limit_a_play() -> None:
    hot_only = cfg(content=[PAPER], plays={"share_content": {"stages": ["hot"]}})
    others = cfg(content=[PAPER], plays={"share_content": {"tiers": ["other"]}})
    assert not drafts(plan(hot_only, [touch(ANA, 20)]))
    assert not drafts(plan(others, [touch(ANA, 20)]))


def test_priority_decides_which_play_a_person_gets() -> None:
    default = cfg(content=[PAPER], introductions=[INTRO])
    assert plays_by_contact(plan(default, [touch(ANA, 20)])) == {ANA: PlayId.INTRODUCTION}
    content_first = cfg(
        content=[PAPER], introductions=[INTRO], plays={"share_content": {"priority": 5}}
    )
    assert plays_by_contact(plan(content_first, [touch(ANA, 20)])) == {ANA: PlayId.SHARE_CONTENT}


def test_a_partly_configured_play_keeps_its_own_defaults() -> None:
    partly = rule(config(plays={"stalled_closure": {"cooldown_days": 5}}), PlayId.STALLED_CLOSURE)
    assert (partly.cooldown_days, partly.priority, partly.stages) == (5, 20, (Stage.STALLED,))


def test_one_play_per_person_and_each_play_once_per_account() -> None:
    acc = {**OPS, "contacts": [person(ANA), person(BO)]}
    result = plan(
        config(acc, coverage_target=1, content=[PAPER, NOTE]),
        [
            touch(ANA, 20),
            touch(BO, 25),
        ],
    )
    assert len(drafts(result)) == 1  # share_content once, although both could get it


def test_cooldown_rests_a_play_for_that_person() -> None:
    stalled = account(stage="stalled")
    recent = [past(ANA, PlayId.STALLED_CLOSURE, 10, status="sent")]
    older = [past(ANA, PlayId.STALLED_CLOSURE, 40, status="sent")]
    assert not drafts(plan(cfg(stalled), [touch(ANA, 20)], drafts=recent))
    assert drafts(plan(cfg(stalled), [touch(ANA, 20)], drafts=older))


def test_a_rejected_draft_rests_that_person_from_every_play() -> None:
    rejected = [past(ANA, PlayId.SHARE_CONTENT, 20, status="rejected", url=NOTE["url"])]
    assert not drafts(plan(cfg(content=[PAPER]), [touch(ANA, 21)], drafts=rejected))
    # An introduction would be offered to her otherwise: the no was about her, not the play.
    other = [past(ANA, PlayId.INVITATION, 20, status="rejected", url="invitation:x")]
    assert drafts(plan(cfg(introductions=[INTRO]), [touch(ANA, 21)]))
    assert not drafts(plan(cfg(introductions=[INTRO]), [touch(ANA, 21)], drafts=other))
    long_ago = [past(ANA, PlayId.SHARE_CONTENT, 90, status="rejected", url=NOTE["url"])]
    assert drafts(plan(cfg(content=[PAPER]), [touch(ANA, 91)], drafts=long_ago))


def test_a_waiting_draft_blocks_a_second_one_for_that_person() -> None:
    waiting = [past(ANA, PlayId.INTRODUCTION, 20, status="pending", url="introduction:x")]
    assert not drafts(plan(cfg(content=[PAPER]), [touch(ANA, 21)], drafts=waiting))
    expired = [past(ANA, PlayId.INTRODUCTION, 20, status="expired", url="introduction:x")]
    assert drafts(plan(cfg(content=[PAPER]), [touch(ANA, 21)], drafts=expired))


def test_no_play_for_someone_owed_a_reply_or_away() -> None:
    owed = [touch(ANA, 20), touch(ANA, 15, inbound=True)]
    assert not drafts(plan(cfg(content=[PAPER]), owed))
    held = plan(
        cfg(content=[PAPER]), [touch(ANA, 20)], signals=[away(ANA, 1, TODAY + timedelta(3))]
    )
    assert not drafts(held)


def test_plays_that_follow_the_cadence_wait_for_a_due_account() -> None:
    assert not drafts(plan(cfg(content=[PAPER]), [touch(ANA, 10)]))  # dream: 14 days
    # Ana has not heard from us in 60 days, but the account was touched (via Bo) last week.
    assert not drafts(plan(cfg(content=[PAPER]), [touch(ANA, 60), touch(BO, 5)]))


def test_stage_override_from_the_store_picks_the_plays() -> None:
    stalled = {"Acme": StageChange(Stage.STALLED, TODAY - timedelta(days=40))}
    result = plan(cfg(content=[PAPER]), [touch(ANA, 20)], stages=stalled)
    assert plays_by_contact(result) == {ANA: PlayId.STALLED_CLOSURE}
