"""Issue 16 item 10: --json on every command that reports something.

sync, cycle, doctor, digest, templates check, drafts approve/reject/edit, account --stage
and status print JSON only on stdout, and every time in it is ISO 8601 in the rep's zone
with the offset the zone has then (the demo rep is in America/Chicago).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
import pytest

from tests.cli.test_drafts_cli import by_play, demo, run  # the demo workspace fixture

__all__ = ["demo"]
ZONE = ZoneInfo("America/Chicago")


def times_in(value: Any) -> list[str]:
    """Every string in ``value`` that is an ISO date and time."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in times_in(v)]
    if isinstance(value, list):
        return [t for v in value for t in times_in(v)]
    if isinstance(value, str) and len(value) > 10 and value[10:11] == "T":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return []
        return [value]
    return []


def report(capsys: pytest.CaptureFixture[str], where: list[str], *command: str) -> Any:
    code, out, err = run(capsys, *where, *command)
    assert code == 0, err
    shape = json.loads(out)  # stdout is the JSON and nothing else
    assert all(in_rep_zone(t) for t in times_in(shape)), times_in(shape)
    return shape


def in_rep_zone(text: str) -> bool:
    """To the second, with the offset the rep's zone has at that moment (DST included)."""
    at = datetime.fromisoformat(text)
    return "." not in text and at.utcoffset() == at.astimezone(ZONE).utcoffset()


def test_sync_and_cycle(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    synced = report(capsys, demo, "sync", "--json")
    assert synced["at"] == "2026-11-20T09:00:00-06:00"
    assert synced["new_messages"] == 0 and synced["accounts"] == 10
    assert {"touches", "cold_accounts", "skipped", "drafts_changed", "summary"} <= synced.keys()
    cycle = report(capsys, demo, "cycle", "--json")
    assert [s["step"] for s in cycle["steps"]] == [
        "sync",
        "learn",
        "plan",
        "drafts",
        "blocks",
        "digest",
    ]
    assert cycle["sync"]["accounts"] == 10 and cycle["drafts"]["created"] == []
    assert cycle["at"] == synced["at"]


def test_status_and_doctor(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status = report(capsys, demo, "status", "--json")
    assert status["last_sync"] == "2026-11-20T09:00:00-06:00"
    doctor = report(capsys, demo, "doctor", "--json")
    assert doctor["ok"] is True
    assert {c["status"] for c in doctor["checks"]} == {"ok"}


def test_digest_preview_and_send(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    preview = report(capsys, demo, "digest", "--json")
    assert preview["week"] == "2026-W47" and preview["sent"] is False
    assert Path(preview["html"]).is_file() and preview["to"]
    sent = report(capsys, demo, "digest", "--send", "--json")
    assert sent["sent"] is True and sent["sends"] == 1 and Path(sent["where"]).is_file()


def test_templates_check(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rows = report(capsys, demo, "templates", "check", "--json")
    assert len(rows) == 7 and all(r["ok"] and r["error"] is None for r in rows)
    assert {"template", "source", "yours"} <= rows[0].keys()


def test_drafts_decisions(
    demo: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = by_play(capsys, demo, "stalled_closure")["id"]
    rejected = report(capsys, demo, "drafts", "reject", draft, "--reason", "no", "--json")
    assert rejected["decision"] == "rejected" and rejected["status"] == "rejected"
    assert rejected["id"] == draft and rejected["reject_reason"] == "no"
    draft = by_play(capsys, demo, "introduction")["id"]
    monkeypatch.setattr(click, "edit", lambda text, **_: text.replace("Hi Ingrid,", "Ingrid!"))
    edited = report(capsys, demo, "drafts", "edit", draft, "--json")
    assert edited["decision"] == "edited" and edited["changed"] is True and edited["edited"]
    draft = by_play(capsys, demo, "do_over")["id"]
    approved = report(capsys, demo, "drafts", "approve", draft, "--yes", "--json")
    assert approved["decision"] == "approved" and approved["status"] == "sent"
    assert approved["recipients"] == ["ben.castillo@brightline.co"]


def test_account_stage(demo: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    shape = report(capsys, demo, "account", "Brightline", "--stage", "hot", "--json")
    assert shape["account"].startswith("Brightline") and shape["stage"] == "hot"
    assert shape["since"] == "2026-11-20" and shape["at"] == "2026-11-20T09:00:00-06:00"


def test_times_are_to_the_second_whatever_the_clock_says(
    demo: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A real clock has microseconds; the drafts a cycle writes keep them, the JSON not."""
    later = ["--now", "2026-11-23T15:00:00.123456+00:00"]
    code, out, err = run(capsys, *later, *demo, "cycle", "--json")
    assert code == 0, err
    assert json.loads(out)["at"] == "2026-11-23T09:00:00-06:00"
    for command in (["drafts", "list", "--json"], ["board", "--json"], ["blocks", "--json"]):
        code, out, err = run(capsys, *later, *demo, *command)
        assert code == 0, err
        found = times_in(json.loads(out))
        assert found and all(in_rep_zone(t) for t in found), command
