"""Delivering the digest: to the rep only, once per ISO week, by hand, daemon or demo."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.app import digest
from agent.app.context import Context
from agent.app.jobs import JOBS
from agent.cli.main import main
from agent.config.schema import Config, load_config
from agent.demo.workspace import write_demo
from agent.errors import ConfigError, UserError
from agent.model import OutgoingMail
from agent.model.tables import DIGESTS
from agent.store.db import Store
from tests.conftest import NOW

WEEK = "2026-W47"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_demo(tmp_path / "demo", NOW)
    return tmp_path / "demo"


@pytest.fixture
def demo_config(workspace: Path) -> Config:
    return load_config(workspace / "config.yaml")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def cli_args(workspace: Path) -> list[str]:
    return ["--config", str(workspace / "config.yaml"), "--home", str(workspace / "home")]


def read_eml(path: Path) -> email.message.EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_local_delivery_is_an_eml_to_the_rep_in_the_outbox(
    demo_config: Config, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "home") as store:
        report = digest.send(demo_config, store, NOW)
        assert store.get(DIGESTS, WEEK)["status"] == "sent"  # type: ignore[index]
    path = demo_config.path(demo_config.local.outbox) / f"digest-{WEEK}.eml"
    assert report.where == str(path) and report.sends == 1
    message = read_eml(path)
    assert message["To"] == "riley@northwind-analytics.com"
    assert "riley@northwind-analytics.com" in message["From"]
    assert message["Subject"].startswith("Your dream clients this week · week 47")
    assert path.name == f"digest-{WEEK}.eml" and message["X-Nurture-Key"] is None
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and "GOING COLD" in text.get_content()
    assert html is not None and 'data-section="trend"' in html.get_content()


def test_a_second_digest_for_the_week_is_refused_unless_forced(
    demo_config: Config, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "home") as store:
        digest.send(demo_config, store, NOW)
        with pytest.raises(UserError, match="already sent") as refused:
            digest.send(demo_config, store, NOW + timedelta(hours=2))
        assert "--force" in str(refused.value)
        again = digest.send(demo_config, store, NOW + timedelta(hours=2), force=True)
    assert again.sends == 2 and again.where.endswith(f"digest-{WEEK}-2.eml")
    assert read_eml(Path(again.where))["Subject"] == again.rendered.subject
    with Store.open(tmp_path / "home") as store:  # committed: a new process refuses too
        with pytest.raises(UserError):
            digest.send(demo_config, store, NOW + timedelta(days=1))
        next_week = digest.send(demo_config, store, NOW + timedelta(days=3))
    assert next_week.week == "2026-W48" and next_week.sends == 1


def test_an_interrupted_send_is_finished_with_the_same_message(
    demo_config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_: Any) -> str:
        raise OSError("power cut")

    monkeypatch.setattr(digest, "deliver", crash)
    with Store.open(tmp_path / "home") as store, pytest.raises(OSError, match="power cut"):
        digest.send(demo_config, store, NOW)
    monkeypatch.undo()
    with Store.open(tmp_path / "home") as store:
        assert store.get(DIGESTS, WEEK)["status"] == "pending"  # type: ignore[index]
        assert digest.sent_record(store, WEEK) is None
        report = digest.send(demo_config, store, NOW)
    assert report.sends == 1 and report.where.endswith(f"digest-{WEEK}.eml")


def test_the_digest_goes_through_the_mailboxs_send_to_self(
    demo_config: Config, tmp_path: Path
) -> None:
    sent: list[OutgoingMail] = []

    class Mailbox:
        name = "fake"

        def send_to_self(self, mail: OutgoingMail) -> str:
            sent.append(mail)
            return "gmail-id-1"

    with Store.open(tmp_path / "home") as store:
        report = digest.send(demo_config, store, NOW, mailbox=Mailbox())  # type: ignore[arg-type]
    assert report.where == "gmail-id-1"
    assert [m.to[0].email for m in sent] == ["riley@northwind-analytics.com"]
    assert sent[0].html and sent[0].text and sent[0].key == f"digest-{WEEK}"
    assert not (demo_config.path(demo_config.local.outbox) / f"digest-{WEEK}.eml").exists()


def test_the_digest_goes_to_the_rep_only(demo_config: Config) -> None:
    mine = demo_config.model_copy(
        update={"digest": demo_config.digest.model_copy(update={"to": "client@example.com"})}
    )
    with pytest.raises(ConfigError, match=r"digest\.to"):
        digest.recipient(mine)
    assert digest.recipient(demo_config) == "riley@northwind-analytics.com"


def test_digest_config_section(workspace: Path) -> None:
    path = workspace / "config.yaml"
    base = path.read_text()
    path.write_text(base + "digest: {to: Riley+digest@Northwind-Analytics.com}\n")
    assert load_config(path).digest.to == "riley@northwind-analytics.com"
    path.write_text(base + "digest: {rows: 0}\n")
    with pytest.raises(ConfigError, match=r"digest\.rows"):
        load_config(path)


def test_daemon_job_sends_once_per_week(workspace: Path) -> None:
    def context(now_offset: timedelta) -> Context:
        return Context(workspace / "config.yaml", workspace / "home", NOW + now_offset)

    first = JOBS["digest"](context(timedelta(0)))
    second = JOBS["digest"](context(timedelta(hours=1)))
    assert first.startswith(f"Digest for {WEEK} sent to riley@")
    assert second.startswith(f"Digest for {WEEK} already sent")
    assert len(list((workspace / "outbox").glob("digest-*.eml"))) == 1


# --- the command --------------------------------------------------------------------------


def test_preview_prints_the_text_and_writes_the_html(workspace: Path, capsys) -> None:
    args = cli_args(workspace)
    assert run(capsys, *args, "sync")[0] == 0
    code, out, err = run(capsys, *args, "digest")
    assert code == 0, err
    assert "GOING COLD" in out and "TWELVE-WEEK TREND" in out
    written = workspace / "home" / f"digest-{WEEK}.html"
    assert out.rstrip().endswith(f"HTML version: {written}")
    assert 'data-section="blocks"' in written.read_text()
    assert not (workspace / "outbox" / f"digest-{WEEK}.eml").exists()  # nothing sent
    code, out, _ = run(capsys, *args, "digest", "--out", str(workspace / "mine.html"))
    assert code == 0 and (workspace / "mine.html").is_file()


def test_send_twice_is_refused_then_forced(workspace: Path, capsys) -> None:
    args = cli_args(workspace)
    code, out, err = run(capsys, *args, "digest", "--send", "--out", str(workspace / "d.html"))
    assert code == 0, err
    assert f"Digest for {WEEK} sent to riley@northwind-analytics.com" in out
    assert (workspace / "outbox" / f"digest-{WEEK}.eml").is_file()
    assert (workspace / "d.html").is_file()
    code, _, err = run(capsys, *args, "digest", "--send")
    assert code == 1 and "already sent" in err and "--force" in err
    code, out, _ = run(capsys, *args, "digest", "--send", "--force")
    assert code == 0 and "(copy 2)" in out
    code, _, err = run(capsys, *args, "digest", "--force")
    assert code == 2 and "--force only matters with --send" in err


def test_demo_writes_the_digest(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "demo", str(tmp_path / "d"))
    assert code == 0, err
    page = tmp_path / "d" / "digest.html"
    assert f"Weekly digest: {page}" in out
    html = page.read_text()
    assert 'data-section="touches"' in html and "Halvorsen Logistics" in html
