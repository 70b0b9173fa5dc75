"""Waiting drafts that events overtook: withdrawn, or kept and flagged stale. Pure.

A draft waits in the mailbox until the rep sends it, and the world moves on meanwhile.
It no longer fits when, after it was written:

* the contact wrote in: an answer is owed now, and the draft does not give it;
* the contact went out of office;
* the account's stage changed (the rep marked it won, lost, stalled ...);
* for a reply, its conversation went on (the contact or the rep wrote in the thread).

A draft the rep has not touched is then *withdrawn*: removed from the mailbox, with the
reason kept. One the rep edited is their work: it stays where it is, still waiting,
flagged ``stale`` with the reason, and sending it asks for ``--force``. A withdrawn draft
is no "no" from the rep: no play rests because of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from agent.core.outcomes import Outcome, moment
from agent.model import OUT_OF_OFFICE, Direction, DraftRef, Signal, Touch
from agent.model.tables import DraftRecord, DraftStatus


@dataclass(frozen=True)
class StageNow:
    """An account's stage now, and the day it was set by hand (None: from config)."""

    stage: str
    since: date | None = None


def waiting(records: Mapping[str, DraftRecord]) -> bool:
    return any(r.get("status") == DraftStatus.CREATED for r in records.values())


def overtaken(
    records: Mapping[str, DraftRecord],
    *,
    touches: Iterable[Touch],
    signals: Iterable[Signal],
    stages: Mapping[str, StageNow],
    live: Sequence[DraftRef],
    now: datetime,
    tz: ZoneInfo,
) -> list[Outcome]:
    """Changes for the waiting drafts still in the mailbox (``live``) that no longer fit."""
    waiting = {k: r for k, r in records.items() if r.get("status") == DraftStatus.CREATED}
    if not waiting:
        return []
    people = {str(r.get("contact") or "").lower() for r in waiting.values()}
    threads = {str(r.get("reply_thread")) for r in waiting.values() if r.get("reply_thread")}
    theirs: dict[str, list[Touch]] = {}
    in_thread: dict[str, list[Touch]] = {}
    for touch in touches:
        if touch.contact in people and touch.direction is Direction.INBOUND:
            theirs.setdefault(touch.contact, []).append(touch)
        if touch.thread in threads:
            in_thread.setdefault(touch.thread, []).append(touch)
    away: dict[str, list[Signal]] = {}
    for signal in signals:
        if signal.kind == OUT_OF_OFFICE and signal.contact in people:
            away.setdefault(signal.contact, []).append(signal)
    by_id = {d.id: d for d in live}
    found = []
    for key, record in sorted(waiting.items()):
        draft = by_id.get(str(record.get("provider_id") or "-"))
        if draft is None:  # gone from the mailbox: ``outcomes`` says what became of it
            continue
        contact = str(record.get("contact") or "").lower()
        reason = (
            _thread_moved_on(record, in_thread.get(str(record.get("reply_thread")), []))
            or _wrote_in(record, theirs.get(contact, []), tz)
            or _went_away(record, away.get(contact, []), tz)
            or _stage_changed(record, stages.get(str(record.get("account") or "")))
        )
        if not reason:
            continue
        if record.get("edited") or draft.message_id != record.get("message_id"):
            if record.get("stale") != reason:  # said once, not every cycle
                at = moment(record.get("status_at") or now)
                found.append(
                    Outcome(key, DraftStatus.CREATED, at, {"edited": True, "stale": reason})
                )
        else:
            fields = DraftRecord(removed=True, stale=reason)
            found.append(Outcome(key, DraftStatus.WITHDRAWN, now, fields, delete=draft.id))
    return found


def _who(record: DraftRecord) -> str:
    return str(record.get("contact_name") or record.get("contact") or "the contact")


def _thread_moved_on(record: DraftRecord, in_thread: Sequence[Touch]) -> str:
    if not record.get("reply_thread") or not record.get("reply_at"):
        return ""
    answered, since = str(record.get("reply_to") or ""), moment(record["reply_at"])
    if any(t.at > since and t.source != answered for t in in_thread):
        return "the conversation went on after the message it answers"
    return ""


def _wrote_in(record: DraftRecord, theirs: Sequence[Touch], tz: ZoneInfo) -> str:
    written, answered = moment(record["created_at"]), str(record.get("reply_to") or "")
    later = [t for t in theirs if t.at > written and t.source != answered]
    if not later:
        return ""
    newest = max(later, key=lambda t: t.at)
    return f"{_who(record)} wrote on {_day(newest.at, tz)}: answer that first"


def _went_away(record: DraftRecord, signals: Sequence[Signal], tz: ZoneInfo) -> str:
    written = moment(record["created_at"])
    later = [s for s in signals if s.at > written]
    if not later:
        return ""
    newest = max(later, key=lambda s: s.at)
    until = f" until {newest.until:%a %d %b}" if newest.until else ""
    return f"{_who(record)} is out of office{until} (auto-reply of {_day(newest.at, tz)})"


def _stage_changed(record: DraftRecord, now: StageNow | None) -> str:
    if now is None:
        return ""
    recorded = str(record.get("stage") or "")
    if recorded:
        changed = recorded != now.stage
    else:  # written before drafts kept their stage: a stage set by hand since
        changed = now.since is not None and now.since >= moment(record["created_at"]).date()
    return f"{record.get('account')} is {now.stage} now" if changed else ""


def _day(at: datetime, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%a %d %b}"
