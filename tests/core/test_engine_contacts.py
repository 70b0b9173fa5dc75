"""Per-person status: last touch, touches per period, replies owed, out-of-office holds."""

from __future__ import annotations

from datetime import date, timedelta

from agent.core.accounts.contacts import name_from_email, next_business_day
from agent.core.accounts.status import StageChange
from agent.model import Stage
from tests.kits.engine_kit import TODAY, account, away, config, person, state, touch

ANA = "ana@acme.com"
BO = "bo@acme.com"


def test_listed_people_come_first_and_unlisted_ones_are_found_in_touches() -> None:
    cfg = config(account(contacts=[person(BO, "Bo Berg", "CFO")]))
    result = state(cfg, [touch(ANA, 3)])
    assert [c.email for c in result.contacts] == [BO, ANA]
    assert result.contacts[0].known
    assert not result.contacts[1].known
    assert result.contacts[1].name == ANA, "a one-word local part is not a name"
    assert not result.contacts[1].has_name and result.contacts[0].has_name
    assert result.contacts[0].label == "Bo Berg (CFO)"


def test_last_touch_and_touches_per_period() -> None:
    rows = [touch(ANA, 200), touch(ANA, 60), touch(ANA, 20), touch(ANA, 2)]
    ana = state(config(), rows).contacts[0]
    assert ana.last_touch == rows[-1]
    assert ana.days_since_touch == 2
    assert ana.touches == 4
    assert ana.recent_touches == 3  # 90-day window
    assert dict(ana.touches_by_period) == {7: 1, 30: 2, 90: 3, 365: 4}


def test_person_is_due_by_the_account_cadence() -> None:
    cfg = config()  # dream: 14 days
    result = state(cfg, [touch(ANA, 20), touch(BO, 5)])
    due = {c.email: c.due for c in result.contacts}
    assert due == {ANA: True, BO: False}


def test_unanswered_recent_inbound_mail_is_a_reply_owed() -> None:
    message = touch(ANA, 2, inbound=True, subject="Question")
    ana = state(config(), [touch(ANA, 5), message]).contacts[0]
    assert ana.reply_owed == message


def test_our_answer_or_a_meeting_after_it_settles_the_reply() -> None:
    asked = touch(ANA, 4, inbound=True)
    assert state(config(), [asked, touch(ANA, 3)]).contacts[0].reply_owed is None
    met = touch(ANA, 1, meeting=True, inbound=True)  # even a meeting they organised
    assert state(config(), [asked, met]).contacts[0].reply_owed is None


def test_an_old_unanswered_message_is_history_not_a_debt() -> None:
    cfg = config(holds={"reply_window_days": 30})
    assert state(cfg, [touch(ANA, 45, inbound=True)]).contacts[0].reply_owed is None
    assert state(cfg, [touch(ANA, 25, inbound=True)]).contacts[0].reply_owed is not None


def test_out_of_office_holds_until_the_business_day_after_the_return() -> None:
    friday = TODAY  # 2026-11-20 is a Friday
    assert friday.weekday() == 4
    result = state(config(), [touch(ANA, 3)], [away(ANA, 2, until=friday)])
    assert result.contacts[0].held_until == date(2026, 11, 23)  # Monday


def test_out_of_office_hold_ends_once_the_day_after_return_has_come() -> None:
    yesterday = TODAY - timedelta(days=1)  # back Thursday: free from Friday (today)
    result = state(config(), [touch(ANA, 3)], [away(ANA, 2, until=yesterday)])
    assert result.contacts[0].held_until is None


def test_out_of_office_without_a_date_holds_for_the_configured_days() -> None:
    cfg = config(holds={"out_of_office_days": 7})
    held = state(cfg, [touch(ANA, 3)], [away(ANA, 2, until=None)]).contacts[0]
    assert held.held_until == next_business_day(TODAY + timedelta(days=5), frozenset(range(5)))


def test_mail_from_them_after_the_auto_reply_means_they_are_back() -> None:
    later = touch(ANA, 1, inbound=True)
    result = state(config(), [touch(ANA, 3), later], [away(ANA, 2, until=TODAY + timedelta(9))])
    assert result.contacts[0].held_until is None


def test_next_business_day_skips_the_weekend() -> None:
    workdays = frozenset(range(5))
    assert next_business_day(date(2026, 11, 20), workdays) == date(2026, 11, 23)
    assert next_business_day(date(2026, 11, 18), workdays) == date(2026, 11, 19)


def test_roles_not_reached_in_the_window_are_listed() -> None:
    cfg = config(
        account(contacts=[person(ANA, role="COO"), person(BO, role="CFO"), person("c@acme.com")])
    )
    result = state(cfg, [touch(ANA, 10), touch(BO, 200)])
    assert result.roles_missing == ("CFO",)


def test_days_in_stage_comes_from_the_recorded_stage_change() -> None:
    cfg = config()
    result = state(cfg, stage=StageChange(Stage.LOST, TODAY - timedelta(days=40)))
    assert result.days_in_stage == 40
    assert state(cfg).days_in_stage is None


def test_names_are_made_readable_from_addresses() -> None:
    assert name_from_email("omar.haddad@x.org") == "Omar Haddad"
    assert name_from_email("anne_doe-smith@x.org") == "Anne Doe-Smith"
    for unclear in ("j_doe-smith@x.org", "mjones7@txu.com", "hherzog@x.com", "jsmith@x.com"):
        assert name_from_email(unclear) == unclear
