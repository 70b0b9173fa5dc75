"""Mail headers → :class:`MailMessage`, shared by every mail provider.

Real mail is messy: raw 8-bit headers, unknown charsets, broken dates, group syntax,
garbage in address lists. Nothing here raises on bad input; a bad part is skipped or
replaced by a documented default so one odd message never stops a sync.
"""

from __future__ import annotations

import email.policy
import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from agent.model import Address, MailKind, MailMessage

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SNIPPET_CHARS = 200
Headers = Mapping[str, str] | Iterable[tuple[str, str]]

_FORBIDDEN = re.compile(r'[\s<>()\[\],;:"\\@\x00-\x1f\x7f]')
_NOREPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|notifications?|notify|newsletters?|mailer"
    r"|bounces?|alerts?)([-_.+].*)?$"
)
_DAEMON = re.compile(r"^(mailer[-_]?daemon|postmaster)([-_.].*)?$")
_BULK_HEADERS = ("list-id", "list-unsubscribe", "list-post", "feedback-id", "x-mc-user")
_BULK_PREFIXES = ("x-mailchimp-", "x-campaign")
_AUTO_SUBJECT = re.compile(
    r"^\s*(out[- ]of[- ](the[- ])?office|automatic reply|auto(matic)?[- ]?(reply|response)"
    r"|auto:|abwesenheitsnotiz|automatische antwort|réponse automatique"
    r"|respuesta automática|risposta automatica)|\bis out of (the )?office\b",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|delivery status notification|mail delivery failed"
    r"|returned mail|delivery failure|failure notice|mail delivery failure)",
    re.IGNORECASE,
)
_ID = re.compile(r"<([^<>\s]+)>")


def normalize_email(raw: str) -> str | None:
    """``"Jo <Jo+crm@X.com>"`` → ``"jo@x.com"``; None unless it is a plausible addr-spec."""
    text = raw.strip()
    if "<" in text:  # a display name, or a stray bracket: the address is inside the last <>
        text = text.rpartition("<")[2].partition(">")[0].strip()
    local, at, domain = text.lower().rpartition("@")
    domain = domain.rstrip(".")
    if not at or not local or not domain or _FORBIDDEN.search(local + domain):
        return None
    if "" in domain.split(".") or local.startswith(".") or local.endswith("."):
        return None
    base = local.partition("+")[0]
    return f"{base or local}@{domain}"


def parse_addresses(values: Iterable[str]) -> tuple[Address, ...]:
    """Every valid mailbox in these header values, first occurrence of each email wins."""
    found: dict[str, Address] = {}
    for value in values:
        # Unfold first: getaddresses stops at a newline inside the value.
        unfolded = _text(value).replace("\r", "").replace("\n", "")
        try:
            pairs = getaddresses([unfolded])
        except (IndexError, ValueError, TypeError):  # garbage: skip this header, keep others
            continue
        for raw_name, raw_email in pairs:
            address = normalize_email(raw_email)
            if address and address not in found:
                name = " ".join(decode_words(raw_name).split())
                found[address] = Address(address, name)
    return tuple(found.values())


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; unknown charsets and bad encodings become ``�``."""
    try:
        parts = decode_header(value)
    except (HeaderParseError, ValueError, TypeError, IndexError):
        return value
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:  # decode_header re-encodes plain text with raw-unicode-escape
            out.append(_decode(chunk, "raw-unicode-escape"))
        else:
            out.append(_decode(chunk, charset))
    return "".join(out)


def classify(headers: Headers) -> MailKind:
    """What a message is, from its headers alone (names are case-insensitive)."""
    h = _multidict(headers)
    sender = parse_addresses(h.get("from", []) or h.get("sender", []))
    local = sender[0].email.partition("@")[0] if sender else ""
    subject = " ".join(decode_words(_first(h, "subject")).split())
    content_type = _first(h, "content-type").lower()
    precedence = _first(h, "precedence").strip().lower()
    auto_submitted = _first(h, "auto-submitted").strip().lower()
    if (
        _DAEMON.match(local)
        or "x-failed-recipients" in h
        or _BOUNCE_SUBJECT.match(subject)
        or ("multipart/report" in content_type and "delivery-status" in content_type)
    ):
        return MailKind.BOUNCE
    # X-Auto-Response-Suppress is deliberately ignored: Outlook and Exchange put it on
    # ordinary mail a person wrote (meeting requests, replies), so it proves nothing.
    if (
        auto_submitted.startswith("auto-replied")
        or "x-autoreply" in h
        or "x-autorespond" in h
        or precedence == "auto_reply"
        or _AUTO_SUBJECT.search(subject)
        or ("multipart/report" in content_type and "disposition-notification" in content_type)
    ):
        return MailKind.AUTO_REPLY
    if (
        any(name in h for name in _BULK_HEADERS)
        or any(name.startswith(_BULK_PREFIXES) for name in h)
        or precedence in ("bulk", "list", "junk")
        or _NOREPLY.match(local)
    ):
        return MailKind.BULK
    # Exchange marks out-of-office replies "auto-generated", not "auto-replied"; robots that
    # send bulk notifications do too, but those were caught by their list headers above.
    if auto_submitted and auto_submitted != "no":
        return MailKind.AUTO_REPLY
    return MailKind.PERSONAL


RETURN_WINDOW = timedelta(days=120)


def _words(*groups: str, start: int = 0) -> dict[str, int]:
    return {word: number for number, group in enumerate(groups, start) for word in group.split()}


_MONTHS = _words(
    "january jan januar jänner janvier",
    "february feb februar février fevrier",
    "march mar märz maerz mars",
    "april apr avril",
    "may mai",
    "june jun juni juin",
    "july jul juli juillet",
    "august aug août aout",
    "september sep sept septembre",
    "october oct oktober okt octobre",
    "november nov novembre",
    "december dec dezember dez décembre decembre",
    start=1,
)
_WEEKDAYS = _words(
    "monday mon montag lundi",
    "tuesday tue tues dienstag mardi",
    "wednesday wed mittwoch mercredi",
    "thursday thu thur thurs donnerstag jeudi",
    "friday fri freitag vendredi",
    "saturday sat samstag samedi",
    "sunday sun sonntag dimanche",
)
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_ANCHOR = re.compile(r"\b(back|return\w*|until|till?|through|thru|zurück|wieder|bis|retour|jusqu)")
_WEEKDAY_AFTER = re.compile(rf"\W{{0,3}}(?:on\s+|am\s+|le\s+)?({_WD})\b(?![\s,.]*\d)")
_WEEKDAY_BEFORE = re.compile(rf"\b({_WD})\b\W{{0,4}}$")
_Y = r"(?:,?\s*(?P<y>\d{4}))?"
# 12/01 is 1 December in the US and 12 January elsewhere: both are tried.
_SLASHED = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?\b")
_DATES = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})?(?!\d)"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s*(?:of\s+)?(?P<m>{_MON})\b\.?{_Y}"),
    re.compile(rf"\b(?P<m>{_MON})\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b{_Y}"),
    _SLASHED,
)


def return_date(subject: str, body: str, sent_at: datetime) -> date | None:
    """The return date an out-of-office reply states, e.g. "back on 3 March".

    A date without a year is the next such date after ``sent_at``; only dates within
    ``RETURN_WINDOW`` after it count. A date right after "back", "until", "zurück", ...
    wins; without one, the last date of a stated range ("1.3.–10.3.") is used.
    """
    sent = sent_at.date()
    if sent > date.max - RETURN_WINDOW:  # a forged far-future Date: nothing can follow it
        return None
    text = f"{subject}\n{body}".lower()
    found = sorted(_dates_in(text, sent))
    for anchor in _ANCHOR.finditer(text):
        for start, day in found:
            if anchor.end() <= start <= anchor.end() + 40:
                return day
        weekday = _WEEKDAY_AFTER.match(text, anchor.end())
        if weekday:  # "back on Monday": the next Monday after the reply was sent
            ahead = (_WEEKDAYS[weekday.group(1)] - sent.weekday()) % 7 or 7
            return sent + timedelta(days=ahead)
    # One unanchored date may as well be the first day away; a range ends with the return.
    return max(day for _, day in found) if len(found) > 1 else None


def _dates_in(text: str, sent: date) -> list[tuple[int, date]]:
    """(position, date) of every date in ``text`` that falls in the return window."""
    found = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            y, m, d = match.group("y", "m", "d")
            options = [(y, m, d), (y, d, m)] if pattern is _SLASHED else [(y, m, d)]
            days = [day for option in options if (day := _resolve(*option, sent))]
            before = _WEEKDAY_BEFORE.search(text, max(0, match.start() - 16), match.start())
            if before and len(days) > 1:  # "Monday 12/01": the weekday settles the order
                days = [x for x in days if x.weekday() == _WEEKDAYS[before.group(1)]] or days
            if days:
                found.append((match.start(), min(days)))
    return found


def _resolve(year: str | None, month: str, day: str, sent: date) -> date | None:
    number = _MONTHS.get(month) or int(month)
    years = [int(year) + (2000 if len(year) == 2 else 0)] if year else [sent.year, sent.year + 1]
    for y in years:
        try:
            candidate = date(y, number, int(day))
        except ValueError:
            continue
        if candidate > sent:
            return candidate if candidate <= sent + RETURN_WINDOW else None
    return None


def message_from_headers(
    headers: Sequence[tuple[str, str]],
    *,
    snippet: str = "",
    provider_id: str = "",
    thread: str = "",
    fallback_uid: str = "",
    body: str | None = None,
    default_date: datetime | None = None,
) -> MailMessage:
    """Build a :class:`MailMessage` from raw (name, value) header pairs.

    ``body`` is the text searched for an out-of-office return date (default: the snippet).
    ``sent_at`` falls back to the oldest Received hop, then ``default_date``, then 1970-01-01
    UTC: the caller decides what an undated message means, this function never raises.
    """
    h = _multidict(headers)
    uid = _msgid(_first(h, "message-id")) or fallback_uid or _content_hash(h)
    references = _ID.findall(_text(" ".join(h.get("references", []))))
    in_reply_to = _msgid(_first(h, "in-reply-to"))
    sent_at = _sent_at(h) or default_date or EPOCH
    subject = " ".join(decode_words(_text(_first(h, "subject"))).split())
    kind = classify(headers)
    sender = parse_addresses(h.get("from", []) or h.get("sender", []))
    return MailMessage(
        uid=uid,
        sent_at=sent_at,
        sender=sender[0] if sender else None,
        to=parse_addresses(h.get("to", [])),
        cc=parse_addresses(h.get("cc", [])),
        subject=subject,
        snippet=snippet,
        kind=kind,
        thread=thread or (references[0].lower() if references else "") or in_reply_to or uid,
        in_reply_to=in_reply_to,
        return_date=(
            return_date(subject, snippet if body is None else body, sent_at)
            if kind is MailKind.AUTO_REPLY
            else None
        ),
        provider_id=provider_id,
    )


def message_from_bytes(raw: bytes, *, fallback_uid: str = "") -> MailMessage:
    """Parse one RFC 5322 message; never raises, whatever the bytes.

    compat32 is the policy that survives malformed input: it stores header values as
    strings and only parses them when asked, whereas the default policy's header classes
    raise on some broken headers when they are merely read.
    """
    parser = BytesParser(policy=email.policy.compat32)
    try:
        msg = parser.parsebytes(raw)
        text = _body_text(msg)
    except RecursionError:  # MIME nested a thousand deep: keep the headers, drop the body
        msg, text = parser.parsebytes(raw, headersonly=True), ""
    headers = [(str(name), str(value)) for name, value in msg.raw_items()]
    snippet = " ".join(text[: SNIPPET_CHARS * 4].split())[:SNIPPET_CHARS]
    return message_from_headers(
        headers, snippet=snippet, body=text[:4000], fallback_uid=fallback_uid
    )


def _body_text(msg: Message) -> str:
    """The first text/plain part (else text/html without tags); "" when there is none."""
    html_text = ""
    for part in msg.walk():
        if part.is_multipart() or "attachment" in str(part.get("content-disposition", "")).lower():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        # The start is all a snippet or a return date needs; a huge part costs no more.
        text = _decode(payload[:65536], part.get_content_charset() or "utf-8")
        if ctype == "text/plain":
            return text
        html_text = html_text or _strip_html(text)
    return html_text


def _strip_html(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
    return html.unescape(re.sub(r"(?s)<[^>]*>", " ", text))


def _decode(data: bytes, charset: str) -> str:
    try:
        return data.decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):  # unknown or odd codec
        return data.decode("utf-8", "replace")


def _text(value: str) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit headers are UTF-8, else cp1252."""
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # lone surrogates that did not come from raw bytes
        data = value.encode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _multidict(headers: Headers) -> dict[str, list[str]]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name.strip().lower(), []).append(_text(value))
    return out


def _first(h: Mapping[str, list[str]], name: str) -> str:
    values = h.get(name)
    return values[0].replace("\r", "").replace("\n", "") if values else ""


def _msgid(value: str) -> str:
    """``" <ABC@x>"`` → ``"abc@x"``: the same message-id however it was written."""
    found = _ID.search(value)
    text = found.group(1) if found else value.strip().strip("<>").strip()
    return "" if any(c.isspace() for c in text) else text.lower()


def _content_hash(h: Mapping[str, list[str]]) -> str:
    key = "\0".join(_first(h, name) for name in ("date", "from", "subject", "to"))
    return "h:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]


def _sent_at(h: Mapping[str, list[str]]) -> datetime | None:
    received = h.get("received", [])
    # The last Received header is the first hop, the closest to when the mail was sent.
    for text in (_first(h, "date"), received[-1].rpartition(";")[2] if received else ""):
        parsed = _parse_date(text.replace("\r", "").replace("\n", " "))
        if parsed is not None:
            return parsed
    return None


def _parse_date(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
