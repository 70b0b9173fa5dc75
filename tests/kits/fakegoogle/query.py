"""Gmail's ``q`` search language, the subset the provider uses: a tokenizer and a small
recursive-descent parser producing a predicate over a message's facts.

Semantics chosen (Gmail documents little; these follow its observed, token-based matching):

* Addresses: ``from:`` (From), ``to:`` (To + Cc + Bcc, as Gmail's ``to:`` also finds cc'd
  mail), ``cc:``, ``bcc:``, ``deliveredto:`` (Delivered-To). A value with an ``@`` inside
  (``bob@acme.com``) must equal a whole address. Any other value (``acme.com``, ``@acme.com``,
  ``bob``) is split into words on everything but letters, digits, ``_`` and ``&``; the words
  must appear consecutively in one address or its display name. So ``from:acme.com``
  matches ``bob@acme.com`` and ``bob@eu.acme.com`` but not ``bob@notacme.com`` — and, like
  Gmail, also ``x@acme.com.evil.org``: filter domains locally. ``me`` is the user's address.
* ``after:`` / ``before:`` take ``YYYY/MM/DD`` (midnight America/Los_Angeles, as the Gmail
  API guide says dates are PST) or epoch seconds; after is ``>=``, before is ``<``.
  ``newer:``/``older:`` are synonyms. ``newer_than:``/``older_than:`` take ``N`` + ``d``/``m``
  (30 days)/``y`` (365 days) relative to the fake's clock.
* ``label:`` (case-insensitive, ``-`` stands for a space), ``in:`` (inbox, sent, draft(s),
  spam, trash, starred, important, anywhere), ``is:`` (unread, read, starred, important),
  ``subject:``, ``rfc822msgid:``; bare words and "quoted phrases" search subject, addresses
  and body text.
* ``OR`` (binds tighter than the implicit AND), ``AND``, ``-`` negation, ``( )`` grouping,
  ``{a b}`` = ``a OR b``, ``op:(a b)`` / ``op:{a b}`` apply ``op`` to each bare word.
* Anything else (``has:``, ``filename:``, ``larger:``, a dangling ``from:``...) raises
  ``QueryError`` → the fake answers 400 and records a violation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
_WORD = re.compile(r"[\w&]+")
_SPECIAL = '(){}"'
_IN_LABELS = {
    "inbox": "INBOX",
    "sent": "SENT",
    "draft": "DRAFT",
    "drafts": "DRAFT",
    "spam": "SPAM",
    "trash": "TRASH",
    "starred": "STARRED",
    "important": "IMPORTANT",
    "chats": "CHAT",
}
_UNITS = {"d": 1, "m": 30, "y": 365}


class QueryError(ValueError):
    """The query uses syntax or an operator the fake does not model."""


@dataclass(frozen=True)
class Address:
    """One (display name, address) pair, lower-cased and split into search words once."""

    name: str
    address: str
    name_words: tuple[str, ...]
    address_words: tuple[str, ...]

    @classmethod
    def of(cls, name: str, address: str) -> Address:
        name, address = name.lower(), address.lower()
        return cls(name, address, words(name), words(address))

    @cached_property
    def runs(self) -> frozenset[tuple[str, ...]]:
        """Every run of consecutive words of the address or of the name: a search value
        matches when its words are one of these (a set lookup instead of a scan)."""
        return frozenset(
            seq[i:j]
            for seq in (self.address_words, self.name_words)
            for i in range(len(seq))
            for j in range(i + 1, len(seq) + 1)
        )


@dataclass
class MailFacts:
    """What search looks at, extracted once per message (labels are refreshed per search)."""

    senders: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    bcc: tuple[Address, ...]
    delivered_to: tuple[Address, ...]
    subject_words: tuple[str, ...]
    text_words: tuple[str, ...]
    message_ids: tuple[str, ...]
    labels: frozenset[str]
    internal_ms: int


@dataclass(frozen=True)
class Context:
    me: str
    now_ms: int
    bcc: bool = True  # ``to:`` also matches Bcc (Mailbox.to_matches_bcc)


Predicate = Callable[[MailFacts, Context], bool]


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def _has_run(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    if n == 1:
        return needle[0] in haystack
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def address_matcher(value: str) -> Callable[[Address, str], bool]:
    """How one search value (``acme.com``, ``@acme.com``, ``bob@acme.com``, ``me``) matches
    one address: see the module docstring."""
    value = value.lower().strip()
    if value == "me":
        return lambda a, me: a.address == me.lower()
    core = value.strip("@")
    if "@" in core:
        return lambda a, me: a.address == core
    needle = words(core)
    if not needle:
        raise QueryError(f"nothing to search for in {value!r}")
    return lambda a, me: _has_run(a.address_words, needle) or _has_run(a.name_words, needle)


# --- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # ( ) { } - OR AND OP TERM WORD PHRASE
    text: str = ""
    value: str = ""


def tokenize(q: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c in "(){}":
            tokens.append(Token(c))
            i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise QueryError("unbalanced quote")
            tokens.append(Token("PHRASE", q[i + 1 : end]))
            i = end + 1
        elif c == "-" and i + 1 < n and not q[i + 1].isspace():
            tokens.append(Token("-"))
            i += 1
        else:
            start = i
            while i < n and not q[i].isspace() and q[i] not in _SPECIAL:
                i += 1
            tokens.append(_word_token(q[start:i], q[i] if i < n else ""))
    return tokens


def _word_token(word: str, following: str) -> Token:
    if word in ("OR", "AND"):
        return Token(word)
    name, colon, value = word.partition(":")
    if not colon or not re.fullmatch(r"[a-zA-Z][a-zA-Z_0-9]*", name):
        return Token("WORD", word)
    if value:
        return Token("TERM", name.lower(), value)
    if following in ('"', "(", "{"):
        return Token("OP", name.lower())
    raise QueryError(f"operator {name}: has no value")


# --- parser -------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.mentions_spam_trash = False
        self.top_parts: list[Predicate] = []

    def peek(self) -> str:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else "EOF"

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def sequence(self, stop: str, op: str | None) -> Predicate:
        parts: list[Predicate] = []
        while self.peek() not in (stop, "EOF"):
            if self.peek() == "AND":
                self.take()
                continue
            parts.append(self.alternatives(op))
        if self.peek() != stop:
            raise QueryError(f"expected {stop!r}")
        if stop == "EOF":
            self.top_parts = parts
        return lambda m, c: all(p(m, c) for p in parts)

    def alternatives(self, op: str | None) -> Predicate:
        options = [self.unary(op)]
        while self.peek() == "OR":
            self.take()
            options.append(self.unary(op))
        if len(options) == 1:
            return options[0]
        return any_of(options)

    def unary(self, op: str | None) -> Predicate:
        if self.peek() == "-":
            self.take()
            inner = self.unary(op)
            return lambda m, c: not inner(m, c)
        return self.primary(op)

    def primary(self, op: str | None) -> Predicate:
        kind = self.peek()
        if kind == "EOF":
            raise QueryError("query ends early")
        token = self.take()
        if kind == "(":
            inner = self.sequence(")", op)
            self.take()
            return inner
        if kind == "{":
            options: list[Predicate] = []
            while self.peek() not in ("}", "EOF"):
                options.append(self.unary(op))
            if self.peek() != "}":
                raise QueryError("unbalanced {")
            self.take()
            return any_of(options)
        if kind == "OP":
            following = self.peek()
            if following == "PHRASE":
                return self.term(token.text, self.take().text)
            if following not in ("(", "{"):
                raise QueryError(f"operator {token.text}: has no value")
            return self.primary(token.text)
        if kind == "TERM":
            return self.term(token.text, token.value)
        if kind in ("WORD", "PHRASE"):
            return self.term(op, token.text) if op else _free_text(token.text)
        raise QueryError(f"unexpected {kind!r}")

    def term(self, op: str, value: str) -> Predicate:
        if (op == "in" and value.lower() in ("spam", "trash", "anywhere")) or (
            op == "label" and value.lower() in ("spam", "trash")
        ):
            self.mentions_spam_trash = True
        return compile_term(op, value)


@dataclass(frozen=True)
class Query:
    predicate: Predicate
    mentions_spam_trash: bool
    addresses: AnyAddress | None = None  # a part every match must satisfy, if any

    def matches(self, facts: MailFacts, ctx: Context) -> bool:
        return self.predicate(facts, ctx)

    def index_keys(self, ctx: Context) -> set[tuple[str, ...]] | None:
        """Keys of the address index, one of which every matching message has (None: no
        such part, every message must be checked)."""
        return None if self.addresses is None else self.addresses.keys(ctx.me)


def parse_query(q: str) -> Query:
    parser = _Parser(tokenize(q))
    predicate = parser.sequence("EOF", None)
    addresses = next(
        (p.alone if isinstance(p, AddressTerm) else p
         for p in parser.top_parts if isinstance(p, (AddressTerm, AnyAddress))),
        None,
    )  # fmt: skip
    return Query(predicate, parser.mentions_spam_trash, addresses)


def index_keys(address: Address) -> set[tuple[str, ...]]:
    """What the address index files one address under (see Query.index_keys)."""
    return {*address.runs, ("@", address.address)}


# --- terms --------------------------------------------------------------------------------


def _free_text(text: str) -> Predicate:
    needle = words(text)
    if not needle:
        raise QueryError(f"empty search word {text!r}")
    return lambda m, c: _has_run(m.text_words, needle)


_FIELDS = {"from": "senders", "deliveredto": "delivered_to"}


@dataclass(frozen=True)
class AddressTerm:
    """``from:``/``to:``/``cc:``/... with one value; see :func:`address_matcher`."""

    field: str  # a MailFacts field, or "to" (To + Cc, + Bcc unless switched off)
    kind: str  # "me" | "exact" | "words"
    value: str  # the exact address, or "" for the other kinds
    needle: tuple[str, ...]

    @classmethod
    def of(cls, op: str, value: str) -> AddressTerm:
        address_matcher(value)  # the same validation (an empty value is a QueryError)
        value = value.lower().strip()
        core = value.strip("@")
        field = _FIELDS.get(op, op)
        if value == "me":
            return cls(field, "me", "", ())
        if "@" in core:
            return cls(field, "exact", core, ())
        return cls(field, "words", "", words(core))

    @cached_property
    def alone(self) -> AnyAddress:
        return AnyAddress.of([self])

    def __call__(self, m: MailFacts, c: Context) -> bool:
        return self.alone(m, c)


@dataclass(frozen=True)
class AnyAddress:
    """Several address terms joined by OR (``{from:a to:a from:b ...}``), checked with set
    lookups per address: a query naming hundreds of domains stays fast on a big mailbox."""

    fields: tuple[tuple[str, frozenset[str], bool, frozenset[tuple[str, ...]]], ...]

    @classmethod
    def of(cls, terms: list[AddressTerm]) -> AnyAddress:
        grouped: dict[str, tuple[set[str], list[bool], set[tuple[str, ...]]]] = {}
        for term in terms:
            exact, me, needles = grouped.setdefault(term.field, (set(), [False], set()))
            if term.kind == "me":
                me[0] = True
            elif term.kind == "exact":
                exact.add(term.value)
            else:
                needles.add(term.needle)
        return cls(tuple((f, frozenset(e), m[0], frozenset(n)) for f, (e, m, n) in grouped.items()))

    def keys(self, me: str) -> set[tuple[str, ...]]:
        found: set[tuple[str, ...]] = set()
        for _field, exact, with_me, needles in self.fields:
            found |= needles | {("@", e) for e in exact}
            if with_me:
                found.add(("@", me.lower()))
        return found

    def __call__(self, m: MailFacts, c: Context) -> bool:
        me_address = c.me.lower()
        for field, exact, me, needles in self.fields:
            if field == "to":
                pairs = m.to + m.cc + m.bcc if c.bcc else m.to + m.cc
            else:
                pairs = getattr(m, field)
            for a in pairs:
                if a.address in exact or (me and a.address == me_address):
                    return True
                if needles and not needles.isdisjoint(a.runs):
                    return True
        return False


def any_of(options: list[Predicate]) -> Predicate:
    """OR of predicates; address terms are merged into one set-based check."""
    if len(options) > 1 and all(isinstance(p, AddressTerm) for p in options):
        return AnyAddress.of([p for p in options if isinstance(p, AddressTerm)])
    return lambda m, c: any(p(m, c) for p in options)


def parse_date_ms(value: str) -> int:
    if value.isdigit():
        return int(value) * 1000
    match = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value)
    if match is None:
        raise QueryError(f"bad date {value!r}: use YYYY/MM/DD or epoch seconds")
    year, month, day = (int(g) for g in match.groups())
    return int(datetime(year, month, day, tzinfo=PACIFIC).timestamp() * 1000)


def _relative(value: str) -> int:
    match = re.fullmatch(r"(\d+)([dmy])", value.lower())
    if match is None:
        raise QueryError(f"bad relative date {value!r}: use e.g. 7d, 2m, 1y")
    return int(timedelta(days=int(match.group(1)) * _UNITS[match.group(2)]).total_seconds() * 1000)


def _label_term(value: str) -> Predicate:
    wanted = value.lower()

    def match(m: MailFacts, c: Context) -> bool:
        return any(wanted in (lb.lower(), lb.lower().replace(" ", "-")) for lb in m.labels)

    return match


def compile_term(op: str, value: str) -> Predicate:
    if op in ("from", "to", "cc", "bcc", "deliveredto"):
        return AddressTerm.of(op, value)
    if op in ("after", "newer", "before", "older"):
        bound = parse_date_ms(value)
        if op in ("after", "newer"):
            return lambda m, c: m.internal_ms >= bound
        return lambda m, c: m.internal_ms < bound
    if op in ("newer_than", "older_than"):
        span = _relative(value)
        if op == "newer_than":
            return lambda m, c: m.internal_ms > c.now_ms - span
        return lambda m, c: m.internal_ms < c.now_ms - span
    if op == "label":
        return _label_term(value)
    if op == "in":
        if value.lower() == "anywhere":
            return lambda m, c: True
        if value.lower() not in _IN_LABELS:
            raise QueryError(f"in:{value} is not modelled")
        label = _IN_LABELS[value.lower()]
        return lambda m, c: label in m.labels
    if op == "is":
        return _is_term(value.lower())
    if op == "subject":
        needle = words(value)
        return lambda m, c: _has_run(m.subject_words, needle)
    if op == "rfc822msgid":
        wanted = value.strip("<>")
        return lambda m, c: wanted in m.message_ids
    raise QueryError(f"operator {op}: is not modelled by the fake")


def _is_term(value: str) -> Predicate:
    if value == "read":
        return lambda m, c: "UNREAD" not in m.labels
    if value in ("unread", "starred", "important"):
        label = value.upper()
        return lambda m, c: label in m.labels
    raise QueryError(f"is:{value} is not modelled")
