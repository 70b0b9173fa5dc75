"""`nurture doctor`: check what must be right for nurture to work, and say how to fix it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from agent.config import Config, load_config
from agent.errors import UserError
from agent.model import PlayId
from agent.store import Store


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


Probe = Callable[[Config, Path], Check]


def diagnose(config_path: Path, home: Path, probes: list[Probe] | None = None) -> list[Check]:
    """Every check, in order; a config that does not load stops the rest."""
    try:
        config = load_config(config_path)
    except UserError as error:
        return [Check("config", False, error.message, error.hint)]
    checks = [Check("config", True, f"{config_path} ({len(config.accounts)} accounts)")]
    for probe in probes if probes is not None else PROBES:
        try:
            checks.append(probe(config, home))
        except UserError as error:
            checks.append(
                Check(probe.__name__.removeprefix("check_"), False, error.message, error.hint)
            )
    return checks


def check_state(config: Config, home: Path) -> Check:
    try:
        with Store.open(home, lock_timeout=2.0) as store:
            count = len(store.messages())
    except UserError as error:
        return Check("state", False, error.message, error.hint)
    except OSError as error:
        return Check("state", False, f"{home}: {error.strerror}", "choose --home a writable dir")
    return Check("state", True, f"{home} ({count} messages stored)")


def check_accounts(config: Config, home: Path) -> Check:
    if not config.accounts:
        return Check(
            "accounts",
            False,
            "no accounts configured",
            "list your dream clients under `accounts:` or set accounts_file",
        )
    dream = sum(1 for a in config.accounts if a.tier.value == "dream")
    return Check("accounts", True, f"{len(config.accounts)} accounts, {dream} dream clients")


def check_local_files(config: Config, home: Path) -> Check:
    if config.provider != "local":
        return Check("local files", True, "not used (provider is google)")
    problems = list(_missing_local_files(config))
    if problems:
        return Check(
            "local files",
            False,
            "; ".join(problems),
            "fix `local.mail` / `local.calendars` in the config",
        )
    return Check("local files", True, "mail and calendars readable")


def _missing_local_files(config: Config) -> Iterator[str]:
    if config.local.mail is None:
        yield "local.mail is not set"
    for path in [*([config.local.mail] if config.local.mail else []), *config.local.calendars]:
        full = config.path(path)
        if not full.exists():
            yield f"{full} does not exist"
        elif not os.access(full, os.R_OK):
            yield f"{full} is not readable"


def check_templates(config: Config, home: Path) -> Check:
    from agent.drafts import templates_dir
    from agent.template_check import check_templates as render_all

    broken = [f"{r.play}: {r.error}" for r in render_all(config, templates_dir(config)) if r.error]
    if broken:
        return Check("templates", False, "; ".join(broken), "fix the template, then run doctor")
    return Check("templates", True, f"all {len(PlayId)} play templates render")


def check_google(config: Config, home: Path) -> Check:
    """The saved token (refreshed when due) and one cheap call to Gmail (1 quota unit):
    the account it opens must be one of ``me``."""
    if config.provider != "google":
        return Check("google", True, "not used (provider is local)")
    from agent.providers.google.identity import mismatch
    from agent.providers.google.provider import GoogleProvider

    address = GoogleProvider.from_config(config, home).whoami()
    problem = mismatch(address, config.me)
    if problem:
        detail, _, fix = problem.partition(": ")
        return Check("google", False, detail, fix)
    return Check("google", True, f"connected as {address}")


PROBES: list[Probe] = [
    check_state,
    check_accounts,
    check_local_files,
    check_templates,
    check_google,
]
