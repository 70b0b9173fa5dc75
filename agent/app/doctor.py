"""`nurture doctor`: check what must be right for nurture to work, and say how to fix it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.config.schema import Config, load_config
from agent.core.plays.registry import check as check_plays
from agent.errors import UserError
from agent.store.db import Store


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # fine to run, but worth knowing (shown as a note, not a failure)


Probe = Callable[[Config, Path], Check]


def diagnose(config_path: Path, home: Path, probes: list[Probe] | None = None) -> list[Check]:
    """Every check, in order; a config that does not load stops the rest."""
    try:
        config = load_config(config_path)
        check_plays(config)  # `plays:` names only plays there are
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


def check_connection(config: Config, home: Path) -> Check:
    """The provider's own cheap look at its sources (files readable; the token and one
    1-unit Gmail call), under the provider's name."""
    from agent.providers.registry import connect

    try:
        return Check(config.provider, True, connect(config, home).source.check())
    except UserError as error:
        return Check(config.provider, False, error.message, error.hint)


def check_templates(config: Config, home: Path) -> Check:
    from agent.app.templates import check_templates as render_all
    from agent.core.drafts import templates_dir
    from agent.core.plays.registry import plays

    broken = [f"{r.play}: {r.error}" for r in render_all(config, templates_dir(config)) if r.error]
    if broken:
        return Check("templates", False, "; ".join(broken), "fix the template, then run doctor")
    return Check("templates", True, f"all {len(plays())} play templates render")


def check_signature(config: Config, home: Path) -> Check:
    if config.drafts.signature.strip():
        return Check("signature", True, "drafts end with your drafts.signature")
    return Check(
        "signature",
        True,
        f"drafts.signature is empty: {SIGNATURE_NOTE}",
        "set drafts.signature in config.yaml (several lines are fine)",
        warn=True,
    )


SIGNATURE_NOTE = (
    "drafts end with your name only, and Gmail does not add your Gmail signature to "
    "drafts nurture makes"
)


PROBES: list[Probe] = [
    check_state,
    check_accounts,
    check_connection,
    check_templates,
    check_signature,
]
