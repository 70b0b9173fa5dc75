"""The rep's loop through the real entry point, on the demo workspace (local provider)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from agent.cli.main import cli, main
from agent.model import PlayId
from tests.conftest import NOW

ELENA = "elena.ruiz@lakeshorefreight.com"


def run(capsys: pytest.CaptureFixture[str], *args: str, at=NOW) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(["--now", at.isoformat(), *args])
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """`nurture demo` once: the workspace with its first drafts in outbox/drafts."""
    code, out, err = run(capsys, "--home", str(tmp_path / "home"), "demo", str(tmp_path / "d"))
    assert code == 0, err
    assert "8 new drafts for review" in out
    return ["--config", str(tmp_path / "d" / "config.yaml"), "--home", str(tmp_path / "home")]


def drafts_dir(where: list[str], folder: str = "drafts") -> Path:
    return Path(where[1]).parent / "outbox" / folder


def listed(capsys, where: list[str], at=NOW) -> list[dict]:
    code, out, err = run(capsys, *where, "drafts", "list", "--json", at=at)
    assert code == 0, err
    return json.loads(out)


def by_play(capsys, where: list[str], play: str) -> dict:
    return next(d for d in listed(capsys, where) if d["play"] == play)


def test_the_demo_leaves_a_draft_for_every_play(demo: list[str], capsys) -> None:
    rows = listed(capsys, demo)
    assert {r["play"] for r in rows} == {p.value for p in PlayId}
    for row in rows:
        assert {"id", "account", "contact", "play", "subject", "status", "created_at"} <= set(row)
        assert row["status"] == "created" and row["subject"]
        raw = (drafts_dir(demo) / f"{row['id']}.eml").read_bytes()
        assert row["id"].encode() not in raw and b"nurture" not in raw.lower()
        assert b"Riley Quinn" in raw


def test_cycle_twice_leaves_the_same_drafts(demo: list[str], capsys) -> None:
    before = sorted(p.name for p in drafts_dir(demo).iterdir())
    ids = {r["id"] for r in listed(capsys, demo)}
    for _ in range(2):
        code, out, err = run(capsys, *demo, "cycle")
        assert code == 0, err
        assert "0 new drafts for review; 8 waiting for your review" in out
    assert sorted(p.name for p in drafts_dir(demo).iterdir()) == before
    assert {r["id"] for r in listed(capsys, demo)} == ids


def test_cycle_dry_run_changes_nothing(demo: list[str], capsys) -> None:
    state = Path(demo[3]) / "state.json"
    before = state.read_bytes()
    code, out, _ = run(capsys, *demo, "cycle", "--dry-run")
    assert code == 0 and "Plan for" in out
    assert state.read_bytes() == before


def test_approve_asks_first_and_a_no_sends_nothing(demo: list[str], capsys) -> None:
    draft = by_play(capsys, demo, "do_over")
    args = ["--now", NOW.isoformat(), *demo, "drafts", "approve", draft["id"][-8:]]
    result = CliRunner().invoke(cli, args, input="n\n")
    assert "Move it to the sent folder, to send it yourself? [y/N]" in result.output
    assert result.exit_code == 0 and "Not moved." in result.output
    assert not drafts_dir(demo, "sent").exists()
    assert (drafts_dir(demo) / f"{draft['id']}.eml").is_file()
    assert by_play(capsys, demo, "do_over")["status"] == "created"


def test_approve_sends_exactly_that_draft_and_the_next_sync_sees_the_touch(
    demo: list[str], capsys
) -> None:
    draft = by_play(capsys, demo, "do_over")
    code, out, err = run(capsys, *demo, "drafts", "approve", draft["id"], "--yes")
    assert code == 0, err
    # The local provider sends nothing: it says where the file went and what to do.
    sent = drafts_dir(demo, "sent") / f"{draft['id']}.eml"
    assert f"Moved to {sent}: send it from your mail program." in out
    assert "nurture counts it as sent to ben.castillo@brightline.co." in out
    assert "Sent to" not in out
    assert [p.name for p in drafts_dir(demo, "sent").iterdir()] == [f"{draft['id']}.eml"]
    shown = json.loads(run(capsys, *demo, "drafts", "show", draft["id"], "--json")[1])
    assert shown["link"] == str(sent)  # the link follows the file
    assert not (drafts_dir(demo) / f"{draft['id']}.eml").exists()
    code, out, _ = run(capsys, *demo, "sync")
    assert "(1 new message," in out
    assert by_play(capsys, demo, "do_over")["status"] == "sent"
    code, _, err = run(capsys, *demo, "drafts", "approve", draft["id"], "--yes")
    assert code == 1 and "is sent: there is nothing to send" in err


def test_reject_deletes_the_draft_and_keeps_the_reason(demo: list[str], capsys) -> None:
    draft = by_play(capsys, demo, "stalled_closure")
    code, out, _ = run(capsys, *demo, "drafts", "reject", draft["id"], "--reason", "bad timing")
    assert code == 0 and "nothing was sent" in out
    assert not (drafts_dir(demo) / f"{draft['id']}.eml").exists()
    after = by_play(capsys, demo, "stalled_closure")
    assert after["status"] == "rejected" and after["reject_reason"] == "bad timing"


def test_edit_replaces_the_draft_and_survives_expiry(
    demo: list[str], capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = by_play(capsys, demo, "introduction")
    monkeypatch.setattr(
        click, "edit", lambda text, **_: text.replace("Hi Ingrid,", "Ingrid, hello!")
    )
    code, out, err = run(capsys, *demo, "drafts", "edit", draft["id"])
    assert code == 0 and "Updated" in out, err
    raw = (drafts_dir(demo) / f"{draft['id']}.eml").read_text()
    assert "Ingrid, hello!" in raw and draft["id"] not in raw
    assert by_play(capsys, demo, "introduction")["edited"] is True
    later = NOW + timedelta(days=15)
    run(capsys, *demo, "sync", at=later)
    rows = {r["play"]: r for r in listed(capsys, demo, at=later)}
    assert rows["introduction"]["status"] == "expired"
    assert (drafts_dir(demo) / f"{draft['id']}.eml").is_file(), "edited: left in place"
    assert rows["share_content"]["status"] == "expired"
    assert not (drafts_dir(demo) / f"{rows['share_content']['id']}.eml").exists()


def test_edit_refuses_a_draft_changed_in_the_mailbox(
    demo: list[str], capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = by_play(capsys, demo, "invitation")
    path = drafts_dir(demo) / f"{draft['id']}.eml"
    path.write_text(path.read_text().replace("Hi Raj", "Dear Raj"))
    monkeypatch.setattr(click, "edit", lambda text, **_: text + "\nP.S. lunch is on us.\n")
    code, _, err = run(capsys, *demo, "drafts", "edit", draft["id"])
    assert code == 1 and "was changed in your mailbox" in err
    assert "Dear Raj" in path.read_text()


def test_a_draft_the_rep_deletes_is_rejected_and_the_play_rests(
    demo: list[str], capsys, tmp_path: Path
) -> None:
    draft = next(d for d in listed(capsys, demo) if d["contact"] == ELENA)
    assert draft["play"] == "reengage_lost"
    (drafts_dir(demo) / f"{draft['id']}.eml").unlink()
    _, out, _ = run(capsys, *demo, "sync", at=NOW + timedelta(days=1))
    assert "reengage_lost for Elena Ruiz at Lakeshore Freight: rejected" in out
    later = NOW + timedelta(days=15)
    code, out, _ = run(capsys, *demo, "cycle", "--dry-run", "--json", at=later)
    assert code == 0
    plays = {a["play"] for a in json.loads(out) if a["contact"] == ELENA}
    assert "reengage_lost" not in plays  # that play rests for her (another may still go)
    # Had it only expired, Elena would get the play again (it is the rejection that rests it).
    other = ["--home", str(tmp_path / "home2"), "demo", str(tmp_path / "d2")]
    assert run(capsys, *other)[0] == 0
    where = ["--config", str(tmp_path / "d2" / "config.yaml"), "--home", str(tmp_path / "home2")]
    run(capsys, *where, "sync", at=later)
    _, out, _ = run(capsys, *where, "cycle", "--dry-run", "--json", at=later)
    assert "reengage_lost" in {a["play"] for a in json.loads(out) if a["contact"] == ELENA}


def test_unknown_and_ambiguous_ids_are_explained(demo: list[str], capsys) -> None:
    code, _, err = run(capsys, *demo, "drafts", "show", "nope")
    assert code == 2 and "no draft 'nope'" in err
    code, _, err = run(capsys, *demo, "drafts", "show", "draft-")
    assert code == 2 and "matches 8 drafts" in err
    draft = by_play(capsys, demo, "do_over")
    code, out, _ = run(capsys, *demo, "drafts", "show", draft["id"])
    # The meeting's scheduling thread exists: the do-over is a reply in it.
    assert code == 0 and "Subject: Re: Pricing" in out and "Hi Ben," in out


def test_templates_check_and_init(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "init", str(tmp_path / "ws"))
    assert code == 0, err
    assert (tmp_path / "ws" / "config.yaml").read_text().startswith("# nurture configuration")
    copied = {p.name for p in (tmp_path / "ws" / "templates").glob("*.j2")}
    assert copied == {f"{p.value}.j2" for p in PlayId} | {"digest.html.j2", "digest.txt.j2"}
    code, _, err = run(capsys, "init", str(tmp_path / "ws"))
    assert code == 1 and "exist already" in err and "--force" in err
    assert run(capsys, "init", str(tmp_path / "ws"), "--force")[0] == 0
    config = ["--config", str(tmp_path / "ws" / "config.yaml")]
    code, out, _ = run(capsys, *config, "templates", "check")
    assert code == 0 and "7 of 7 templates render" in out and "(yours)" in out
    broken = tmp_path / "ws" / "templates" / "invitation.j2"
    broken.write_text(broken.read_text().replace("{{ account.name }}", "{{ acount.name }}", 1))
    code, out, _ = run(capsys, *config, "templates", "check")
    assert code == 1 and "6 of 7 templates render" in out
    assert f"{broken}:7" in out and "'acount' is undefined" in out


def test_every_drafts_command_has_help_with_an_example() -> None:
    for group in ("drafts", "templates"):
        command = cli.commands[group]
        assert isinstance(command, click.Group)
        for name, sub in command.commands.items():
            assert sub.help and "Example" in sub.help, f"`nurture {group} {name}` needs help"
