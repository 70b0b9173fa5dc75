"""Mail on disk: an mbox (Google Takeout's Gmail export is one), a Maildir, or .eml files.

Reading is per file so that a sync can skip every file whose size and mtime are unchanged:
a Maildir or .eml folder is re-read one changed file at a time, an mbox as a whole.
A file that cannot be read is reported as ``"path: reason"`` and never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from agent.errors import ConfigError
from agent.model import MailMessage

log = logging.getLogger(__name__)

HINT = "Point local.mail at an mbox file (e.g. a Google Takeout export), a Maildir or .eml files."
MAILDIR_PARTS = ("cur", "new")  # tmp/ holds messages still being delivered: not mail yet
# Takeout writes Gmail's thread id in decimal; the Gmail API uses the same number in hex.
ThreadOf = Callable[[bytes], str]  # a raw message → its thread key, "" when it names none
# (raw message, how to find its thread key) → the message, or None: leave it out.
Parse = Callable[[bytes, ThreadOf], MailMessage | None]
_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_THRID = re.compile(rb"^X-GM-THRID:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def mail_files(path: Path) -> list[Path]:
    """The files that hold mail under ``path``, sorted; ConfigError when it is not a mailbox."""
    if not path.exists() and not path.is_symlink():
        raise ConfigError(f"{path}: no such file or folder", HINT)
    if path.is_file():
        if path.suffix.lower() in (".eml", ".mbox") or _starts_like_mbox(path):
            return [path]
        raise ConfigError(f"{path}: not a mailbox (not an mbox, Maildir or .eml file)", HINT)
    if not path.is_dir():
        raise ConfigError(f"{path}: not a mailbox (not a file or a folder)", HINT)
    files: list[Path] = []
    # os.walk does not follow symlinked folders, so a link loop cannot trap us.
    for folder, _dirs, names in os.walk(path):
        in_maildir = Path(folder).name in MAILDIR_PARTS
        for name in names:
            suffix = Path(name).suffix.lower()
            if suffix in (".eml", ".mbox") or (in_maildir and not name.startswith(".")):
                files.append(Path(folder, name))
    if not files and not any((path / part).is_dir() for part in MAILDIR_PARTS):
        try:
            empty = not any(path.iterdir())  # an empty folder is an empty mailbox
        except OSError as error:
            raise ConfigError(f"{path}: {error.strerror or error}", HINT) from error
        if not empty:
            raise ConfigError(f"{path}: no mbox, Maildir or .eml files in this folder", HINT)
    return sorted(files)


def file_fingerprint(file: Path) -> str:
    """Size and mtime: cheap, and changes whenever a mail client rewrites the file."""
    stat = file.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def fingerprint(path: Path) -> str:
    """One fingerprint for the whole mailbox; changes when any of its files changes."""
    digest = hashlib.sha256()
    for file in mail_files(path):
        try:
            stamp = file_fingerprint(file)
        except OSError:
            stamp = "unreadable"
        digest.update(f"{file}\0{stamp}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def read_file(file: Path, parse: Parse | None = None) -> Iterator[tuple[str, MailMessage]]:
    """(source key, message) for every message in one file; raises OSError if unreadable.

    The key is the file's path, with ``#n`` for the n-th message of an mbox. ``parse``
    (e.g. ``agent.providers.mail.scan.Prefilter.parse``) may refuse a message: it is left out.
    """
    parse = parse or _every_message()
    if _is_mbox(file):
        for number, raw in enumerate(_split_mbox(file)):
            message = parse(raw, takeout_thread) if raw.strip() else None
            if message is not None:
                yield f"{file}#{number}", message
        return
    raw = file.read_bytes()
    # An empty file is no message, not a message without headers.
    message = parse(raw, takeout_thread) if raw.strip() else None
    if message is not None:
        yield str(file), message


def read_mail(path: Path, unreadable: list[str] | None = None) -> Iterator[tuple[str, MailMessage]]:
    """(source key, message) for every message under ``path``.

    An unreadable file is logged, added to ``unreadable`` as ``"path: reason"`` when a list
    is given, and skipped.
    """
    for file in mail_files(path):
        try:
            yield from read_file(file)
        except OSError as error:
            _report(file, error, unreadable)


def read_changed(
    path: Path, seen: Mapping[str, str], make_parse: Callable[[], Parse] | None = None
) -> tuple[list[MailMessage], dict[str, str], list[str]]:
    """Messages from the files whose fingerprint differs from ``seen`` (those the parse
    ``make_parse`` gives does not refuse, see ``read_file``; it is called only when a file
    must be read: a sync with nothing new imports no parser).

    Returns (messages, fingerprints of every readable file, unreadable "path: reason").
    An unreadable file gets no fingerprint, so the next sync tries it again. A Maildir
    message moved from new/ to cur/ is a new file and read again: its uid keeps it one message.
    """
    messages: list[MailMessage] = []
    fingerprints: dict[str, str] = {}
    unreadable: list[str] = []
    for file in mail_files(path):
        key = str(file)
        try:
            # Taken before reading: a file that changes while we read it differs next time.
            stamp = file_fingerprint(file)
            if seen.get(key) != stamp:
                parse = make_parse() if make_parse is not None else None
                messages.extend(_read_whole(file, parse))  # only once the whole file was read
        except OSError as error:
            _report(file, error, unreadable)
            continue
        fingerprints[key] = stamp
    return messages, fingerprints, unreadable


def _read_whole(file: Path, parse: Parse | None) -> list[MailMessage]:
    from agent.providers.local import mboxparts  # a large mbox: read by several processes

    if parse is not None and _is_mbox(file) and mboxparts.worth_it(file, parse):
        return mboxparts.read_mbox(file, parse)
    return [message for _, message in read_file(file, parse)]


def _report(file: Path, error: OSError, unreadable: list[str] | None) -> None:
    reason = error.strerror or type(error).__name__
    log.warning("skipped unreadable mail file %s: %s", file, reason)
    if unreadable is not None:
        unreadable.append(f"{file}: {reason}")


def _every_message() -> Parse:
    """``read_file``'s default: parse every message (the parsers are imported only when
    there is mail to read)."""
    from agent.providers.mail.scan import parse_raw

    return lambda raw, thread_of: parse_raw(raw, thread=thread_of(raw))


def takeout_thread(raw: bytes) -> str:
    """Gmail's thread id, which Takeout writes in decimal (the API's is the same in hex)."""
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    thread = _THRID.search(head)
    return f"{int(thread.group(1)):x}" if thread else ""


def _is_mbox(file: Path) -> bool:
    """An .mbox file, or a file of other name that starts like one (outside a Maildir).

    A Maildir or .eml file is one message even when it starts with an mbox "From " line
    (some delivery agents keep it; the parser skips it): splitting it at a "From " line
    in its unescaped body would make a second, bogus message of the body's end.
    """
    suffix = file.suffix.lower()
    if suffix == ".mbox":
        return True
    if suffix == ".eml" or file.parent.name in MAILDIR_PARTS:
        return False
    return _starts_like_mbox(file)


def _starts_like_mbox(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False  # reported when the file is read


def _split_mbox(file: Path) -> Iterator[bytes]:
    """The raw messages of an mbox, one at a time (a Takeout export can be gigabytes: the
    file is mapped, not read, and each message copied out as it is reached).

    A message starts at a "From " line at the top of the file or after a blank line;
    requiring the blank line keeps an unescaped "From " in a body from splitting it. The
    "From " line itself is not part of the message.
    """
    with file.open("rb") as handle:
        try:
            data: mmap.mmap | bytes = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped: no message
            return
        except OSError:  # a file system without mmap
            data = handle.read()
        try:
            yield from _messages(data)
        finally:
            if isinstance(data, mmap.mmap):
                data.close()


def _messages(data: mmap.mmap | bytes, top: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The messages of ``data[top:stop]``; ``top`` and ``stop`` are where messages start
    (``agent.providers.local.mboxparts`` reads a large mbox in such ranges)."""
    stop = len(data) if stop is None else stop
    start = top  # where the text of the message being read begins
    for found in _FROM_LINE.finditer(data, top, stop):
        at = found.start()
        if at != top and not _after_blank_line(data, at):
            continue
        if at > start:
            yield _unescaped(data[start:at])
        end = data.find(b"\n", at, stop)
        start = stop if end < 0 else end + 1
    if start < stop:
        yield _unescaped(data[start:stop])


def _after_blank_line(data: mmap.mmap | bytes, at: int) -> bool:
    """Whether the line before ``at`` is empty (``\\n`` or ``\\r\\n``), or ``at`` is the top."""
    if at == 0:
        return True
    if data[at - 1 : at] != b"\n":
        return False
    if at == 1 or data[at - 2 : at - 1] == b"\n":
        return True
    return data[at - 2 : at - 1] == b"\r" and (at == 2 or data[at - 3 : at - 2] == b"\n")


def _unescaped(message: bytes) -> bytes:
    # mboxrd: a body line ">From " (any number of ">") was escaped by one ">".
    return _ESCAPED_FROM.sub(rb"\1", message) if b">From " in message else message
