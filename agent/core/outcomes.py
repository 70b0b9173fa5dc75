"""What became of each draft, learnt from the mailbox itself. Pure.

The rep works in Gmail (or the outbox folder), not in nurture, so each sync compares the
drafts nurture recorded with what the mailbox shows now. A draft is found by its draft id
(local: its file name), the one thing Gmail's composer keeps when it rebuilds a draft on
autosave; nothing in the message names nurture. Then:

* still there: *waiting*, whatever the rep did to it (an edit is remembered, and its link
  and thread follow the message Gmail now keeps); untouched for ``drafts.expire_days``:
  *expired*, removed only when unedited (its message id is still the one nurture wrote);
* gone, and the rep sent a message in the draft's thread since it was written (Gmail
  sends a draft in its own thread, with a Message-ID of its own), or the message sent on
  approval, or failing both a message to the same person whose opening is at least 70%
  the same text: *sent*, with a short record of the rep's edits;
* gone, nothing sent: *rejected*, the rep deleted it, and that play rests for that person.

A draft is only judged rejected from a ``fresh`` listing, one taken *before* the sync that
filled the store: a draft sent a second before a listing taken after the sync would
otherwise look deleted. A later match still turns a wrong "rejected" into "sent".
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.config.schema import Config
from agent.core.drafts import one_line
from agent.model import DraftRef, MailMessage
from agent.model.tables import DraftRecord, DraftStatus

SIMILAR = 0.7  # share of the opening text the rep kept for a sent message to be our draft
OPENING_MIN = 40  # compare at least this many characters of our text
CLOCK_SLACK = timedelta(minutes=5)  # a message "sent before the draft" by clock skew alone


@dataclass(frozen=True)
class Outcome:
    key: str
    status: str  # the record's status from now on (may be unchanged: only fields change)
    at: datetime  # when it got there
    fields: DraftRecord = field(default_factory=DraftRecord)
    delete: str = ""  # provider draft id to remove first (an unedited draft that expired)

    def summary(self, record: DraftRecord) -> str:
        who = record.get("contact_name") or record.get("contact")
        what = f"{record.get('play')} for {who} at {record.get('account')}"
        stale = self.fields.get("stale")
        if stale and self.status == DraftStatus.CREATED:
            return f"{what}: stale ({stale}); you edited it, so it stays in your drafts"
        extra = self.fields.get("edit_summary") or stale
        return f"{what}: {self.status}" + (f" ({extra})" if extra else "")


def moment(value: Any) -> datetime:
    found = datetime.fromisoformat(str(value))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def outcomes(
    records: Mapping[str, DraftRecord],
    live: Sequence[DraftRef],
    messages: Iterable[MailMessage],
    now: datetime,
    config: Config,
    *,
    fresh: bool,
) -> list[Outcome]:
    """Status changes for the records, given the drafts in the mailbox and the mail synced."""
    by_id = {d.id: d for d in live}  # a draft keeps its id when edited, whatever its headers
    sent = [m for m in messages if m.sender is not None and m.sender.email in config.me]
    claimed = {str(r.get("sent_id")) for r in records.values() if r.get("sent_id")}
    expire = timedelta(days=config.drafts.expire_days)
    found: list[Outcome] = []
    for key, record in sorted(records.items()):
        status = str(record.get("status") or "")
        if not watched(record):
            continue
        draft = by_id.get(str(record.get("provider_id") or "-"))
        if draft is not None:
            change = (
                _still_there(key, record, draft, now, expire)
                if status == DraftStatus.CREATED
                else _followed(key, record, draft)
            )
        else:
            late = now - moment(record["created_at"]) >= expire
            change = _gone(key, record, status, sent, claimed, now=now, fresh=fresh, late=late)
        if change is not None:
            found.append(change)
            if change.fields.get("sent_id"):
                claimed.add(str(change.fields["sent_id"]))
    return found


def watched(record: DraftRecord) -> bool:
    """Whether the mailbox can still tell us something about this draft."""
    status = record.get("status")
    if status == DraftStatus.CREATED:
        return True
    if status in (
        DraftStatus.EXPIRED,
        DraftStatus.WITHDRAWN,
    ):  # an edited draft left in place may still be sent
        return not record.get("removed")
    if (
        status == DraftStatus.SENT
    ):  # approved in nurture: what the rep changed shows in the sent mail
        return record.get("sent_by") == "approve" and "edits" not in record
    return status == DraftStatus.REJECTED and record.get("rejected_by") == "deleted"


def _still_there(
    key: str, record: DraftRecord, draft: DraftRef, now: datetime, expire: timedelta
) -> Outcome | None:
    edited = bool(record.get("edited")) or draft.message_id != record.get("message_id")
    seen = _where(record, draft)
    if now - moment(record["created_at"]) >= expire:
        if edited:
            return Outcome(
                key, DraftStatus.EXPIRED, now, {**seen, "edited": True, "removed": False}
            )
        return Outcome(key, DraftStatus.EXPIRED, now, {"removed": True}, delete=draft.id)
    if edited and not record.get("edited"):
        seen["edited"] = True
    if seen:
        return Outcome(key, DraftStatus.CREATED, moment(record.get("status_at") or now), seen)
    return None


def _followed(key: str, record: DraftRecord, draft: DraftRef) -> Outcome | None:
    """A draft left in the mailbox after its fate (an edited one that expired): where it
    is now, so that sending it later is still recognised."""
    seen = _where(record, draft)
    if not seen:
        return None
    at = moment(record.get("status_at") or record["created_at"])
    return Outcome(key, str(record.get("status")), at, seen)


def _where(record: DraftRecord, draft: DraftRef) -> DraftRecord:
    """The draft's link and thread where they moved: each autosave makes a new message
    (the link opens a message id), and a new subject moves the draft to a new thread."""
    moved = DraftRecord()
    if draft.link and draft.link != record.get("link"):
        moved["link"] = draft.link
    if draft.thread and draft.thread != record.get("thread"):
        moved["thread"] = draft.thread
    return moved


def _gone(
    key: str,
    record: DraftRecord,
    status: str,
    sent: Sequence[MailMessage],
    claimed: set[str],
    *,
    now: datetime,
    fresh: bool,
    late: bool,
) -> Outcome | None:
    match = sent_match(key, record, sent, claimed)
    if match is not None:
        message, ratio = match
        fields = DraftRecord(
            sent_id=message.uid,
            sent_subject=message.subject,
            edits=edits_of(record, message, ratio),
            edit_summary=edit_summary(record, message, ratio),
        )
        return Outcome(key, DraftStatus.SENT, message.sent_at, fields)
    if status in (DraftStatus.EXPIRED, DraftStatus.WITHDRAWN):
        return Outcome(key, status, moment(record.get("status_at") or now), {"removed": True})
    if status == DraftStatus.CREATED and late:
        # Past its expiry date nobody can tell our removal (interrupted before it was
        # recorded) from the rep's: either way it was not used.
        return Outcome(key, DraftStatus.EXPIRED, now, {"removed": True})
    if status == DraftStatus.CREATED and fresh:
        return Outcome(key, DraftStatus.REJECTED, now, {"rejected_by": "deleted"})
    return None


def sent_match(
    key: str, record: DraftRecord, sent: Sequence[MailMessage], claimed: set[str]
) -> tuple[MailMessage, float] | None:
    """The rep's message that was this draft: the one sent on approval, else the first in
    the draft's thread since it was written, else one to the same person with its text."""
    free = [m for m in sent if m.uid not in claimed]
    since = moment(record["created_at"]) - CLOCK_SLACK
    approved, thread = str(record.get("sent_provider_id") or ""), str(record.get("thread") or "")
    ours = [m for m in free if approved and m.provider_id == approved] or [
        m for m in free if thread and m.thread == thread and m.sent_at >= since
    ]
    if ours:
        message = min(ours, key=lambda m: m.sent_at)
        return message, similarity(record, message)
    contact = str(record.get("contact") or "").lower()
    scored = [
        (similarity(record, m), m)
        for m in free
        if m.sent_at >= since and contact in {a.email for a in m.recipients}
    ]
    best = max(scored, key=lambda pair: (pair[0], -pair[1].sent_at.timestamp()), default=None)
    return (best[1], best[0]) if best is not None and best[0] >= SIMILAR else None


def similarity(record: DraftRecord, message: MailMessage) -> float:
    """How much of our draft's opening the sent message kept (its snippet is the opening)."""
    theirs = _words(message.snippet)
    if not theirs:
        ours, theirs = _words(str(record.get("subject") or "")), _words(message.subject)
    else:
        ours = _words(str(record.get("text") or ""))[: max(len(theirs), OPENING_MIN)]
    return difflib.SequenceMatcher(None, ours, theirs, autojunk=False).ratio()


def _words(text: str) -> str:
    return " ".join(text.split()).lower()


def edits_of(record: DraftRecord, message: MailMessage, ratio: float) -> dict[str, Any]:
    subject = one_line(message.subject)
    return {
        "subject": subject if subject != record.get("subject") else "",
        "opening_kept": round(ratio, 2),
        "opening": message.snippet if ratio < 1 else "",
        "edited_before_send": bool(record.get("edited")),
    }


def edit_summary(record: DraftRecord, message: MailMessage, ratio: float) -> str:
    changes = []
    if one_line(message.subject) != record.get("subject"):
        changes.append("new subject")
    if ratio < 1:
        changes.append(f"{math.floor(ratio * 100)}% of the opening kept")
    elif record.get("edited"):
        changes.append("edited further down")
    return "edited: " + ", ".join(changes) if changes else "sent as drafted"


# --- volume: a rep who lets drafts expire gets fewer of them -----------------------------


def daily_volume(config: Config, records: Iterable[DraftRecord], now: datetime) -> tuple[int, str]:
    """Plays a day from now on, and why, when recent drafts mostly expired unread."""
    settings, per_day = config.drafts, config.throttle.per_day
    since = now - timedelta(days=settings.quiet_window_days)
    closed = [
        str(r.get("status"))
        for r in records
        if r.get("status") in (DraftStatus.SENT, DraftStatus.REJECTED, DraftStatus.EXPIRED)
        and _at(r) >= since
    ]
    expired = closed.count(DraftStatus.EXPIRED)
    if len(closed) < settings.quiet_after or not expired:
        return per_day, ""
    lowered = math.floor(per_day * (1 - expired / len(closed)) + 0.5)
    volume = max(min(settings.min_per_day, per_day), lowered)
    if volume >= per_day:
        return per_day, ""
    return volume, (
        f"{expired} of your last {len(closed)} drafts expired unread, so nurture writes "
        f"{volume} a day instead of {per_day} until more of them are used"
    )


def _at(record: DraftRecord) -> datetime:
    try:
        return moment(record.get("status_at") or record["created_at"])
    except (KeyError, TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)


def adapted(config: Config, records: Iterable[DraftRecord], now: datetime) -> Config:
    """``config`` with ``throttle.per_day`` lowered by :func:`daily_volume`."""
    volume, _ = daily_volume(config, records, now)
    if volume == config.throttle.per_day:
        return config
    throttle = config.throttle.model_copy(update={"per_day": volume})
    return config.model_copy(update={"throttle": throttle})
