"""Drafts as a use case: planned plays into the rep's mailbox, exactly once; outcomes back.

``apply`` records each draft *pending* (with everything needed to write it) and commits
before the mailbox is touched, then records it *created* with the provider's ids. A crash
in between leaves a pending record that the next run finishes without the plan: the
mailbox's ``create_draft`` first looks for a draft carrying the same marker (the action's
key), so the draft is found rather than written twice. Two runs at once cannot interleave:
the caller holds the store, whose lock keeps any other nurture process out until it is done.

Nothing here sends anything: only ``agent.drafts_review.approve`` calls ``send_draft``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.config import Config
from agent.drafts import (
    CREATED,
    FAILED,
    PENDING,
    TABLE,
    compose,
    failed_record,
    mail_of,
    pending_record,
)
from agent.drafts_outcomes import outcomes, watched
from agent.errors import UserError
from agent.headersafe import RefusedDraft, build_message
from agent.model import Action, ActionKind, Address
from agent.providers.base import DraftRef, Mailbox, OutgoingMail, Provider
from agent.store import Store

log = logging.getLogger(__name__)


def make_mailbox(
    config: Config, home: Path | None, now: datetime, provider: Provider | None = None
) -> Mailbox:
    """Where drafts go: Gmail Drafts, or ``<outbox>/drafts`` for the local provider.

    A Google ``provider`` already connected is reused; the local outbox dates what it
    writes ``now`` (the command's time, which tests may fix)."""
    if config.provider == "local":
        from agent.providers.local_outbox import LocalOutbox

        return LocalOutbox.from_config(config, clock=lambda: now)
    if config.provider == "google":
        from agent.providers.google.provider import GoogleProvider

        return GoogleProvider.reuse(config, home, provider).mailbox
    raise UserError(
        f"drafts are not available for provider {config.provider!r}",
        "set `provider: local` or `provider: google` in the config",
    )


@dataclass(frozen=True)
class ApplyReport:
    created: tuple[str, ...] = ()  # keys of the drafts written by this run
    resumed: tuple[str, ...] = ()  # pending ones an earlier, interrupted run left
    known: int = 0  # planned drafts already recorded: nothing to do
    failed: tuple[str, ...] = ()  # refused (see `nurture drafts show ID`): never written

    def summary(self) -> str:
        made = len({*self.created, *self.resumed} - set(self.failed))
        again = (
            f", {len(self.resumed)} of them finishing an interrupted run" if self.resumed else ""
        )
        refused = (
            f"; {len(self.failed)} refused as unsafe (nurture drafts list --status failed)"
            if self.failed
            else ""
        )
        return f"{made} new draft{'s' * (made != 1)} for review{again}{refused}"


def apply(
    config: Config, store: Store, mailbox: Mailbox, actions: Sequence[Action], now: datetime
) -> ApplyReport:
    """Every planned draft into the mailbox, once. Commits the store after each step.

    A draft whose message would not be exactly what was meant (another recipient, a header
    nurture did not write: ``agent.headersafe``) is recorded *failed* with the reason and
    the others go on: one bad message never stops the rest."""
    todo = [a for a in actions if a.kind is ActionKind.DRAFT and store.get(TABLE, a.key) is None]
    # Everything is rendered before anything is written: a broken template changes nothing.
    mails, refused = _compose_all(todo, config, now)
    failed = list(refused)
    resumed = tuple(k for k, r in store.items(TABLE).items() if r.get("status") == PENDING)
    for key in resumed:
        log.info("finishing draft %s left pending by an interrupted run", key)
        if _create(store, mailbox, key, now) is None:
            failed.append(key)
    for action in todo:
        if action.key in refused:
            reason = refused[action.key]
            store.put(TABLE, action.key, failed_record(action, reason, now, config.provider))
            store.commit()
            continue
        store.put(
            TABLE, action.key, pending_record(action, mails[action.key], now, config.provider)
        )
        store.commit()  # on disk before the draft exists: a crash now is finished next run
        if _create(store, mailbox, action.key, now) is None:
            failed.append(action.key)
    known = sum(1 for a in actions if a.kind is ActionKind.DRAFT) - len(todo)
    made = tuple(a.key for a in todo if a.key not in refused)
    return ApplyReport(made, resumed, known, tuple(failed))


def _compose_all(
    todo: Sequence[Action], config: Config, now: datetime
) -> tuple[dict[str, OutgoingMail], dict[str, str]]:
    """Each action's mail, built and checked once before anything is recorded; the
    refused ones by key, with their reason."""
    sender = Address(config.me[0], config.drafts.sender_name)
    mails: dict[str, OutgoingMail] = {}
    refused: dict[str, str] = {}
    for action in todo:
        try:
            mail = compose(action, config)
            build_message(mail, sender, now)
        except RefusedDraft as error:
            log.warning("refused draft %s: %s", action.key, error.message)
            refused[action.key] = error.message
            continue
        mails[action.key] = mail
    return mails, refused


def _create(store: Store, mailbox: Mailbox, key: str, now: datetime) -> DraftRef | None:
    """Write the recorded draft into the mailbox; None (and the record *failed*) when the
    message is refused, so a pending record that can never be built blocks nothing."""
    record = store.get(TABLE, key) or {}
    try:
        ref = mailbox.create_draft(mail_of(record))
    except RefusedDraft as error:
        log.warning("refused draft %s: %s", key, error.message)
        store.put(
            TABLE,
            key,
            {
                **record,
                "status": FAILED,
                "status_at": now.isoformat(),
                "failed_reason": error.message,
            },
        )
        store.commit()
        return None
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
