"""OutgoingMail → RFC 5322 bytes, built with the stdlib email package (text + HTML)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from agent.model import MARKER_HEADER, Address, OutgoingMail


def _one_line(value: str) -> str:
    # A newline in a header value would start a new header: the classic injection.
    return " ".join(value.split())


def build_mime(mail: OutgoingMail, sender: Address, now: datetime) -> EmailMessage:
    """The message a provider stores as a draft or sends; deterministic but for Date."""
    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr((_one_line(sender.name), sender.email))
    message["To"] = ", ".join(formataddr((_one_line(a.name), a.email)) for a in mail.to)
    message["Subject"] = _one_line(mail.subject)
    message["Date"] = format_datetime(now)
    domain = sender.domain or "nurture.local"
    message["Message-ID"] = (
        f"<{mail.marker}@{domain}>" if mail.marker else make_msgid(domain=domain)
    )
    if mail.marker:
        message[MARKER_HEADER] = _one_line(mail.marker)
    if mail.in_reply_to:
        message["In-Reply-To"] = message["References"] = f"<{mail.in_reply_to.strip('<>')}>"
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message
