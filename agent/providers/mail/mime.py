"""OutgoingMail → RFC 5322 bytes, built with the stdlib email package (text + HTML).

The building and the check that the bytes say what was meant live in
:mod:`agent.untrusted.headers`; every provider goes through :func:`build_mime`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage

from agent.errors import UserError
from agent.model import Address, OutgoingMail
from agent.untrusted.headers import build_message


def build_mime(mail: OutgoingMail, sender: Address, now: datetime) -> EmailMessage:
    """The message a provider stores as a draft or sends; deterministic but for Date.

    Raises :class:`agent.untrusted.headers.RefusedDraft` when the message, parsed back, would not
    be exactly ``mail`` (another recipient, a header nurture did not write, ...)."""
    return build_message(mail, sender, now)


def refuse_unless_to_me(mail: OutgoingMail, me: Iterable[str]) -> None:
    """``send_to_self``'s one rule, for every mailbox: the rep's own addresses and no one else."""
    mine = {e.lower() for e in me}
    strangers = [a.email for a in mail.to if a.email.lower() not in mine]
    if strangers or not mail.to:
        raise UserError(
            f"nurture only ever sends mail to you; refused to send to {strangers or 'nobody'}",
            "mail to yourself goes to the addresses listed under `me` in the config",
        )
