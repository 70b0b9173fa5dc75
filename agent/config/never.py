"""The never-contact list: addresses and whole domains no play may ever go to.

A rep lists a person who asked not to be written to, a competitor's spouse, a whole
subsidiary that legal put off limits. The planner honours it (``agent.core.plays.table``):
no draft, no deferred play, whatever the cadence says. A domain covers its subdomains.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator


def _entry(value: str) -> str:
    text = value.strip().lower().lstrip("@").rstrip(".")
    local, at, domain = text.rpartition("@")
    if (at and not local) or " " in text or "." not in domain:
        raise ValueError(f"{value!r} is neither an email address nor a domain like example.com")
    return f"{local.split('+', 1)[0]}@{domain}" if at else domain


NeverEntry = Annotated[str, AfterValidator(_entry)]


def is_never(email: str, entries: Iterable[str]) -> bool:
    """Whether ``email`` is on the list, by its address or by its domain (or a parent)."""
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    for entry in entries:
        if "@" in entry:
            if entry == email:
                return True
        elif domain == entry or domain.endswith(f".{entry}"):
            return True
    return False
