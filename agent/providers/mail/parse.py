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
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from agent.model import Address, MailKind, MailMessage
from agent.providers.mail.fast import simple_addresses, simple_date
from agent.providers.mail.ooo import return_date
from agent.providers.mail.signature import name_from_signature
from agent.untrusted.bounds import (
    BODY_BYTES,
    MAX_PEOPLE,
    NAME_CHARS,
    SUBJECT_CHARS,
    bounded,
    payload_head,
)
from agent.untrusted.headers import decode_text, decode_words

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SNIPPET_CHARS = 200
ADDRESS_CHARS = 254  # RFC 5321's limit on a path
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
UU_ENCODINGS = ("x-uuencode", "uuencode", "uue", "x-uue")  # get_payload(decode=True) decodes
_SPACE = re.compile(r"\s")  # the characters str.isspace() accepts


def normalize_email(raw: str) -> str | None:
    """``"Jo <Jo+crm@X.com>"`` → ``"jo@x.com"``; None unless it is a plausible addr-spec."""
    text = raw.strip()
    if "<" in text:  # a display name, or a stray bracket: the address is inside the last <>
        text = text.rpartition("<")[2].partition(">")[0].strip()
    local, at, domain = text.lower().rpartition("@")
    domain = domain.rstrip(".")
    if not at or not local or not domain or _FORBIDDEN.search(local + domain):
        return None
    if "=?" in text or len(text) > ADDRESS_CHARS:  # an encoded word is no mailbox (issue 15)
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
        pairs = simple_addresses(unfolded)  # the common shapes, without email._parseaddr
        if pairs is None:
            try:
                pairs = _pairs(unfolded)
            except (IndexError, ValueError, TypeError):  # garbage: skip this header, keep others
                continue
        for raw_name, raw_email in pairs:
            address = normalize_email(raw_email)
            if address and address not in found:
                name = bounded(decode_words(raw_name[: NAME_CHARS * 8]), NAME_CHARS)
                found[address] = Address(address, name)
                if len(found) >= MAX_PEOPLE:  # no touch has that many people: stop reading
                    return tuple(found.values())
    return tuple(found.values())


def _pairs(value: str) -> list[tuple[str, str]]:
    """(name, address) pairs, leniently: Python 3.13 (and the 3.11/3.12 security releases)
    parse strictly by default and drop a whole header for one ambiguous item, which would
    lose every good address beside it. Nothing is sent on the strength of this parse:
    addresses written to are checked again (``agent.untrusted.headers``)."""
    try:
        return getaddresses([value], strict=False)  # type: ignore[call-arg,unused-ignore]
    except TypeError:  # an interpreter without the ``strict`` parameter is lenient
        return getaddresses([value])


def classify(headers: Headers) -> MailKind:
    """What a message is, from its headers alone (names are case-insensitive)."""
    h = _multidict(headers)
    sender = parse_addresses(h.get("from", []) or h.get("sender", []))
    subject = " ".join(decode_words(_first(h, "subject")).split())
    return _classify(h, sender[0] if sender else None, subject)


def _classify(h: Mapping[str, list[str]], sender: Address | None, subject: str) -> MailKind:
    local = sender.email.partition("@")[0] if sender else ""
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
    parent = _ID.findall(_first(h, "in-reply-to"))[:1]
    sent_at = _sent_at(h) or default_date or EPOCH
    subject = bounded(decode_words(_text(_first(h, "subject"))[: SUBJECT_CHARS * 8]), SUBJECT_CHARS)
    sender = parse_addresses(h.get("from", []) or h.get("sender", []))
    # classify(headers), on the fields already read (the sender is parsed once).
    whole_subject = " ".join(decode_words(_first(h, "subject")).split())
    kind = _classify(h, sender[0] if sender else None, whole_subject)
    named = _export_names(h)
    if sender and not sender[0].name and sender[0].email not in named:
        signed = name_from_signature(snippet if body is None else body, sender[0].email)
        named = {**named, sender[0].email: signed} if signed else named
    return MailMessage(
        uid=uid,
        sent_at=sent_at,
        sender=_named(sender, named)[0] if sender else None,
        to=_named(parse_addresses(h.get("to", [])), named),
        cc=_named(parse_addresses(h.get("cc", [])), named),
        bcc=_named(parse_addresses(h.get("bcc", [])), named),
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
        message_id=_written_id(_first(h, "message-id")),
        references=tuple(references or parent),
    )


def _export_names(h: Mapping[str, list[str]]) -> dict[str, str]:
    """Names from X-From / X-To / X-cc: Exchange and Lotus exports (the Enron corpus among
    them) keep the display names there and bare addresses in From/To."""
    found: dict[str, str] = {}
    for header in ("x-from", "x-to", "x-cc", "x-bcc"):
        for address in parse_addresses(h.get(header, [])):
            if address.name:
                found.setdefault(address.email, address.name)
    return found


def _named(addresses: tuple[Address, ...], names: Mapping[str, str]) -> tuple[Address, ...]:
    if not names:
        return addresses
    return tuple(
        a if a.name or a.email not in names else Address(a.email, names[a.email]) for a in addresses
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
    return message_from_text(headers, text, fallback_uid=fallback_uid)


def message_from_text(
    headers: Sequence[tuple[str, str]], text: str, *, fallback_uid: str = "", thread: str = ""
) -> MailMessage:
    """A message from its raw header fields and its body text (snippet, return date)."""
    snippet = " ".join(text[: SNIPPET_CHARS * 4].split())[:SNIPPET_CHARS]
    return message_from_headers(
        headers, snippet=snippet, body=text[:4000], fallback_uid=fallback_uid, thread=thread
    )


def sent_at_of(headers: Sequence[tuple[str, str]]) -> datetime | None:
    """The time ``message_from_headers`` gives a message (None: it would use its default)."""
    wanted = [(n, v) for n, v in headers if n.strip().lower() in ("date", "received")]
    return _sent_at(_multidict(wanted))


def body_text(payload: bytes, kind: str, charset: str) -> str:
    """``_body_text`` of a one-part message that is not transfer-encoded
    (``agent.providers.mail.fast.text_part``): ``payload`` is its body as bytes."""
    if kind not in ("text/plain", "text/html"):
        return ""
    text = decode_text(payload[:BODY_BYTES], charset)
    return text if kind == "text/plain" else _strip_html(text)


def _body_text(msg: Message) -> str:
    """The first text/plain part (else text/html without tags); "" when there is none."""
    html_text = ""
    for part in msg.walk():
        if part.is_multipart() or "attachment" in str(part.get("content-disposition", "")).lower():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        head = _head_bytes(part)
        if head is None:
            continue
        text = decode_text(head, part.get_content_charset() or "utf-8")
        if ctype == "text/plain":
            return text
        html_text = html_text or _strip_html(text)
    return html_text


def _head_bytes(part: Message) -> bytes | None:
    """The start of a part's content as bytes: all a snippet or a return date needs, so a
    huge base64 or quoted-printable part is not decoded whole. A part that is not
    transfer-encoded is taken as its bytes came: ``get_payload()`` would already have
    decoded 8-bit text with the part's charset, and decoding that again garbles it."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    try:
        if encoding in ("base64", "quoted-printable"):
            payload = part.get_payload()
            return payload_head(payload, encoding) if isinstance(payload, str) else None
        uu = encoding in UU_ENCODINGS
        payload = part.get_payload() if uu else part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError):  # 8-bit text in a charset it cannot be
        return None
    if isinstance(payload, str):  # uuencoded: kept as written, as before
        return payload_head(payload, encoding)
    return payload[:BODY_BYTES] if isinstance(payload, bytes) else None


def _strip_html(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
    return html.unescape(re.sub(r"(?s)<[^>]*>", " ", text))


def _text(value: str) -> str:
    """Undo the parser's surrogate escapes: raw 8-bit headers are UTF-8, else cp1252."""
    if value.isascii():  # no escapes: encoding and decoding again gives the same text
        return value
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
    return "" if _SPACE.search(text) else text.lower()


def _written_id(value: str) -> str:
    """A Message-ID as written, without ``<>`` ("" when there is none to answer)."""
    found = _ID.search(value)
    return found.group(1) if found else ""


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


def parse_date(text: str) -> datetime | None:
    """A Date (or Received) header's time, UTC when it names no zone; None: no date."""
    return _parse_date(text)


def _parse_date(text: str) -> datetime | None:
    if not text.strip():
        return None
    simple = simple_date(text)  # the common shape, without email._parseaddr
    if simple is None:
        return None
    if isinstance(simple, datetime):
        return simple if simple.tzinfo is not None else simple.replace(tzinfo=UTC)
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
