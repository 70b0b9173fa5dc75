"""Accounts to suggest from the rep's own mail (the companies they really talk to), and
the people found at account domains whom the config does not list yet.

A domain is suggested when mail went both ways with people there in the window (the rep
wrote to them and they wrote back), it is not a free-mail domain, not the rep's own or a
colleague's, not already an account and not on the never-contact list. Newsletters,
auto-replies and bounces are not conversations; nor is a message to a crowd. Ranked by
two-way volume (the smaller of the two directions first: a conversation, not a blast),
then total messages, then people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.config.freemail import is_free_mail
from agent.config.never import is_never
from agent.config.schema import Config
from agent.core.accounts.state import AccountState
from agent.model import Address, MailKind, MailMessage

WINDOW_DAYS = 180
# Second-level labels under which companies register (acme.co.uk, acme.com.au).
_REGISTRY_LABELS = frozenset({"co", "com", "org", "net", "ac", "gov", "ltd", "plc"})


@dataclass(frozen=True)
class Suggested:
    domain: str
    name: str  # a first guess from the domain, for the rep to correct
    sent: int  # messages from the rep to people there
    received: int  # messages from people there to the rep
    people: tuple[Address, ...]  # the most exchanged with first
    last: datetime

    @property
    def two_way(self) -> int:
        return min(self.sent, self.received)


@dataclass
class _Tally:
    sent: int = 0
    received: int = 0
    people: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    last: datetime | None = None

    def saw(self, address: Address, at: datetime) -> None:
        self.people[address.email] = self.people.get(address.email, 0) + 1
        if address.name:
            self.names.setdefault(address.email, address.name)
        self.last = at if self.last is None else max(self.last, at)


def company_domain(domain: str) -> str:
    """``mail.eu.acme.com`` → ``acme.com``; ``x.acme.co.uk`` → ``acme.co.uk``."""
    labels = domain.lower().strip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _REGISTRY_LABELS and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def guess_name(domain: str) -> str:
    """``harbor-cold.com`` → ``Harbor Cold``: a start the rep edits before adding."""
    label = domain.split(".", maxsplit=1)[0]
    return " ".join(part.capitalize() for part in label.replace("_", "-").split("-") if part)


def suggest_accounts(
    messages: Iterable[MailMessage], config: Config, now: datetime, days: int = WINDOW_DAYS
) -> list[Suggested]:
    me = frozenset(config.me)
    since = now - timedelta(days=days)
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for message in messages:
        if message.kind is not MailKind.PERSONAL or not since <= message.sent_at <= now:
            continue
        if message.sender is None or len(message.recipients) + 1 > config.max_participants:
            continue
        if message.sender.email in me:
            for person in message.recipients:
                domain = _outside(person, config, me)
                if domain:
                    tallies[domain].saw(person, message.sent_at)
            for domain in {_outside(p, config, me) for p in message.recipients} - {None}:
                tallies[str(domain)].sent += 1
        elif any(r.email in me for r in message.recipients):
            domain = _outside(message.sender, config, me)
            if domain:
                tallies[domain].saw(message.sender, message.sent_at)
                tallies[domain].received += 1
    found = [_suggested(domain, tally) for domain, tally in tallies.items()]
    found = [s for s in found if s.sent and s.received]
    return sorted(
        found, key=lambda s: (-s.two_way, -(s.sent + s.received), -len(s.people), s.domain)
    )


def _outside(person: Address, config: Config, me: frozenset[str]) -> str | None:
    """The company domain of someone who could belong to a new account, else None."""
    domain = person.domain
    if not domain or person.email in me or is_free_mail(domain):
        return None
    own = {address.rpartition("@")[2] for address in me}
    if _covered(domain, [*config.internal_domains, *own]) or _covered(
        domain, [d for a in config.accounts for d in a.domains]
    ):
        return None
    if is_never(person.email, config.never_contact):
        return None
    return company_domain(domain)


def _covered(domain: str, domains: Iterable[str]) -> bool:
    return any(domain == d or domain.endswith(f".{d}") for d in domains)


def _suggested(domain: str, tally: _Tally) -> Suggested:
    ranked = sorted(tally.people, key=lambda e: (-tally.people[e], e))
    assert tally.last is not None
    return Suggested(
        domain=domain,
        name=guess_name(domain),
        sent=tally.sent,
        received=tally.received,
        people=tuple(Address(e, tally.names.get(e, "")) for e in ranked),
        last=tally.last,
    )


@dataclass(frozen=True)
class Unmatched:
    """Someone at an account's domain whom the config does not list."""

    account: str
    email: str
    name: str
    touches: int
    last: datetime | None


def unmatched(
    states: Iterable[AccountState], ignored: Collection[str], never: Collection[str]
) -> list[Unmatched]:
    """Unlisted people with touches, not ignored by the rep nor on the never-contact list;
    the most touched first."""
    found = [
        Unmatched(c.account, c.email, c.name, c.touches, c.last_touch.at if c.last_touch else None)
        for state in states
        for c in state.contacts
        if not c.known and c.email not in ignored and not is_never(c.email, never)
    ]
    return sorted(found, key=lambda u: (-u.touches, u.account.lower(), u.email))
