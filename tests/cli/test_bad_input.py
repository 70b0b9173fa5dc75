"""Bad configs, data files and templates through the real entry point.

Each is refused with exit 2 (config) or 1 (template), a message naming the file, the line
and the key path when known and saying what to do, never a traceback; and the state on
disk is byte for byte what it was. test_config.py and test_engine_config.py hold the
first kinds (unknown keys, wrong types, time zones, CSV tiers, play typos); these are
the rest: every other section, every file a config points at, every way a template breaks.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from agent.cli.main import main
from tests.conftest import NOW

ME = "me: [r@x.com]\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def snapshot(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()
    }


@pytest.fixture
def workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A folder with the files bad configs point at, and a home a good sync has filled."""
    folder, home = tmp_path / "ws", tmp_path / "home"
    (folder / "lib").mkdir(parents=True)
    (folder / "mail.mbox").write_bytes(
        b"From x Thu Jan  1 00:00:00 2026\nFrom: ann@acme.com\nTo: r@x.com\n"
        b"Date: Mon, 16 Nov 2026 10:00:00 +0000\nMessage-ID: <1@acme.com>\n\nhi\n"
    )
    files = {
        "content.yaml": "- {title: A, url: https://a.co}\n- {title: B, url: https://b.co, x: 1}\n",
        "list.yaml": "title: A\nurl: https://x.com/a\n",
        "content.csv": "title,url,evergreen\nA,https://x.com/a,maybe\n",
        "a.csv": "name,domains,contacts\nAcme,acme.com,Ann <ann-at-acme>\n",
        "b.csv": "name,domains,stage_since\nAcme,acme.com,last tuesday\n",
        "notes.txt": "not mail\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "latin1.csv").write_bytes("title,url\nCaf\xe9,https://x.com/c\n".encode("latin-1"))
    (folder / "c.csv").write_bytes("name,domains\nAcm\xe9,acme.com\n".encode("latin-1"))
    good = folder / "good.yaml"
    good.write_text(
        ME + "local: {mail: mail.mbox}\naccounts: [{name: Acme, domains: [acme.com]}]\n"
    )
    code, _, err = run(capsys, "--config", str(good), "--home", str(home), "sync")
    assert code == 0, err
    assert snapshot(home)
    return folder, home


# id: (config text, where the message points, what it says)
BAD_CONFIGS: dict[str, tuple[str, str, str]] = {
    "working_days": (
        ME + "working_hours:\n  days: [monday]\n",
        ":3: working_hours.days.0: ",
        "'mon'",
    ),
    "lookback_too_long": (ME + "lookback_days: 99999\n", ":2: lookback_days: ", "3650"),
    "provider": (ME + "provider: outlook\n", ":2: provider: ", "'google'"),
    "me_missing": ("timezone: UTC\n", "bad.yaml: me: ", "required"),
    "accounts_not_a_list": (ME + "accounts: {name: A}\n", ":2: accounts: ", "a list"),
    "daemon_every": (
        ME + "daemon:\n  jobs:\n    sync: {every: 10x}\n",
        ":4: daemon.jobs.sync.every: ",
        "duration",
    ),
    "daemon_unknown_job": (
        ME + "daemon:\n  jobs:\n    lunch: {at: '12:00'}\n",
        ":4: daemon.jobs.lunch: ",
        "'digest'",
    ),
    "daemon_at": (
        ME + "daemon:\n  jobs:\n    digest: {at: 'fri 25:00'}\n",
        ":4: daemon.jobs.digest.at: ",
        "weekly time",
    ),
    "daemon_every_and_at": (
        ME + "daemon:\n  jobs:\n    plan: {at: '07:30', every: 1h}\n",
        ":4: daemon.jobs.plan: ",
        "exactly one",
    ),
    "daemon_backoff": (
        ME + "daemon:\n  retry_backoff: [30s, soon]\n",
        ":3: daemon.retry_backoff.1: ",
        "'soon'",
    ),
    "daemon_unknown_key": (ME + "daemon:\n  job: {}\n", ":3: daemon.job: ", "unknown key"),
    "blocks_colour": (ME + "blocks:\n  colour: pink\n", ":3: blocks.colour: ", "'basil'"),
    "blocks_time": (
        ME + "blocks:\n  preferred_start: noon\n",
        ":3: blocks.preferred_start: ",
        "time",
    ),
    "blocks_no_days": (ME + "blocks:\n  days: []\n", ":3: blocks.days: ", "at least one day"),
    "blocks_count": (
        ME + "blocks:\n  count: 9\n  horizon_days: 5\n",
        ":2: blocks: ",
        "one block a day",
    ),
    "digest_trend": (ME + "digest:\n  trend_weeks: 2\n", ":3: digest.trend_weeks: ", "4"),
    "digest_to": (ME + "digest:\n  to: nobody\n", ":3: digest.to: ", "not an email address"),
    "drafts_expire": (ME + "drafts:\n  expire_days: -1\n", ":3: drafts.expire_days: ", "1"),
    "drafts_typo": (ME + "drafts:\n  signatur: x\n", ":3: drafts.signatur: ", "unknown key"),
    "drafts_templates_missing": (
        ME + "drafts: {templates: nowhere}\n",
        ":2: drafts.templates: ",
        "no folder",
    ),
    "plays_not_a_mapping": (ME + "plays: [share_content]\n", ":2: plays: ", "a mapping"),
    "plays_cooldown": (
        ME + "plays:\n  invitation: {cooldown_days: -3}\n",
        ":3: plays.invitation.cooldown_days: ",
        "0",
    ),
    "plays_tier": (
        ME + "plays:\n  invitation: {tiers: [gold]}\n",
        ":3: plays.invitation.tiers.0: ",
        "'dream'",
    ),
    "throttle": (ME + "throttle: {per_day: many}\n", ":2: throttle.per_day: ", "integer"),
    "holds": (ME + "holds: {reply_window_days: 0}\n", ":2: holds.reply_window_days: ", "1"),
    "invitation_kind": (
        ME + "invitations:\n  - {name: a, kind: party, title: t, when: 2026-12-01}\n",
        ":3: invitations.0.kind: ",
        "'tour'",
    ),
    "introduction_until": (
        ME + "introductions:\n  - {name: a, who: X, until: someday}\n",
        ":3: introductions.0.until: ",
        "date",
    ),
    # The file itself.
    "empty_file": ("", "bad.yaml: the config is empty", "nurture init"),
    "not_a_mapping": ("- me\n", "bad.yaml: the config must be a mapping", "nurture init"),
    "duplicate_key": (
        ME + "timezone: UTC\ntimezone: Europe/Berlin\n",
        "bad.yaml:3: not valid YAML",
        "duplicate key",
    ),
    "tab_indent": (ME + "timezone:\tUTC\n\taccounts: []\n", "bad.yaml:2: not valid YAML", "'\\t'"),
    "undefined_alias": (ME + "accounts: *nope\n", "bad.yaml:2: not valid YAML", "alias"),
    # Files the config points at.
    "content_missing": (
        ME + "content_file: lib/content.yaml\n",
        "content.yaml: content_file not found",
        "content_file",
    ),
    "content_unknown_field": (
        ME + "content_file: content.yaml\n",
        "content.yaml:2: x: ",
        "unknown field",
    ),
    "content_not_a_list": (
        ME + "content_file: list.yaml\n",
        "list.yaml: the content file must be a list",
        "content:",
    ),
    "content_csv_flag": (
        ME + "content_file: content.csv\n",
        "content.csv:2: column 'evergreen': ",
        "yes or no",
    ),
    "content_csv_latin1": (
        ME + "content_file: latin1.csv\n",
        "latin1.csv:2: the content_file is not UTF-8",
        "UTF-8",
    ),
    "accounts_csv_contact": (
        ME + "accounts_file: a.csv\n",
        "a.csv:2: column 'contacts': ",
        "not an email address",
    ),
    "accounts_csv_date": (ME + "accounts_file: b.csv\n", "b.csv:2: column 'stage_since': ", "date"),
    "accounts_csv_latin1": (
        ME + "accounts_file: c.csv\n",
        "c.csv:2: the accounts_file is not UTF-8",
        "UTF-8",
    ),
    "mail_missing": (
        ME + "local: {mail: nowhere.mbox}\n",
        "nowhere.mbox: no such file or folder",
        "local.mail",
    ),
    "mail_not_a_mailbox": (
        ME + "local: {mail: notes.txt}\n",
        "notes.txt: not a mailbox",
        "local.mail",
    ),
}


@pytest.mark.parametrize(("text", "where", "says"), BAD_CONFIGS.values(), ids=BAD_CONFIGS)
def test_a_bad_config_exits_2_names_the_place_and_changes_nothing(
    workspace: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    text: str,
    where: str,
    says: str,
) -> None:
    folder, home = workspace
    bad = folder / "bad.yaml"
    bad.write_text(text)
    before = snapshot(home)

    code, out, err = run(capsys, "--config", str(bad), "--home", str(home), "sync")

    assert code == 2, out + err
    assert where in err
    assert says in err
    assert "\n  → " in err  # and what to do about it
    assert "Traceback" not in err
    assert snapshot(home) == before


def test_a_config_that_is_not_utf8_names_the_line(
    workspace: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, home = workspace
    bad = folder / "bad.yaml"
    bad.write_bytes((ME + "accounts:\n  - name: Acm\xe9\n    domains: [a.com]\n").encode("latin-1"))
    before = snapshot(home)
    code, _, err = run(capsys, "--config", str(bad), "--home", str(home), "board")
    assert code == 2
    assert "bad.yaml:3: the config file is not UTF-8 text" in err and "→" in err
    assert snapshot(home) == before


def test_a_missing_calendar_is_named_and_the_sync_goes_on(
    workspace: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, home = workspace
    config = folder / "cal.yaml"
    config.write_text(
        ME + "local: {mail: mail.mbox, calendars: [gone.ics]}\n"
        "accounts: [{name: Acme, domains: [acme.com]}]\n"
    )
    code, out, err = run(capsys, "--config", str(config), "--home", str(home), "sync")
    assert code == 0, err
    assert f"{folder / 'gone.ics'}: cannot read file" in out + err
    assert "Traceback" not in err


# --- templates: `nurture templates check` and `nurture cycle` -----------------------------

BROKEN_TEMPLATES = {
    # id: (how share_content.j2 is broken, what the message names)
    "syntax_error": (
        lambda t: t.replace("{{ contact.first_name }}", "{% if %}", 1),
        "share_content.j2:{line}",
    ),
    "undefined_variable": (
        lambda t: t.replace("{{ contact.first_name }}", "{{ contact.nickname }}", 1),
        "share_content.j2:{line}",
    ),
    "misspelt_name": (
        lambda t: t.replace("{{ contact.first_name }}", "{{ contcat.first_name }}", 1),
        "'contcat' is undefined",
    ),
    "no_front_matter": (lambda t: t.split("---", 2)[2], "share_content.j2:1: must start"),
    "unknown_front_matter": (
        lambda t: t.replace("subject:", "colour: red\nsubject:", 1),
        "unknown front matter 'colour: red'",
    ),
    "front_matter_lacks_subject": (
        lambda t: "\n".join(ln for ln in t.splitlines() if not ln.startswith("subject:")),
        "lacks `subject:`",
    ),
    "unclosed_front_matter": (lambda t: "---\nplay: share_content\nsubject: x\n", "no closing"),
    "unknown_play": (
        lambda t: t.replace("play: share_content", "play: cold_call", 1),
        "says `play: cold_call`",
    ),
}


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], Path]:
    """The demo workspace after its first cycle, with the bundled templates copied in."""
    home, folder = tmp_path / "home", tmp_path / "d"
    code, _, err = run(capsys, "--home", str(home), "demo", str(folder))
    assert code == 0, err
    templates = folder / "templates"
    templates.mkdir(exist_ok=True)
    bundled = Path(__file__).resolve().parents[2] / "templates" / "share_content.j2"
    shutil.copyfile(bundled, templates / "share_content.j2")
    return ["--config", str(folder / "config.yaml"), "--home", str(home)], templates


@pytest.mark.parametrize("case", BROKEN_TEMPLATES.values(), ids=BROKEN_TEMPLATES)
def test_a_broken_template_is_named_by_check_and_by_a_cycle(
    demo: tuple[list[str], Path], capsys: pytest.CaptureFixture[str], case: tuple
) -> None:
    where, templates = demo
    breaks, names = case
    template = templates / "share_content.j2"
    text = breaks(template.read_text())
    template.write_text(text)
    if "{line}" in names:
        names = names.format(line=_line_of(text, "{% if %}" if "{% if %}" in text else "nickname"))
    home = Path(where[3])
    before = snapshot(home)

    code, out, err = run(capsys, *where, "templates", "check")
    assert code == 1
    assert "✗ share_content:" in out and names in out
    assert "6 of 7 templates render" in out
    assert snapshot(home) == before

    # A later day, so the cycle plans new drafts; a share_content one fails to render.
    code, out, err = run(capsys, *where, "drafts", "list", "--json")
    assert code == 0
    drafts_before = out
    code, out, err = run(capsys, *where, "--now", "2026-12-01T09:00:00+00:00", "cycle")
    assert "Traceback" not in err
    assert code == 1 and names in err and "→" in err
    assert "the other plays' drafts, the blocks and the digest went ahead" in err
    assert "Nurture blocks:" in out  # the steps after the drafts ran
    # Only share_content stopped: none of its drafts pending or half-written.
    code, out, _ = run(capsys, *where, "drafts", "list", "--json")
    before = {d["id"] for d in json.loads(drafts_before)}
    new = [d for d in json.loads(out) if d["id"] not in before]
    assert new and all(d["play"] != "share_content" for d in new), out


def test_a_template_that_is_not_utf8_is_a_clear_error(
    demo: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    where, templates = demo
    template = templates / "share_content.j2"
    template.write_bytes(template.read_bytes().replace(b"Hi", b"Gr\xfc\xdf", 1))
    code, out, err = run(capsys, *where, "templates", "check")
    assert code == 1, err
    assert "Traceback" not in err
    assert f"✗ share_content: template {template}" in out and "UTF-8" in out
