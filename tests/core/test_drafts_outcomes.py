"""What became of a draft, judged from the mailbox and the synced mail alone (pure)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agent.core.outcomes import SIMILAR, adapted, daily_volume, outcomes, similarity
from agent.model import Address, DraftRef, MailMessage
from tests.conftest import NOW, make_config

ME = Address("rep@seller.com")
ANN = Address("ann@acme.com", "Ann Lee")
TEXT = (
    "Hi Ann,\n\nThis white paper made me think of you and the team at Acme: Cold chain "
    "losses, measured. No need to reply. If some of it matches what you are seeing, I'd be "
    "glad to compare notes for twenty minutes; if not, no worries at all.\n"
)
CONFIG = make_config()


def record(key: str = "k1", **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "account": "Acme",
        "contact": ANN.email,
        "contact_name": ANN.name,
        "play": "share_content",
        "subject": "Cold chain losses, measured",
        "text": TEXT,
        "status": "created",
        "created_at": NOW.isoformat(),
        "status_at": NOW.isoformat(),
        "provider_id": f"r-{key}",
        "message_id": f"m-{key}",
        "thread": f"t-{key}",
        **fields,
    }


def live(key: str = "k1", message_id: str = "", **kw: Any) -> DraftRef:
    return DraftRef(f"r-{key}", message_id or f"m-{key}", kw.pop("thread", f"t-{key}"), **kw)


def sent(text: str = TEXT, *, to: Address = ANN, **kw: Any) -> MailMessage:
    fields: dict[str, Any] = {
        "uid": "s1@seller.com",
        "sent_at": NOW + timedelta(hours=3),
        "sender": ME,
        "to": (to,),
        "subject": "Cold chain losses, measured",
        "snippet": " ".join(text.split())[:200],
        **kw,
    }
    return MailMessage(**fields)


def judge(records: list[dict[str, Any]], drafts=(), messages=(), *, days: float = 1, fresh=True):
    by_key = {r["key"]: r for r in records}
    found = outcomes(
        by_key, list(drafts), messages, NOW + timedelta(days=days), CONFIG, fresh=fresh
    )
    return {o.key: o for o in found}


def test_a_waiting_draft_nobody_touched_has_no_news() -> None:
    assert judge([record()], [live()]) == {}


def test_sent_in_its_thread_is_sent_and_the_edits_are_kept() -> None:
    edited = TEXT.replace("This white paper made me think of you", "Saw this and thought of you")
    change = judge([record()], [], [sent(edited, thread="t-k1", subject="For you")])["k1"]
    assert change.status == "sent" and change.fields["sent_id"] == "s1@seller.com"
    assert change.at == NOW + timedelta(hours=3)
    assert change.fields["edits"]["subject"] == "For you"
    assert 0.5 < change.fields["edits"]["opening_kept"] < 1
    assert change.fields["edit_summary"].startswith("edited: new subject, ")


def test_sent_as_drafted_says_so() -> None:
    change = judge([record()], [], [sent(thread="t-k1")])["k1"]
    assert change.fields["edit_summary"] == "sent as drafted"


def test_in_its_thread_a_rewritten_message_is_the_draft_whatever_it_says() -> None:
    other = sent("Lunch on Tuesday?", thread="t-k1", subject="Lunch")
    change = judge([record()], [], [other])["k1"]
    assert change.status == "sent" and change.fields["edits"]["opening_kept"] < SIMILAR
    earlier = sent(thread="t-k1", sent_at=NOW - timedelta(days=2))  # before the draft
    assert judge([record()], [], [earlier])["k1"].status == "rejected"


def test_elsewhere_a_similar_message_to_the_same_person_is_the_draft() -> None:
    edited = TEXT.replace("made me think of you", "reminded me of our talk")
    assert similarity(record(), sent(edited)) >= SIMILAR
    change = judge([record()], [], [sent(edited)])["k1"]
    assert change.status == "sent" and change.fields["edits"]["opening_kept"] >= SIMILAR


def test_a_different_message_or_another_person_is_not_the_draft() -> None:
    other = "Hi Ann, are we still on for lunch on Tuesday? I booked the usual place at noon."
    assert similarity(record(), sent(other)) < SIMILAR
    assert judge([record()], [], [sent(other)])["k1"].status == "rejected"
    bob = Address("bob@acme.com")
    assert judge([record()], [], [sent(to=bob)])["k1"].status == "rejected"
    earlier = sent(sent_at=NOW - timedelta(days=2))
    assert judge([record()], [], [earlier])["k1"].status == "rejected"


def test_mail_from_the_contact_is_never_the_rep_sending_the_draft() -> None:
    reply = sent(sender=ANN, to=(ME,), thread="t-k1")
    assert judge([record()], [], [reply])["k1"].status == "rejected"


def test_a_deleted_draft_is_rejected_only_from_a_listing_taken_before_the_sync() -> None:
    assert judge([record()], [], fresh=True)["k1"].fields == {"rejected_by": "deleted"}
    assert judge([record()], [], fresh=False) == {}


def test_a_draft_judged_rejected_that_turns_up_sent_is_sent() -> None:
    rejected = record(status="rejected", rejected_by="deleted")
    assert judge([rejected], [], [sent(thread="t-k1")])["k1"].status == "sent"
    by_the_rep = record(status="rejected", rejected_by="you")
    assert judge([by_the_rep], [], [sent(thread="t-k1")]) == {}


def test_an_unedited_draft_expires_and_is_removed() -> None:
    change = judge([record()], [live()], days=14)["k1"]
    assert change.status == "expired" and change.delete == "r-k1"
    assert change.fields == {"removed": True}
    assert judge([record()], [live()], days=13.9) == {}


def test_an_edited_draft_expires_but_stays() -> None:
    change = judge([record()], [live(message_id="m-edited")], days=15)["k1"]
    assert change.status == "expired" and change.delete == ""
    assert change.fields == {"edited": True, "removed": False}


def test_an_edit_is_noticed_before_expiry() -> None:
    change = judge([record()], [live(message_id="m-edited")], days=2)["k1"]
    assert change.status == "created" and change.fields == {"edited": True}


def test_a_waiting_draft_is_followed_where_gmail_moved_it() -> None:
    """Each autosave makes a new message (the link opens one) and a new subject a new
    thread: the record follows both, and the draft is still waiting."""
    moved = live(message_id="m-2", thread="t-2", link="https://mail/#drafts?compose=m-2")
    change = judge([record(link="https://mail/#drafts?compose=m-k1")], [moved])["k1"]
    assert change.status == "created" and change.at == NOW
    assert change.fields == {"link": moved.link, "thread": "t-2", "edited": True}
    later = judge([record(thread="t-2", edited=True)], [], [sent(thread="t-2")])["k1"]
    assert later.status == "sent"


def test_an_edited_expired_draft_can_still_be_sent() -> None:
    kept = record(status="expired", removed=False, edited=True)
    assert judge([kept], [live(message_id="m2")], days=20) == {}
    followed = judge([kept], [live(message_id="m2", thread="t-9")], days=20)["k1"]
    assert followed.status == "expired" and followed.fields == {"thread": "t-9"}
    assert judge([kept], [], [sent(thread="t-k1")], days=20)["k1"].status == "sent"
    gone = judge([kept], [], [], days=20)["k1"]
    assert gone.status == "expired" and gone.fields == {"removed": True}


def test_a_draft_gone_after_its_expiry_date_counts_as_expired() -> None:
    change = judge([record()], [], days=15)["k1"]
    assert change.status == "expired" and change.fields == {"removed": True}


def test_one_sent_message_is_one_draft() -> None:
    twins = [record("k1"), record("k2", created_at=(NOW + timedelta(hours=1)).isoformat())]
    found = judge(twins, [], [sent()])
    assert sorted(o.status for o in found.values()) == ["rejected", "sent"]


def test_an_approved_draft_learns_its_edits_from_the_sent_mail() -> None:
    approved = record(status="sent", sent_by="approve", sent_provider_id="g-1", thread="")
    change = judge([approved], [], [sent(provider_id="g-1")])["k1"]
    assert change.status == "sent" and "edits" in change.fields
    assert judge([{**approved, "edits": {}}], [], [sent(provider_id="g-1")]) == {}


def closed(status: str, days_ago: float, n: int) -> list[dict[str, Any]]:
    at = (NOW - timedelta(days=days_ago)).isoformat()
    return [{"status": status, "status_at": at, "created_at": at} for _ in range(n)]


def test_many_expiries_lower_the_daily_volume() -> None:
    config = make_config(throttle={"per_day": 6})
    assert daily_volume(config, closed("expired", 3, 3), NOW)[0] == 6  # too few to judge
    half = closed("expired", 3, 3) + closed("sent", 3, 3)
    volume, why = daily_volume(config, half, NOW)
    assert volume == 3 and "3 of your last 6 drafts expired" in why
    assert daily_volume(config, closed("expired", 3, 8), NOW)[0] == 1
    assert daily_volume(config, closed("expired", 40, 8), NOW)[0] == 6  # long ago
    assert daily_volume(config, closed("rejected", 3, 8), NOW)[0] == 6  # a no is an answer
    assert adapted(config, half, NOW).throttle.per_day == 3
    assert adapted(config, [], NOW) is config
