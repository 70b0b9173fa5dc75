"""The local provider's :class:`~agent.providers.base.Mailbox`: drafts as .eml files.

``<outbox>/drafts/<key>.eml`` is a draft waiting for the rep (open it in any mail client,
or edit it in place); approving moves it to ``<outbox>/sent/``, which the local provider
reads as mail on the next sync, so a "sent" draft becomes an outbound touch like any
other. ``send_to_self`` writes ``<outbox>/to-self/<name>.eml`` and refuses anyone else.
Nothing here talks to a network: "sent" means "moved to the sent folder".

Every file is written whole or not at all (``write_atomically``), and a draft's name is
its marker, so creating the same draft twice leaves one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from agent.atomic import write_atomically
from agent.config import Config
from agent.errors import UserError
from agent.folders import private_folder
from agent.mime import build_mime
from agent.model import MARKER_HEADER, Address
from agent.providers.base import DraftRef, OutgoingMail

log = logging.getLogger(__name__)

DRAFTS, SENT, TO_SELF = "drafts", "sent", "to-self"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class LocalOutbox:
    def __init__(
        self,
        outbox: Path,
        me: Iterable[str],
        sender_name: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.outbox = outbox
        self.me = tuple(e.lower() for e in me)
        self.sender = Address(self.me[0], sender_name)
        self.clock = clock  # the Date of what is written, and of a draft when it is "sent"

    @classmethod
    def from_config(
        cls, config: Config, clock: Callable[[], datetime] | None = None
    ) -> LocalOutbox:
        outbox = config.path(config.local.outbox)
        if clock is None:
            return cls(outbox, config.me, config.drafts.sender_name)
        return cls(outbox, config.me, config.drafts.sender_name, clock)

    # --- Mailbox -----------------------------------------------------------------------

    def create_draft(self, mail: OutgoingMail) -> DraftRef:
        if mail.marker and (existing := self._find(mail.marker)) is not None:
            log.info("draft %s exists already", mail.marker)
            return existing
        name = file_name(mail.marker or make_msgid().strip("<>"))
        return self._write(self._folder(DRAFTS) / name, mail)

    def drafts(self) -> list[DraftRef]:
        folder = self.outbox / DRAFTS
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.eml")):
            try:
                data = path.read_bytes()
            except OSError as error:  # gone since the listing, or unreadable: not a draft now
                log.warning("skipped draft %s: %s", path, error.strerror or error)
                continue
            marker = _marker(data)
            if marker:
                found.append(DraftRef(path.name, content_id(data), marker, str(path)))
        return found

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
        message["Date"] = format_datetime(self.clock())
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
        strangers = [a.email for a in mail.to if a.email.lower() not in self.me]
        if strangers or not mail.to:
            raise UserError(
                f"nurture only ever sends mail to you; refused to send to {strangers or 'nobody'}",
                "mail to yourself goes to the addresses listed under `me` in the config",
            )
        name = file_name(mail.marker or make_msgid().strip("<>"))
        self._write(self._folder(TO_SELF) / name, mail)
        return str(self.outbox / TO_SELF / name)

    # --- files -------------------------------------------------------------------------

    def _find(self, marker: str) -> DraftRef | None:
        return next((d for d in self.drafts() if d.marker == marker), None)

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
        data = build_mime(mail, self.sender, self.clock()).as_bytes()
        try:
            write_atomically(path, data)
        except OSError as error:
            raise UserError(
                f"cannot write {path}: {error.strerror or error}",
                "check that local.outbox is a writable folder",
            ) from None
        return DraftRef(path.name, content_id(data), mail.marker, str(path))


def file_name(key: str) -> str:
    """A draft's file name: its key, with anything that could leave the folder replaced."""
    stem = _SAFE_NAME.sub("_", key.removesuffix(".eml")).strip("._") or "draft"
    return f"{stem}.eml"


def content_id(data: bytes) -> str:
    """The local "message id" of a draft: changes whenever the rep edits the file."""
    return hashlib.sha256(data).hexdigest()[:16]


def _marker(data: bytes) -> str:
    head = data.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    message = message_from_bytes(head + b"\n\n", policy=policy.compat32)
    return str(message.get(MARKER_HEADER, "")).strip()
