"""What a draft will really do, read from the message in the mailbox, not from the record.

`nurture drafts show` and `nurture drafts approve` show this: who the message goes to (To,
Cc and Bcc), its subject and its text, parsed from the bytes the provider would send (the
.eml file; Gmail: the draft fetched with ``format=raw``). The rep may have changed the
draft in their mail program, and a draft written before a fix may carry what the record
never said; either way, what is shown is what goes out. ``version`` (the Gmail message id,
the local file's content hash) ties an approval to the message that was shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy

from agent.untrusted.headers import WRITTEN, body_text, recipients

Mailboxes = tuple[tuple[str, str], ...]  # (display name, address)


@dataclass(frozen=True)
class Preview:
    draft_id: str
    version: str  # changes whenever the draft's content changes
    sender: Mailboxes
    to: Mailboxes
    cc: Mailboxes
    bcc: Mailboxes
    subject: str
    text: str
    unknown_headers: tuple[str, ...]  # headers nurture never writes (Reply-To, Bcc, ...)

    @property
    def recipients(self) -> Mailboxes:
        return self.to + self.cc + self.bcc

    def concerns(self, contact: str) -> list[str]:
        """Why this message is not simply "to the contact, as nurture wrote it"."""
        found = []
        others = [email for _, email in self.recipients if email.lower() != contact.lower()]
        if others:
            found.append(f"it also goes to {', '.join(others)}")
        if not any(email.lower() == contact.lower() for _, email in self.to):
            found.append(f"{contact} is not among its To recipients")
        if self.bcc:
            found.append("it has Bcc recipients, who are hidden from the others")
        extra = [h for h in self.unknown_headers if h not in ("cc", "bcc")]
        if extra:
            found.append(f"it has headers nurture did not write: {', '.join(extra)}")
        return found

    def json(self) -> dict[str, object]:
        def people(boxes: Mailboxes) -> list[dict[str, str]]:
            return [{"name": name, "email": email} for name, email in boxes]

        return {
            "to": people(self.to),
            "cc": people(self.cc),
            "bcc": people(self.bcc),
            "subject": self.subject,
            "text": self.text,
            "unknown_headers": list(self.unknown_headers),
        }


def read_preview(draft_id: str, version: str, raw: bytes) -> Preview:
    parsed = message_from_bytes(raw, policy=policy.default)

    def boxes(name: str) -> Mailboxes:
        try:
            return tuple(recipients(parsed, name))
        except (ValueError, TypeError, IndexError):  # unparsable: show it raw instead
            value = " ".join(str(v) for v in parsed.get_all(name, ()))
            return (("", value),) if value else ()

    names = sorted({name.lower() for name in parsed} - WRITTEN)
    return Preview(
        draft_id=draft_id,
        version=version,
        sender=boxes("from"),
        to=boxes("to"),
        cc=boxes("cc"),
        bcc=boxes("bcc"),
        subject=str(parsed.get("subject", "")),
        text=body_text(parsed),
        unknown_headers=tuple(names),
    )


def shown(boxes: Mailboxes) -> str:
    """``Kate Morgan <kate@x.com>, <bo@y.com>``: names and addresses, every one of them."""
    return ", ".join(f"{name} <{email}>" if name else f"<{email}>" for name, email in boxes)
