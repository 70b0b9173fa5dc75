"""The weekly digest as a use case: read the store, build, render, deliver once per week.

Delivery goes to the rep only: through the provider's ``send_to_self`` when it has one
(Google: a message to yourself), else as ``<outbox>/digest-<ISO week>.eml`` (local).
The table ``digests`` (ISO week → status, sends, where) makes it once per week: the send
is recorded *pending* and committed before the side effect and *sent* after, so a crash
between the two is finished by the next run (same Message-ID), and a second digest for a
week that was sent is refused unless forced.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.app import book
from agent.app.blocks import records
from agent.app.worklist import draft_link
from agent.atomic import write_atomically
from agent.config.schema import Config
from agent.core.digest.build import Digest, Snapshot, build_digest, week_of
from agent.core.digest.work import DigestDraft
from agent.errors import ConfigError, UserError
from agent.model import ActionKind, Address, OutgoingMail
from agent.model.tables import BLOCK_WEEKS, DIGESTS, DRAFTS, DigestRecord, DigestStatus, DraftRecord
from agent.providers.base import Mailbox
from agent.providers.registry import connect
from agent.store.db import Store

if TYPE_CHECKING:
    from agent.render.jinja import RenderedDigest

log = logging.getLogger(__name__)


def snapshot(config: Config, store: Store, now: datetime) -> Snapshot:
    """Everything the digest reads from the store, as plain values."""
    detection = book.detect_all(config, store, now)
    return Snapshot(
        touches=detection.touches,
        signals=detection.signals,
        stages=book.stage_changes(store),
        drafts=tuple(draft_records(store.items(DRAFTS), config.provider)),
        block_weeks=store.items(BLOCK_WEEKS),
        blocks=tuple(records(store).values()),
        no_play=tuple(book.plan_brief(config, store, now).of_kind(ActionKind.NO_PLAY)),
    )


def draft_records(docs: Mapping[str, DraftRecord], provider: str) -> list[DigestDraft]:
    """The ``drafts`` table (issue 5); a record that cannot be read is skipped, not fatal."""
    found = []
    for key, doc in docs.items():
        try:
            created = _moment(doc["created_at"])
            changed = doc.get("status_at")
            found.append(
                DigestDraft(
                    account=str(doc["account"]),
                    contact=str(doc.get("contact") or "").lower(),
                    play=str(doc.get("play") or ""),
                    subject=str(doc.get("subject") or "(no subject)"),
                    status=str(doc.get("status") or "created").lower(),
                    created_at=created,
                    status_at=_moment(changed) if changed else created,
                    link=draft_link(doc, provider),
                    message_id=str(doc.get("rfc822_id") or "").strip("<>").lower(),
                )
            )
        except (KeyError, TypeError, ValueError):
            log.warning("digest skipped draft record %s: it lacks account or created_at", key)
    return found


def _moment(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current_digest(config: Config, store: Store, now: datetime) -> Digest:
    return build_digest(config, snapshot(config, store, now), now)


def recipient(config: Config) -> str:
    to = config.digest.to or config.me[0]
    if to not in config.me:
        raise ConfigError(
            f"digest.to: {to} is not one of your `me` addresses",
            "the digest goes to you only: use one of " + ", ".join(config.me),
        )
    return to


def subject_of(config: Config, digest: Digest) -> str:
    week = digest.week.rpartition("W")[2]
    return f"{config.digest.subject} · week {week} ({digest.start:%d %b}–{digest.end:%d %b})"


def render(config: Config, digest: Digest) -> RenderedDigest:
    """HTML and text; templates in a ``templates/`` folder next to config.yaml win."""
    from agent.render.jinja import render_digest  # Jinja2: only when a digest is rendered

    return render_digest(
        digest,
        subject=subject_of(config, digest),
        rep=recipient(config),
        provider=config.provider,
        overrides=config.base_dir / "templates",
    )


@dataclass(frozen=True)
class SendReport:
    week: str
    to: str
    where: str  # provider message id, or the .eml path
    sends: int  # 1 for the week's digest, more when forced again
    rendered: RenderedDigest

    def summary(self) -> str:
        again = f" (copy {self.sends})" if self.sends > 1 else ""
        return f"Digest for {self.week} sent to {self.to}{again}: {self.where}"


def sent_record(store: Store, week: str) -> DigestRecord | None:
    """The ledger's record for ``week`` if its digest went out, else None."""
    doc = store.get(DIGESTS, week)
    return doc if doc is not None and doc.get("status") == DigestStatus.SENT else None


def sent_when(config: Config, record: DigestRecord) -> str:
    try:
        return f"{_moment(record['at']).astimezone(config.tz):%a %d %b %H:%M}"
    except (KeyError, ValueError):
        return "at an unknown time"


def send(
    config: Config,
    store: Store,
    now: datetime,
    *,
    force: bool = False,
    mailbox: Mailbox | None = None,
) -> SendReport:
    """Send this week's digest to the rep; refuse a second one for the week unless ``force``.

    Commits the store itself (pending before the send, sent after).
    """
    week, _ = week_of(config, now)
    to = recipient(config)
    before = store.get(DIGESTS, week) or DigestRecord()
    done = before.get("status") == DigestStatus.SENT
    if done and not force:
        raise UserError(
            f"the digest for {week} was already sent ({sent_when(config, before)})",
            "add --force to send it again",
        )
    sends = int(before.get("sends") or 0) + 1 if done else int(before.get("sends") or 1)
    rendered = render(config, current_digest(config, store, now))
    marker = f"digest-{week}" + (f"-{sends}" if sends > 1 else "")
    mail = OutgoingMail(
        to=(Address(to),),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        key=marker,
        # It goes to the rep alone: a Message-ID made of its key lets a run that stopped
        # after sending it find it (Google), and rewrites the same bytes (outbox).
        rfc822_id=f"{marker}@{to.rpartition('@')[2] or 'localhost'}",
    )
    entry = DigestRecord(sends=sends, to=to, marker=marker, at=now.isoformat())
    store.put(DIGESTS, week, {**entry, "status": DigestStatus.PENDING})
    store.commit()  # on disk before the mail leaves: a crash now is finished next time
    where = deliver(mailbox or connect(config, store.home, lambda: now).mailbox, mail)
    store.put(DIGESTS, week, {**entry, "status": DigestStatus.SENT, "where": where})
    store.commit()
    log.info("sent the digest for %s to %s (%s)", week, to, where)
    return SendReport(week, to, where, sends, rendered)


def send_once(config: Config, store: Store, now: datetime, mailbox: Mailbox | None = None) -> str:
    """The daemon's job: send this week's digest if it has not gone out yet."""
    week, _ = week_of(config, now)
    done = sent_record(store, week)
    if done is not None:
        return f"Digest for {week} already sent ({sent_when(config, done)})"
    return send(config, store, now, mailbox=mailbox).summary()


def deliver(mailbox: Mailbox, mail: OutgoingMail) -> str:
    """To the rep only: ``send_to_self`` refuses any other recipient."""
    return mailbox.send_to_self(mail)


def write_html(path: Path, rendered: RenderedDigest) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, rendered.html.encode())
    except OSError as error:
        raise UserError(
            f"cannot write {path}: {error.strerror or error}", "choose another --out file"
        ) from None
    return path
