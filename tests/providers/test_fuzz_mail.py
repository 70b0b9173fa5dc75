"""Bad mail in, no crash out: Hypothesis on header parsing and on whole mail files.

Addresses come back normalised (lower case, no display name, no ``+tag``), every message
gets a uid and an aware date, and the only failure a mail file may cause is the documented
"unreadable" report. Each property runs a modest number of examples in the normal run and
many more under ``slow`` (NURTURE_LONG_TESTS=1).
"""

from __future__ import annotations

import base64
import mailbox
import re
import tempfile
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

from agent.model import Address, MailMessage
from agent.providers.local.mail import read_changed, read_mail
from agent.providers.mail.parse import message_from_bytes, message_from_headers, parse_addresses
from tests.kits.fuzzing import check, runs

RUNS = runs(40, 1000)


def assert_normalised(address: Address) -> None:
    email = address.email
    local, at, domain = email.rpartition("@")
    assert at and local and domain, email
    assert email == email.lower(), email
    assert email == email.strip() and not any(c.isspace() for c in email), email
    assert not set('<>"(),;:\\') & set(email), email
    assert "+" not in local or local.startswith("+"), email  # "+x@a.b": no tag to remove
    assert "\n" not in address.name and "\r" not in address.name


def assert_sound(message: MailMessage) -> None:
    assert message.uid
    assert message.sent_at.tzinfo is not None
    assert "\n" not in message.subject and "\r" not in message.subject
    people = [message.sender] if message.sender else []
    for address in (*people, *message.to, *message.cc):
        assert_normalised(address)
    for field in (message.to, message.cc):
        assert len({a.email for a in field}) == len(field)


# --- strategies: the pieces real and broken header values are made of ------------------

CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "koi8-r", "shift_jis", "gb2312", "utf-16"]
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


def _q(data: bytes) -> str:
    """RFC 2047 "Q": letters and digits as they are, every other byte as =XX."""
    return "".join(chr(b) if chr(b).isascii() and chr(b).isalnum() else f"={b:02X}" for b in data)


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    """An RFC 2047 encoded word: sometimes right, sometimes a lie about charset or content."""
    text = draw(WORDS)
    charset = draw(st.sampled_from([*CHARSETS, "x-unknown", "", "utf-8*en"]))
    data = text.encode(charset if charset in CHARSETS else "utf-8", "replace")
    if draw(st.booleans()):
        payload = base64.b64encode(data).decode()
        payload = draw(st.sampled_from([payload, payload[:-1], payload + "!", "%%%"]))
        return f"=?{charset}?{draw(st.sampled_from('bB'))}?{payload}?="
    payload = _q(data)
    return f"=?{charset}?{draw(st.sampled_from('qQ'))}?{payload}?="


MAILBOXES = st.sampled_from(
    ["jo@acme.com", "Jo+crm@ACME.com", "x@y", "@acme.com", "jo@", "a.b@c.d.", "üser@bücher.de",
     "jo@acme..com", "\"quoted local\"@acme.com", "jo@[127.0.0.1]", "+tag@acme.com"]
)  # fmt: skip
PIECES = st.one_of(
    MAILBOXES,
    encoded_words(),
    st.sampled_from(
        ['"', "<", ">", ",", ";", ":", "(", ")", "\\", " ", "\t", "\x00", "\r\n ", "\n",
         "undisclosed-recipients:;", "Team: a@b.com, c@d.com;", '"Doe, Jo" <jo@x.com>',
         "(comment) jo@x.com", "\udcff", "\u202e", "=?", "?="]
    ),
    WORDS,
)  # fmt: skip
LONG_VALUES = st.builds(
    lambda piece, n: piece * n, st.sampled_from(["a", "jo@x.com, ", "=?utf-8?q?a?= ", '"']),
    st.integers(500, 20_000),
)  # fmt: skip
HEADER_VALUES = st.one_of(st.lists(PIECES, max_size=12).map("".join), LONG_VALUES)
DATES = st.one_of(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ).map(format_datetime),
    st.sampled_from(
        ["", "yesterday", "Fri, 32 Feb 2026 25:61:00 +0000", "Mon, 1 Jan 99999 00:00 +0000",
         "Tue, 1 Jan 1 00:00:00 -9999", "Thu, 13 Oct 2016 00:00:00 +2400", "0", "\x00"]
    ),
    WORDS,
)  # fmt: skip
NAMES = st.sampled_from(
    ["From", "from", "FROM", "To", "Cc", "CC", "Sender", "Date", "Subject", "Message-ID",
     "In-Reply-To", "References", "Received", "Auto-Submitted", "List-Id", "Precedence",
     "Content-Type", "X-Nurture-Marker"]
)  # fmt: skip
HEADERS = st.lists(
    st.tuples(NAMES, st.one_of(HEADER_VALUES, DATES)), max_size=14
)  # duplicates and missing ones come for free


# --- header parsing ---------------------------------------------------------------------


@pytest.mark.parametrize("runs", RUNS)
def test_any_address_header_parses_to_normalised_unique_addresses(runs: int) -> None:
    def prop(values: list[str]) -> None:
        found = parse_addresses(values)
        assert len({a.email for a in found}) == len(found)
        for address in found:
            assert_normalised(address)

    check(prop, st.lists(HEADER_VALUES, max_size=4), runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_a_good_mailbox_survives_any_neighbours(runs: int) -> None:
    # A well-formed mailbox after a comma is found whatever broken item came before it,
    # as long as that item does not leave a quote, comment or bracket open.
    balanced = HEADER_VALUES.filter(
        lambda v: (
            v.count('"') % 2 == 0
            and v.count("(") == v.count(")") == 0
            and v.count("<") == v.count(">") == 0
            and "\\" not in v
            and ":" not in v
        )
    )

    def prop(before: str, name: str) -> None:
        value = f'{before}, "{name}" <Ann.Lee+crm@Acme.COM>'
        emails = [a.email for a in parse_addresses([value])]
        assert "ann.lee@acme.com" in emails

    safe_name = st.text(st.characters(codec="ascii", categories=("L", "N", "Zs")), max_size=20)
    check(prop, balanced, safe_name, runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_encoded_display_names_decode_in_any_charset(runs: int) -> None:
    def prop(name: str, charset: str, encoding: str) -> None:
        data = name.encode(charset)
        if encoding == "b":
            word = f"=?{charset}?b?{base64.b64encode(data).decode()}?="
        else:
            word = f"=?{charset}?q?{_q(data)}?="
        (address,) = parse_addresses([f"{word} <Jo+x@Acme.com>"])
        assert address == Address("jo@acme.com", " ".join(name.split()))

    names = st.text(
        st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\x85"),
        min_size=1,
        max_size=20,
    )
    charset = st.sampled_from(["utf-8", "iso-8859-1", "koi8-r", "shift_jis", "utf-16"])

    def encodable(args: tuple[str, str]) -> bool:
        try:
            args[0].encode(args[1])
        except UnicodeEncodeError:
            return False
        return True

    pairs = st.tuples(names, charset).filter(encodable)
    check(lambda pair, enc: prop(*pair, enc), pairs, st.sampled_from("bq"), runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_any_headers_give_a_message(runs: int) -> None:
    def prop(headers: list[tuple[str, str]]) -> None:
        assert_sound(message_from_headers(headers))

    check(prop, HEADERS, runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_the_first_from_and_a_good_date_win_over_garbage_duplicates(runs: int) -> None:
    def prop(noise: list[tuple[str, str]], sent: datetime) -> None:
        noise = [(n, v) for n, v in noise if n.lower() not in ("from", "sender", "date")]
        headers = [
            ("From", "Ann <Ann+crm@Acme.com>"),
            ("Date", format_datetime(sent)),
            *noise,
            ("From", "Bob <bob@other.com>"),
            ("Date", "garbage"),
        ]
        message = message_from_headers(headers)
        assert message.sender == Address("ann@acme.com", "Ann")
        assert message.sent_at == sent

    moments = st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.replace(microsecond=0))
    check(prop, HEADERS, moments, runs=runs)


# --- raw bytes: headers that are not UTF-8, whole messages, mail files ----------------------

RAW_VALUES = st.one_of(
    HEADER_VALUES.map(lambda v: v.encode("utf-8", "surrogateescape")),
    st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from([b"J\xf6rg <j\xf6rg@x.de>", b"\xff\xfe\x00<a@b.com>", b"=?utf-8?b?w7Y=?="]),
)


@st.composite
def raw_messages(draw: st.DrawFn) -> bytes:
    head = b"".join(
        name.encode() + b": " + value + b"\n"
        for name, value in draw(st.lists(st.tuples(NAMES, RAW_VALUES), max_size=10))
    )
    body = draw(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    return (head + b"\n" + body).replace(b"\n", newline)


MESSAGES = st.one_of(raw_messages(), st.binary(max_size=300))


@pytest.mark.parametrize("runs", RUNS)
def test_any_bytes_are_a_message(runs: int) -> None:
    check(lambda raw: assert_sound(message_from_bytes(raw)), MESSAGES, runs=runs)


def _one_header(value: bytes) -> bytes:
    """A value that stays one header: line breaks only as folds, no leading fold."""
    value = re.sub(rb"[\r\n]+(?![ \t])", b"", value.lstrip())
    return re.sub(rb"[\r\n]+", b"\r\n", value)


@pytest.mark.parametrize("runs", RUNS)
def test_8bit_headers_around_a_good_from_keep_it(runs: int) -> None:
    def prop(before: list[tuple[str, bytes]], after: list[tuple[str, bytes]]) -> None:
        lines = [n.encode() + b": " + v for n, v in before if n.lower() not in ("from", "sender")]
        lines += [b"From: =?iso-8859-1?q?J=F6rg?= <J\xc3\xb6rg+tag@Example.DE>"]
        lines += [n.encode() + b": " + v for n, v in after]
        message = message_from_bytes(b"\r\n".join(lines) + b"\r\n\r\nhello")
        assert message.sender == Address("jörg@example.de", "Jörg")

    headers = st.lists(st.tuples(NAMES, RAW_VALUES.map(_one_header)), max_size=6)
    check(prop, headers, headers, runs=runs)


def _mbox_bytes(messages: list[bytes]) -> bytes:
    """An mboxrd file: body lines starting with (any number of ">") "From " gain one ">"."""
    out = []
    for raw in messages:
        lines = raw.replace(b"\r\n", b"\n").split(b"\n")
        lines = [b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in lines]
        out.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + b"\n".join(lines) + b"\n\n")
    return b"".join(out)


@pytest.mark.parametrize("runs", RUNS)
def test_an_mbox_of_anything_reads_every_message_and_nothing_else(runs: int) -> None:
    def prop(messages: list[bytes]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "mail.mbox")
            path.write_bytes(_mbox_bytes(messages))
            unreadable: list[str] = []
            read = [message for _, message in read_mail(path, unreadable)]
        assert unreadable == []
        # The separator line is not part of a message; a message of blank lines is none.
        assert len(read) == sum(1 for m in messages if m.replace(b"\r\n", b"\n").strip())
        for message in read:
            assert_sound(message)

    check(prop, st.lists(MESSAGES, max_size=6), runs=runs)


@pytest.mark.parametrize("runs", RUNS)
def test_maildir_and_eml_folders_of_anything_are_read_file_by_file(runs: int) -> None:
    def prop(messages: list[bytes]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            box = mailbox.Maildir(root / "Maildir")
            for raw in messages:
                box.add(raw)
                (root / "eml").mkdir(exist_ok=True)
                (root / "eml" / f"{len(list((root / 'eml').iterdir()))}.eml").write_bytes(raw)
            for source in (root / "Maildir", root / "eml"):
                if not source.exists():
                    continue
                found, seen, unreadable = read_changed(source, {})
                assert unreadable == []
                assert len(found) == sum(1 for m in messages if m.strip())
                assert len(seen) == len(messages)
                for message in found:
                    assert_sound(message)
                # Nothing changed: nothing is read again.
                assert read_changed(source, seen)[0] == []

    check(prop, st.lists(MESSAGES, min_size=1, max_size=5), runs=runs)


def test_a_maildir_message_with_an_envelope_line_is_one_message(tmp_path: Path) -> None:
    # Found by the property above: the Maildir file was split like an mbox at "From ".
    raw = b"From jo@acme.com Thu Jan  1 00:00:00 2026\nFrom: jo@acme.com\nSubject: hi\n\n"
    raw += b"Quoting:\n\nFrom what I hear, yes.\n"
    box = mailbox.Maildir(tmp_path / "Maildir")
    box.add(raw)
    (tmp_path / "one.eml").write_bytes(raw)
    for source in (tmp_path / "Maildir", tmp_path / "one.eml"):
        (message,) = [m for _, m in read_mail(source)]
        assert message.sender == Address("jo@acme.com")
        assert message.subject == "hi"
