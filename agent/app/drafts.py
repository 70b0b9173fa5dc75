"""Drafts as a use case: planned plays into the rep's mailbox, exactly once; outcomes back.

``apply`` records each draft *pending* (with everything needed to write it, including the
Message-ID it will carry) and commits before the mailbox is touched, then records it
*created* with the draft id the mailbox gave it: from then on the draft is tracked by that
id alone, as nothing in the message names nurture. A crash in between leaves a pending
record that the next run finishes without the plan: it first looks for the draft among
those nurture does not track (``providers.mail.draft_match``: its Message-ID, else its
recipients and subject written since it was recorded), so it is found rather than written
twice. Two runs at once cannot interleave: the caller holds the store, whose lock keeps any other
nurture process out until it is done.

Nothing here sends anything: only ``agent.app.review.approve`` calls ``send_draft``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from agent.app.book import stage_changes
from agent.app.derived import touch_candidates
from agent.config.schema import Config
from agent.core.drafts import compose, failed_record, mail_of, pending_record
from agent.core.outcomes import Outcome, moment, outcomes, watched
from agent.core.overtaken import StageNow, overtaken, waiting
from agent.core.replies import as_reply, reply_fields, reply_target
from agent.errors import UserError
from agent.model import Action, ActionKind, Address, DraftRef, OutgoingMail
from agent.model.tables import DRAFTS, DraftRecord, DraftStatus
from agent.providers.base import Mailbox
from agent.providers.mail.draft_match import copies, made_from, rfc822_id_for
from agent.store.db import Store
from agent.untrusted.headers import RefusedDraft, build_message

log = logging.getLogger(__name__)

# A copy a lost create answer left behind shows up within minutes; only drafts this young
# are checked for one, so a quiet sync reads no message of the rep's own drafts.
COPY_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class ApplyReport:
    created: tuple[str, ...] = ()  # keys of the drafts written by this run
    resumed: tuple[str, ...] = ()  # pending ones an earlier, interrupted run left
    known: int = 0  # planned drafts already recorded: nothing to do
    failed: tuple[str, ...] = ()  # refused (see `nurture drafts show ID`): never written
    waiting: int = 0  # drafts in the mailbox waiting for the rep after this run, new or not
    broken: tuple[str, ...] = ()  # a play template that does not render: file, line, why

    def summary(self) -> str:
        made = len({*self.created, *self.resumed} - set(self.failed))
        if self.waiting > made:
            older = (
                f"; {self.waiting} waiting for your review in all (nurture drafts list)"
                if made
                else f"; {self.waiting} waiting for your review (nurture drafts list)"
            )
        else:
            older = ""
        again = (
            f", {len(self.resumed)} of them finishing an interrupted run" if self.resumed else ""
        )
        refused = (
            f"; {len(self.failed)} refused as unsafe (nurture drafts list --status failed)"
            if self.failed
            else ""
        )
        broken = "".join(
            f"; not written until its template is fixed: {problem}" for problem in self.broken
        )
        return f"{made} new draft{'s' * (made != 1)} for review{again}{refused}{older}{broken}"


def apply(
    config: Config, store: Store, mailbox: Mailbox, actions: Sequence[Action], now: datetime
) -> ApplyReport:
    """Every planned draft into the mailbox, once. Commits the store after each step.

    A draft whose message would not be exactly what was meant (another recipient, a header
    nurture did not write: ``agent.untrusted.headers``) is recorded *failed* with the reason
    and the others go on: one bad message never stops the rest."""
    todo = [a for a in actions if a.kind is ActionKind.DRAFT and store.get(DRAFTS, a.key) is None]
    # Everything is rendered before anything is written. A play whose template is broken
    # writes nothing (its drafts come once it is fixed); the other plays go ahead.
    mails, refused, broken = _compose_all(todo, config)
    todo = [a for a in todo if a.key in mails or a.key in refused]
    replies = _as_replies(store, [a for a in todo if a.key in mails], mails)
    failed: list[str] = []
    stages = current_stages(config, store)
    resumed = tuple(
        k for k, r in store.view(DRAFTS).items() if r.get("status") == DraftStatus.PENDING
    )
    for key in resumed:
        log.info("finishing draft %s left pending by an interrupted run", key)
        if _create(store, mailbox, key, now, resumed=True) is None:
            failed.append(key)
    sender = Address(config.me[0], config.drafts.sender_name)
    for action in todo:
        reason = refused.get(action.key)
        if reason is None:
            mail = replace(mails[action.key], rfc822_id=rfc822_id_for(action.key, config.me[0]))
            reason = _refusal(mail, sender, now)
        if reason is not None:
            log.warning("refused draft %s: %s", action.key, reason)
            store.put(DRAFTS, action.key, failed_record(action, reason, now, config.provider))
            store.commit()
            failed.append(action.key)
            continue
        record = pending_record(action, mail, now, config.provider, replies.get(action.key))
        if action.account in stages:
            record["stage"] = stages[action.account].stage
        store.put(DRAFTS, action.key, record)
        store.commit()  # on disk before the draft exists: a crash now is finished next run
        if _create(store, mailbox, action.key, now) is None:
            failed.append(action.key)
    known = sum(1 for a in actions if a.kind is ActionKind.DRAFT) - len(todo)
    made = tuple(a.key for a in todo if a.key not in failed)
    return ApplyReport(made, resumed, known, tuple(failed), waiting_count(store), broken)


def waiting_count(store: Store) -> int:
    """Drafts in the mailbox waiting for the rep's review."""
    return sum(1 for r in store.view(DRAFTS).values() if r.get("status") == DraftStatus.CREATED)


def _compose_all(
    todo: Sequence[Action], config: Config
) -> tuple[dict[str, OutgoingMail], dict[str, str], tuple[str, ...]]:
    """Each action's mail; the ones whose outside text cannot be made safe, by key, with
    the reason; and what is wrong with each play template that does not render."""
    mails: dict[str, OutgoingMail] = {}
    refused: dict[str, str] = {}
    broken: dict[str, str] = {}  # play → the template's error (file and line)
    for action in todo:
        play = str(action.play)
        if play in broken:
            continue
        try:
            mails[action.key] = compose(action, config)
        except RefusedDraft as error:
            refused[action.key] = error.message
        except UserError as error:
            log.error("play %s: %s", play, error.message)
            broken[play] = error.message
    return mails, refused, tuple(broken.values())


def _refusal(mail: OutgoingMail, sender: Address, now: datetime) -> str | None:
    """Why the message built from ``mail`` (parsed back) would not be exactly it; None."""
    try:
        build_message(mail, sender, now)
    except RefusedDraft as error:
        return error.message
    return None


def _as_replies(
    store: Store, todo: Sequence[Action], mails: dict[str, OutgoingMail]
) -> dict[str, DraftRecord]:
    """Drafts that continue a conversation become replies in it (``drafts_threads``), in
    ``mails``; returns what their records keep of it. The synced mail is read only then."""
    targets = {a.key: t for a in todo if (t := reply_target(a, mails[a.key].subject))}
    if not targets:
        return {}
    wanted = {t.message for t in targets.values()}
    found = {m.uid: m for m in store.messages() if m.uid in wanted}
    fields = {}
    for key, target in targets.items():
        message = found.get(target.message)
        reply = as_reply(mails[key], message) if message is not None else mails[key]
        if reply.in_reply_to:
            mails[key] = reply
            fields[key] = reply_fields(target)
    return fields


def claimed(store: Store) -> set[str]:
    """The draft ids nurture tracks: never taken for another draft."""
    return {str(r["provider_id"]) for r in store.view(DRAFTS).values() if r.get("provider_id")}


def _create(
    store: Store, mailbox: Mailbox, key: str, now: datetime, *, resumed: bool = False
) -> DraftRef | None:
    """Write the recorded draft into the mailbox; None (and the record *failed*) when the
    message is refused, so a pending record that can never be built blocks nothing."""
    record = store.get(DRAFTS, key) or {}
    mail, since, taken = mail_of(record), moment(record.get("created_at") or now), claimed(store)
    try:
        # An interrupted run may have written it already: look before writing it again.
        found = made_from(mailbox.unclaimed(taken), mail, since) if resumed else None
        ref = found or mailbox.create_draft(mail, taken, since)
    except RefusedDraft as error:
        log.warning("refused draft %s: %s", key, error.message)
        failed = {
            "status": DraftStatus.FAILED,
            "status_at": now.isoformat(),
            "failed_reason": error.message,
        }
        store.put(DRAFTS, key, {**record, **failed})
        store.commit()
        return None
    store.put(
        DRAFTS,
        key,
        {
            **record,
            "status": DraftStatus.CREATED,
            "status_at": now.isoformat(),
            "provider_id": ref.id,
            "message_id": ref.message_id,
            "thread": ref.thread,
            "link": ref.link,
        },
    )
    store.commit()
    log.info("draft %s is in the mailbox as %s", key, ref.id)
    return ref


@dataclass(frozen=True)
class LearnReport:
    changes: tuple[str, ...] = ()  # one line per draft whose status changed

    def summary(self) -> str:
        if not self.changes:
            return "no news about your drafts"
        return f"{len(self.changes)} draft{'s' * (len(self.changes) != 1)} changed: " + "; ".join(
            self.changes
        )


def watching(store: Store) -> bool:
    """Whether any draft's fate is still open (else the mailbox need not be read)."""
    return any(watched(r) for r in store.view(DRAFTS).values())


def _mail_tells(records: Mapping[str, DraftRecord], listed: Sequence[DraftRef]) -> bool:
    """Whether a watched draft is gone from the mailbox, so only the synced mail can say
    what became of it (``drafts_outcomes``): else the messages need not be read at all."""
    ids = {d.id for d in listed}
    return any(
        watched(record) and str(record.get("provider_id") or "-") not in ids
        for record in records.values()
    )


def learn(
    config: Config,
    store: Store,
    mailbox: Mailbox,
    now: datetime,
    *,
    live: Iterable[DraftRef] | None = None,
    fresh: bool,
) -> LearnReport:
    """Compare the records with the mailbox and the synced mail; record what happened.

    ``live`` is a listing of the mailbox's drafts taken *before* the latest sync (then
    ``fresh``: a draft missing from it and not sent was deleted by the rep). Expired
    drafts that nobody edited, and replies overtaken by their conversation, are removed
    from the mailbox here. The caller commits.
    """
    if not watching(store):
        return LearnReport()  # nothing copied: a year of settled drafts has nothing to learn
    records = store.items(DRAFTS)
    _drop_copies(records, mailbox, now)
    listed = mailbox.drafts() if live is None else list(live)
    mail = store.messages() if _mail_tells(records, listed) else []
    found = outcomes(records, listed, mail, now, config, fresh=fresh)
    lines = [line for change in found if (line := _note(store, mailbox, change))]
    if waiting(store.view(DRAFTS)):
        gone_by = _overtaken(config, store, mailbox, now, listed, after_sync=live is None)
        lines += [line for change in gone_by if (line := _note(store, mailbox, change))]
    return LearnReport(tuple(lines))


def current_stages(config: Config, store: Store) -> dict[str, StageNow]:
    """Each account's stage now: set by hand (``nurture account --stage``), else config's."""
    by_hand = stage_changes(store)
    return {
        a.name: StageNow(by_hand[a.name].stage.value, by_hand[a.name].since)
        if a.name in by_hand
        else StageNow(a.stage.value)
        for a in config.accounts
    }


def _overtaken(
    config: Config,
    store: Store,
    mailbox: Mailbox,
    now: datetime,
    listed: Sequence[DraftRef],
    *,
    after_sync: bool,
) -> list[Outcome]:
    """Waiting drafts that no longer fit (``agent.core.overtaken``). Only a draft still in
    a listing taken after the sync is withdrawn: one the rep sent meanwhile is in the synced
    mail too, and the next sync judges it sent."""
    detection = touch_candidates(config, store).at(now)
    stages = current_stages(config, store)

    def judged(live: Sequence[DraftRef]) -> list[Outcome]:
        return overtaken(
            store.items(DRAFTS),
            touches=detection.touches,
            signals=detection.signals,
            stages=stages,
            live=live,
            now=now,
            tz=config.tz,
        )

    found = judged(listed)
    return judged(mailbox.drafts()) if found and not after_sync else found


def _note(store: Store, mailbox: Mailbox, change: Outcome) -> str:
    """Record one change (removing the draft first when it says so); its summary line when
    the status moved or the draft became stale, else ""."""
    if change.delete:
        mailbox.delete_draft(change.delete)
    record = store.get(DRAFTS, change.key) or {}
    moved = change.status != record.get("status")
    store.put(
        DRAFTS,
        change.key,
        {
            **record,
            **change.fields,
            "status": change.status,
            "status_at": change.at.isoformat() if moved else record.get("status_at"),
        },
    )
    if not moved and not change.fields.get("stale"):
        return ""
    log.info("draft %s is now %s", change.key, change.status)
    return change.summary(record)


def _drop_copies(records: Mapping[str, DraftRecord], mailbox: Mailbox, now: datetime) -> None:
    """A create whose answer was lost may still be written by Gmail after nurture looked for
    it and created it again. Such a copy carries the recorded draft's own Message-ID
    (nobody opened it: the composer would have replaced it); it is nurture's, unedited, and
    removed. Only young drafts are checked (``COPY_WINDOW``)."""
    young = [
        r
        for r in records.values()
        if r.get("status") == DraftStatus.CREATED
        and r.get("rfc822_id")
        and now - moment(r.get("created_at") or now) <= COPY_WINDOW
    ]
    if not young:
        return
    taken = {str(r["provider_id"]) for r in records.values() if r.get("provider_id")}
    others = mailbox.unclaimed(taken)
    for record in young:
        for copy in copies(others, mail_of(record)):
            log.warning("deleting a second copy %s of draft %s", copy.id, record.get("key"))
            mailbox.delete_draft(copy.id)
