"""Who the rep is, as Gmail and Calendar show it: one person behind several addresses.

Gmail does no alias expansion: mail the rep sent from a send-as alias carries the alias
in From, and touch detection only knows the addresses in ``me``. So at this edge every
address of the rep becomes the rep's first ``me`` address (the way ``+tags`` are already
dropped), from three facts Google gives:

* ``users.settings.sendAs.list`` (allowed by gmail.readonly): every address the rep can
  send as, the signed-in one included;
* the ``SENT`` label: the rep sent it, whatever From says (a delegate, an alias added
  since the list was read);
* Calendar's ``attendees[].self`` and ``organizer.self``: the entry that is the calendar
  being read, i.e. the rep (an alias they were invited at, a secondary calendar of theirs).

An address already in ``me`` is kept as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from agent.model import Address, MailMessage
from agent.providers.mail.parse import normalize_email


@dataclass(frozen=True)
class Rep:
    me: tuple[str, ...]  # config.me: the first is the rep's name for every other address
    aliases: frozenset[str] = frozenset()  # send-as addresses (lower-case, no +tags)

    @property
    def canonical(self) -> str:
        return self.me[0]

    def with_aliases(self, aliases: Iterable[str]) -> Rep:
        known = {normalize_email(a) for a in aliases}
        return replace(self, aliases=frozenset(a for a in known if a))

    def is_rep(self, email: str) -> bool:
        return email in self.me or email in self.aliases

    def address(self, address: Address) -> Address:
        if address.email in self.me or address.email not in self.aliases:
            return address
        return Address(self.canonical, address.name)

    def as_rep(self, address: Address | None) -> Address:
        """The sender of mail labelled SENT: the rep, under a ``me`` address."""
        if address is not None and address.email in self.me:
            return address
        return Address(self.canonical, address.name if address else "")

    def message(self, message: MailMessage, sent: bool) -> MailMessage:
        """``message`` with the rep's addresses named as ``me`` names them."""
        if not sent and not self.aliases:
            return message
        sender = self.as_rep(message.sender) if sent else message.sender
        if sender is not None:
            sender = self.address(sender)
        changed = replace(
            message,
            sender=sender,
            to=tuple(self.address(a) for a in message.to),
            cc=tuple(self.address(a) for a in message.cc),
            bcc=tuple(self.address(a) for a in message.bcc),
        )
        return message if changed == message else changed

    def attendee_email(self, email: str, is_self: bool) -> str:
        """A calendar entry's address: the rep's first ``me`` address when it is the rep."""
        if email in self.me or not (is_self or email in self.aliases):
            return email
        return self.canonical


def mismatch(signed_in: str, me: Iterable[str]) -> str | None:
    """A sentence when the Google account is not one of the rep's configured addresses."""
    wanted = tuple(me)
    address = normalize_email(signed_in) or signed_in.lower()
    if address in wanted:
        return None
    return (
        f"nurture is connected to Google as {address}, but `me` in the config lists "
        f"{', '.join(wanted)}: add {address} to `me`, or run `nurture auth` again and sign "
        f"in as {wanted[0]}"
    )
