"""The buying committee: people at an account whom its contacts copy or bring to meetings,
whom the rep never wrote to directly, ranked, each with a bridge and a new_contact play."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.config.schema import Config, load_config
from agent.core.accounts.state import AccountState, account_states
from agent.core.committee import committee, sightings
from agent.core.drafts import compose
from agent.core.history import History
from agent.core.planner import make_plan
from agent.core.touches import AccountIndex, candidates
from agent.demo.script import HIDDEN_CONTACTS, STAKEHOLDERS
from agent.demo.workspace import write_demo
from agent.model import (
    Action,
    ActionKind,
    Address,
    Attendee,
    MailMessage,
    Meeting,
    PlayId,
    Response,
)
from agent.providers.local.calendar import load_meetings
from agent.providers.local.mail import read_mail
from tests.conftest import NOW

ME = "rep@vendor.com"
T0 = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)


def _config(tmp_path: Path, contacts: str = "") -> Config:
    (tmp_path / "config.yaml").write_text(
        f"me: [{ME}]\ntimezone: UTC\naccounts:\n"
        "  - name: Acme\n    domains: [acme.com]\n    tier: dream\n    stage: cold\n"
        f"    contacts:\n      - {{email: kim@acme.com, name: Kim Lee}}\n{contacts}"
    )
    return load_config(tmp_path / "config.yaml")


def _mail(
    n: int, sender: str, to: list[str], cc: list[str] = (), subject: str = "Plan"
) -> MailMessage:  # type: ignore[assignment]
    return MailMessage(
        uid=f"m{n}",
        sent_at=T0 + timedelta(days=n),
        sender=Address(sender, "Kim Lee" if sender == "kim@acme.com" else ""),
        to=tuple(Address(a) for a in to),
        cc=tuple(Address(a, "Jo Diaz" if a.startswith("jo@") else "") for a in cc),
        subject=subject,
        thread=subject,
    )


def _states(
    config: Config, messages: list[MailMessage], meetings: list[Meeting] = ()
) -> list[AccountState]:  # type: ignore[assignment]
    found = candidates(config, messages, meetings).at(NOW)
    return account_states(config, found.touches, found.signals, NOW)


def test_a_colleague_the_contact_copies_is_found_with_the_bridge_and_thread(tmp_path) -> None:
    config = _config(tmp_path)
    messages = [
        _mail(1, ME, ["kim@acme.com"]),
        _mail(2, "kim@acme.com", [ME], ["jo@acme.com"], "Re: Rollout budget"),
        _mail(3, "kim@acme.com", [ME], ["jo@acme.com", "sam@acme.com"], "Re: Rollout budget"),
    ]
    (state,) = _states(config, messages)
    assert [m.email for m in state.committee] == ["jo@acme.com", "sam@acme.com"]
    jo = state.committee[0]
    assert (jo.bridges, jo.bridge_name, jo.thread, jo.sightings) == (
        ("kim@acme.com",),
        "Kim Lee",
        "Rollout budget",
        2,
    )
    reason = jo.reason("Acme")
    assert "Kim Lee" in reason and "\u201cRollout budget\u201d" in reason and "Jo Diaz" in reason


def test_someone_the_rep_wrote_to_directly_is_not_on_the_committee(tmp_path) -> None:
    config = _config(tmp_path)
    messages = [
        _mail(2, "kim@acme.com", [ME], ["jo@acme.com"]),
        _mail(4, ME, ["jo@acme.com"]),
    ]
    (state,) = _states(config, messages)
    assert state.committee == ()
    # ... but before that mail was written, Jo was on it.
    found = candidates(config, messages, []).at(T0 + timedelta(days=3))
    (early,) = account_states(config, found.touches, found.signals, T0 + timedelta(days=3))
    assert [m.email for m in early.committee] == ["jo@acme.com"]


def test_a_meeting_with_a_contact_counts_and_a_stranger_is_no_bridge(tmp_path) -> None:
    config = _config(tmp_path)
    meeting = _with_kim_and_pat("w1", T0, "Workshop")
    # a colleague of the rep's copies someone there: no contact brought them in
    messages = [_mail(5, "sam@vendor.com", [ME], ["max@acme.com"])]
    (state,) = _states(config, messages, [meeting])
    emails = [m.email for m in state.committee]
    assert emails[0] == "pat@acme.com" and state.committee[0].invited
    assert "max@acme.com" not in emails


def _with_kim_and_pat(uid: str, start: datetime, title: str) -> Meeting:
    """The rep's meeting with Kim (listed) and Pat (at Acme, never written to)."""
    people = (_attendee("kim@acme.com"), _attendee("pat@acme.com"))
    end = start + timedelta(hours=1)
    return Meeting(uid=uid, start=start, end=end, title=title, organizer=ME, attendees=people)


def _attendee(email: str) -> Attendee:
    return Attendee(email, response=Response.ACCEPTED)


def test_a_mass_mailing_and_the_never_list_are_left_out(tmp_path) -> None:
    config = _config(tmp_path)
    crowd = [f"p{n}@acme.com" for n in range(40)]
    messages = [_mail(2, "kim@acme.com", [ME], crowd)]
    (state,) = _states(config, messages)
    assert state.committee == ()
    index = AccountIndex(config.accounts, config.me, ())
    assert (
        sightings(lambda e: "Acme" if index.account_of(e) else None, index.is_me, messages, [], 10)
        == []
    )
    signals = sightings(
        lambda e: "Acme", index.is_me, [_mail(2, "kim@acme.com", [ME], ["jo@acme.com"])], [], 10
    )
    assert committee(signals, (), (), NOW, listed={"kim@acme.com"}, never=lambda e: True) == ()


def test_the_new_contact_play_goes_to_the_committee_naming_bridge_and_thread(tmp_path) -> None:
    config = _config(tmp_path)
    messages = [
        _mail(1, "kim@acme.com", [ME], ["jo@acme.com"], "Rollout budget"),
        _mail(2, ME, ["kim@acme.com"], [], "Re: Rollout budget"),
    ]
    found = candidates(config, messages, []).at(NOW)
    plan = make_plan(config, found.touches, found.signals, NOW, history=History())
    play = next(a for a in plan.actions if a.kind is ActionKind.DRAFT)
    assert (play.play, play.contact) == (PlayId.NEW_CONTACT, "jo@acme.com")
    assert "Kim Lee" in play.reason and "Rollout budget" in play.reason


def _demo_states(tmp_path: Path, hide: tuple[str, ...]) -> list[AccountState]:
    write_demo(tmp_path, NOW)
    config = load_config(tmp_path / "config.yaml")
    accounts = [
        a.model_copy(update={"contacts": [c for c in a.contacts if c.email not in hide]})
        for a in config.accounts
    ]
    config = config.model_copy(update={"accounts": accounts})
    messages = [m for _, m in read_mail(tmp_path / "mail.mbox")]
    meetings = load_meetings(
        tmp_path / "calendar.ics",
        start=NOW - timedelta(days=400),
        end=NOW + timedelta(days=30),
        tz=config.tz,
    )
    found = candidates(config, messages, meetings).at(NOW)
    return account_states(config, found.touches, found.signals, NOW)


def test_on_the_demo_with_stakeholders_hidden_recall_and_precision_at_3(tmp_path, capsys) -> None:
    states = _demo_states(tmp_path, HIDDEN_CONTACTS)
    relevant = sum(len(people) for people in STAKEHOLDERS.values())
    found = returned = 0
    for state in states:
        top = [m.email for m in state.committee[:3]]
        truth = STAKEHOLDERS.get(state.name, frozenset())
        found += len(truth & set(top))
        returned += len(top)
        assert all(m.bridges and m.thread for m in state.committee[:3]), state.name
    recall, precision = found / relevant, found / returned
    with capsys.disabled():
        print(
            f"\ncommittee on the demo, stakeholders hidden: recall@3 {recall:.2f} "
            f"({found}/{relevant}), precision@3 {precision:.2f} ({found}/{returned})"
        )
    # What this test gets today: recall@3 1.00 (8/8), precision@3 0.89 (8/9).
    assert recall >= 0.8 and precision >= 0.6
    assert (found, relevant, returned) == (8, 8, 9)


def test_the_demo_plan_writes_to_a_committee_member_through_the_bridge(tmp_path) -> None:
    states = _demo_states(tmp_path, ())
    summit = next(s for s in states if s.name == "Summit Foods")
    assert summit.committee[0].email == "luis.romero@summitfoods.com"
    config = load_config(tmp_path / "config.yaml")
    plan = make_plan(config, [t for s in states for t in s.touches], [], NOW, states=states)
    plays: list[Action] = [a for a in plan.actions if a.account == "Summit Foods" and a.play]
    luis = next(a for a in plays if a.contact == "luis.romero@summitfoods.com")
    assert luis.play is PlayId.NEW_CONTACT
    assert "Kate Morgan" in luis.reason and "Workshop follow-up: budget owner" in luis.reason


def test_a_meeting_counts_once_it_is_held(tmp_path) -> None:
    config = _config(tmp_path)
    start = NOW + timedelta(days=2)
    meeting = _with_kim_and_pat("w2", start, "Steering group")
    found = candidates(config, [_mail(1, ME, ["kim@acme.com"])], [meeting])
    for at, members in ((NOW, []), (start + timedelta(hours=2), ["pat@acme.com"])):
        seen = found.at(at)
        (state,) = account_states(config, seen.touches, seen.signals, at)
        assert [m.email for m in state.committee] == members


def test_a_member_met_in_a_meeting_is_not_told_we_have_never_met(tmp_path) -> None:
    config = _config(tmp_path)
    meeting = _with_kim_and_pat("w3", T0, "Rollout workshop")
    found = candidates(config, [_mail(1, ME, ["kim@acme.com"])], [meeting]).at(NOW)
    plan = make_plan(config, found.touches, found.signals, NOW, history=History())
    play = next(a for a in plan.actions if a.contact == "pat@acme.com")
    assert (play.play, play.meeting) == (PlayId.NEW_CONTACT, "Rollout workshop")
    text = compose(play, config).text
    assert 'We were both at "Rollout workshop"' in text and "haven't met" not in text
