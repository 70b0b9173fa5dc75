"""Real-world mail from other projects (../shared/data/email): parsed, never a crash.

Every file parses (mbox files through the local provider, the rest as single messages).
imap_tools' expected parses serve as an oracle for From/To/Cc addresses, names and dates.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.model import Address, MailMessage
from agent.providers.local.mail import read_mail
from agent.providers.mail.parse import message_from_bytes, normalize_email

EMAIL = Path(__file__).resolve().parents[3] / "shared" / "data" / "email"
IMAP_TOOLS = EMAIL / "imap_tools"
UNPARSEABLE = datetime(1900, 1, 1)  # imap_tools' date for "no usable Date header"

# Oracle cases where we knowingly disagree: "relative path": why. None so far: every
# address, name and date imap_tools could parse agrees with ours.
ORACLE_EXCEPTIONS: dict[str, str] = {}


def _needs_data() -> None:
    if not EMAIL.is_dir():
        pytest.skip(f"shared test data not present at {EMAIL}")


def _corpora() -> list[str]:
    return sorted(p.name for p in EMAIL.iterdir() if p.is_dir()) if EMAIL.is_dir() else []


def _oracle_cases() -> list[str]:
    if not IMAP_TOOLS.is_dir():
        return []
    messages = IMAP_TOOLS / "messages"
    return sorted(
        str(eml.relative_to(messages).with_suffix(""))
        for eml in messages.rglob("*.eml")
        if (IMAP_TOOLS / "messages_data" / eml.relative_to(messages).with_suffix(".json")).is_file()
    )


def _read(file: Path) -> list[MailMessage]:
    raw = file.read_bytes()
    if raw.startswith(b"From "):
        return [message for _, message in read_mail(file)]
    return [message_from_bytes(raw)]


def _check(message: MailMessage) -> None:
    assert message.uid
    assert message.sent_at.tzinfo is not None
    for address in (message.sender, *message.recipients):
        assert address is None or normalize_email(address.email) == address.email


@pytest.mark.parametrize("corpus", _corpora() or ["absent"])
def test_every_file_parses(corpus: str) -> None:
    _needs_data()
    failures: list[str] = []
    files = [f for f in sorted((EMAIL / corpus).rglob("*")) if f.is_file()]
    for file in files:
        try:
            for message in _read(file):
                _check(message)
        except Exception as error:  # collect them all: one report beats 1,700 reruns
            failures.append(f"{file.relative_to(EMAIL)}: {error!r}")
    assert files
    assert not failures, "\n".join(failures)


def _expected(values: list[dict[str, str]]) -> list[Address]:
    """The oracle's addresses as we promise them: normalised, invalid ones dropped, unique."""
    found: dict[str, Address] = {}
    for value in values:
        email = normalize_email(value["email"])
        if email and email not in found:
            found[email] = Address(email, " ".join(value["name"].split()))
    return list(found.values())


def _assert_agrees(ours: list[Address], oracle: list[dict[str, str]], field: str) -> None:
    expected = _expected(oracle)
    assert [a.email for a in ours] == [a.email for a in expected], field
    for mine, theirs in zip(ours, expected, strict=True):
        if theirs.name:
            assert mine.name == theirs.name, f"{field} name of {mine.email}"


@pytest.mark.parametrize("case", _oracle_cases() or ["absent"])
def test_imap_tools_oracle(case: str) -> None:
    _needs_data()
    if case in ORACLE_EXCEPTIONS:
        pytest.skip(ORACLE_EXCEPTIONS[case])
    raw = (IMAP_TOOLS / "messages" / f"{case}.eml").read_bytes()
    oracle: dict[str, Any] = json.loads(
        (IMAP_TOOLS / "messages_data" / f"{case}.json").read_text(encoding="utf-8")
    )
    message = message_from_bytes(raw)
    sender = oracle["from_values"]
    _assert_agrees([message.sender] if message.sender else [], [sender] if sender else [], "from")
    _assert_agrees(list(message.to), oracle["to_values"], "to")
    _assert_agrees(list(message.cc), oracle["cc_values"], "cc")
    expected_date = datetime.fromisoformat(oracle["date"])
    if expected_date != UNPARSEABLE:  # we fall back to Received; imap_tools gives up
        if expected_date.tzinfo is None:
            expected_date = expected_date.replace(tzinfo=UTC)
        assert message.sent_at == expected_date
        assert message.sent_at.utcoffset() == expected_date.utcoffset()
