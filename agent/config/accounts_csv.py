"""Accounts from a CRM export (CSV), validated with the same models as config.yaml.

Header names are matched loosely (case, spaces, a few common CRM spellings) because
every CRM names its columns a little differently.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from agent.config.errors import csv_errors
from agent.config.schema import Account
from agent.config.yamlcache import YamlCache
from agent.errors import ConfigError

ALIASES = {
    "name": ("name", "account", "account name", "company", "company name", "organization"),
    "domains": ("domains", "domain", "website", "web site", "email domain", "email domains"),
    "tier": ("tier", "priority", "segment"),
    "stage": ("stage", "status", "deal stage", "opportunity stage"),
    "stage_since": ("stage since", "stage_since", "stage date", "last stage change"),
    "tags": ("tags", "industry", "labels"),
    "needs": ("needs", "open needs"),
    "contacts": ("contacts", "people"),
}
_CSV_HINT = "export it again as CSV (comma-separated, UTF-8) from your CRM"
_SPLIT = re.compile(r"[;,|\s]+")
_CONTACT = re.compile(r"^\s*(?P<name>[^<(]*?)\s*<(?P<email>[^>]+)>\s*(?:\((?P<role>[^)]*)\))?\s*$")


MAX_SHOWN = 20  # row errors listed in one report; the rest are counted


def read_accounts_csv(path: Path, *, cache: YamlCache | None = None) -> list[Account]:
    """Read accounts; bad rows raise one ConfigError naming each row's file, line and column.

    ``cache`` (``agent.config.yamlcache``): each row's values as the last good read found them,
    kept by the hash of the text, so an unchanged export is only validated again; any
    doubt (the file changed, a row no longer validates) reads it all as before."""
    text = _text(path) if cache is not None else None
    if cache is not None and text is not None:
        found, rows = cache.get(path, text)
        if found and isinstance(rows, list):
            try:
                return [Account.model_validate(data) for data in rows]
            except (ValidationError, TypeError, ValueError):
                pass  # the read below explains it, with its line and column
    rows = []
    accounts: list[Account] = []
    problems: list[str] = []
    with (
        csv_errors(path, "accounts_file", _CSV_HINT),
        path.open(newline="", encoding="utf-8-sig") as handle,
    ):
        reader = csv.DictReader(handle)
        columns = _columns(path, reader.fieldnames or [])
        for row in reader:
            try:
                accounts.append(_account(path, reader.line_num, row, columns, rows))
            except ConfigError as error:
                problems.append(error.message)
    if problems:
        more = len(problems) - MAX_SHOWN
        shown = problems[:MAX_SHOWN] + [f"and {more} more rows"] * (more > 0)
        counted = "1 row" if len(problems) == 1 else f"{len(problems)} rows"
        raise ConfigError(
            "\n".join(shown) if len(problems) == 1 else f"{counted} to fix:\n" + "\n".join(shown),
            "fix those rows of the CSV" if len(problems) > 1 else "fix that row of the CSV",
        )
    if cache is not None and text is not None:
        cache.put(path, text, rows)
    return accounts


def _text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None  # the read reports it


def _columns(path: Path, header: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for column in header:
        key = column.strip().lower().replace("_", " ")
        for field, names in ALIASES.items():
            if key in {n.replace("_", " ") for n in names} and field not in found:
                found[field] = column
    missing = [r for r in ("name", "domains") if r not in found]
    if missing and any(";" in column for column in header):
        raise ConfigError(
            f"{path}:1: the columns are separated by semicolons, not commas",
            "save it again as comma-separated CSV (in Excel: Save As › CSV UTF-8 "
            "(Comma delimited)), or export it from your CRM as CSV",
        )
    for required in missing:
        raise ConfigError(
            f"{path}:1: no {required!r} column (found: {', '.join(header) or 'nothing'})",
            f"add a column named {ALIASES[required][0]!r}",
        )
    return found


def _account(
    path: Path, line: int, row: dict[str, str], columns: dict[str, str], values: list[Any]
) -> Account:
    def cell(field: str) -> str:
        return (row.get(columns[field]) or "").strip() if field in columns else ""

    data: dict[str, object] = {
        "name": cell("name"),
        "domains": [_domain(v) for v in _SPLIT.split(cell("domains")) if v],
        "tags": [v.strip() for v in re.split(r"[;,|]", cell("tags")) if v.strip()],
        "needs": [v.strip() for v in re.split(r"[;|]", cell("needs")) if v.strip()],
        "contacts": [_contact(v) for v in re.split(r"[;|]", cell("contacts")) if v.strip()],
    }
    for field in ("tier", "stage", "stage_since"):
        if cell(field):
            data[field] = cell(field).lower() if field != "stage_since" else cell(field)
    values.append(data)
    try:
        return Account.model_validate(data)
    except ValidationError as error:
        item = error.errors()[0]
        field = str(item["loc"][0]) if item["loc"] else "row"
        column = columns.get(field, field)
        message = item["msg"].removeprefix("Value error, ")
        raise ConfigError(
            f"{path}:{line}: column {column!r}: {message}", "fix that row of the CSV"
        ) from None


def _domain(value: str) -> str:
    # CRMs often export a website rather than a bare domain.
    host = urlsplit(value if "//" in value else f"//{value}").hostname or value
    return host.removeprefix("www.")


def _contact(value: str) -> dict[str, str]:
    match = _CONTACT.match(value)
    if match is None:
        return {"email": value.strip()}
    return {k: (v or "").strip() for k, v in match.groupdict().items()}
