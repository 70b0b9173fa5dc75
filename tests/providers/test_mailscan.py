"""The first sync's fast lane: the prefilter never drops what the full parse keeps, and the
fast parse gives exactly what the ``email`` package gives.

"What the full parse keeps" is the local provider's rule on the parsed message: dated in
the look-back window and naming an account's domain (or a subdomain of one). Every
message of every shared corpus, of both bench books and of generated mail is checked,
with every domain the corpus names as an account (and, apart, their parent domains).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

from agent.model import MailMessage
from agent.providers.base import Interest
from agent.providers.local.mail import _is_mbox, _split_mbox, read_changed
from agent.providers.local.provider import LocalProvider, _involves
from agent.providers.mail import fast as mailfast
from agent.providers.mail import scan as mailscan
from agent.providers.mail.parse import EPOCH, _pairs, message_from_bytes
from bench.book import SIZES as BOOK_SIZES
from bench.book import scaled, write_book
from bench.book_inline import InlineSize, write_inline_book
from tests.conftest import SHARED_DATA
from tests.kits.fuzzing import check, runs
from tests.providers import test_fuzz_mail as fuzz

EMAIL = SHARED_DATA / "email"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def raw_messages(root: Path) -> Iterator[bytes]:
    """Every message under ``root`` as the local provider meets it: mbox files split,
    any other file one message."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    for file in files:
        if _is_mbox(file):
            yield from (raw for raw in _split_mbox(file) if raw.strip())
        else:
            raw = file.read_bytes()
            if raw.strip():
                yield raw


def domains_of(messages: list[MailMessage]) -> set[str]:
    return {
        a.domain
        for m in messages
        for a in ((m.sender,) if m.sender else ()) + m.recipients
        if "." in a.domain
    }


def parents_of(domains: set[str]) -> set[str]:
    return {d.split(".", 1)[1] for d in domains if d.count(".") >= 2}


def assert_never_drops(raws: list[bytes], domains: set[str], since: datetime) -> int:
    """The prefilter keeps every message the provider's rule keeps; returns how many it
    dropped (so that a test can show the check was not vacuous)."""
    interest = Interest(domains=frozenset(domains), me=frozenset(), since=since, until=NOW)
    prefilter = mailscan.Prefilter.of(domains, since)
    dropped = 0
    for raw in raws:
        full = message_from_bytes(raw)
        counts = full.sent_at >= since and _involves(full, interest)
        kept = prefilter.check(raw) is not None
        assert kept or not counts, raw[:600]
        dropped += not kept
    return dropped


def corpus_cases() -> list[str]:
    if not EMAIL.is_dir():
        return []
    return sorted(p.name for p in EMAIL.iterdir() if p.is_dir())


@pytest.mark.parametrize("corpus", corpus_cases())
def test_the_prefilter_never_drops_a_message_the_full_parse_counts(corpus: str) -> None:
    raws = list(raw_messages(EMAIL / corpus))
    messages = [message_from_bytes(raw) for raw in raws]
    dates = sorted(m.sent_at for m in messages if m.sent_at > EPOCH)
    middle = statistics.median_low(dates) if dates else NOW
    everyone = domains_of(messages)
    some = set(random.Random(corpus).sample(sorted(everyone), len(everyone) // 3))
    for domains in (everyone, parents_of(everyone), some, set()):
        for since in (middle, EPOCH + timedelta(days=1)):
            assert_never_drops(raws, domains, since)


@pytest.mark.parametrize("corpus", corpus_cases())
def test_the_fast_parse_is_the_email_packages(corpus: str) -> None:
    for raw in raw_messages(EMAIL / corpus):
        assert mailscan.parse_raw(raw) == message_from_bytes(raw), raw[:600]


def test_no_corpus_is_left_out() -> None:
    if not EMAIL.is_dir():
        pytest.skip(f"shared test data not present at {EMAIL}")
    assert len(corpus_cases()) >= 10


def test_the_prefilter_drops_most_of_an_inline_book_and_nothing_that_counts(
    tmp_path: Path,
) -> None:
    write_inline_book(tmp_path, InlineSize(40, 4, 3_000))
    raws = list(raw_messages(tmp_path / "mail.mbox"))
    domains = {f"acct{i:05d}.example.com" for i in range(40)}
    domains |= {f"acct{i:05d}-group.example.co.uk" for i in range(40)}
    dropped = assert_never_drops(raws, domains, NOW - timedelta(days=365))
    assert dropped > len(raws) // 2  # older than the window, newsletters, colleagues
    for raw in raws[:500]:
        assert mailscan.parse_raw(raw) == message_from_bytes(raw)


def test_the_prefilter_on_the_csv_bench_book(tmp_path: Path) -> None:
    write_book(tmp_path, scaled(BOOK_SIZES["S"], 0.2), NOW)
    raws = list(raw_messages(tmp_path / "mail.mbox"))
    domains = {f"acct{i:05d}.example.com" for i in range(10)}  # a quarter of the book
    assert assert_never_drops(raws, domains, NOW - timedelta(days=200)) > 0


def test_a_first_sync_keeps_what_it_kept_without_the_prefilter(tmp_path: Path) -> None:
    """The provider's pull on an inline book: the same messages as parsing every one."""
    write_inline_book(tmp_path, InlineSize(30, 3, 2_000))
    domains = frozenset(
        d
        for i in range(30)
        for d in (f"acct{i:05d}.example.com", f"acct{i:05d}-group.example.co.uk")
    )
    interest = Interest(domains, frozenset(), NOW - timedelta(days=365), NOW)
    provider = LocalProvider(tmp_path / "mail.mbox", (), UTC)
    pulled = provider.pull({}, interest).messages
    everything, _, _ = read_changed(tmp_path / "mail.mbox", {})
    wanted = [m for m in everything if m.sent_at >= interest.since and _involves(m, interest)]
    assert list(pulled) == wanted
    assert 0 < len(pulled) < len(everything) // 2


@pytest.mark.parametrize("field", ["Bcc", "BCC", "bcc"])
def test_an_account_named_only_in_bcc_is_kept(field: str) -> None:
    """The rep's sent copy names Bcc recipients, and a touch counts them (``recipients``)."""
    raw = (
        b"From: Rep <rep@seller.com>\nTo: someone@elsewhere.org\n"
        + field.encode()
        + b": Ann <ann@mail.acme.com>\nDate: Fri, 20 Nov 2026 10:00:00 +0000\n"
        b"Subject: hello\n\nHi\n"
    )
    since = NOW - timedelta(days=30)
    assert assert_never_drops([raw], {"acme.com"}, since) == 0
    parsed = mailscan.Prefilter.of({"acme.com"}, since).parse(raw)
    assert parsed is not None and [a.email for a in parsed.bcc] == ["ann@mail.acme.com"]


# --- generated mail: broken headers, odd shapes ----------------------------------------------

ADDRESS_VALUES = st.one_of(
    fuzz.HEADER_VALUES,
    st.lists(
        st.sampled_from(
            ["a@acme.com", "Ann <a@acme.com>", '"Lee, Ann" <a@Mail.ACME.com>', "(c) a@acme.com",
             "a@acme(c).com", "a@ acme . com", "a@acme\r\n .com", '"x<b@acme.com>"@other.org',
             '"x\\<b@ac\\me.com>"@other.org', "a@acme.com.", "a@acme.co",
             "=?utf-8?q?a?= <a@acme.com>", "\u212a@acme.com", "a@ACME.COM", "a@x.acme.com",
             "<@route.org:a@acme.com>", "team: a@acme.com;", "a@acme.com@other.org",
             "a@[acme.com]", ",", " ", "\t"]
        ),
        max_size=4,
    ).map(", ".join),
)  # fmt: skip
FIELD_NAMES = st.sampled_from(
    ["From", "from", "FROM", "To", "to", "Cc", "CC", "Sender", "Date", "DATE", "Subject",
     "Received", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "X-Other",
     "To ", " To", "From ", "Resent-To"]
)  # fmt: skip
DATE_VALUES = st.one_of(
    fuzz.DATES,
    st.sampled_from(
        ["Fri, 20 Nov 2026 10:00:00 +0000", "20 Nov 2026 10:00 -0000",
         "Fri,20 Nov 2026 10:00:00 GMT", "Fri, 20 Nov 2025 10:00:00 +0100",
         "Thu, 1 Jan 1970 00:00:00 +0000", "20 Nov 26 10:00 +0000",
         "Fri, 20 nov 2026 10:00:00 +0000\r\n (comment)", "Fri, 20 Nov 2026 10:00:00 +9999"]
    ),
)  # fmt: skip
BODY_TYPES = st.sampled_from(
    ["", "text/plain", "text/plain; charset=utf-8", 'text/html; charset="latin-1"',
     "text/plain; charset=unknown-8bit", "multipart/mixed; boundary=x", "text/plain; format=flowed",
     "text/plain; charset", "charset=latin-1", "TEXT/PLAIN; CHARSET=ISO-8859-1", "text/calendar"]
)  # fmt: skip
ENDINGS = st.sampled_from([b"\n", b"\r\n", b"\r"])


@st.composite
def raw_mail(draw: st.DrawFn) -> bytes:
    fields = draw(
        st.lists(
            st.one_of(
                st.tuples(
                    st.sampled_from(["From", "To", "Cc", "Bcc", "Sender", "to"]), ADDRESS_VALUES
                ),
                st.tuples(st.sampled_from(["Date", "date", "Received"]), DATE_VALUES),
                st.tuples(st.just("Content-Type"), BODY_TYPES),
                st.tuples(FIELD_NAMES, fuzz.HEADER_VALUES),
            ),
            max_size=8,
        )
    )
    ending = draw(ENDINGS)
    lines = []
    for name, value in fields:
        text = f"{name}: {value}" if draw(st.booleans()) else f"{name}:{value}"
        encoding = draw(st.sampled_from(["utf-8", "latin-1"]))
        lines.append(text.encode(encoding, "surrogateescape" if encoding == "utf-8" else "replace"))
        if draw(st.integers(0, 5)) == 0:
            lines.append(b"\t(folded)")
    body = draw(st.sampled_from([b"", b"Hello\n", "Grüße\n".encode(), b"<p>hi</p>", b"x\r\ny"]))
    return ending.join(lines) + ending + ending + body


@pytest.mark.parametrize("runs", runs(300, 5000))
def test_generated_mail_is_never_dropped_when_it_counts_and_parses_the_same(runs: int) -> None:
    domains = {"acme.com", "other.org", "kelvin.com", "k.acme.com"}

    def prop(raw: bytes) -> None:
        assert mailscan.parse_raw(raw) == message_from_bytes(raw)
        for since in (EPOCH + timedelta(days=1), datetime(2026, 1, 1, tzinfo=UTC)):
            assert_never_drops([raw], domains, since)

    check(prop, raw_mail(), runs=runs)


# --- the pieces, each against the email package ----------------------------------------------


def _values_of(name: str) -> list[str]:
    found = []
    if EMAIL.is_dir():
        for raw in raw_messages(EMAIL):
            parts = mailfast.split_message(raw)
            if parts is not None:
                found += [v for n, v in parts.headers if n.lower() == name]
    return found


@pytest.mark.parametrize("runs", runs(300, 5000))
def test_simple_addresses_are_the_lenient_getaddresses(runs: int) -> None:
    def prop(value: str) -> None:
        unfolded = value.replace("\r", "").replace("\n", "")
        simple = mailfast.simple_addresses(unfolded)
        if simple is not None:
            expected = [pair for pair in _pairs(unfolded) if pair != ("", "")]
            assert simple == expected

    check(prop, ADDRESS_VALUES, runs=runs)
    for value in _values_of("from") + _values_of("to") + _values_of("cc"):
        prop(value)


def _parsed(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


@pytest.mark.parametrize("runs", runs(300, 5000))
def test_simple_dates_are_parsedate_to_datetime(runs: int) -> None:
    def prop(text: str) -> None:
        simple = mailfast.simple_date(text)
        if not isinstance(simple, mailfast.NotSimple):
            expected = _parsed(text)
            assert simple == expected
            assert (simple and simple.tzinfo) == (expected and expected.tzinfo)

    generated = st.builds(
        "{}{} {} {} {:02d}:{:02d}{} {}{:02d}{:02d}".format,
        st.sampled_from(["", "Fri, ", "Xyz,", "mon, "]),
        st.integers(0, 40),
        st.sampled_from(["Jan", "feb", "MAR", "Foo", "Dec"]),
        st.integers(900, 2300),
        st.integers(0, 30),
        st.integers(0, 70),
        st.sampled_from(["", ":00", ":59", ":61"]),
        st.sampled_from("+-"),
        st.integers(0, 30),
        st.integers(0, 99),
    )
    check(prop, st.one_of(generated, DATE_VALUES), runs=runs)
    for value in _values_of("date"):
        prop(value.replace("\r", "").replace("\n", ""))


def test_the_mbox_is_split_as_it_was_line_by_line(tmp_path: Path) -> None:
    def by_lines(file: Path) -> Iterator[bytes]:  # the splitter before it was mapped
        lines: list[bytes] = []
        blank = True
        with file.open("rb") as handle:
            for line in handle:
                if blank and line.startswith(b"From "):
                    if lines:
                        yield b"".join(lines)
                    lines = []
                else:
                    escaped = line.startswith(b">") and line.lstrip(b">").startswith(b"From ")
                    lines.append(line[1:] if escaped else line)
                blank = line in (b"\n", b"\r\n")
        if lines:
            yield b"".join(lines)

    pieces = [b"From ", b"From x\n", b"\n", b"\r\n", b"\r", b">From ", b">>From y\n", b"a", b"b\n"]
    rng = random.Random(5)
    file = tmp_path / "m.mbox"
    for _ in range(3000):
        file.write_bytes(b"".join(rng.choice(pieces) for _ in range(rng.randrange(30))))
        assert list(_split_mbox(file)) == list(by_lines(file))
    for mbox in (p for p in EMAIL.rglob("*") if p.is_file()) if EMAIL.is_dir() else ():
        assert list(_split_mbox(mbox)) == list(by_lines(mbox)), mbox
