"""config.yaml and accounts_file: typed loading, lookup order, and errors that point at a line."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from agent.cli.main import main
from agent.config.schema import Cadence, Contact, find_config, load_config
from agent.errors import ConfigError
from agent.model import Stage, Tier

EXAMPLE = Path(__file__).resolve().parents[2] / "config.yaml"
ME = "me: [riley@x.com]\n"
ACCOUNT_A = "accounts:\n  - name: A\n    domains: [a.com]\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def run_cli(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(["--config", str(path), "board"])
    return int(done.value.code or 0), capsys.readouterr().err


# --- the example config ------------------------------------------------------------------


def test_example_config_loads_fully_typed() -> None:
    config = load_config(EXAMPLE)

    assert config.me == ("riley@northwind-analytics.com",)
    assert config.internal_domains == ("northwind-analytics.com",)
    assert config.tz == ZoneInfo("America/Chicago")
    assert config.working_hours.start == time(8, 30)
    assert config.working_hours.end == time(17, 30)
    assert config.working_hours.weekday_numbers() == frozenset({0, 1, 2, 3, 4})
    assert config.provider == "local"
    assert config.path(config.local.mail) == EXAMPLE.parent / "mail.mbox"
    assert config.google.calendars == ("primary",)
    assert config.cadence.tier == {Tier.DREAM: 14, Tier.TARGET: 30, Tier.OTHER: 90}
    assert all(isinstance(stage, Stage) for stage in config.cadence.stage)
    assert config.accounts_file is None

    halvorsen, corvid = config.accounts
    assert halvorsen.tier is Tier.DREAM
    assert halvorsen.stage is Stage.COLD
    assert halvorsen.contacts == (
        Contact(
            email="ingrid.halvorsen@halvorsen-logistics.com", name="Ingrid Halvorsen", role="COO"
        ),
    )
    assert corvid.stage is Stage.LOST
    assert corvid.stage_since == date(2026, 7, 1)


def test_config_models_are_frozen() -> None:
    config = load_config(EXAMPLE)
    with pytest.raises(ValidationError, match="frozen"):
        config.timezone = "UTC"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        config.working_hours.start = time(7, 0)  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        config.accounts[0].tier = Tier.OTHER  # type: ignore[misc]
    assert isinstance(config.accounts, tuple)


# --- where the config comes from ---------------------------------------------------------


def test_lookup_order_explicit_then_env_then_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = write(tmp_path / "explicit.yaml", "me: [explicit@x.com]\n")
    from_env = write(tmp_path / "env" / "nurture.yaml", "me: [env@x.com]\n")
    write(tmp_path / "cwd" / "config.yaml", "me: [cwd@x.com]\n")
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("NURTURE_CONFIG", str(from_env))

    assert load_config(find_config(explicit)).me == ("explicit@x.com",)
    assert load_config(find_config(None)).me == ("env@x.com",)
    monkeypatch.delenv("NURTURE_CONFIG")
    assert find_config(None) == Path("config.yaml")
    assert load_config(find_config(None)).me == ("cwd@x.com",)


# --- bad configs: file, key path and line in the message; exit 2 from the CLI -------------

BAD_CONFIGS = {
    # id: (yaml text, key path, line, part of the message)
    "unknown_top_level_key": (ME + "colour: red\n", "colour", 2, "unknown key"),
    "unknown_key_in_account": (
        ME + ACCOUNT_A + "    colour: red\n",
        "accounts[A].colour",
        5,
        "unknown key",
    ),
    "wrong_type_int": (ME + "coverage_target: lots\n", "coverage_target", 2, "integer"),
    "wrong_type_time": (
        ME + "working_hours:\n  start: '25:00'\n",
        "working_hours.start",
        3,
        "time",
    ),
    "bad_timezone": (ME + "timezone: Mars/Olympus\n", "timezone", 2, "Mars/Olympus"),
    "bad_email_in_me": (
        "me:\n  - riley-at-x.com\n",
        "me.0",
        2,
        "not an email address",
    ),
    "bad_domain": (ME + "internal_domains: [localhost]\n", "internal_domains.0", 2, "domain"),
    "duplicate_account": (
        ME + ACCOUNT_A + "  - name: a\n    domains: [b.com]\n",
        "accounts[a].name",
        5,
        "listed twice",
    ),
    "start_not_before_end": (
        ME + "working_hours:\n  start: '09:00'\n  end: '09:00'\n",
        "working_hours",
        2,
        "start must be earlier than end",
    ),
    "cadence_below_one": (
        ME + "cadence:\n  tier: {dream: 14}\n  stage: {hot: 0}\n",
        "cadence.stage",
        4,
        "at least 1 day",
    ),
    "bad_enum": (ME + ACCOUNT_A + "    tier: dreamy\n", "accounts[A].tier", 5, "'dream'"),
    "free_mail_domain": (
        ME + "accounts:\n  - name: Acme\n    domains: [acme.com, gmail.com]\n",
        "accounts[Acme].domains",
        4,
        "account 'Acme' lists gmail.com, a free-mail domain",
    ),
}


@pytest.mark.parametrize(("text", "key", "line", "says"), BAD_CONFIGS.values(), ids=BAD_CONFIGS)
def test_bad_config_names_file_key_and_line(
    tmp_path: Path, text: str, key: str, line: int, says: str
) -> None:
    message = config_error(write(tmp_path / "bad.yaml", text))
    assert f"bad.yaml:{line}: {key}: " in message
    assert says in message
    assert message.count("bad.yaml") == 1  # exactly this one problem


@pytest.mark.parametrize("case", BAD_CONFIGS.values(), ids=BAD_CONFIGS)
def test_bad_config_exits_2_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: tuple[str, str, int, str]
) -> None:
    text, key, line, _ = case
    code, err = run_cli(capsys, write(tmp_path / "bad.yaml", text))
    assert code == 2
    assert f"bad.yaml:{line}: {key}: " in err
    assert "Traceback" not in err


def test_invalid_yaml_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "bad.yaml", ME + "timezone: UTC\naccounts: [\n  - name: A\n")
    assert "bad.yaml:4: not valid YAML" in config_error(path)

    code, err = run_cli(capsys, path)
    assert code == 2
    assert "bad.yaml:4: not valid YAML" in err
    assert "Traceback" not in err


def test_missing_config_says_how_to_create_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere.yaml"
    message = config_error(path)
    assert "nowhere.yaml" in message
    assert "not found" in message
    assert "nurture init" in message
    assert "NURTURE_CONFIG" in message

    code, err = run_cli(capsys, path)
    assert code == 2
    assert "nowhere.yaml" in err
    assert "nurture init" in err
    assert "Traceback" not in err


# --- accounts_file (CRM export) ------------------------------------------------------------

CRM_HEADER = "Account Name,Website,Tier,Stage,Contacts,Industry\n"
CRM_ROW = (
    "Acme,https://www.acme.com/,Dream,Hot,"
    '"Ann Lee <Ann+crm@Acme.com> (CTO); Bob Stone <bob@acme.com>","saas; fintech"\n'
)


def csv_config(tmp_path: Path, csv_text: str, inline: str = "", encoding: str = "utf-8") -> Path:
    write(tmp_path / "cfg" / "accounts.csv", csv_text, encoding)
    return write(tmp_path / "cfg" / "config.yaml", ME + "accounts_file: accounts.csv\n" + inline)


def test_crm_csv_merges_with_inline_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = csv_config(tmp_path, CRM_HEADER + CRM_ROW, inline=ACCOUNT_A)
    monkeypatch.chdir(tmp_path)  # accounts_file is relative to the config, not the cwd

    inline, acme = load_config(path).accounts

    assert inline.name == "A"
    assert acme.name == "Acme"
    assert acme.domains == ("acme.com",)
    assert acme.tier is Tier.DREAM
    assert acme.stage is Stage.HOT
    assert acme.contacts == (
        Contact(email="ann@acme.com", name="Ann Lee", role="CTO"),
        Contact(email="bob@acme.com", name="Bob Stone", role=""),
    )
    assert acme.tags == ("saas", "fintech")


def test_csv_with_utf8_bom_header(tmp_path: Path) -> None:
    path = csv_config(tmp_path, CRM_HEADER + CRM_ROW, encoding="utf-8-sig")
    assert (tmp_path / "cfg" / "accounts.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert [a.name for a in load_config(path).accounts] == ["Acme"]


@pytest.mark.parametrize(
    ("row", "column"),
    [("Globex,globex.io,platinum,cold,,\n", "Tier"), ("Globex,,target,cold,,\n", "Website")],
    ids=["bad_tier", "empty_domain"],
)
def test_bad_csv_row_names_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, column: str
) -> None:
    path = csv_config(tmp_path, CRM_HEADER + CRM_ROW + row)
    assert f"accounts.csv:3: column '{column}'" in config_error(path)

    code, err = run_cli(capsys, path)
    assert code == 2
    assert f"accounts.csv:3: column '{column}'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("header", "missing"),
    [("Website,Tier\n", "name"), ("Account Name,Tier\n", "domains")],
)
def test_csv_without_a_required_column(tmp_path: Path, header: str, missing: str) -> None:
    message = config_error(csv_config(tmp_path, header + "x,y\n"))
    assert f"accounts.csv:1: no '{missing}' column" in message


def test_missing_csv_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", ME + "accounts_file: exports/crm.csv\n")
    message = config_error(path)
    assert str(tmp_path / "exports" / "crm.csv") in message
    assert "not found" in message


def test_account_both_inline_and_in_csv(tmp_path: Path) -> None:
    inline = "accounts:\n  - name: ACME\n    domains: [acme.com]\n"
    message = config_error(csv_config(tmp_path, CRM_HEADER + CRM_ROW, inline=inline))
    assert "config.yaml" in message
    assert "'Acme'" in message
    assert "both in `accounts` and in accounts_file" in message


# --- cadence and normalisation -------------------------------------------------------------


def test_cadence_stage_wins_over_tier() -> None:
    cadence = Cadence(tier={Tier.DREAM: 14, Tier.TARGET: 30}, stage={Stage.HOT: 7})
    assert cadence.days(Tier.DREAM, Stage.HOT) == 7
    assert cadence.days(Tier.TARGET, Stage.HOT) == 7
    assert cadence.days(Tier.DREAM, Stage.COLD) == 14
    assert cadence.days(Tier.TARGET, Stage.STALLED) == 30


def test_addresses_and_domains_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "config.yaml",
        "me: [Riley+Work@X.com]\n"
        "internal_domains: ['@Seller.COM.']\n"
        "accounts:\n"
        "  - name: Acme\n"
        "    domains: [EU.Acme.com]\n"
        "    contacts: [{email: ' Ann+crm@ACME.com '}]\n",
    )
    config = load_config(path)
    assert config.me == ("riley@x.com",)
    assert config.internal_domains == ("seller.com",)
    assert config.accounts[0].domains == ("eu.acme.com",)
    assert config.accounts[0].contacts[0].email == "ann@acme.com"


@pytest.mark.parametrize(
    "domain", ["gmail.com", "Hotmail.co.uk", "outlook.com", "yahoo.fr", "icloud.com"]
)
def test_a_free_mail_domain_in_a_crm_export_is_named(tmp_path: Path, domain: str) -> None:
    row = f"Acme,https://www.{domain}/,Dream,Hot,,\n"
    message = config_error(csv_config(tmp_path, CRM_HEADER + row))
    assert "accounts.csv:2: column 'Website'" in message
    assert f"account 'Acme' lists {domain.lower()}, a free-mail domain" in message


@pytest.mark.parametrize("domain", ["mail.acme.com", "outlook.acme.com", "gmail-partners.com"])
def test_company_domains_that_look_like_free_mail_are_fine(domain: str) -> None:
    from agent.config.freemail import is_free_mail

    assert not is_free_mail(domain)
