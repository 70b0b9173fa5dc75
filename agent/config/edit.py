"""Changing config.yaml from the web app: a round trip through ruamel that keeps the rep's
comments, order and quoting, checked by the same loader as every command before it is
written (a change that would make the config invalid is refused and nothing is written).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from agent.atomic import write_atomically
from agent.config.schema import Config, load_config
from agent.config.yamlfile import read_yaml
from agent.errors import ConfigError, UserError

Change = Callable[[CommentedMap], None]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def update_config(path: Path, change: Change) -> Config:
    """Apply ``change`` to the document, validate the result as `nurture` would load it,
    and write it atomically; returns the new config. Raises ConfigError when invalid."""
    read_yaml(path, what="config")  # the same "not found / not YAML" errors as the loader
    yaml = _yaml()
    document = yaml.load(path.read_text(encoding="utf-8"))
    if not isinstance(document, CommentedMap):
        raise ConfigError(f"{path}: the config must be a mapping of keys to values")
    change(document)
    out = StringIO()
    yaml.dump(document, out)
    text = out.getvalue()
    config = _checked(path, text)
    write_atomically(path, text.encode("utf-8"))
    return config


def _checked(path: Path, text: str) -> Config:
    # Loaded from beside the real file, so relative paths (accounts_file, mail) resolve alike.
    trial = path.with_name(f".{path.name}.{os.getpid()}.check.yaml")
    try:
        trial.write_text(text, encoding="utf-8")
        return load_config(trial)
    except ConfigError as error:
        raise ConfigError(
            error.message.replace(str(trial), str(path)),
            "nothing was written; correct the entry and try again",
        ) from None
    finally:
        trial.unlink(missing_ok=True)


def flow(items: Iterable[Any]) -> CommentedSeq:
    """A list written on one line, like ``domains: [acme.com]`` in the example config."""
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


def flow_map(values: Mapping[str, Any]) -> CommentedMap:
    found = CommentedMap((k, v) for k, v in values.items() if v not in ("", None))
    found.fa.set_flow_style()
    return found


def add_accounts(accounts: Sequence[Mapping[str, Any]]) -> Change:
    """Append accounts ({name, domains, tier, stage, stage_since, tags, contacts}) to
    ``accounts:``, in the example config's style."""

    def change(document: CommentedMap) -> None:
        listed = document.get("accounts")
        if listed is None:
            listed = document["accounts"] = CommentedSeq()
        if not isinstance(listed, list):
            raise ConfigError("config.yaml: `accounts` must be a list", "fix it by hand first")
        for account in accounts:
            entry = CommentedMap()
            entry["name"] = account["name"]
            entry["domains"] = flow(account["domains"])
            for key in ("tier", "stage", "stage_since"):
                if account.get(key):
                    entry[key] = str(account[key])
            if account.get("tags"):
                entry["tags"] = flow(account["tags"])
            if account.get("contacts"):
                entry["contacts"] = CommentedSeq(flow_map(c) for c in account["contacts"])
            listed.append(entry)

    return change


def add_contact(account: str, contact: Mapping[str, str]) -> Change:
    """Add a person ({email, name, role}) to an account listed in config.yaml."""

    def change(document: CommentedMap) -> None:
        for entry in document.get("accounts") or ():
            if (
                isinstance(entry, CommentedMap)
                and str(entry.get("name", "")).lower() == account.lower()
            ):
                people = entry.get("contacts")
                if people is None:
                    people = entry["contacts"] = CommentedSeq()
                people.append(flow_map(contact))
                return
        raise UserError(
            f"{account} is not listed in config.yaml (it comes from the accounts_file)",
            "add the person to that account's contacts column in your CRM export",
        )

    return change


def set_list(key: str, values: Sequence[str]) -> Change:
    """Set a top-level list (e.g. ``never_contact``); an empty one removes the key."""

    def change(document: CommentedMap) -> None:
        if values:
            document[key] = flow(values)
        elif key in document:
            del document[key]

    return change


def add_away(start: date, end: date, note: str = "") -> Change:
    """Add a period of time away (``away:``, first and last day included)."""

    def change(document: CommentedMap) -> None:
        periods = document.get("away")
        if periods is None:
            periods = document["away"] = CommentedSeq()
        entry = {"from": start.isoformat(), "to": end.isoformat()}
        periods.append(flow_map({**entry, "note": note} if note else entry))

    return change
