"""A CRM export read for import: HubSpot companies or Salesforce accounts, plus an optional
contacts file linked to them, validated row by row with the same models as config.yaml.

Unlike ``accounts_file`` (read at every start, one bad row stops everything), an import is
looked at once, in a preview: every row's problem is collected and listed together, and the
good rows can be imported while the rep fixes the rest.

* HubSpot companies: ``Company name`` (or ``Name``), ``Company Domain Name``,
  ``hs_additional_domains`` / ``Additional Domains`` ("a.com; b.com"), ``Lifecycle Stage``,
  ``Company owner``, ``Record ID``. Contacts: ``Email``, ``First Name``, ``Last Name``,
  ``Job Title``, and ``Associated Company`` or ``Company Name`` (or its ``Record ID``).
* Salesforce accounts: ``Id``, ``Name`` / ``Account Name``, ``Website``, ``Type``,
  ``Owner``. Contacts: ``Email``, ``FirstName``, ``LastName``, ``Title``, ``AccountId``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from agent.config.schema import Account, Config
from agent.errors import UserError
from agent.model import Stage, Tier

HUBSPOT, SALESFORCE = "HubSpot", "Salesforce"

_COMPANY = {
    "id": ("record id", "company id", "id", "account id"),
    "name": ("company name", "name", "account name"),
    "domain": ("company domain name", "domain", "website"),
    "more_domains": ("hs_additional_domains", "additional domains"),
    "stage": ("lifecycle stage", "type", "account type"),
    "owner": ("company owner", "hubspot owner", "owner", "account owner", "owner name"),
}
_PERSON = {
    "email": ("email", "email address"),
    "first": ("first name", "firstname"),
    "last": ("last name", "lastname"),
    "role": ("job title", "title"),
    "company": ("associated company", "company name", "account name"),
    "company_id": ("associated company id", "associated company ids", "accountid", "account id"),
}
_HUBSPOT_STAGES = {"opportunity": Stage.HOT, "customer": Stage.WON, "evangelist": Stage.WON}


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.message}"


@dataclass
class Row:
    """One account the import would add, as config.yaml would list it."""

    line: int
    key: str  # the CRM's id, else the name: what contacts link to
    account: dict[str, Any]
    owner: str = ""
    contacts: list[dict[str, str]] = field(default_factory=list)


@dataclass
class CrmImport:
    kind: str
    rows: list[Row]
    errors: list[RowError]


def read_crm_export(
    companies: bytes,
    companies_name: str,
    contacts: bytes | None,
    contacts_name: str,
    *,
    config: Config,
    tier: Tier = Tier.TARGET,
) -> CrmImport:
    """Parse both files; rows that would be invalid accounts are errors, not rows."""
    errors: list[RowError] = []
    header, records = _table(companies, companies_name)
    kind = _kind(header, companies_name)
    columns = _columns(header, _COMPANY)
    rows = []
    taken_names = {a.name.lower() for a in config.accounts}
    taken_domains = {d: a.name for a in config.accounts for d in a.domains}
    for line, record in records:
        row = _company(kind, line, record, columns, tier)
        problem = _problem(row, taken_names, taken_domains)
        if problem:
            errors.append(RowError(companies_name, line, problem))
            continue
        taken_names.add(row.account["name"].lower())
        taken_domains.update(dict.fromkeys(row.account["domains"], row.account["name"]))
        rows.append(row)
    if contacts:
        errors += _link_contacts(contacts, contacts_name, rows, kind)
    for row in rows:
        row.account["contacts"] = row.contacts
    return CrmImport(kind, rows, errors)


def _table(data: bytes, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CrmFileError(name, f"line {line} is not UTF-8 text; export it as CSV UTF-8") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in reader.fieldnames or []]
        records = [
            (reader.line_num, {k.strip(): v or "" for k, v in r.items() if k}) for r in reader
        ]
    except csv.Error as error:
        raise CrmFileError(name, f"not a readable CSV file ({error})") from None
    if not header:
        raise CrmFileError(name, "the file is empty")
    return header, records


class CrmFileError(UserError):
    """A file that cannot be read at all: nothing is previewed, this says why."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}", "export the file again from your CRM as CSV")


def _kind(header: Sequence[str], name: str) -> str:
    lowered = {h.lower() for h in header}
    if "company domain name" in lowered or "hs_additional_domains" in lowered:
        return HUBSPOT
    if "website" in lowered:
        return SALESFORCE
    raise CrmFileError(
        name,
        "not a HubSpot companies or Salesforce accounts export: it needs a 'Company Domain "
        f"Name' or a 'Website' column (found: {', '.join(header)})",
    )


def _columns(header: Sequence[str], wanted: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    by_name = {h.lower(): h for h in header}
    found = {}
    for key, names in wanted.items():
        hit = next((by_name[n] for n in names if n in by_name), None)
        if hit is not None:
            found[key] = hit
    return found


def _cell(record: Mapping[str, str], columns: Mapping[str, str], key: str) -> str:
    return record.get(columns[key], "").strip() if key in columns else ""


def _company(kind: str, line: int, record: dict[str, str], cols: dict[str, str], tier: Tier) -> Row:
    name = _cell(record, cols, "name")
    domains = [_domain(_cell(record, cols, "domain"))]
    domains += [_domain(d) for d in re.split(r"[;,\s]+", _cell(record, cols, "more_domains"))]
    stage = _stage(kind, _cell(record, cols, "stage"))
    account = {
        "name": name,
        "domains": list(dict.fromkeys(d for d in domains if d)),
        "tier": tier.value,
        "stage": stage.value,
    }
    key = _cell(record, cols, "id") or name
    return Row(line, key, account, owner=_cell(record, cols, "owner"))


def _domain(value: str) -> str:
    value = value.strip().lower()
    if not value:
        return ""
    host = urlsplit(value if "//" in value else f"//{value}").hostname or value
    return host.removeprefix("www.")


def _stage(kind: str, value: str) -> Stage:
    word = re.sub(r"[^a-z]", "", value.lower())
    if kind == HUBSPOT:
        return _HUBSPOT_STAGES.get(word, Stage.COLD)
    if word.startswith("former"):
        return Stage.LOST
    return Stage.WON if word.startswith("customer") else Stage.COLD


def _problem(row: Row, names: set[str], domains: Mapping[str, str]) -> str:
    account = row.account
    if not account["name"]:
        return "no company name"
    if account["name"].lower() in names:
        return f"{account['name']} is already an account"
    if not account["domains"]:
        return f"{account['name']} has no domain (or website): nurture could not see its mail"
    for domain in account["domains"]:
        if domain in domains:
            return f"{account['name']}: {domain} is already {domains[domain]}'s domain"
    try:
        Account.model_validate(account)
    except ValidationError as error:
        item = error.errors()[0]
        return str(item["msg"]).removeprefix("Value error, ")
    return ""


def _link_contacts(data: bytes, name: str, rows: list[Row], kind: str) -> list[RowError]:
    header, records = _table(data, name)
    cols = _columns(header, _PERSON)
    if "email" not in cols:
        raise CrmFileError(name, f"no 'Email' column (found: {', '.join(header)})")
    by_key = {_id(r.key): r for r in rows} | {r.account["name"].lower(): r for r in rows}
    errors = []
    for line, record in records:
        email = _cell(record, cols, "email").lower()
        company = _cell(record, cols, "company_id") or _cell(record, cols, "company")
        person = " ".join(
            p for p in (_cell(record, cols, "first"), _cell(record, cols, "last")) if p
        )
        row = by_key.get(_id(company)) or by_key.get(company.lower())
        if not email or "@" not in email:
            errors.append(RowError(name, line, f"{person or 'a contact'} has no email address"))
        elif row is None:
            where = f"company {company!r}" if company else "no company"
            errors.append(RowError(name, line, f"{email}: {where} is not among the rows imported"))
        else:
            contact = {"email": email, "name": person, "role": _cell(record, cols, "role")}
            row.contacts.append({k: v for k, v in contact.items() if v})
    return errors


def _id(value: str) -> str:
    """Salesforce ids come in 15- and 18-character forms of the same id."""
    value = value.strip()
    return (value[:15] if re.fullmatch(r"[A-Za-z0-9]{18}", value) else value).lower()
