"""What reaches a header says only what it shows; every message is parsed back and checked.

Text from outside (mail, calendars, the CRM CSV, the content library, the config) reaches
the headers of what nurture writes: a meeting title in a do-over's subject, a contact's
name in To, an address seen in inbound mail. Three things could turn such text into an
instruction to the mail library:

* a line break (CR, LF and the other line separators) would start a new header;
* an RFC 2047 encoded word (``=?utf-8?b?...?=``) is decoded by the email package when the
  value is set; before Python 3.11.10 / 3.12.5 (CVE-2024-6923) the decoded line breaks are
  then written out raw, and on every version a decoded ``<``, ``>`` or ``,`` in a display
  name or an address becomes a second recipient;
* an address that is not one plain ``local@domain`` can carry a second one.

So :func:`header_text` decodes encoded words once (their text is data), turns every
control and separator character into a space and breaks up any ``=?`` left, and
:func:`plain_address` accepts only a single ASCII dot-atom address. Headers are built from
``email.headerregistry.Address`` objects, never from strings, and :func:`build_message`
then parses the bytes back and refuses the message (:class:`RefusedDraft`, with the
reason) unless it has exactly the intended recipient, no Cc or Bcc, the intended subject,
the intended text and no header nurture did not write.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import Header, decode_header
from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.utils import format_datetime

from agent.errors import UserError
from agent.model import Address, OutgoingMail

SUBJECT_CHARS, NAME_CHARS = 200, 100
ADDRESS_CHARS = 254  # RFC 5321's limit on a forward path
# The headers nurture writes; a message with any other (or one of these twice) is refused.
WRITTEN = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "in-reply-to",
        "references",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})"
)
_NAME_SPECIALS = str.maketrans(dict.fromkeys('"\\<>,;:@()[]', " "))
_NOT_PLAIN_NAME = re.compile(r"[^A-Za-z0-9 .'-]")
_MSGID = re.compile(r"[A-Za-z0-9!#$%&'*+/=^_`{|}~.-]{1,200}@[A-Za-z0-9.-]{1,200}")


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
            out.append(decode_text(chunk, "raw-unicode-escape"))
        else:
            out.append(decode_text(chunk, charset))
    return "".join(out)


def decode_text(data: bytes, charset: str) -> str:
    """Bytes in a charset a message named; an unknown or odd codec reads as UTF-8."""
    try:
        return data.decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):  # unknown or odd codec
        return data.decode("utf-8", "replace")


class RefusedDraft(UserError):
    """A message nurture will not write or send: ``message`` says why (it names no data
    that could mislead: addresses and subjects are quoted with ``repr``)."""


def header_text(value: str, limit: int = SUBJECT_CHARS) -> str:
    """Outside text as one harmless header line: encoded words decoded once, no control,
    format or separator characters, single spaces, no ``=?`` or ``?=`` left, capped."""
    text = decode_words(value) if "=?" in value else value
    kept = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    # Neither end of an encoded word is left: "=?" would start one, and a stray "?=" next
    # to the words the email package writes when it folds confuses its own parser.
    text = " ".join(kept.split()).replace("=?", "= ?").replace("?=", "? =")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def display_name(value: str) -> str:
    """A person's name for a header: :func:`header_text` without the characters that make
    a name a quoted string (``"\\<>,;:@()[]``). A name that looks like ``Kate <x@y>``
    would show an address it is not, and the email package drops the quotes of a long
    quoted name when it folds the line, so that ``Bcc: x@evil`` in a name is read back as
    a group and an address (the parse-back check refuses such a message; this avoids it).
    """
    return " ".join(header_text(value, NAME_CHARS).translate(_NAME_SPECIALS).split())


def plain_address(value: str) -> str | None:
    """``value`` when it is exactly one ASCII ``local@domain`` with no encoded word; else None."""
    if len(value) > ADDRESS_CHARS or "=?" in value or not _ADDRESS.fullmatch(value):
        return None
    return value


def message_id(value: str) -> str:
    """A Message-ID from outside (what a reply answers) if it is a plain one, else ""."""
    text = value.strip().strip("<>")
    return text if _MSGID.fullmatch(text) and "=?" not in text else ""


def mailbox(address: Address, what: str = "recipient") -> MailAddress:
    """A structured mailbox for a header; RefusedDraft unless the address is plain."""
    email = plain_address(address.email)
    if email is None:
        raise RefusedDraft(
            f"the {what} {address.email[:ADDRESS_CHARS]!r} is not a single plain address",
            "fix that person's email in the config or CRM export",
        )
    return MailAddress(display_name=display_name(address.name), addr_spec=email)


def build_message(mail: OutgoingMail, sender: Address, now: datetime) -> EmailMessage:
    """The message a provider stores as a draft or sends, checked; RefusedDraft otherwise.

    The email package can garble a display name when it folds a long line of encoded
    words (the parse-back then reads another name, or none); such a message is built
    again with the names in plain ASCII, and refused only if that fails too."""
    message, problem = _checked(mail, sender, now)
    if problem.startswith(("it would go to", "it would be from")):
        plain = replace(mail, to=tuple(replace(a, name=ascii_name(a.name)) for a in mail.to))
        message, again = _checked(plain, replace(sender, name=ascii_name(sender.name)), now)
        problem = again and problem
    if problem:
        raise RefusedDraft(
            f"the message would not be what was intended: {problem}",
            "reject it with `nurture drafts reject ID` and check the names and titles it uses",
        )
    return message


def ascii_name(value: str) -> str:
    """``Kate Müller`` → ``Kate Muller``: letters without accents, digits, ``.'-``."""
    flat = unicodedata.normalize("NFKD", display_name(value)).encode("ascii", "ignore")
    return " ".join(_NOT_PLAIN_NAME.sub(" ", flat.decode()).split())


def _checked(mail: OutgoingMail, sender: Address, now: datetime) -> tuple[EmailMessage, str]:
    try:
        message = _build(mail, sender, now)
        data = message.as_bytes()
    except RefusedDraft:
        raise
    # The email package raises ValueError, TypeError, IndexError... on input it cannot
    # write; whatever it is, it is this message's problem, never the cycle's.
    except Exception as error:
        raise RefusedDraft(
            f"the message cannot be built ({type(error).__name__}: {error})",
            "reject it with `nurture drafts reject ID`; the next plan picks another play",
        ) from None
    return message, mismatch(data, mail, sender)


def _build(mail: OutgoingMail, sender: Address, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = mailbox(sender, "sender")
    message["To"] = tuple(mailbox(a) for a in mail.to)
    message.set_raw("Subject", _encoded_subject(header_text(mail.subject)))
    message["Date"] = format_datetime(now)
    # Nothing here names nurture: the Message-ID is the one chosen for the draft (it looks
    # like any other) and the draft's key is never written into the message.
    chosen = message_id(mail.rfc822_id) if mail.rfc822_id else ""
    if mail.rfc822_id and not chosen:
        raise RefusedDraft(f"the Message-ID {mail.rfc822_id[:60]!r} is not a plain one")
    message["Message-ID"] = f"<{chosen}>" if chosen else _new_id(sender.domain)
    answered = message_id(mail.in_reply_to)
    if answered:
        # The chain as the conversation wrote it; a link that is not a plain id is left out.
        chain = [i for i in (message_id(r) for r in mail.references) if i] or [answered]
        message["In-Reply-To"] = f"<{answered}>"
        message["References"] = " ".join(f"<{i}>" for i in chain)
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


def _encoded_subject(subject: str) -> str:
    """The Subject line folded and encoded by ``email.header.Header``, stored as it is: the
    newer folder garbles some mixes of text and encoded words (the parse-back then reads
    another subject), the older encoder does not."""
    charset = None if subject.isascii() else "utf-8"
    header = Header(subject, charset, maxlinelen=76, header_name="Subject")
    return header.encode(linesep="\n")


def _new_id(domain: str) -> str:
    from email.utils import make_msgid

    return make_msgid(domain=domain)


def mismatch(data: bytes, mail: OutgoingMail, sender: Address) -> str:
    """Why the bytes are not exactly ``mail`` from ``sender``; "" when they are."""
    parsed = message_from_bytes(data, policy=policy.default)
    names = [name.lower() for name in parsed]
    for name in ("bcc", "cc"):
        if name in names:
            return f"it has a {name.title()} header: {_shown(parsed, name)}"
    unknown = sorted({n for n in names if n not in WRITTEN})
    if unknown:
        return f"it has headers nurture did not write: {', '.join(unknown)}"
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        return f"it has more than one {', '.join(twice)} header"
    expected = [(display_name(a.name), a.email) for a in mail.to]
    found = recipients(parsed, "to")
    if _squeezed(found) != _squeezed(expected):
        return f"it would go to {_listed(found)} instead of {_listed(expected)}"
    sent_by = recipients(parsed, "from")
    if _squeezed(sent_by) != _squeezed([(display_name(sender.name), sender.email)]):
        return f"it would be from {_listed(sent_by)}"
    subject = str(parsed.get("subject", ""))
    if _squeeze(subject) != _squeeze(header_text(mail.subject)):
        return f"its subject would be {subject[:SUBJECT_CHARS]!r}"
    if _lines(body_text(parsed)) != _lines(mail.text):
        return "its text is not the text that was written"
    return ""


def recipients(parsed: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, address) of every mailbox in header ``name`` (groups flattened)."""
    header = parsed.get(name)
    addresses = getattr(header, "addresses", ())
    return [(" ".join(a.display_name.split()), a.addr_spec) for a in addresses]


def body_text(parsed: EmailMessage) -> str:
    """The text/plain part as the recipient reads it ("" when there is none)."""
    part = parsed.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError, TypeError):  # an unknown charset, a broken encoding
        return ""


def _squeeze(text: str) -> str:
    # Folding adds whitespace (a continuation line, a space between two encoded words):
    # what must match is every other character, in order.
    return "".join(text.split())


def _squeezed(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_squeeze(name), email) for name, email in pairs]


def _lines(text: str) -> str:
    # set_content ends the text with a newline; line ends are CRLF on the wire.
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def _shown(parsed: EmailMessage, name: str) -> str:
    return _listed(recipients(parsed, name)) or repr(str(parsed.get(name, ""))[:200])


def _listed(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(repr(email) for _, email in pairs) or "nobody"
