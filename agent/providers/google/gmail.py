"""Gmail → MailMessage, at the quota floor: only what could be a touch is fetched, once.

* First sync: snapshot ``historyId`` (getProfile, 1 unit) *before* listing, so nothing that
  arrives during the listing is missed; ``messages.list`` with the accounts' domains and
  the look-back window in ``q`` (5 units a page of 500); then headers only
  (``format=metadata``, 5 units each) in batches of 50.
* Later syncs: ``history.list`` from the stored id (2 units a page): only added messages
  are fetched, and checked against the domains here. Gmail keeps history for a limited
  time; a stale id answers 404, and the sync falls back to a first sync of the window.
* Accounts added to the config: their domains alone are searched and back-filled.

The state kept in the cursor: the history id, and the domains already back-filled.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from googleapiclient.errors import HttpError

from agent.mailparse import message_from_headers
from agent.model import MailMessage
from agent.providers.base import Interest, Progress
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api, with_id
from agent.providers.google.failures import status_of
from agent.providers.google.mailquery import domain_queries, involves, uncovered

log = logging.getLogger(__name__)

# Exactly the headers agent.mailparse needs: addresses, date, threading, noise
# classification (lists, auto-replies, bounces). Headers that
# mailparse matches by prefix (X-Mailchimp-*, X-Campaign*) cannot be asked for; such
# mail also carries List-Unsubscribe, which is asked for.
METADATA_HEADERS = (
    "From",
    "Sender",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Content-Type",
    "Precedence",
    "Auto-Submitted",
    "X-Autoreply",
    "X-Autorespond",
    "X-Failed-Recipients",
    "List-Id",
    "List-Unsubscribe",
    "List-Post",
    "Feedback-ID",
    "X-MC-User",
)
GET_FIELDS = "id,threadId,labelIds,snippet,internalDate,payload/headers"
PAGE_SIZE = 500  # the most messages.list and history.list return per page
SKIP_LABELS = frozenset({"DRAFT", "SPAM", "TRASH"})  # never a touch (messages.list agrees)
_PLACEHOLDER = "messageid0placeholder"


class HistoryGone(Exception):
    """The stored historyId is older than the history Gmail keeps (404)."""


@dataclass(frozen=True)
class MailState:
    history: str
    domains: frozenset[str]  # back-filled over the look-back window

    def json(self) -> dict[str, Any]:
        return {"history": self.history, "domains": sorted(self.domains)}

    @classmethod
    def load(cls, data: Any) -> MailState | None:
        if not isinstance(data, Mapping) or not str(data.get("history", "")).isdigit():
            return None
        return cls(str(data["history"]), frozenset(data.get("domains", ())))


class GmailSync:
    def __init__(self, calls: Calls, api: Api) -> None:
        self.calls = calls
        self.api = api
        self.users = api.service.users()

    def pull(
        self, state: MailState | None, interest: Interest, progress: Progress | None
    ) -> tuple[list[MailMessage], MailState]:
        if state is None:
            return self.first_sync(interest, progress)
        try:
            added, history = self.added_since(state.history)
        except HistoryGone:
            log.warning("Gmail history %s has expired; reading the window again", state.history)
            return self.first_sync(interest, progress)
        new_domains = uncovered(interest.domains, state.domains)
        if new_domains:
            log.info("back-filling mail of %d new domains", len(new_domains))
        backfill = self.listed(new_domains, interest.since, progress) if new_domains else []
        messages = self.fetch([*added, *backfill], interest, progress)
        return messages, MailState(history, interest.domains)

    def first_sync(
        self, interest: Interest, progress: Progress | None
    ) -> tuple[list[MailMessage], MailState]:
        profile = self.calls.retried(self.api, self.users.getProfile(userId="me"), "getProfile")
        ids = self.listed(interest.domains, interest.since, progress)
        messages = self.fetch(ids, interest, progress)
        return messages, MailState(str(profile["historyId"]), interest.domains)

    def listed(
        self, domains: Iterable[str], since: datetime, progress: Progress | None
    ) -> list[str]:
        """Ids of the messages the searches for ``domains`` find, each once. The searches
        go together in one batch (then one per further page): one round trip, not one each."""
        searches = dict(enumerate(domain_queries(domains, since)))
        tokens: dict[str, str | None] = {str(n): None for n in searches}
        ids: dict[str, None] = {}
        while tokens:
            request = partial(self._search_page, searches, tokens)
            pages = self.calls.batch(self.api, list(tokens), request, "messages.list")
            following: dict[str, str | None] = {}
            for key, page in sorted(pages.items()):
                if isinstance(page, HttpError):
                    raise page
                ids.update((m["id"], None) for m in page.get("messages", ()))
                if page.get("nextPageToken"):
                    following[key] = page["nextPageToken"]
            tokens = following
            if progress is not None:
                progress(0, None)  # still searching: the total is not known yet
        return list(ids)

    def _search_page(
        self, searches: dict[int, str], tokens: dict[str, str | None], key: str
    ) -> Any:
        return self.users.messages().list(
            userId="me",
            q=searches[int(key)],
            maxResults=PAGE_SIZE,
            pageToken=tokens[key],
            fields="messages/id,nextPageToken",
        )

    def added_since(self, start: str) -> tuple[list[str], str]:
        """Ids of messages added since ``start`` and the mailbox's history id now."""
        ids: list[str] = []
        token: str | None = None
        while True:
            request = self.users.history().list(
                userId="me",
                startHistoryId=start,
                historyTypes="messageAdded",
                maxResults=PAGE_SIZE,
                pageToken=token,
            )
            try:
                page = self.calls.retried(self.api, request, "history.list")
            except HttpError as error:
                if status_of(error) == 404:
                    raise HistoryGone(start) from None
                raise
            for record in page.get("history", ()):
                for added in record.get("messagesAdded", ()):
                    message = added.get("message", {})
                    if not SKIP_LABELS & set(message.get("labelIds", ())):
                        ids.append(message["id"])
            token = page.get("nextPageToken")
            if not token:
                return ids, str(page["historyId"])

    def fetch(
        self, ids: list[str], interest: Interest, progress: Progress | None
    ) -> list[MailMessage]:
        """Headers of these messages; those still relevant here, as MailMessages."""
        unique = list(dict.fromkeys(ids))
        template = self.users.messages().get(
            userId="me",
            id=_PLACEHOLDER,
            format="metadata",
            metadataHeaders=list(METADATA_HEADERS),
            fields=GET_FIELDS,
        )

        def request(mid: str) -> Any:
            return with_id(template, _PLACEHOLDER, mid)

        def done(count: int) -> None:
            if progress is not None:
                progress(count, len(unique))

        answers = self.calls.batch(
            self.api, unique, request, "messages.get", parse=_parsed, done=done
        )
        messages = []
        for mid in unique:
            answer = answers[mid]
            if isinstance(answer, HttpError):
                if status_of(answer) == 404:
                    continue  # deleted between the listing and the fetch
                raise answer
            if answer is None:
                continue  # a draft, spam or trash after all
            if answer.sent_at >= interest.since and involves(answer, interest.domains):
                messages.append(answer)
        log.info("fetched %d messages from Gmail, %d relevant", len(unique), len(messages))
        return messages


def _parsed(data: Mapping[str, Any]) -> MailMessage | None:
    return None if SKIP_LABELS & set(data.get("labelIds", ())) else message_of(data)


def message_of(data: Mapping[str, Any]) -> MailMessage:
    """A ``format=metadata`` message → MailMessage, exactly as local mail is parsed."""
    headers = [(h["name"], h["value"]) for h in data.get("payload", {}).get("headers", ())]
    received = datetime.fromtimestamp(int(data.get("internalDate", 0)) / 1000, UTC)
    return message_from_headers(
        headers,
        snippet=html.unescape(data.get("snippet", "")),  # Gmail HTML-escapes snippets
        provider_id=str(data["id"]),
        thread=str(data.get("threadId", "")),
        default_date=received,
    )
