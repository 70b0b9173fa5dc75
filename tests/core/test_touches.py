"""Observations → touches: direction, weight, noise, participants, dedupe."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.config.schema import Config
from agent.core.touches import WEIGHT_EXCHANGE, WEIGHT_MEETING, WEIGHT_ONE_WAY, detect
from agent.model import (
    Address,
    Attendee,
    Channel,
    Direction,
    MailKind,
    MailMessage,
    Meeting,
    Response,
)
from tests.conftest import NOW, make_config

REP = Address("rep@seller.com", "Rep")
ANA = Address("ana@acme.com", "Ana")
BO = Address("bo@eu.acme.com", "Bo")
COLLEAGUE = Address("sam@seller.com", "Sam")


def mail(uid: str, sender: Address, *to: Address, days_ago: float = 1, **kw: object) -> MailMessage:
    fields: dict = {"thread": uid, **kw}
    return MailMessage(uid, NOW - timedelta(days=days_ago), sender, tuple(to), **fields)


def meeting(uid: str, *attendees: Attendee, days_ago: float = 1, **kw: object) -> Meeting:
    start = NOW - timedelta(days=days_ago)
    fields: dict = {"organizer": "rep@seller.com", **kw}
    return Meeting(uid, start, start + timedelta(hours=1), "Call", attendees=attendees, **fields)


def touches(config: Config, messages=(), meetings=(), now: datetime = NOW):
    return detect(config, list(messages), list(meetings), now).touches


def test_outbound_and_inbound_email(config: Config) -> None:
    found = touches(config, [mail("m1", REP, ANA), mail("m2", ANA, REP, thread="other")])
    assert [(t.source, t.contact, t.direction) for t in found] == [
        ("m1", "ana@acme.com", Direction.OUTBOUND),
        ("m2", "ana@acme.com", Direction.INBOUND),
    ]
    assert all(t.account == "Acme" and t.channel is Channel.EMAIL for t in found)


def test_subdomain_matches_parent_account(config: Config) -> None:
    [touch] = touches(config, [mail("m1", REP, BO)])
    assert (touch.account, touch.contact) == ("Acme", "bo@eu.acme.com")


def test_a_lookalike_domain_does_not_match(config: Config) -> None:
    assert touches(config, [mail("m1", REP, Address("x@notacme.com"))]) == ()


def test_two_way_thread_weighs_more_than_one_way(config: Config) -> None:
    found = touches(
        config,
        [mail("q", REP, ANA, thread="t"), mail("a", ANA, REP, thread="t"), mail("x", REP, BO)],
    )
    weights = {t.source: t.weight for t in found}
    assert weights == {"q": WEIGHT_EXCHANGE, "a": WEIGHT_EXCHANGE, "x": WEIGHT_ONE_WAY}


def test_noise_is_not_a_touch(config: Config) -> None:
    noisy = [
        mail(f"n-{kind}", ANA, REP, kind=kind)
        for kind in (MailKind.BULK, MailKind.BOUNCE, MailKind.AUTO_REPLY)
    ]
    assert touches(config, noisy) == ()


def test_out_of_office_is_a_signal_with_return_date(config: Config) -> None:
    back = (NOW + timedelta(days=5)).date()
    result = detect(
        config, [mail("ooo", ANA, REP, kind=MailKind.AUTO_REPLY, return_date=back)], [], NOW
    )
    assert result.touches == ()
    [signal] = result.signals
    assert (signal.kind, signal.contact, signal.until) == ("out_of_office", "ana@acme.com", back)


def test_colleague_mail_is_not_a_touch_even_with_a_contact_copied(config: Config) -> None:
    assert touches(config, [mail("c", COLLEAGUE, ANA, REP)]) == ()


def test_colleagues_are_never_contacts_even_at_an_account_domain() -> None:
    config = make_config(internal_domains=["seller.com", "acme.com"])
    assert touches(config, [mail("m", REP, ANA)]) == ()


def test_too_many_participants_is_a_broadcast() -> None:
    config = make_config(max_participants=3)
    crowd = [Address(f"p{n}@acme.com") for n in range(3)]
    assert touches(config, [mail("big", REP, *crowd)]) == ()
    assert len(touches(config, [mail("ok", REP, *crowd[:2])])) == 2


def test_each_message_counts_once_per_contact(config: Config) -> None:
    message = mail("m1", REP, ANA, ANA)
    assert len(touches(config, [message, message])) == 1


def test_held_meeting_is_the_heaviest_touch(config: Config) -> None:
    found = touches(
        config,
        meetings=[
            meeting(
                "e1",
                Attendee("ana@acme.com", response=Response.ACCEPTED),
                Attendee("rep@seller.com", response=Response.ACCEPTED),
            )
        ],
    )
    [touch] = found
    assert (touch.channel, touch.weight, touch.direction) == (
        Channel.MEETING,
        WEIGHT_MEETING,
        Direction.OUTBOUND,
    )


def test_meetings_that_do_not_count(config: Config) -> None:
    ana = Attendee("ana@acme.com", response=Response.ACCEPTED)
    declined = Attendee("ana@acme.com", response=Response.DECLINED)
    rep_declined = Attendee("rep@seller.com", response=Response.DECLINED)
    not_counted = [
        meeting("future", ana, days_ago=-1),
        meeting("cancelled", ana, cancelled=True),
        meeting("declined", declined),
        meeting("rep-declined", ana, rep_declined, organizer="ana@acme.com"),
        meeting("all-day", ana, all_day=True),
        meeting("block", ana, own_block=True),
        meeting("not-mine", ana, organizer="sam@seller.com"),
    ]
    assert touches(config, meetings=not_counted) == ()


def test_meeting_organised_by_the_contact_is_inbound(config: Config) -> None:
    rep = Attendee("rep@seller.com", response=Response.ACCEPTED)
    [touch] = touches(config, meetings=[meeting("e", rep, organizer="ana@acme.com")])
    assert (touch.contact, touch.direction) == ("ana@acme.com", Direction.INBOUND)
