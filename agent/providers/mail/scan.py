"""Raw messages → the ones that can be touches, parsed: the first local sync's fast lane.

A three-year mbox holds far more than a sync keeps: mail older than the look-back window,
newsletters, colleagues. The local provider keeps a message only when it is dated inside
the window and names an account's domain (``agent.providers.local.provider``); :class:`Prefilter`
answers that question from the raw bytes, before any parsing, and may only err on the
side of keeping: every message it drops is one the full parse would drop too (the tests
hold it to that on every corpus). :func:`parse_raw` then parses a kept message with
``agent.providers.mail.fast`` when it has the common shape, else with the ``email`` package.

Which domains: the parser's address domain is the run of characters after an ``@`` up to
a delimiter, once spaces and line breaks are taken out (``email._parseaddr.getdomain``
skips them); so every run after every ``@`` in the From, Sender, To, Cc and Bcc fields is
checked against the account domains (and their parents: subdomains match), and a field
with a comment (``(``) or a quoted pair (``\\``), which can hide or join characters, or a
lone carriage return, which moves line ends, keeps the message whatever it says.

Which dates: only for a plain header block (``fast.split_message``) is the message's
date read, with the very function the parser uses (``parse.sent_at_of``); any other
header block keeps the message.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.model import MailMessage
from agent.providers.mail.fast import Parts, split_message, text_part
from agent.providers.mail.parse import (
    _text,
    body_text,
    message_from_bytes,
    message_from_text,
    parse_date,
    sent_at_of,
)

_BLANK = re.compile(rb"\n\r?\n")
_LONE_CR = re.compile(rb"\r(?!\n)")
# Read on b"\n" + the lower-cased header block, so that each field starts after a \n.
_ADDRESS_FIELD = re.compile(rb"\n(?:from|sender|to|cc|bcc)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)")
_DATE_FIELD = re.compile(rb"\ndate:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)")
_NOT_A_FIELD = re.compile(rb"\n(?![!-9;-~]+:|[ \t])")  # a line that is not a field's
_AFTER_AT = re.compile(rb'@([^()<>@,:;"\[\]]*)')
_AFTER_AT_TEXT = re.compile(r'@([^()<>@,:;"\[\]]*)')
_SPACES = b" \t\r\n"
_TEXT_SPACES = str.maketrans("", "", " \t\r\n")


class Unsplit:
    """``parse_raw``'s default: the message is not split yet."""


UNSPLIT = Unsplit()


@dataclass
class Prefilter:
    """Could this raw message be a touch? None only when the full parse says no."""

    domains: frozenset[str]
    since: datetime
    counts: dict[str, int] = field(default_factory=lambda: {"kept": 0, "old": 0, "other": 0})
    _ascii: frozenset[bytes] = frozenset()

    @classmethod
    def of(cls, domains: Iterable[str], since: datetime) -> Prefilter:
        found = frozenset(d.lower() for d in domains)
        ascii_ones = frozenset(d.encode("ascii") for d in found if d.isascii())
        return cls(found, since, _ascii=ascii_ones)

    def check(self, raw: bytes) -> Parts | Unsplit | None:
        """None: the full parse would not keep this message. Else what ``parse_raw`` needs:
        the message split (a plain header block) or ``UNSPLIT``. The date is looked at
        first: in a three-year mailbox most mail is older than the window."""
        blank = _BLANK.search(raw)
        head = raw[: blank.start() + 1] if blank else raw
        lowered = b"\n" + head.lower()
        plain = blank is not None and _plain(head)
        if plain:
            sent = _sent_at(raw, head, lowered)
            if sent is None or sent < self.since:  # undated: 1970 to the parser
                self.counts["old"] += 1
                return None
        if not self._names_an_account(head, lowered):
            self.counts["other"] += 1
            return None
        self.counts["kept"] += 1
        parts = split_message(raw, plain=True) if plain else None
        return parts if parts is not None else UNSPLIT

    def keep(self, raw: bytes) -> bool:
        return self.check(raw) is not None

    def __call__(
        self, raw: bytes, thread_of: Callable[[bytes], str] | None = None
    ) -> MailMessage | None:
        return self.parse(raw, thread_of)

    def blank(self) -> Prefilter:
        return Prefilter(self.domains, self.since, _ascii=self._ascii)

    def merge(self, other: Prefilter) -> None:
        """Add the counts of a copy that read part of the mail (in another process)."""
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value

    def parse(
        self, raw: bytes, thread_of: Callable[[bytes], str] | None = None
    ) -> MailMessage | None:
        """``parse_raw(raw, thread=thread_of(raw))``, or None for a message that cannot be
        a touch (``thread_of`` is asked only about the others)."""
        parts = self.check(raw)
        if parts is None:
            return None
        return parse_raw(raw, parts, thread_of(raw) if thread_of is not None else "")

    def _names_an_account(self, head: bytes, lowered: bytes) -> bool:
        if b"\r" in head and _LONE_CR.search(head):
            return True
        fields = _ADDRESS_FIELD.findall(lowered)
        if any(b"(" in value or b"\\" in value for value in fields):
            return True
        for value in fields:
            if value.isascii():
                runs = _AFTER_AT.findall(value.translate(None, _SPACES))
                if any(_names(run.rstrip(b"."), self._ascii, b".") for run in runs):
                    return True
                continue
            text = _text(value.decode("ascii", "surrogateescape")).translate(_TEXT_SPACES)
            for run in _AFTER_AT_TEXT.findall(text):
                if _names(run.lower().rstrip("."), self.domains, "."):
                    return True
        return False


def _names(domain: Any, domains: frozenset[Any], dot: Any) -> bool:
    """``agent.providers.local.provider._domain_in``: the domain or a parent is an account's."""
    if domain in domains:
        return True
    at = domain.find(dot)
    while at >= 0:
        if domain[at + 1 :] in domains:
            return True
        at = domain.find(dot, at + 1)
    return False


def _plain(head: bytes) -> bool:
    """``fast.split_message`` would split this header block (it ends with \\n)."""
    if head[:1] in (b" ", b"\t") or (b"\r" in head and _LONE_CR.search(head)):
        return False
    return _NOT_A_FIELD.search(b"\n" + head[:-1]) is None


def _sent_at(raw: bytes, head: bytes, lowered: bytes) -> datetime | None:
    """``parse.sent_at_of`` the message's fields, from its first Date field when that
    is a date (as the parser's), else from all its fields."""
    found = _DATE_FIELD.search(lowered)
    if found is not None:
        value = head[found.start(1) - 1 : found.end(1) - 1]  # `lowered` has one more byte
        text = _text(value.decode("ascii", "surrogateescape"))
        sent = parse_date(text.replace("\r", "").replace("\n", ""))
        if sent is not None:
            return sent
    parts = split_message(raw, plain=True)
    return sent_at_of(parts.headers) if parts is not None else None


def parse_raw(raw: bytes, parts: Parts | Unsplit | None = UNSPLIT, thread: str = "") -> MailMessage:
    """``parse.message_from_bytes(raw)``, without the ``email`` package when the
    message has the common shape (plain header block, one text part, no encoding).
    ``parts``: ``split_message(raw)`` when the caller has it already; ``thread``: the
    thread key to use instead of the one the headers give (Takeout's X-GM-THRID)."""
    if isinstance(parts, Unsplit):
        parts = split_message(raw)
    part = text_part(parts.headers) if parts is not None else None
    if parts is None or part is None:
        message = message_from_bytes(raw)
        return dataclasses.replace(message, thread=thread) if thread else message
    text = body_text(parts.body, part.kind, part.charset)
    return message_from_text(parts.headers, text, thread=thread)
