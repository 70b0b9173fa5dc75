"""Gmail → MailMessage, at the quota floor: only what could be a touch is fetched, once.

* First sync: snapshot ``historyId`` (getProfile, 1 unit) *before* listing, so nothing that
  arrives during the listing is missed; the rep's send-as addresses (1 unit); then
  ``messages.list`` with the accounts' domains and the look-back window in ``q`` (5 units
  a page of 500); then headers only (``format=metadata``, 5 units each) in batches.
* Later syncs: ``history.list`` from the stored id (2 units a page): added messages, and
  messages the rep took out of Spam or Trash (``labelRemoved``: ``messages.list`` never
  showed them), are fetched and checked against the domains here. Gmail keeps history for
  a limited time; a stale id answers 404, and the sync falls back to a first sync.
* Accounts added to the config: their domains alone are searched and back-filled.
* Mail in Drafts, Spam or Trash, and chats, are never touches.

The state kept in the cursor: the history id, the domains already back-filled, and the
rep's send-as addresses (read again when mail labelled SENT comes from another one).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from googleapiclient.errors import HttpError

from agent.model import MailMessage
from agent.providers.base import Interest, Progress
from agent.providers.google.calls import Calls
from agent.providers.google.client import Api, with_id
from agent.providers.google.failures import GoogleUnavailable, status_of
from agent.providers.google.identity import Rep
from agent.providers.google.journal import Journal, Resumed
from agent.providers.google.mailquery import domain_queries, involves, uncovered
from agent.providers.mail.parse import message_from_headers, normalize_email

log = logging.getLogger(__name__)

# Exactly the headers agent.providers.mail.parse needs: addresses, date, threading, noise
# classification (lists, auto-replies, bounces). Headers that
# mailparse matches by prefix (X-Mailchimp-*, X-Campaign*) cannot be asked for; such
# mail also carries List-Unsubscribe, which is asked for.
METADATA_HEADERS = (
    "From",
    "Sender",
    "To",
    "Cc",
    "Bcc",
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
SKIP_LABELS = frozenset({"DRAFT", "SPAM", "TRASH", "CHAT"})  # never a touch (the search agrees)
RESCUED_FROM = frozenset({"SPAM", "TRASH"})  # a label removed: the rep took the mail back
HISTORY_TYPES = ["messageAdded", "labelRemoved"]
_PLACEHOLDER = "messageid0placeholder"


class HistoryGone(Exception):
    """The stored historyId is older than the history Gmail keeps (404)."""


@dataclass(frozen=True)
class MailState:
    history: str
    domains: frozenset[str]  # back-filled over the look-back window
    aliases: frozenset[str] | None = None  # the rep's send-as addresses; None: not read yet

    def json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"history": self.history, "domains": sorted(self.domains)}
        if self.aliases is not None:
            found["aliases"] = sorted(self.aliases)
        return found

    @classmethod
    def load(cls, data: Any) -> MailState | None:
        if not isinstance(data, Mapping) or not str(data.get("history", "")).isdigit():
            return None
        aliases = data.get("aliases")
        return cls(
            str(data["history"]),
            frozenset(data.get("domains", ())),
            None if aliases is None else frozenset(aliases),
        )


class GmailSync:
    def __init__(
        self, calls: Calls, api: Api, me: Iterable[str] = (), journal: Journal | None = None
    ) -> None:
        self.calls = calls
        self.api = api
        self.users = api.service.users()
        self.rep = Rep(tuple(me))
        self.journal = journal
        self.strangers = False  # mail labelled SENT came from an address not known as the rep

    def pull(
        self, state: MailState | None, interest: Interest, progress: Progress | None
    ) -> tuple[list[MailMessage], MailState]:
        self.strangers = False
        if state is None:
            return self.first_sync(interest, progress)
        if self.journal is not None:
            self.journal.settled(state.history)
        aliases = state.aliases if state.aliases is not None else self.send_as()
        self.rep = self.rep.with_aliases(aliases)
        try:
            changed, history = self.changed_since(state.history)
        except HistoryGone:
            log.warning("Gmail history %s has expired; reading the window again", state.history)
            return self.first_sync(interest, progress)
        new_domains = uncovered(interest.domains, state.domains)
        if new_domains:
            log.info("back-filling mail of %d new domains", len(new_domains))
        backfill = self.listed(new_domains, interest.since, progress) if new_domains else []
        messages = self.fetch([*changed, *backfill], interest, progress)
        if self.strangers:
            aliases = self.send_as()  # an address the rep sends from now: know it next time
        return messages, MailState(history, interest.domains, frozenset(aliases))

    def first_sync(
        self, interest: Interest, progress: Progress | None
    ) -> tuple[list[MailMessage], MailState]:
        """The window from scratch; resumed from the journal where an earlier one stopped."""
        profile = self.calls.retried(self.api, self.users.getProfile(userId="me"), "getProfile")
        aliases = self.send_as()
        self.rep = self.rep.with_aliases(aliases)
        journal = self.journal or Journal(None)
        account = str(profile.get("emailAddress", ""))
        resumed = journal.resume(account, interest.domains, interest.since)
        if resumed is None:
            history = str(profile["historyId"])
            journal.start(account, history, interest.domains, interest.since)
            resumed = Resumed(history, None, {})
        else:
            log.info("resuming the first sync: %d messages were read", len(resumed.answers))
            journal.reopen()
        read = [len(resumed.answers)]

        def keep(answers: dict[str, MailMessage | None]) -> None:
            journal.answered(answers)
            read[0] += len(answers)

        try:
            if resumed.ids is None:
                resumed.ids = self.listed(interest.domains, interest.since, progress)
                journal.listed(resumed.ids)
            messages = self.fetch(resumed.ids, interest, progress, known=resumed.answers, keep=keep)
        except GoogleUnavailable as error:
            raise GoogleUnavailable(
                error.message,
                f"the {read[0]} messages read so far are kept: run the command again and it "
                "goes on from there",
            ) from None
        except KeyboardInterrupt:
            log.warning("first sync interrupted: the next sync goes on from where it stopped")
            raise
        finally:
            journal.close()
        return messages, MailState(resumed.history, interest.domains, frozenset(aliases))

    def send_as(self) -> frozenset[str]:
        """Every address the rep can send as (the signed-in one included)."""
        request = self.users.settings().sendAs().list(userId="me", fields="sendAs/sendAsEmail")
        answer = self.calls.retried(self.api, request, "settings.sendAs.list")
        found = (normalize_email(str(a.get("sendAsEmail", ""))) for a in answer.get("sendAs", ()))
        return frozenset(a for a in found if a)

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

    def changed_since(self, start: str) -> tuple[list[str], str]:
        """Ids of messages added, or taken out of Spam or Trash, since ``start``, and the
        mailbox's history id now."""
        ids: list[str] = []
        token: str | None = None
        while True:
            request = self.users.history().list(
                userId="me",
                startHistoryId=start,
                historyTypes=HISTORY_TYPES,
                maxResults=PAGE_SIZE,
                pageToken=token,
            )
            try:
                page = self.calls.retried(self.api, request, "history.list")
            except HttpError as error:
                if status_of(error) == 404:
                    raise HistoryGone(start) from None
                raise
            ids.extend(_changed(page.get("history", ())))
            token = page.get("nextPageToken")
            if not token:
                return ids, str(page["historyId"])

    def fetch(
        self,
        ids: list[str],
        interest: Interest,
        progress: Progress | None,
        *,
        known: Mapping[str, MailMessage | None] | None = None,
        keep: Callable[[dict[str, MailMessage | None]], None] | None = None,
    ) -> list[MailMessage]:
        """Headers of these messages (but the ``known`` answers); those still relevant
        here, as MailMessages. ``keep`` is given each batch's answers as they come."""
        unique = list(dict.fromkeys(ids))
        known = known or {}
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
                progress(len(known) + count, len(unique))

        def answered(answers: dict[str, Any]) -> None:
            if keep is not None:
                keep({k: v for k, v in answers.items() if not isinstance(v, HttpError)})

        todo = [mid for mid in unique if mid not in known]
        answers = {
            **known,
            **self.calls.batch(
                self.api, todo, request, "messages.get", parse=self._parsed, done=done,
                answered=answered,
            ),
        }  # fmt: skip
        messages = []
        for mid in unique:
            answer = answers[mid]
            if isinstance(answer, HttpError):
                if status_of(answer) == 404:
                    continue  # deleted between the listing and the fetch
                raise answer
            if answer is None:
                continue  # a draft, spam, trash or a chat after all
            if answer.sent_at >= interest.since and involves(answer, interest.domains):
                messages.append(answer)
        log.info("fetched %d messages from Gmail, %d relevant", len(todo), len(messages))
        return messages

    def _parsed(self, data: Mapping[str, Any]) -> MailMessage | None:
        """A fetched message, the rep's addresses named as ``me`` names them."""
        labels = set(data.get("labelIds", ()))
        if SKIP_LABELS & labels:
            return None
        message = message_of(data)
        sent = "SENT" in labels
        if sent and message.sender is not None and not self.rep.is_rep(message.sender.email):
            self.strangers = True
        return self.rep.message(message, sent) if self.rep.me else message


def _changed(records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The message ids a page of history adds: new mail, and mail taken back from Spam or
    Trash (a ``labelRemoved`` event; ``messages.list`` never showed it)."""
    for record in records:
        for added in record.get("messagesAdded", ()):
            message = added.get("message", {})
            if not SKIP_LABELS & set(message.get("labelIds", ())):
                yield str(message["id"])
        for removed in record.get("labelsRemoved", ()):
            message = removed.get("message", {})
            rescued = RESCUED_FROM & set(removed.get("labelIds", ()))
            if rescued and not SKIP_LABELS & set(message.get("labelIds", ())):
                yield str(message["id"])


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
