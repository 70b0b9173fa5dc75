"""`nurture doctor`: check what must be right for nurture to work, and say how to fix it.

Besides config, state and the connection it looks at what the next sync and digest will
meet: mail that is an archive or no mail, calendars that do not parse, every template (the
plays' and the digest's). It only reads: while another process holds the store (a long
sync, the daemon's job) it reads the last saved state and says the store is busy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from agent.config.schema import Config, load_config
from agent.errors import UserError
from agent.store.db import Store


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # fine to run, but worth knowing (shown as a note, not a failure)
    busy: bool = False  # fine, but another nurture process is at work right now

    @property
    def mark(self) -> str:
        """What the doctor calls it: ok, note, busy or fix."""
        if not self.ok:
            return "fix"
        return "busy" if self.busy else "note" if self.warn else "ok"


@dataclass(frozen=True)
class Look:
    """What a probe is given: the config, the state dir and the time."""

    config: Config
    home: Path
    now: datetime


Probe = Callable[[Look], Check | None]  # None: the probe does not apply here


def diagnose(
    config_path: Path, home: Path, now: datetime, probes: list[Probe] | None = None
) -> list[Check]:
    """Every check, in order; a config that does not load stops the rest."""
    from agent.core.plays.registry import check as check_plays  # the engine: doctor's own

    try:
        config = load_config(config_path)
        check_plays(config)  # `plays:` names only plays there are
    except UserError as error:
        return [Check("config", False, error.message, error.hint)]
    checks = [Check("config", True, f"{config_path} ({len(config.accounts)} accounts)")]
    look = Look(config, home, now)
    for probe in probes if probes is not None else PROBES:
        try:
            found = probe(look)
        except UserError as error:
            found = Check(probe.__name__.removeprefix("check_"), False, error.message, error.hint)
        if found is not None:
            checks.append(found)
    return checks


def check_state(look: Look) -> Check:
    home = look.home
    try:
        with Store.open(home, read_only=True) as store:
            count, busy = len(store.messages()), store.busy
    except UserError as error:
        return Check("state", False, error.message, error.hint)
    except OSError as error:
        return Check("state", False, f"{home}: {error.strerror}", "choose --home a writable dir")
    if busy:
        return Check(
            "state",
            True,
            f"{home} is busy: another nurture process (a sync, a cycle or the daemon's job) "
            f"is working on it; the last saved state holds {count} messages",
            "nothing to fix: it finishes by itself",
            busy=True,
        )
    return Check("state", True, f"{home} ({count} messages stored)")


def check_accounts(look: Look) -> Check:
    config = look.config
    if not config.accounts:
        return Check(
            "accounts",
            False,
            "no accounts configured",
            "list your dream clients under `accounts:` or set accounts_file",
        )
    dream = sum(1 for a in config.accounts if a.tier.value == "dream")
    return Check("accounts", True, f"{len(config.accounts)} accounts, {dream} dream clients")


def check_connection(look: Look) -> Check:
    """The provider's own cheap look at its sources (files readable; the token and one
    1-unit Gmail call), under the provider's name."""
    from agent.providers.registry import connect

    config = look.config
    try:
        return Check(config.provider, True, connect(config, look.home).source.check())
    except UserError as error:
        return Check(config.provider, False, error.message, error.hint)


def check_sources(look: Look) -> Check | None:
    """What a sync of the local files would skip: archives, files that are no mail,
    calendars that do not parse."""
    config = look.config
    if config.provider != "local":
        return None
    from agent.providers.local.sniff import calendar_problem, mail_problems

    local = config.local
    problems = mail_problems(config.path(local.mail)) if local.mail else []
    for calendar in local.calendars:
        problem = calendar_problem(config.path(calendar), config.tz, look.now)
        if problem:
            problems.append(problem)
    if problems:
        shown = problems[:5] + [f"and {len(problems) - 5} more"] * (len(problems) > 5)
        return Check(
            "sources",
            False,
            "; ".join(shown),
            "unpack archives, remove what is not mail, export the calendar again as .ics",
        )
    count = len(local.calendars)
    calendars = "1 calendar parses" if count == 1 else f"{count} calendars parse"
    return Check("sources", True, f"the mail reads as mail; {calendars}")


def check_templates(look: Look) -> Check:
    from agent.app.templates import check_templates as render_all
    from agent.core.drafts import templates_dir
    from agent.core.plays.registry import plays

    config = look.config
    broken = [f"{r.play}: {r.error}" for r in render_all(config, templates_dir(config)) if r.error]
    if broken:
        return Check("templates", False, "; ".join(broken), "fix the template, then run doctor")
    return Check("templates", True, f"all {len(plays())} play templates render")


def check_digest(look: Look) -> Check:
    """This week's digest, rendered from the saved state as `nurture digest` would."""
    from agent.app import digest

    config, note = look.config, ""
    try:
        with Store.open(look.home, read_only=True) as store:
            week = digest.current_digest(config, store, look.now)
    except UserError:  # said by the state check; the templates still get their look
        with TemporaryDirectory() as empty:
            week = digest.current_digest(config, Store(Path(empty), {}), look.now)
        note = " from an empty state"
    try:
        digest.render(config, week)
    except UserError as error:
        return Check("digest", False, error.message, error.hint or "fix the digest template")
    return Check("digest", True, f"the digest for {week.week} renders{note} (text and HTML)")


def check_signature(look: Look) -> Check:
    config = look.config
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
    check_sources,
    check_templates,
    check_digest,
    check_signature,
]
