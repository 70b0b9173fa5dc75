"""The structural speed-ups: what a cycle with nothing new does *not* do, and the moments
when the caches must be ignored so that results stay those of a fresh derivation."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import agent.app.derived
import agent.providers.local.calendar
import agent.store.observations
from agent.cli.main import cli
from bench.book import SIZES, scaled, write_book
from tests.conftest import NOW

BOOK = scaled(SIZES["S"], 0.1)  # 5 accounts, 500 touches, 100 calendar events


@pytest.fixture
def book(tmp_path: Path) -> Path:
    write_book(tmp_path / "book", BOOK, NOW)
    return tmp_path / "book"


def nurture(book: Path, *args: str, home: str = "home") -> str:
    where = ["--config", str(book / "config.yaml"), "--home", str(book / home)]
    result = CliRunner().invoke(cli, [*where, "--now", NOW.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.output


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[Any]:
    calls: list[Any] = []
    real: Callable[..., Any] = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_a_cycle_with_nothing_new_reads_no_mail_and_parses_no_calendar(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nurture(book, "sync")
    first = nurture(book, "cycle")
    assert "new drafts for review" in first
    detected = spy(monkeypatch, agent.app.derived, "candidates")
    read = spy(monkeypatch, agent.store.observations, "from_rows")
    parsed = spy(monkeypatch, agent.providers.local.calendar, "load_meetings")
    again = nurture(book, "cycle")
    assert "0 new drafts for review" in again
    assert first.splitlines()[0] == again.splitlines()[0]  # the same book, seen the same
    assert (detected, read, parsed) == ([], [], [])


def test_a_config_change_is_seen_at_once(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nurture(book, "sync")
    nurture(book, "board", "--json")
    csv = book / "accounts.csv"
    rows = csv.read_text().splitlines()
    csv.write_text("\n".join(rows[:-1]) + "\n")  # the CRM export lost an account
    detected = spy(monkeypatch, agent.app.derived, "candidates")
    cached = json.loads(nurture(book, "board", "--json"))
    assert len(detected) == 1
    assert len(cached) == BOOK.accounts - 1
    nurture(book, "sync", home="fresh-home")
    assert cached == json.loads(nurture(book, "board", "--json", home="fresh-home"))


def test_the_cached_board_is_the_freshly_derived_one(book: Path) -> None:
    nurture(book, "sync")
    nurture(book, "board", "--json")  # writes nothing new: the cache came with the sync
    cached = nurture(book, "board", "--json")
    for name in ("touches.json", "busy.json"):
        (book / "home" / name).unlink()
    assert nurture(book, "board", "--json") == cached


def test_a_changed_calendar_is_read_again_for_busy_time(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nurture(book, "sync")
    parsed = spy(monkeypatch, agent.providers.local.calendar, "load_meetings")
    nurture(book, "blocks", "--dry-run")
    assert parsed == []  # busy time came from what the sync stored
    calendar = book / "calendar.ics"
    stat = calendar.stat()
    os.utime(calendar, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    nurture(book, "blocks", "--dry-run")
    assert len(parsed) == 1  # not synced since it changed: the file itself is read
