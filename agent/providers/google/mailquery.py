"""The Gmail search (``q``) that finds mail with the accounts, and the local check after it.

``{from:acme.com to:acme.com cc:acme.com bcc:acme.com ...} after:<epoch seconds>
-in:drafts -in:chats``: the operators are Gmail's documented ones; ``{...}`` means OR.
``bcc:`` finds the rep's sent mail that Bcc'd a contact (only the sender's copy keeps the
Bcc header, and Google does not document that ``to:`` looks at it); chats (the CHAT label,
old Hangouts history) are not mail. Gmail matches addresses on words, so ``from:acme.com``
also finds ``eu.acme.com`` (wanted) and ``acme.com.evil.org`` (not wanted): every fetched
message is checked again here before it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import quote_plus

from agent.model import MailMessage

# Gmail documents no limit on q, but very long searches fail; hundreds of accounts are
# split into several searches, each at most this long once URL-encoded. That also keeps
# the request URI under the 2,048 characters past which google-api-python-client turns a
# GET into a POST with X-HTTP-Method-Override.
MAX_QUERY_CHARS = 1_500
# after: filters on internalDate (when Gmail got the message), the local provider on the
# Date header; a day of margin, then the Date check below, gives both the same messages.
DATE_MARGIN = timedelta(days=1)
_PLAIN = re.compile(r"[a-z0-9][a-z0-9.-]*")


def domain_queries(domains: Iterable[str], since: datetime) -> list[str]:
    """Searches that together find every message from, to or cc any of ``domains``."""
    # Epoch seconds are exact; a YYYY/MM/DD date would be read as midnight Pacific time.
    tail = f" after:{int((since - DATE_MARGIN).timestamp())} -in:drafts -in:chats"
    queries: list[str] = []
    terms: list[str] = []
    for domain in sorted(set(domains)):
        value = domain if _PLAIN.fullmatch(domain) else '"' + domain.replace('"', "") + '"'
        term = f"from:{value} to:{value} cc:{value} bcc:{value}"
        if terms and len(quote_plus(_joined([*terms, term], tail))) > MAX_QUERY_CHARS:
            queries.append(_joined(terms, tail))
            terms = []
        terms.append(term)
    if terms:
        queries.append(_joined(terms, tail))
    return queries


def _joined(terms: list[str], tail: str) -> str:
    return "{" + " ".join(terms) + "}" + tail


def uncovered(domains: Iterable[str], covered: Iterable[str]) -> set[str]:
    """The domains a search for ``covered`` did not already find (subdomains are found)."""
    known = frozenset(covered)
    return {d for d in domains if not in_domains(d, known)}


def involves(message: MailMessage, domains: frozenset[str]) -> bool:
    """Whether anyone on the message is at one of ``domains`` or a subdomain of one."""
    people = [message.sender, *message.recipients] if message.sender else message.recipients
    return any(in_domains(a.domain, domains) for a in people)


def in_domains(domain: str, domains: frozenset[str]) -> bool:
    parts = domain.split(".")
    return any(".".join(parts[i:]) in domains for i in range(len(parts) - 1))
