"""People at an account the rep's mail or calendar names but who made no touch: Cc'd on
mail between others, on an invite the rep declined, in a mass mailing. Pure.

They are the people to suggest when nurture knows no one at a due account. Each is a
:class:`Signal` of kind ``seen`` (its ``detail`` the display name, its ``at`` the latest
sighting), so it travels with the out-of-office signals through the derived-data cache.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from agent.model import MailKind, MailMessage, Meeting, Signal

SEEN = "seen"
AccountOf = Callable[[str], str | None]  # an address → its account's name, or None


def seen_people(
    account_of: AccountOf,
    messages: Sequence[MailMessage],
    meetings: Sequence[Meeting],
    touched: Collection[str],
) -> list[Signal]:
    found: dict[str, Signal] = {}

    def note(email: str, name: str, at: datetime) -> None:
        account = account_of(email)
        if account is None or email in touched:
            return
        before = found.get(email)
        if before is None or before.at < at:
            keep = name or (before.detail if before else "")
            found[email] = Signal(SEEN, account, email, at, keep)

    for message in messages:
        if message.kind is not MailKind.PERSONAL:
            continue
        for address in (message.sender, *message.recipients):
            if address is not None:
                note(address.email, address.name, message.sent_at)
    for meeting in meetings:
        for attendee in meeting.attendees:
            note(attendee.email, attendee.name, meeting.start)
    return sorted(found.values(), key=lambda s: (s.at, s.contact))
