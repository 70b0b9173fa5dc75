"""Issue 16 item 9: doctor checks what `sync` and `digest` will meet.

Mail that is still an archive (.zip, .gz) or is no mail at all, calendars that do not
parse, and every template including the digest's: each is named, with what to do.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from agent.demo.workspace import write_demo
from tests.cli.test_cli import run
from tests.conftest import NOW


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    write_demo(tmp_path, NOW)
    return tmp_path


def doctor(capsys: pytest.CaptureFixture[str], folder: Path) -> tuple[int, str]:
    args = ["--config", str(folder / "config.yaml"), "--home", str(folder / "home")]
    code, out, err = run(capsys, *args, "doctor")
    return code, out + err


def test_the_demo_is_healthy(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = doctor(capsys, demo)
    assert code == 0, out
    assert "the mail reads as mail; 1 calendar parses" in out
    assert "the digest for 2026-W47 renders" in out


def test_a_zipped_mail_export_is_named_with_what_to_do(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mbox = demo / "mail.mbox"
    with zipfile.ZipFile(demo / "takeout.zip", "w") as packed:
        packed.write(mbox, "Takeout/Mail/All mail.mbox")
    packed_bytes = (demo / "takeout.zip").read_bytes()
    mbox.write_bytes(packed_bytes)  # the export renamed, still zipped
    code, out = doctor(capsys, demo)
    assert code == 1
    assert f"{mbox} is a zip archive: unpack it" in out


def test_a_gzipped_mbox_in_the_mail_folder_and_a_file_that_is_no_mail(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = demo / "mail"
    folder.mkdir()
    (folder / "inbox.mbox").write_bytes((demo / "mail.mbox").read_bytes())
    (folder / "archive.mbox.gz").write_bytes(gzip.compress(b"From x\nSubject: hi\n\nyo\n"))
    (folder / "notes.eml").write_text("shopping list\n- milk\n- eggs\n")
    config = demo / "config.yaml"
    config.write_text(config.read_text().replace("mail: mail.mbox", "mail: mail"))
    code, out = doctor(capsys, demo)
    assert code == 1
    assert "archive.mbox.gz is a gzip archive: sync does not read it" in out
    assert "notes.eml is not mail" in out
    assert "inbox.mbox" not in out


def test_a_calendar_that_does_not_parse_is_named(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo / "calendar.ics").write_text("this is no calendar\n")
    code, out = doctor(capsys, demo)
    assert code == 1
    assert "calendar.ics: not iCalendar" in out and "sync skips this calendar" in out


def test_a_broken_digest_template_is_named_with_file_and_line(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo / "templates").mkdir(exist_ok=True)
    (demo / "templates" / "digest.txt.j2").write_text("Week {{ digest.week }}\n{% if %}\n")
    code, out = doctor(capsys, demo)
    assert code == 1
    assert "digest.txt.j2:2" in out and "fix " in out
    args = ["--config", str(demo / "config.yaml"), "--home", str(demo / "home")]
    code, text, _ = run(capsys, *args, "doctor", "--json")
    digest = next(c for c in json.loads(text)["checks"] if c["name"] == "digest")
    assert code == 1 and digest["status"] == "fix" and "digest.txt.j2" in digest["detail"]
