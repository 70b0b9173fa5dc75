"""The common shapes of mail, read without the ``email`` package and exactly as it reads them.

A first sync of a three-year mailbox parses hundreds of thousands of messages; most are
written the same few ways (``Name <a@b.com>``, an RFC 5322 date, a header block of plain
``Name: value`` lines, one text part). For those shapes this module gives what
``email.parser`` (compat32), ``email.utils.getaddresses`` (lenient) and
``parsedate_to_datetime`` give, a few times faster; for anything else each function
answers ``None`` and the caller uses the ``email`` package. Every rule below is the
package's own, cited where it matters; tests/providers/test_mailscan.py compares the two
on every message of the shared corpora and on generated headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

# Printable ASCII but the specials of email._parseaddr (`()<>@,:;."[]`, '.' allowed here:
# atoms and dots join into one run) and the backslash, which quotes inside comments.
_WORD_CHARS = "".join(re.escape(c) for c in map(chr, range(0x21, 0x7F)) if c not in '()<>@,:;"[]\\')
_WORD = f"[{_WORD_CHARS}]+"
_ADDR = f"{_WORD}@{_WORD}"
_BARE = re.compile(rf"[ \t]*({_ADDR})[ \t]*")
_NAMED = re.compile(rf"[ \t]*((?:{_WORD}[ \t]+)*{_WORD})?[ \t]*<({_ADDR})>[ \t]*")
_QUOTED = re.compile(rf'[ \t]*"([^"\\]*)"[ \t]*<({_ADDR})>[ \t]*')
_PRINTABLE = re.compile(r"[\t\x20-\x7e]*")


def simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """(name, address) pairs as the lenient ``getaddresses([value], strict=False)`` gives
    them (``parse._pairs``; empty items, which it gives as ``('', '')``, are left out);
    None when the value is not of a simple shape:
    items ``a@b.c``, ``Name Words <a@b.c>`` or ``<a@b.c>`` separated by commas, or one
    ``"Quoted, Name" <a@b.c>``; printable ASCII, no comments, groups or escapes."""
    if not _PRINTABLE.fullmatch(value):
        return None
    if '"' in value:
        quoted = _QUOTED.fullmatch(value)
        return [(quoted.group(1), quoted.group(2))] if quoted else None
    pairs = []
    for item in value.split(","):
        bare = _BARE.fullmatch(item)
        if bare:
            pairs.append(("", bare.group(1)))
            continue
        named = _NAMED.fullmatch(item)
        if named:
            # getphraselist: the name's atoms, joined by one space.
            pairs.append((" ".join((named.group(1) or "").split()), named.group(2)))
        elif item.strip(" \t"):
            return None
    return pairs


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(
    r"[ \t]*(?:[A-Za-z]{3},[ \t]*)?([0-9]{1,2})[ \t]+([A-Za-z]{3})[ \t]+([1-9][0-9]{3})[ \t]+"
    r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?[ \t]+([+-])([0-9]{2})([0-9]{2})[ \t]*"
)


class NotSimple:
    """``simple_date``'s answer for a date of another shape."""


NOT_SIMPLE = NotSimple()


def simple_date(text: str) -> datetime | NotSimple | None:
    """``parsedate_to_datetime(text)`` for ``[Day, ]D Mon YYYY HH:MM[:SS] +HHMM``: the
    datetime, or None where it raises ValueError; NOT_SIMPLE for any other shape."""
    found = _DATE.fullmatch(text)
    if found is None:
        return NOT_SIMPLE
    day, month, year, hour, minute, second, sign, tz_hours, tz_minutes = found.groups()
    if month.lower() not in _MONTHS:
        return NOT_SIMPLE
    # email._parseaddr._parsedate_tz: "-0000" is UTC of unknown zone, a naive time.
    offset = int(tz_hours) * 3600 + int(tz_minutes) * 60
    try:
        fields = (int(year), _MONTHS.index(month.lower()) + 1, int(day))
        clock = (int(hour), int(minute), int(second or 0))
        if offset == 0 and sign == "-":
            return datetime(*fields, *clock)
        return datetime(*fields, *clock, tzinfo=_zone(-offset if sign == "-" else offset))
    except ValueError:  # 30 February, 25 o'clock, an offset of a day or more
        return None


@cache
def _zone(seconds: int) -> timezone:
    """``timezone(timedelta(seconds=...))``, made once per offset (ValueError: a day+)."""
    return timezone(timedelta(seconds=seconds))


# --- the message: header block and body ------------------------------------------------------

# email.feedparser: a header line is `name:` (printable ASCII but ':' and space) or, when
# it starts with a space or a tab, the previous header's continuation; lines end at \n,
# \r\n or a lone \r (a lone \r, rare, is left to the package). Read on the text as
# BytesParser decodes it (ASCII, surrogate escapes for other bytes).
_FIELD_TEXT = r"[!-9;-~]+:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n"
_PLAIN_HEAD = re.compile(f"(?:{_FIELD_TEXT})+")
_FIELD = re.compile(r"([!-9;-~]+):[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)\r?\n")
_BLANK = re.compile(rb"\n\r?\n")
_DECODED = ("quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue")


@dataclass(frozen=True, slots=True)
class Parts:
    """What ``BytesParser(policy=compat32).parsebytes(raw)`` makes of a plain message."""

    headers: list[tuple[str, str]]  # msg.raw_items(), in order
    body: bytes  # everything after the blank line (the payload, undecoded)


def split_message(raw: bytes, *, plain: bool = False) -> Parts | None:
    """Header fields and body of a message whose header block is plain lines (each a
    field or a continuation, ending in \\n or \\r\\n) closed by a blank line; else None.
    ``plain``: the caller has checked the header block is plain."""
    blank = _BLANK.search(raw)
    if blank is None:
        return None
    head = raw[: blank.start() + 1].decode("ascii", "surrogateescape")
    if not plain and not _PLAIN_HEAD.fullmatch(head):
        return None
    # compat32 header_source_parse: value.lstrip(' \t') + continuations, rstrip('\r\n')
    return Parts(_FIELD.findall(head), raw[blank.end() :])


@dataclass(frozen=True, slots=True)
class TextPart:
    """How ``agent.providers.mail.parse`` reads the body of a one-part message."""

    kind: str  # "text/plain", "text/html" or another type (no text)
    charset: str  # get_content_charset() or "utf-8"


def text_part(headers: list[tuple[str, str]]) -> TextPart | None:
    """The body's type and charset as the ``email`` package reads them, for a message
    that is one part, not an attachment and not transfer-encoded; else None."""
    content_type: str | None = None
    for name, value in headers:
        key = name.lower()
        if key == "content-type":
            if content_type is not None or not value.isascii():
                return None  # several: the package's choice is left to it
            content_type = value
        elif key == "content-disposition" or (
            # One the package decodes (or may, not being ASCII): its job.
            key == "content-transfer-encoding"
            and (not value.isascii() or value.lower() in _DECODED)
        ):
            return None
    if content_type is None:
        return TextPart("text/plain", "utf-8")  # get_default_type(); no charset param
    return _content_type(content_type)


def _content_type(value: str) -> TextPart | None:
    if "\\" in value or "*" in value or "\n" in value or "\r" in value:
        return None  # quoted pairs, RFC 2231 parameters, folded lines: the package's job
    parts = value.split(";")
    if any(part.count('"') % 2 for part in parts):
        return None  # a ';' inside quotes
    if "=" in parts[0]:
        return None  # the package would read the type itself as a parameter
    kind = parts[0].strip().lower()  # get_content_type: _splitparam(value)[0].lower()
    if kind.count("/") != 1:
        kind = "text/plain"
    if kind.partition("/")[0] in ("multipart", "message"):
        return None
    charset: str | None = None
    for part in parts[1:]:
        name, equals, raw = part.partition("=")
        if name.strip().lower() == "charset":
            charset = _unquote(raw.strip()) if equals else ""
            break
    return TextPart(kind, (charset or "").lower() or "utf-8")


def _unquote(value: str) -> str:
    """email.utils.unquote (no backslashes reach here)."""
    if len(value) > 1 and value[0] == value[-1] == '"':
        return value[1:-1]
    if len(value) > 1 and value[0] == "<" and value[-1] == ">":
        return value[1:-1]
    return value
