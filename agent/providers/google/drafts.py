"""Drafts and the digest in Gmail (:class:`agent.providers.base.Mailbox`).

Gmail lets no client choose a draft's id, so idempotency rests on the marker header
(``X-Nurture-Key``) that every nurture draft carries: before creating, and again after a
create whose answer was lost, the drafts are read for the marker. Nothing is sent but a
draft the rep approved (``send_draft``) and the digest to the rep's own address.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from googleapiclient.errors import HttpError

from agent.errors import UserError
from agent.mime import build_mime
from agent.model import MARKER_HEADER, Address
from agent.providers.base import DraftRef, OutgoingMail
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api
from agent.providers.google.failures import GoogleUnavailable, status_of

log = logging.getLogger(__name__)

CREATE_TRIES = 3
DRAFT_LINK = "https://mail.google.com/mail/#drafts?compose={message_id}"


class GoogleMailbox:
    def __init__(
        self,
        calls: Calls,
        api: Api,
        me: Iterable[str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.calls = calls
        self.api = api
        self.users = api.service.users()
        self.me = tuple(me)
        self.clock = clock  # only for the Date header of what is written
        # message id → marker ("" for none): a message's headers never change (editing a
        # draft gives it a new message id), so each is read once per process.
        self.markers: dict[str, str] = {}

    def drafts(self) -> list[DraftRef]:
        listed = self._listed()
        unknown = [mid for _, mid in listed if mid not in self.markers]
        get = self.users.messages().get

        def request(mid: str) -> Any:
            return get(
                userId="me",
                id=mid,
                format="metadata",
                metadataHeaders=[MARKER_HEADER],
                fields="id,payload/headers",
            )

        for mid, answer in self.calls.batch(self.api, unknown, request, "messages.get").items():
            if isinstance(answer, HttpError):
                if status_of(answer) != 404:  # 404: sent or deleted since the listing
                    raise answer
                continue
            headers = answer.get("payload", {}).get("headers", ())
            marks = [h["value"] for h in headers if h["name"].lower() == MARKER_HEADER.lower()]
            self.markers[mid] = marks[0].strip() if marks else ""
        return [
            DraftRef(did, mid, self.markers[mid], DRAFT_LINK.format(message_id=mid))
            for did, mid in listed
            if self.markers.get(mid)
        ]

    def _listed(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        token: str | None = None
        while True:
            request = self.users.drafts().list(userId="me", maxResults=500, pageToken=token)
            page = self.calls.retried(self.api, request, "drafts.list")
            found.extend((d["id"], d["message"]["id"]) for d in page.get("drafts", ()))
            token = page.get("nextPageToken")
            if not token:
                return found

    def _find(self, marker: str) -> DraftRef | None:
        return next((d for d in self.drafts() if d.marker == marker), None)

    def create_draft(self, mail: OutgoingMail) -> DraftRef:
        if mail.marker and (existing := self._find(mail.marker)) is not None:
            log.info("draft %s exists already", mail.marker)
            return existing
        message: dict[str, Any] = {"raw": self._raw(mail)}
        if mail.thread:
            message["threadId"] = mail.thread
        for attempt in range(1, CREATE_TRIES + 1):
            request = self.users.drafts().create(userId="me", body={"message": message})
            try:
                created = self.calls.once(self.api, request, "drafts.create")
                break
            except GoogleUnavailable as error:
                # The draft may exist although its answer was lost: wait (Gmail may still be
                # writing it), then look before trying again.
                if not mail.marker or attempt == CREATE_TRIES:
                    raise
                self.calls.sleep(max(error.retry_after, self.calls.backoff(attempt)))
                if (existing := self._find(mail.marker)) is not None:
                    return existing
        mid = str(created["message"]["id"])
        self.markers[mid] = mail.marker
        ref = DraftRef(str(created["id"]), mid, mail.marker, DRAFT_LINK.format(message_id=mid))
        if mail.marker:
            self._drop_copies(ref)
        return ref

    def _drop_copies(self, ref: DraftRef) -> None:
        """httplib2 sends a request again by itself when the connection closes before the
        answer (its rule for stale keep-alive connections), POSTs included: one create can
        make two drafts. Keep the one Gmail answered with, delete the others."""
        for other in self.drafts():
            if other.marker == ref.marker and other.id != ref.id:
                log.warning("deleting a second copy %s of draft %s", other.id, ref.marker)
                self.delete_draft(other.id)

    def update_draft(self, draft_id: str, mail: OutgoingMail) -> DraftRef:
        """Replace the draft's message (Gmail gives it a new message id). A PUT: safe to
        retry, the second one writes the same content again."""
        message: dict[str, Any] = {"raw": self._raw(mail)}
        if mail.thread:
            message["threadId"] = mail.thread
        body = {"id": draft_id, "message": message}
        request = self.users.drafts().update(userId="me", id=draft_id, body=body)
        try:
            updated = self.calls.retried(self.api, request, "drafts.update")
        except HttpError as error:
            if status_of(error) == 404:
                raise _gone(draft_id) from None
            raise
        mid = str(updated["message"]["id"])
        self.markers[mid] = mail.marker
        return DraftRef(draft_id, mid, mail.marker, DRAFT_LINK.format(message_id=mid))

    def delete_draft(self, draft_id: str) -> None:
        """Remove a draft; one that is already gone (404) is no error."""
        request = self.users.drafts().delete(userId="me", id=draft_id)
        try:
            self.calls.retried(self.api, request, "drafts.delete")
        except HttpError as error:
            if status_of(error) != 404:
                raise

    def send_draft(self, draft_id: str) -> str:
        request = self.users.drafts().send(userId="me", body={"id": draft_id})
        try:
            sent = self.calls.once(self.api, request, "drafts.send")
        except HttpError as error:
            if status_of(error) == 404:
                raise _gone(draft_id) from None
            raise
        return str(sent["id"])

    def draft_message(self, draft_id: str) -> tuple[str, bytes]:
        """The draft as Gmail holds it now (with the rep's edits): what ``send_draft`` sends."""
        request = self.users.drafts().get(userId="me", id=draft_id, format="raw")
        try:
            draft = self.calls.retried(self.api, request, "drafts.get")
        except HttpError as error:
            if status_of(error) == 404:
                raise _gone(draft_id) from None
            raise
        message = draft["message"]
        raw = str(message["raw"])
        return str(message["id"]), base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))

    def send_to_self(self, mail: OutgoingMail) -> str:
        """Send the digest. A sent message with its Message-ID is looked for first; a lost
        connection can still make httplib2 send it twice (see ``_drop_copies``), which only
        ever puts a second digest in the rep's own inbox."""
        strangers = [a.email for a in mail.to if a.email.lower() not in self.me]
        if strangers or not mail.to:
            raise UserError(
                f"nurture only ever sends mail to you; refused to send to {strangers or 'nobody'}",
                "the digest goes to the addresses listed under `me` in the config",
            )
        raw, message_id = self._raw_and_id(mail)
        if mail.marker and (sent := self._sent(message_id)) is not None:
            log.info("%s was sent already", mail.marker)
            return sent
        request = self.users.messages().send(userId="me", body={"raw": raw})
        return str(self.calls.once(self.api, request, "messages.send")["id"])

    def _sent(self, message_id: str) -> str | None:
        """The id of a sent message with this Message-ID (best effort: Gmail may rewrite it)."""
        request = self.users.messages().list(
            userId="me", q=f"rfc822msgid:{message_id} in:sent", maxResults=1
        )
        found = self.calls.retried(self.api, request, "messages.list").get("messages", ())
        return str(found[0]["id"]) if found else None

    def _raw(self, mail: OutgoingMail) -> str:
        return self._raw_and_id(mail)[0]

    def _raw_and_id(self, mail: OutgoingMail) -> tuple[str, str]:
        message = build_mime(mail, Address(self.me[0]), self.clock())
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode()
        return raw, str(message["Message-ID"]).strip().strip("<>")


def _gone(draft_id: str) -> UserError:
    return UserError(
        f"draft {draft_id} is no longer in Gmail (sent or deleted)",
        "run `nurture sync` to catch up with what happened to it",
    )
