"""Drafts as a use case: planned plays into the rep's mailbox, exactly once; outcomes back.

``apply`` records each draft *pending* (with everything needed to write it) and commits
before the mailbox is touched, then records it *created* with the provider's ids. A crash
in between leaves a pending record that the next run finishes without the plan: the
mailbox's ``create_draft`` first looks for a draft carrying the same marker (the action's
key), so the draft is found rather than written twice. Two runs at once cannot interleave:
the caller holds the store, whose lock keeps any other nurture process out until it is done.

Nothing here sends anything: only ``agent.app.review.approve`` calls ``send_draft``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.config.schema import Config
from agent.core.drafts import CREATED, PENDING, TABLE, compose, mail_of, pending_record
from agent.core.outcomes import outcomes, watched
from agent.model import Action, ActionKind, DraftRef
from agent.providers.base import Mailbox
from agent.store.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApplyReport:
    created: tuple[str, ...] = ()  # keys of the drafts written by this run
    resumed: tuple[str, ...] = ()  # pending ones an earlier, interrupted run left
    known: int = 0  # planned drafts already recorded: nothing to do

    def summary(self) -> str:
        made = len(self.created) + len(self.resumed)
        again = (
            f", {len(self.resumed)} of them finishing an interrupted run" if self.resumed else ""
        )
        return f"{made} new draft{'s' * (made != 1)} for review{again}"


def apply(
    config: Config, store: Store, mailbox: Mailbox, actions: Sequence[Action], now: datetime
) -> ApplyReport:
    """Every planned draft into the mailbox, once. Commits the store after each step."""
    todo = [a for a in actions if a.kind is ActionKind.DRAFT and store.get(TABLE, a.key) is None]
    # Everything is rendered before anything is written: a broken template changes nothing.
    mails = {a.key: compose(a, config) for a in todo}
    resumed = tuple(k for k, r in store.items(TABLE).items() if r.get("status") == PENDING)
    for key in resumed:
        log.info("finishing draft %s left pending by an interrupted run", key)
        _create(store, mailbox, key, now)
    for action in todo:
        store.put(
            TABLE, action.key, pending_record(action, mails[action.key], now, config.provider)
        )
        store.commit()  # on disk before the draft exists: a crash now is finished next run
        _create(store, mailbox, action.key, now)
    known = sum(1 for a in actions if a.kind is ActionKind.DRAFT) - len(todo)
    return ApplyReport(tuple(a.key for a in todo), resumed, known)


def _create(store: Store, mailbox: Mailbox, key: str, now: datetime) -> DraftRef:
    record = store.get(TABLE, key) or {}
    ref = mailbox.create_draft(mail_of(record))
    store.put(
        TABLE,
        key,
        {
            **record,
            "status": CREATED,
            "status_at": now.isoformat(),
            "provider_id": ref.id,
            "message_id": ref.message_id,
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
    return any(watched(r) for r in store.items(TABLE).values())


def _mail_tells(records: Mapping[str, Mapping[str, Any]], listed: Sequence[DraftRef]) -> bool:
    """Whether a watched draft is gone from the mailbox, so only the synced mail can say
    what became of it (``drafts_outcomes``): else the messages need not be read at all."""
    markers, ids = {d.marker for d in listed}, {d.id for d in listed}
    return any(
        watched(record) and key not in markers and str(record.get("provider_id") or "-") not in ids
        for key, record in records.items()
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
    drafts that nobody edited are removed from the mailbox here. The caller commits.
    """
    records = store.items(TABLE)
    if not watching(store):
        return LearnReport()
    listed = _without_copies(records, mailbox.drafts() if live is None else live, mailbox)
    mail = store.messages() if _mail_tells(records, listed) else []
    found = outcomes(records, listed, mail, now, config, fresh=fresh)
    lines = []
    for change in found:
        if change.delete:
            mailbox.delete_draft(change.delete)
        record = records[change.key]
        moved = change.status != record.get("status")
        store.put(
            TABLE,
            change.key,
            {
                **record,
                **change.fields,
                "status": change.status,
                "status_at": change.at.isoformat() if moved else record.get("status_at"),
            },
        )
        if moved:
            lines.append(change.summary(record))
            log.info("draft %s is now %s", change.key, change.status)
    return LearnReport(tuple(lines))


def _without_copies(
    records: Mapping[str, Mapping[str, Any]], listed: Iterable[DraftRef], mailbox: Mailbox
) -> list[DraftRef]:
    """One draft per marker. A create whose answer was lost may still be written by Gmail
    after nurture looked for it and created it again: keep the recorded copy, delete the
    others (they are nurture's own, unedited duplicates)."""
    kept: list[DraftRef] = []
    where: dict[str, int] = {}  # marker → index in kept
    for ref in listed:
        if ref.marker not in records or ref.marker not in where:
            where.setdefault(ref.marker, len(kept))
            kept.append(ref)
            continue
        first = kept[where[ref.marker]]
        keep, drop = (
            (ref, first) if ref.id == records[ref.marker].get("provider_id") else (first, ref)
        )
        log.warning("deleting a second copy %s of draft %s", drop.id, ref.marker)
        mailbox.delete_draft(drop.id)
        kept[where[ref.marker]] = keep
    return kept
