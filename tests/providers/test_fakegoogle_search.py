"""The fake's fast search (address index, merged OR groups, result reuse) answers exactly
what checking every message against the query answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kits.fakegoogle import FakeGoogle
from tests.kits.fakegoogle.query import Context, parse_query

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
PEOPLE = [
    "Ann <ann@acme.com>",
    "bob@eu.acme.com",
    "x@acme.com.evil.org",
    "carol@globex.io",
    "rep@example.com",
    '"Acme Billing" <billing@other.org>',
    "dan@notacme.com",
]
TERMS = st.sampled_from(
    ["from:acme.com", "to:acme.com", "cc:globex.io", "from:ann@acme.com", "to:me",
     "from:acme", "cc:acme.com", "from:billing", "to:globex.io", "from:other.org"]
)  # fmt: skip


def full_scan(fake: FakeGoogle, q: str) -> set[str]:
    query = parse_query(q)
    ctx = Context(fake.email, int(NOW.timestamp() * 1000))
    box = fake.mailbox
    return {
        m.id
        for m in box.messages.values()
        if not m.labels & {"SPAM", "TRASH"} and query.matches(m.facts(), ctx)
    }


@settings(max_examples=60, deadline=None)
@given(
    mails=st.lists(
        st.tuples(st.sampled_from(PEOPLE), st.sampled_from(PEOPLE), st.sampled_from(PEOPLE)),
        min_size=1,
        max_size=12,
    ),
    terms=st.lists(TERMS, min_size=1, max_size=5),
    dated=st.booleans(),
)
def test_indexed_search_equals_a_full_scan(
    mails: list[tuple[str, str, str]], terms: list[str], dated: bool
) -> None:
    fake = FakeGoogle(now=NOW)
    for n, (sender, to, cc) in enumerate(mails):
        fake.add_message(from_=sender, to=to, cc=cc, date=NOW - timedelta(days=n))
    q = (
        "{"
        + " ".join(terms)
        + "}"
        + (f" after:{int((NOW - timedelta(days=5)).timestamp())}" if dated else "")
    )
    with fake.lock:
        found = {m.id for m in fake.mailbox.search(q, [], False)}
        again = {m.id for m in fake.mailbox.search(q, [], False)}  # reused result
        assert found == again == full_scan(fake, q)
        fake.add_message(from_="Ann <ann@acme.com>", cc="carol@globex.io", date=NOW)
        assert {m.id for m in fake.mailbox.search(q, [], False)} == full_scan(fake, q)
