"""The local provider's :class:`~agent.providers.base.Mailbox`: drafts as .eml files.

``<outbox>/drafts/<key>.eml`` is a draft waiting for the rep (open it in any mail client,
or edit it in place); approving moves it to ``<outbox>/sent/``, which the local provider
reads as mail on the next sync, so a "sent" draft becomes an outbound touch like any
other. ``send_to_self`` (the digest) writes ``<outbox>/<marker>.eml`` once and refuses anyone
else.
Nothing here talks to a network: "sent" means "moved to the sent folder".

Every file is written whole or not at all (``write_atomically``). A draft's file is named
after its key (nurture's idempotency key, which never goes into the message itself), so
creating the same draft twice leaves one file, and the file name is how a draft is tracked.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, tzinfo
from email import message_from_bytes, policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from agent.atomic import private_folder, write_atomically
from agent.config.schema import Config
from agent.errors import UserError
from agent.model import Address, DraftRef, OutgoingMail
from agent.providers.mail.mime import build_mime, refuse_unless_to_me

log = logging.getLogger(__name__)

DRAFTS, SENT = "drafts", "sent"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class LocalOutbox:
    def __init__(
        self,
        outbox: Path,
        me: Iterable[str],
        sender_name: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tz: tzinfo = UTC,
    ) -> None:
        self.outbox = outbox
        self.me = tuple(e.lower() for e in me)
        self.sender = Address(self.me[0], sender_name)
        self.clock = clock  # the Date of what is written, and of a draft when it is "sent"
        self.tz = tz  # the rep's: the zone a Date header is written in

    @classmethod
    def from_config(
        cls, config: Config, clock: Callable[[], datetime] | None = None
    ) -> LocalOutbox:
        outbox = config.path(config.local.outbox)
        if clock is None:
            return cls(outbox, config.me, config.drafts.sender_name, tz=config.tz)
        return cls(outbox, config.me, config.drafts.sender_name, clock, config.tz)

    # --- Mailbox -----------------------------------------------------------------------

    def create_draft(
        self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
    ) -> DraftRef:
        """The draft's file, named after ``mail.key``: a second create finds the first."""
        path = self.outbox / DRAFTS / file_name(mail.key or make_msgid().strip("<>"))
        if mail.key and (existing := self._read(path)) is not None:
            log.info("draft %s exists already", mail.key)
            return existing
        return self._write(self._folder(DRAFTS) / path.name, mail)

    def drafts(self) -> list[DraftRef]:
        folder = self.outbox / DRAFTS
        if not folder.is_dir():
            return []
        return [ref for path in sorted(folder.glob("*.eml")) if (ref := self._read(path))]

    def unclaimed(self, claimed: Collection[str]) -> list[DraftRef]:
        return [d for d in self.drafts() if d.id not in claimed]

    def update_draft(self, draft_id: str, mail: OutgoingMail) -> DraftRef:
        path = self._draft_path(draft_id)
        return self._write(path, mail)

    def delete_draft(self, draft_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.outbox / DRAFTS / file_name(draft_id)).unlink()

    def send_draft(self, draft_id: str) -> str:
        """Move the draft, as it is now, to ``sent/`` with the Date of the moment it left."""
        path = self._draft_path(draft_id)
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        del message["Date"]
        message["Date"] = format_datetime(self.clock().astimezone(self.tz))
        target = self._folder(SENT) / path.name
        # Written before the draft goes: a crash in between leaves the same file name in
        # both folders, and sending again only rewrites the sent copy.
        write_atomically(target, message.as_bytes())
        path.unlink(missing_ok=True)
        log.info("moved draft %s to %s", path.name, target.parent)
        return str(target)

    def draft_message(self, draft_id: str) -> tuple[str, bytes]:
        data = self._draft_path(draft_id).read_bytes()
        return content_id(data), data

    def send_to_self(self, mail: OutgoingMail) -> str:
        refuse_unless_to_me(mail, self.me)
        path = self._folder("") / file_name(mail.key or make_msgid().strip("<>"))
        if path.exists():  # sent by a run that stopped before recording it: once is enough
            log.info("%s was sent already", path)
            return str(path)
        self._write(path, mail)
        return str(path)

    # --- files -------------------------------------------------------------------------

    def _read(self, path: Path) -> DraftRef | None:
        try:
            data, written = path.read_bytes(), path.stat().st_mtime
        except FileNotFoundError:
            return None
        except OSError as error:  # unreadable: not a draft nurture can use now
            log.warning("skipped draft %s: %s", path, error.strerror or error)
            return None
        return draft_ref(path, data, datetime.fromtimestamp(written, UTC))

    def _draft_path(self, draft_id: str) -> Path:
        path = self.outbox / DRAFTS / file_name(draft_id)
        if not path.is_file():
            raise UserError(
                f"draft {draft_id} is no longer in {path.parent} (sent or deleted)",
                "run `nurture sync` to catch up with what happened to it",
            )
        return path

    def _folder(self, name: str) -> Path:
        folder = self.outbox / name
        try:
            private_folder(folder)
        except OSError as error:
            raise UserError(
                f"cannot create {folder}: {error.strerror or error}",
                "check that local.outbox is a writable folder",
            ) from None
        return folder

    def _write(self, path: Path, mail: OutgoingMail) -> DraftRef:
        data = build_mime(mail, self.sender, self.clock().astimezone(self.tz)).as_bytes()
        try:
            write_atomically(path, data)
        except OSError as error:
            raise UserError(
                f"cannot write {path}: {error.strerror or error}",
                "check that local.outbox is a writable folder",
            ) from None
        return draft_ref(path, data, self.clock())


def file_name(key: str) -> str:
    """A draft's file name: its key, with anything that could leave the folder replaced."""
    stem = _SAFE_NAME.sub("_", key.removesuffix(".eml")).strip("._") or "draft"
    return f"{stem}.eml"


def content_id(data: bytes) -> str:
    """The local "message id" of a draft: changes whenever the rep edits the file."""
    return hashlib.sha256(data).hexdigest()[:16]


def draft_ref(path: Path, data: bytes, written: datetime) -> DraftRef:
    """A draft file as the mailbox reports it; its thread is the key a sync would give the
    message (``mailparse``: the root of its References, else its own Message-ID)."""
    from agent.providers.mail.parse import message_from_bytes as parse_mail  # a sent one only

    message = parse_mail(data)
    return DraftRef(
        id=path.name,
        message_id=content_id(data),
        thread=message.thread,
        link=str(path),
        rfc822_id=message.uid,
        to=tuple(a.email for a in message.to),
        subject=message.subject,
        written_at=written,
    )
