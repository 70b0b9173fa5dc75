"""Building the account list without editing YAML: the use cases behind the web app's
onboarding page. Suggested accounts from the rep's own mail, a CRM import, the people
nurture found at account domains, and the never-contact list.

Every change to the config goes through ``agent.config.edit.update_config``: comments kept,
the same validation as every command, nothing written when the result would be invalid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from agent.app import book
from agent.config import edit
from agent.config.crm import Row
from agent.config.schema import Config
from agent.core.suggest import Suggested, Unmatched, suggest_accounts, unmatched
from agent.errors import UserError
from agent.model import Address, MailMessage, Tier
from agent.model.tables import IGNORED_PEOPLE, IgnoredRecord
from agent.store.db import Store


def suggested_accounts(config: Config, now: datetime) -> list[Suggested]:
    """Companies the rep exchanges mail with that are not accounts yet, best first."""
    return suggest_accounts(_all_mail(config), config, now)


def _all_mail(config: Config) -> Iterable[MailMessage]:
    # The store holds only mail with the accounts' domains: suggestions need the rest too.
    if config.provider != "local":
        raise UserError(
            "suggestions read your whole mailbox; with Google they are not available yet",
            "import your CRM export below, or add accounts to config.yaml",
        )
    if config.local.mail is None:
        raise UserError("no mail file is configured (local.mail)", "set local.mail in config.yaml")
    from agent.providers.local.mail import read_mail

    return (message for _, message in read_mail(config.path(config.local.mail)))


def add_account(
    config_path: Path, *, name: str, domain: str, tier: Tier, people: Sequence[Address] = ()
) -> Config:
    """Add one account (from a suggestion) with the people seen there as its contacts."""
    contacts = [{"email": p.email, "name": p.name} for p in people]
    account = {"name": name.strip(), "domains": [domain], "tier": tier.value, "contacts": contacts}
    return edit.update_config(config_path, edit.add_accounts([account]))


def import_rows(config_path: Path, rows: Sequence[Row]) -> Config:
    """Add the previewed rows the rep kept; refused whole if any would be invalid."""
    if not rows:
        raise UserError("no rows were selected", "tick the accounts to import")
    return edit.update_config(config_path, edit.add_accounts([r.account for r in rows]))


def unmatched_people(config: Config, store: Store, now: datetime) -> list[Unmatched]:
    """People nurture found at account domains whom the config does not list yet."""
    _, states = book.current_board_and_states(config, store, now)
    return unmatched(states.values(), store.items(IGNORED_PEOPLE), config.never_contact)


def confirm_person(config_path: Path, *, account: str, email: str, name: str, role: str) -> Config:
    """List the person under their account in config.yaml, with the role the rep gave."""
    contact = {"email": email.strip().lower(), "name": name.strip(), "role": role.strip()}
    return edit.update_config(config_path, edit.add_contact(account, contact))


def ignore_person(store: Store, *, account: str, email: str, now: datetime) -> None:
    store.put(
        IGNORED_PEOPLE, email.strip().lower(), IgnoredRecord(account=account, at=now.isoformat())
    )
    store.commit()


def set_never_contact(config_path: Path, entries: Iterable[str]) -> Config:
    """Replace the never-contact list (one address or domain per entry, blanks dropped)."""
    cleaned = list(dict.fromkeys(e.strip().lower() for e in entries if e.strip()))
    return edit.update_config(config_path, edit.set_list("never_contact", cleaned))
