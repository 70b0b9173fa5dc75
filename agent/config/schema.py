"""config.yaml → typed, frozen models.

Every error names the file, the key path and (when YAML tells us) the line, and exits 2.
Accounts may also come from a CRM export (``accounts_file``), see ``agent.config.accounts_csv``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from agent.config.away import AwayPeriod, check_country
from agent.config.blocks import BlocksSettings
from agent.config.daemon import DaemonSettings
from agent.config.digest import DigestSettings
from agent.config.drafts import DraftsSettings
from agent.config.errors import validation_error
from agent.config.freemail import is_free_mail
from agent.config.never import NeverEntry
from agent.config.playbook import (
    ContentItem,
    Holds,
    Introduction,
    Invitation,
    Patterns,
    PlayTable,
    Signals,
    Throttle,
    unique_names,
)
from agent.config.yamlcache import YamlCache
from agent.config.yamlfile import YamlValues, read_values
from agent.errors import ConfigError
from agent.model import Stage, Tier
from agent.untrusted.headers import plain_address

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _lower_email(value: str) -> str:
    """One plain address (``agent.untrusted.headers.plain_address``), lower-case, ``+tag`` off:
    nurture writes to these, so a list, a display name or an encoded word is an error."""
    text = value.strip().lower()
    address = text
    if "+" in text:
        local, _, domain = text.rpartition("@")
        address = f"{local.split('+', 1)[0] or local}@{domain}"
    if plain_address(text) is None or (address != text and plain_address(address) is None):
        raise ValueError(
            f"{value[:300]!r} is not an email address: give one address, like name@example.com"
        )
    return address


def _domain(value: str) -> str:
    value = value.strip().lower().lstrip("@").rstrip(".")
    if not value or "." not in value or " " in value or "@" in value:
        raise ValueError(f"{value!r} is not a domain name like example.com")
    return value


Email = Annotated[str, AfterValidator(_lower_email)]
Domain = Annotated[str, AfterValidator(_domain)]


class Model(BaseModel):
    """Frozen, strict about unknown keys: a typo in config.yaml is an error, not a no-op."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkingHours(Model):
    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: time = time(9, 0)
    end: time = time(17, 30)

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise ValueError("start must be earlier than end")
        return self

    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.days)


class LocalProviderConfig(Model):
    mail: Path | None = Field(None, description="An mbox file, a Maildir or a folder of .eml")
    calendars: tuple[Path, ...] = ()
    outbox: Path = Path("outbox")


class GoogleConfig(Model):
    client_secrets: Path = Path("client_secret.json")
    # Before endpoint: the endpoint's validator reads it.
    trust_endpoint: bool = Field(False, description="Send the Google token to `endpoint`")
    endpoint: str | None = Field(None, description="Base URL of a compatible API server")
    calendars: tuple[str, ...] = ("primary",)
    quota_units_per_minute: int = Field(15_000, ge=100)

    @field_validator("endpoint")
    @classmethod
    def _safe_endpoint(cls, value: str | None, info: ValidationInfo) -> str | None:
        from agent.config.endpoint import endpoint_problem

        trusted = bool(info.data.get("trust_endpoint"))
        problem = endpoint_problem(value, trusted) if value is not None else ""
        if problem:
            raise ValueError(f"{value!r} {problem}")
        return value


class Contact(Model):
    email: Email
    name: str = ""
    role: str = ""


class Account(Model):
    name: str = Field(min_length=1)
    domains: tuple[Domain, ...] = Field(min_length=1)
    tier: Tier = Tier.TARGET
    stage: Stage = Stage.COLD
    stage_since: date | None = None
    contacts: tuple[Contact, ...] = ()
    tags: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    @field_validator("domains")
    @classmethod
    def _no_free_mail(cls, domains: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        name = info.data.get("name", "this account")
        for domain in domains:
            if is_free_mail(domain):
                raise ValueError(
                    f"account '{name}' lists {domain}, a free-mail domain: every {domain} "
                    f"address in your mail would count as {name}; list the company's own "
                    "domain (what follows the @ in their work addresses)"
                )
        return domains


class Cadence(Model):
    """Target days between touches: the stage's value when it has one, else the tier's."""

    tier: dict[Tier, int] = Field(
        default_factory=lambda: {Tier.DREAM: 14, Tier.TARGET: 30, Tier.OTHER: 90}
    )
    stage: dict[Stage, int] = Field(
        default_factory=lambda: {Stage.HOT: 7, Stage.STALLED: 14, Stage.LOST: 45}
    )

    def days(self, tier: Tier, stage: Stage) -> int:
        if stage in self.stage:
            return self.stage[stage]
        return self.tier.get(tier, 30)

    @field_validator("tier", "stage")
    @classmethod
    def _positive(cls, value: dict[Any, int]) -> dict[Any, int]:
        for key, days in value.items():
            if days < 1:
                raise ValueError(f"{key}: cadence must be at least 1 day")
        return value


class Config(Model):
    me: tuple[Email, ...] = Field(min_length=1)
    internal_domains: tuple[Domain, ...] = ()
    timezone: str = "UTC"
    working_hours: WorkingHours = WorkingHours()
    provider: Literal["local", "google"] = "local"
    local: LocalProviderConfig = LocalProviderConfig()
    google: GoogleConfig = GoogleConfig()
    accounts: tuple[Account, ...] = ()
    accounts_file: Path | None = None
    cadence: Cadence = Cadence()
    never_contact: tuple[NeverEntry, ...] = Field(
        (), description="Addresses or domains no play may go to (agent/config/never.py)"
    )
    coverage_target: int = Field(3, ge=1)
    coverage_days: int = Field(90, ge=1)
    max_participants: int = Field(20, ge=2)
    lookback_days: int = Field(365, ge=1, le=3650, description="How far back a first sync reads")
    lookahead_days: int = Field(60, ge=1, le=365, description="How far ahead meetings are read")
    # The nurture engine (agent/config/playbook.py): which play, how often, and with what.
    plays: PlayTable = Field(
        default_factory=dict, description="Per play, what differs from its defaults"
    )
    throttle: Throttle = Throttle()
    holds: Holds = Holds()
    signals: Signals = Signals()
    patterns: Patterns = Patterns()
    do_over_days: int = Field(3, ge=1, description="A meeting this recent may need a do-over")
    content: tuple[ContentItem, ...] = ()
    content_file: Path | None = Field(None, description="content.yaml or a CSV of content")
    content_max_age_days: int = Field(180, ge=1, description="Older, non-evergreen is stale")
    introductions: tuple[Introduction, ...] = ()
    invitations: tuple[Invitation, ...] = ()
    insights: dict[str, str] = Field(
        default_factory=dict,
        description="tag → a short insight you would tell anyone with that tag: a give that "
        "needs no link, for lost and cold accounts while the content library has nothing",
    )
    daemon: DaemonSettings = DaemonSettings()
    blocks: BlocksSettings = BlocksSettings()  # agent/config/blocks.py
    digest: DigestSettings = DigestSettings()  # agent/config/digest.py; timing: daemon
    drafts: DraftsSettings = DraftsSettings()  # agent/config/drafts.py
    # Time away (agent/config/away.py): no plays, no blocks, the digest moved.
    away: tuple[AwayPeriod, ...] = ()
    holidays: Annotated[str | None, AfterValidator(check_country)] = Field(
        None, description="Your country's public holidays are not working days (GB, US-CA)"
    )
    # Set by the loader, not by the user: where relative paths are resolved from.
    base_dir: Path = Field(Path("."), exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from None
        return value

    @field_validator("accounts")
    @classmethod
    def _unique_accounts(cls, accounts: tuple[Account, ...]) -> tuple[Account, ...]:
        seen: dict[str, int] = {}
        for index, account in enumerate(accounts):
            first = seen.setdefault(account.name.lower(), index)
            if first != index:
                # ctx["index"] lets the loader point at the repeated entry's line.
                raise PydanticCustomError(
                    "duplicate_account",
                    "account '{name}' is listed twice (first as accounts.{first})",
                    {"name": account.name, "index": index, "first": first},
                )
        return accounts

    @field_validator("introductions", "invitations")
    @classmethod
    def _unique_offers(cls, items: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
        return unique_names(items, str(info.field_name)[:-1])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def path(self, value: Path) -> Path:
        """Resolve a path from the config relative to the config file's folder."""
        return value if value.is_absolute() else self.base_dir / value


def find_config(explicit: Path | None) -> Path:
    """``--config``, else ``$NURTURE_CONFIG``, else ``./config.yaml``."""
    if explicit is not None:
        return explicit
    env = os.environ.get("NURTURE_CONFIG")
    return Path(env) if env else Path("config.yaml")


def load_config(path: Path, *, cache: YamlCache | None = None) -> Config:
    """Read, validate and complete (accounts_file, content_file) a config file.

    ``cache``: the values of the last good load (``agent.config.yamlcache``), used while the text
    is the same; a load that succeeded puts its values there (the caller saves them)."""
    from agent.config.accounts_csv import read_accounts_csv
    from agent.config.content import read_content_file

    document = read_values(path, what="config", cache=cache)
    config = _validated(path, document)
    folder = config.drafts.templates
    if folder is not None and not config.path(folder).is_dir():  # a typo must not go unseen
        where = f"{path}:{document.lines().get(('drafts', 'templates'), '?')}"
        raise ConfigError(
            f"{where}: drafts.templates: no folder {config.path(folder)}",
            "fix the path, or leave it out to use templates/ next to the config",
        )
    if config.content_file is not None:
        library = read_content_file(config.path(config.content_file), cache=cache)
        config = config.model_copy(update={"content": (*config.content, *library)})
    if config.accounts_file is not None:
        extra = read_accounts_csv(config.path(config.accounts_file), cache=cache)
        merged = _merge_accounts(config.accounts, extra, path)
        config = config.model_copy(update={"accounts": merged})
    if cache is not None and not document.from_cache:
        cache.put(path, document.text, document.data)
    return config


def _validated(path: Path, document: YamlValues) -> Config:
    """The config the values make. A wrong one is explained from the line-numbering
    reader's values (read only then), so errors and their lines are that reader's."""
    if not document.has_lines:
        try:
            return _model(path, document.data)
        except (ConfigError, ValidationError):
            document.lines()
    try:
        return _model(path, document.data)
    except ValidationError as error:
        lines = document.lines()  # the line-numbering reader's values replace the fast ones
        raise validation_error(path, error, lines, document.data, Config) from None


def _model(path: Path, data: Any) -> Config:
    if not isinstance(data, dict):
        what = "is empty" if data is None else "must be a mapping of keys to values"
        raise ConfigError(f"{path}: the config {what}", "start from `nurture init` or config.yaml")
    return Config.model_validate({**data, "base_dir": path.resolve().parent})


def _merge_accounts(
    inline: Sequence[Account], from_csv: Sequence[Account], path: Path
) -> tuple[Account, ...]:
    names = {a.name.lower() for a in inline}
    for account in from_csv:
        if account.name.lower() in names:
            raise ConfigError(
                f"{path}: account {account.name!r} is both in `accounts` and in accounts_file",
                "keep it in one place",
            )
        names.add(account.name.lower())
    return (*inline, *from_csv)
