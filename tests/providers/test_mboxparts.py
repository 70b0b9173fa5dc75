"""A large mbox read by several processes: the same messages, in the same order, the same
counts as reading it alone."""

from __future__ import annotations

import itertools
import pickle
import threading
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import get_type_hints

import pytest

from agent.model import Address, MailKind, MailMessage
from agent.providers.base import Interest
from agent.providers.local import mboxparts
from agent.providers.local.mail import _is_mbox, _split_mbox, read_file
from agent.providers.local.provider import LocalProvider
from agent.providers.mail.scan import Prefilter
from bench.book_inline import InlineSize, write_inline_book
from tests.conftest import SHARED_DATA
from tests.providers.test_mailscan import domains_of

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DOMAINS = frozenset(
    d for i in range(30) for d in (f"acct{i:05d}.example.com", f"acct{i:05d}-group.example.co.uk")
)


@pytest.fixture(scope="module")
def mbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("book")
    write_inline_book(folder, InlineSize(30, 3, 3_000))
    return folder / "mail.mbox"


def prefilter() -> Prefilter:
    return Prefilter.of(DOMAINS, NOW - timedelta(days=365))


@pytest.mark.parametrize("cores", [2, 3, 4])
def test_read_in_parts_is_read_whole(
    mbox: Path, monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    monkeypatch.setattr(mboxparts, "_cores", lambda: cores)
    alone, parts = prefilter(), prefilter()
    whole = [message for _, message in read_file(mbox, alone)]
    assert mboxparts.read_mbox(mbox, parts) == whole
    assert parts.counts == alone.counts
    assert 0 < len(whole) < alone.counts["old"] + alone.counts["other"]


def test_ranges_start_where_messages_start(mbox: Path) -> None:
    data = mbox.read_bytes()
    ranges = mboxparts._ranges(mbox, 4)
    assert len(ranges) == 4
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    for (_, stop), (start, _) in itertools.pairwise(ranges):
        assert stop == start
        assert data[start : start + 5] == b"From " and data[start - 2 : start] == b"\n\n"
    assert sum(1 for _ in _split_mbox(mbox)) == sum(
        sum(1 for _ in mboxparts._messages(data, start, stop)) for start, stop in ranges
    )


def test_real_mboxes_read_in_parts_as_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    email = SHARED_DATA / "email"
    if not email.is_dir():
        pytest.skip(f"shared test data not present at {email}")
    monkeypatch.setattr(mboxparts, "_cores", lambda: 3)
    mboxes = [p for p in email.rglob("*") if p.is_file() and _is_mbox(p)]
    assert mboxes
    since = datetime(1971, 1, 1, tzinfo=UTC)
    for path in mboxes:
        domains = domains_of([message for _, message in read_file(path)])
        whole = [message for _, message in read_file(path, Prefilter.of(domains, since))]
        assert mboxparts.read_mbox(path, Prefilter.of(domains, since)) == whole, path


def test_a_first_sync_of_a_big_mbox_uses_the_workers(
    mbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interest = Interest(DOMAINS, frozenset(), NOW - timedelta(days=365), NOW)
    alone = LocalProvider(mbox, (), UTC).pull({}, interest).messages
    used: list[Path] = []
    real = mboxparts.read_mbox

    def spying(file: Path, scan: mboxparts.Parse) -> list[mboxparts.MailMessage]:
        used.append(file)
        return real(file, scan)

    monkeypatch.setattr(mboxparts, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(mboxparts, "_cores", lambda: 2)
    monkeypatch.setattr(mboxparts, "read_mbox", spying)
    assert LocalProvider(mbox, (), UTC).pull({}, interest).messages == alone
    assert used == [mbox]


def test_small_files_and_threads_keep_one_process(
    mbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mboxparts, "_cores", lambda: 2)
    assert not mboxparts.worth_it(mbox, prefilter())  # well below PARALLEL_BYTES
    monkeypatch.setattr(mboxparts, "PARALLEL_BYTES", 1)
    assert mboxparts.worth_it(mbox, prefilter())
    assert not mboxparts.worth_it(mbox, lambda raw, thread_of: None)  # no counts to merge
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not mboxparts.worth_it(mbox, prefilter())
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(mboxparts, "_cores", lambda: 1)
    assert not mboxparts.worth_it(mbox, prefilter())


def test_a_message_crosses_back_from_a_worker_whole() -> None:
    """Every field survives ``flat`` → pickle → ``unflat``, whatever holds an address; a
    field added to MailMessage with an address in it must be named in mboxparts."""
    everything = MailMessage(
        uid="m1@acme.com",
        sent_at=datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
        sender=Address("ann@acme.com", "Ann Lee"),
        to=(Address("rep@seller.com", "Riley"), Address("bo@acme.com", "")),
        cc=(Address("cy@acme.com", "Cy"),),
        bcc=(Address("di@acme.com", "Di"),),
        subject="Re: pricing",
        snippet="Thanks for the call",
        kind=MailKind.AUTO_REPLY,
        thread="t1",
        in_reply_to="m0@seller.com",
        return_date=date(2026, 3, 9),
        provider_id="g1",
        message_id="M1@acme.com",
        references=("m0@seller.com",),
    )
    assert all(getattr(everything, f.name) != f.default for f in fields(MailMessage))
    for message in (everything, replace(everything, sender=None, to=(), cc=(), bcc=())):
        back = mboxparts.unflat(pickle.loads(pickle.dumps(mboxparts.flat(message))))
        assert back == message
        assert back.sent_at.utcoffset() == message.sent_at.utcoffset()
    hints = get_type_hints(MailMessage)
    holding = {name for name, hint in hints.items() if "Address" in str(hint)}
    named = {mboxparts._FIELDS[at] for at in (*mboxparts._ONE_ADDRESS, *mboxparts._ADDRESSES)}
    assert holding == named
