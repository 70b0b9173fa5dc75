"""`nurture doctor`: each probe finds its problem and says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli.main import main
from tests.kits.fakegoogle.fake import FakeGoogle


def doctor(capsys: pytest.CaptureFixture[str], config: Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(["--config", str(config), "--home", str(config.parent / "home"), "doctor"])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out + err


def write_config(folder: Path, text: str, me: str = "rep@seller.com") -> Path:
    (folder / "mail.mbox").write_text("")
    path = folder / "config.yaml"
    path.write_text(
        f"me: [{me}]\n"
        "accounts: [{name: Acme, domains: [acme.com], tier: dream}]\n"
        "local: {mail: mail.mbox}\n" + text
    )
    return path


def test_a_broken_template_override_is_named(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, "")
    code, out = doctor(capsys, config)
    assert code == 0 and "all 7 play templates render" in out
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "do_over.j2").write_text(
        "---\nplay: do_over\nsubject: Hi\n---\nHello {{ nobody_knows_me }}\n"
    )
    code, out = doctor(capsys, config)
    assert code == 1 and "do_over" in out and "nobody_knows_me" in out


def test_google_is_reached_through_the_endpoint(
    tmp_path: Path, capsys, fake_google: FakeGoogle
) -> None:
    config = write_config(
        tmp_path,
        f"provider: google\ngoogle: {{endpoint: '{fake_google.base_url}'}}\n",
        me=fake_google.email,
    )
    code, out = doctor(capsys, config)
    assert code == 0 and f"connected as {fake_google.email}" in out
    assert fake_google.count("gmail.users.getProfile") == 1


def test_google_signed_in_as_someone_not_in_me_is_named(
    tmp_path: Path, capsys, fake_google: FakeGoogle
) -> None:
    config = write_config(
        tmp_path, f"provider: google\ngoogle: {{endpoint: '{fake_google.base_url}'}}\n"
    )
    code, out = doctor(capsys, config)
    assert code == 1 and fake_google.email in out and "rep@seller.com" in out
    assert "add rep@example.com to `me`" in out


def test_google_without_a_token_says_run_auth(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, "provider: google\n")
    code, out = doctor(capsys, config)
    assert code == 1 and "google" in out and "nurture auth" in out


def test_an_empty_signature_is_a_note_not_a_failure(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, "")
    code, out = doctor(capsys, config)
    assert code == 0 and "note signature: drafts.signature is empty" in out
    assert "Gmail does not add your Gmail signature" in out and "set drafts.signature" in out
    config = write_config(tmp_path, "drafts: {signature: Riley}\n")
    code, out = doctor(capsys, config)
    assert "ok   signature: drafts end with your drafts.signature" in out
