"""Mail on disk: mbox, Takeout mbox, Maildir, .eml folders; incremental per-file reading."""

from __future__ import annotations

import mailbox
import os
import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.model import Address, MailMessage
from agent.providers.local.mail import (
    fingerprint,
    mail_files,
    read_changed,
    read_file,
    read_mail,
)


def make_mail(n: int, **extra: str) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = f"<msg{n}@acme.com>"
    message["Date"] = f"Fri, {n + 1:02d} Feb 2026 10:00:00 +0000"
    message["From"] = f"Person {n} <p{n}@acme.com>"
    message["To"] = "rep@seller.com"
    message["Subject"] = f"Message {n}"
    for name, value in extra.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"Body of message {n}.\nFrom the desk of person {n}.\n")
    return message


def uids(messages: list[MailMessage]) -> list[str]:
    return sorted(m.uid for m in messages)


def write_eml(path: Path, n: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_mail(n).as_bytes())
    return path


def bump(path: Path) -> None:
    """Change a file so that its fingerprint surely changes, whatever the mtime resolution."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_mbox(tmp_path: Path) -> None:
    path = tmp_path / "mail.mbox"
    box = mailbox.mbox(path)
    for n in range(3):
        box.add(make_mail(n))
    box.flush()
    read = list(read_mail(path))
    assert [key for key, _ in read] == [f"{path}#{n}" for n in range(3)]
    assert [m.uid for _, m in read] == ["msg0@acme.com", "msg1@acme.com", "msg2@acme.com"]
    assert read[0][1].sender == Address("p0@acme.com", "Person 0")
    # mailbox escaped the body line "From the desk ..." as ">From ..."; we undo that.
    assert read[0][1].snippet == "Body of message 0. From the desk of person 0."


def test_mbox_splits_only_at_from_lines_after_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "hand-made.mbox"
    path.write_bytes(
        b"From a@acme.com Fri Feb 20 10:00:00 2026\n"
        b"Message-ID: <one@acme.com>\nFrom: a@acme.com\n\nHello,\n"
        b"From what I hear, unescaped.\n\n"
        b"From b@acme.com Fri Feb 20 11:00:00 2026\r\n"
        b"Message-ID: <two@acme.com>\r\nFrom: b@acme.com\r\n\r\nHi\r\n"
    )
    read = [m for _, m in read_mail(path)]
    assert [m.uid for m in read] == ["one@acme.com", "two@acme.com"]
    assert read[0].snippet == "Hello, From what I hear, unescaped."


def test_mbox_without_extension_is_recognised_by_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "All mail"
    box = mailbox.mbox(path)
    box.add(make_mail(1))
    box.flush()
    assert [m.uid for _, m in read_mail(path)] == ["msg1@acme.com"]


def test_takeout_mbox_uses_the_gmail_thread_id(tmp_path: Path) -> None:
    path = tmp_path / "All mail Including Spam and Trash.mbox"
    box = mailbox.mbox(path)
    box.add(make_mail(1, X_GM_THRID="1591234567890123456", X_Gmail_Labels="Inbox,Important"))
    box.add(make_mail(2, In_Reply_To="<msg1@acme.com>"))
    box.flush()
    first, second = (m for _, m in read_mail(path))
    # Takeout writes the thread id in decimal, the Gmail API in hex: one key for both.
    assert first.thread == format(1591234567890123456, "x")
    assert second.thread == "msg1@acme.com"


def test_maildir(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Mail")
    keys = [box.add(make_mail(n)) for n in range(2)]
    (tmp_path / "Mail" / "tmp" / "half-delivered").write_bytes(make_mail(9).as_bytes())
    read = dict(read_mail(tmp_path / "Mail"))
    assert uids(list(read.values())) == ["msg0@acme.com", "msg1@acme.com"]
    assert all(any(key in source for key in keys) for source in read)


def test_nested_maildir_folders(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Mail")
    box.add(make_mail(0))
    box.add_folder("Sent").add(make_mail(1))
    assert uids([m for _, m in read_mail(tmp_path / "Mail")]) == ["msg0@acme.com", "msg1@acme.com"]


def test_eml_folder_is_read_recursively(tmp_path: Path) -> None:
    write_eml(tmp_path / "a.eml", 0)
    write_eml(tmp_path / "deep" / "er" / "b.EML", 1)
    (tmp_path / "notes.txt").write_text("not mail")
    (tmp_path / "empty.eml").write_bytes(b"")
    read = list(read_mail(tmp_path))
    assert [key for key, _ in read] == [str(tmp_path / "a.eml"), str(tmp_path / "deep/er/b.EML")]


def test_single_eml_file(tmp_path: Path) -> None:
    path = write_eml(tmp_path / "one.eml", 4)
    assert [(key, m.uid) for key, m in read_mail(path)] == [(str(path), "msg4@acme.com")]
    assert [m.uid for _, m in read_file(path)] == ["msg4@acme.com"]


def test_missing_path_is_a_config_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.mbox"
    with pytest.raises(ConfigError, match=r"nowhere\.mbox"):
        list(read_mail(missing))
    with pytest.raises(ConfigError, match=r"nowhere\.mbox"):
        read_changed(missing, {})


def test_a_file_or_folder_that_is_no_mailbox_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Dear diary")
    with pytest.raises(ConfigError, match=r"notes\.txt"):
        mail_files(tmp_path / "notes.txt")
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path))):
        mail_files(tmp_path)


def test_empty_folder_and_empty_maildir_hold_no_mail(tmp_path: Path) -> None:
    assert mail_files(tmp_path) == []
    mailbox.Maildir(tmp_path / "Mail")
    assert read_changed(tmp_path / "Mail", {}) == ([], {}, [])


def test_read_changed_reads_only_changed_files(tmp_path: Path) -> None:
    files = [write_eml(tmp_path / f"{n}.eml", n) for n in range(3)]
    messages, seen, unreadable = read_changed(tmp_path, {})
    assert uids(messages) == ["msg0@acme.com", "msg1@acme.com", "msg2@acme.com"]
    assert sorted(seen) == sorted(str(f) for f in files)
    assert unreadable == []

    assert read_changed(tmp_path, seen) == ([], seen, [])

    write_eml(files[1], 7)
    bump(files[1])
    messages, again, _ = read_changed(tmp_path, seen)
    assert uids(messages) == ["msg7@acme.com"]
    assert again.keys() == seen.keys()
    assert again[str(files[1])] != seen[str(files[1])]
    assert again[str(files[0])] == seen[str(files[0])]


def test_read_changed_rereads_a_grown_mbox(tmp_path: Path) -> None:
    path = tmp_path / "mail.mbox"
    box = mailbox.mbox(path)
    box.add(make_mail(0))
    box.flush()
    _, seen, _ = read_changed(path, {})
    assert read_changed(path, seen)[0] == []
    box.add(make_mail(1))
    box.flush()
    messages, _, _ = read_changed(path, seen)
    assert uids(messages) == ["msg0@acme.com", "msg1@acme.com"]  # an mbox is one file


def test_an_unreadable_file_is_reported_by_name_and_retried(tmp_path: Path) -> None:
    write_eml(tmp_path / "good.eml", 0)
    broken = tmp_path / "broken.eml"
    broken.symlink_to(tmp_path / "gone.eml")  # a dangling link: stat and open fail
    messages, seen, unreadable = read_changed(tmp_path, {})
    assert uids(messages) == ["msg0@acme.com"]
    assert len(unreadable) == 1
    assert unreadable[0].startswith(f"{broken}: ")
    assert str(broken) not in seen  # no fingerprint: the next sync tries again

    problems: list[str] = []
    assert [m.uid for _, m in read_mail(tmp_path, problems)] == ["msg0@acme.com"]
    assert problems == unreadable


def test_a_file_that_fails_while_read_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = write_eml(tmp_path / "a.eml", 0), write_eml(tmp_path / "b.eml", 1)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == bad:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    messages, seen, unreadable = read_changed(tmp_path, {})
    assert uids(messages) == ["msg0@acme.com"]
    assert unreadable == [f"{bad}: Permission denied"]
    assert list(seen) == [str(good)]


def test_fingerprint_changes_with_any_file(tmp_path: Path) -> None:
    files = [write_eml(tmp_path / f"{n}.eml", n) for n in range(2)]
    before = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == before
    bump(files[1])
    assert fingerprint(tmp_path) != before
    changed = fingerprint(tmp_path)
    write_eml(tmp_path / "new.eml", 5)
    assert fingerprint(tmp_path) != changed
