"""Stale drafts through the CLI (issue 16, item 3): after a contact writes in, the waiting
draft nobody touched is withdrawn and leaves the drafts folder; the one the rep edited stays,
flagged stale, and `drafts approve` sends it only with --force."""

from __future__ import annotations

import mailbox
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from tests.cli.test_drafts_cli import demo, drafts_dir, listed, run  # noqa: F401 (fixture)
from tests.conftest import NOW

LATER = NOW + timedelta(hours=2)


def write_in(where: list[str], sender: str, name: str) -> None:
    """``sender`` writes to the rep an hour after the demo's cycle."""
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "riley@northwind-analytics.com"
    message["Subject"] = "A question about your last note"
    message["Date"] = format_datetime(NOW + timedelta(hours=1))
    message["Message-ID"] = f"<{sender.split('@', maxsplit=1)[0]}-q@example.com>"
    message.set_content("Could you call me this week?\n")
    box = mailbox.mbox(Path(where[1]).parent / "mail.mbox")
    box.add(message)
    box.flush()


def test_a_contact_writing_in_withdraws_or_flags_their_waiting_draft(
    demo: list[str],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    waiting = [r for r in listed(capsys, demo) if r["status"] == "created"]
    untouched, edited = (
        waiting[0],
        next(r for r in waiting if r["contact"] != waiting[0]["contact"]),
    )
    path = drafts_dir(demo) / f"{edited['id']}.eml"
    path.write_bytes(path.read_bytes() + b"\r\n")  # the rep changed it in the file
    for row in (untouched, edited):
        write_in(demo, row["contact"], row["contact_name"])

    code, out, err = run(capsys, *demo, "cycle", at=LATER)
    assert code == 0, err
    assert f"{untouched['play']} for {untouched['contact_name']}" in out and "withdrawn" in out
    assert "you edited it, so it stays in your drafts" in out

    rows = {r["id"]: r for r in listed(capsys, demo, at=LATER)}
    gone, kept = rows[untouched["id"]], rows[edited["id"]]
    assert gone["status"] == "withdrawn" and gone["stale"] is False
    assert "answer that first" in gone["stale_reason"]
    assert not (drafts_dir(demo) / f"{untouched['id']}.eml").exists()
    assert kept["status"] == "created" and kept["stale"] is True
    assert kept["stale_reason"].startswith(f"{edited['contact_name']} wrote on")
    assert path.exists()

    code, out, err = run(capsys, *demo, "drafts", "approve", edited["id"], "--yes", at=LATER)
    assert code != 0 and "is stale" in err and "--force" in err
    assert not list(drafts_dir(demo, "sent").glob("*.eml"))
    code, out, err = run(
        capsys, *demo, "drafts", "approve", edited["id"], "--yes", "--force", at=LATER
    )
    assert code == 0, err
    assert [p.name for p in drafts_dir(demo, "sent").glob("*.eml")] == [path.name]
