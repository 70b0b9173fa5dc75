"""OutgoingMail → RFC 5322 bytes, built with the stdlib email package (text + HTML)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from agent.model import Address, OutgoingMail


def _one_line(value: str) -> str:
    # A newline in a header value would start a new header: the classic injection.
    return " ".join(value.split())


def build_mime(mail: OutgoingMail, sender: Address, now: datetime) -> EmailMessage:
    """The message a provider stores as a draft or sends; deterministic but for Date (and
    the Message-ID when ``mail.rfc822_id`` is empty). Nothing in it names nurture."""
    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr((_one_line(sender.name), sender.email))
    message["To"] = ", ".join(formataddr((_one_line(a.name), a.email)) for a in mail.to)
    message["Subject"] = _one_line(mail.subject)
    message["Date"] = format_datetime(now)
    chosen = _one_line(mail.rfc822_id).strip("<>")
    domain = sender.domain or "localhost"
    message["Message-ID"] = f"<{chosen}>" if chosen else make_msgid(domain=domain)
    if mail.in_reply_to:
        message["In-Reply-To"] = f"<{_one_line(mail.in_reply_to).strip('<>')}>"
        chain = mail.references or (mail.in_reply_to,)
        message["References"] = " ".join(f"<{_one_line(r).strip('<>')}>" for r in chain)
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message
