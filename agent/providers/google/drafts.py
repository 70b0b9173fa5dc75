"""Drafts and the digest in Gmail (:class:`agent.providers.base.Mailbox`).

A draft is tracked by its draft id, the one handle Gmail keeps: the composer rebuilds a
draft on every autosave (a new message id, custom ``X-`` headers dropped, its own
Message-ID), so nothing written into the message survives the rep opening it, and nothing
in it may name nurture anyway (a client reads every header of what the rep sends). Gmail
lets no client choose a draft's id, so a create whose answer was lost is made safe by
looking for the draft among the ones nurture does not track (``agent.providers.mail.draft_match``).
Nothing is sent but a draft the rep approved (``send_draft``) and the digest to the rep's
own address.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from googleapiclient.errors import HttpError

from agent.errors import UserError
from agent.model import Address, DraftRef, OutgoingMail
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api
from agent.providers.google.failures import GoogleUnavailable, status_of
from agent.providers.mail.draft_match import copies, made_from
from agent.providers.mail.mime import build_mime, refuse_unless_to_me
from agent.providers.mail.parse import parse_addresses

log = logging.getLogger(__name__)

CREATE_TRIES = 3
# The rep's own mailbox (u/<address>, not u/0: the first signed-in account may be another).
DRAFT_LINK = "https://mail.google.com/mail/u/{address}/#drafts?compose={message_id}"
SEEN_HEADERS = ("Message-ID", "To", "Subject")


class GoogleMailbox:
    def __init__(
        self,
        calls: Calls,
        api: Api,
        me: Iterable[str],
        sender_name: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.calls = calls
        self.api = api
        self.users = api.service.users()
        self.me = tuple(me)
        self.sender = Address(self.me[0], sender_name)
        self.clock = clock  # only for the Date header of what is written
        # message id → what its headers say: a message never changes (an edit makes a new
        # one), so each is read once per process.
        self.seen: dict[str, DraftRef] = {}

    def link(self, message_id: str) -> str:
        return DRAFT_LINK.format(address=quote(self.me[0], safe="@"), message_id=message_id)

    def drafts(self) -> list[DraftRef]:
        """Every draft: one ``drafts.list`` page per 500 (5 units), no message read."""
        found: list[DraftRef] = []
        token: str | None = None
        while True:
            request = self.users.drafts().list(userId="me", maxResults=500, pageToken=token)
            page = self.calls.retried(self.api, request, "drafts.list")
            for draft in page.get("drafts", ()):
                message = draft["message"]
                mid = str(message["id"])
                thread = str(message.get("threadId", ""))
                found.append(DraftRef(str(draft["id"]), mid, thread, self.link(mid)))
            token = page.get("nextPageToken")
            if not token:
                return found

    def unclaimed(self, claimed: Collection[str]) -> list[DraftRef]:
        """The drafts not in ``claimed``, with the headers ``draft_match`` compares (5 units a
        message not read before, in batches)."""
        listed = [d for d in self.drafts() if d.id not in claimed]
        unread = [d.message_id for d in listed if d.message_id not in self.seen]
        get = self.users.messages().get

        def request(mid: str) -> Any:
            return get(
                userId="me",
                id=mid,
                format="metadata",
                metadataHeaders=list(SEEN_HEADERS),
                fields="id,internalDate,payload/headers",
            )

        for mid, answer in self.calls.batch(self.api, unread, request, "messages.get").items():
            if isinstance(answer, HttpError):
                if status_of(answer) != 404:  # 404: sent or deleted since the listing
                    raise answer
                continue
            self.seen[mid] = _seen(answer)
        return [
            replace(
                self.seen[d.message_id],
                id=d.id,
                message_id=d.message_id,
                thread=d.thread,
                link=d.link,
            )
            for d in listed
            if d.message_id in self.seen
        ]

    def create_draft(
        self, mail: OutgoingMail, claimed: Collection[str] = (), since: datetime | None = None
    ) -> DraftRef:
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
                if attempt == CREATE_TRIES:
                    raise
                self.calls.sleep(max(error.retry_after, self.calls.backoff(attempt)))
                if (found := made_from(self.unclaimed(claimed), mail, since)) is not None:
                    log.info("draft %s was written although its answer was lost", found.id)
                    return found
        mid = str(created["message"]["id"])
        thread = str(created["message"].get("threadId", ""))
        ref = DraftRef(str(created["id"]), mid, thread, self.link(mid))
        self._drop_copies(ref, mail, claimed)
        return ref

    def _drop_copies(self, ref: DraftRef, mail: OutgoingMail, claimed: Collection[str]) -> None:
        """httplib2 sends a request again by itself when the connection closes before the
        answer (its rule for stale keep-alive connections), POSTs included: one create can
        make two drafts. Keep the one Gmail answered with, delete the others (they carry
        this draft's own Message-ID, so they are nurture's, unopened)."""
        for other in copies(self.unclaimed({*claimed, ref.id}), mail):
            log.warning("deleting a second copy %s of draft %s", other.id, ref.id)
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
        thread = str(updated["message"].get("threadId", ""))
        return DraftRef(draft_id, mid, thread, self.link(mid))

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
        refuse_unless_to_me(mail, self.me)
        raw, message_id = self._raw_and_id(mail)
        if mail.rfc822_id and (sent := self._sent(message_id)) is not None:
            log.info("%s was sent already", mail.key)
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
        message = build_mime(mail, self.sender, self.clock())
        raw = base64.urlsafe_b64encode(message.as_bytes()).decode()
        return raw, str(message["Message-ID"]).strip().strip("<>")


def _gone(draft_id: str) -> UserError:
    return UserError(
        f"draft {draft_id} is no longer in Gmail (sent or deleted)",
        "run `nurture sync` to catch up with what happened to it",
    )


def _seen(answer: Any) -> DraftRef:
    """A ``format=metadata`` draft message → the DraftRef fields ``draft_match`` reads."""
    headers = {h["name"].lower(): h["value"] for h in answer.get("payload", {}).get("headers", ())}
    written = datetime.fromtimestamp(int(answer.get("internalDate", 0)) / 1000, UTC)
    return DraftRef(
        id="",
        message_id=str(answer.get("id", "")),
        rfc822_id=headers.get("message-id", "").strip().strip("<>"),
        to=tuple(a.email for a in parse_addresses([headers.get("to", "")])),
        subject=" ".join(headers.get("subject", "").split()),
        written_at=written,
    )
