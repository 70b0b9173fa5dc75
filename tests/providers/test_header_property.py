"""Whatever text an outsider puts in a field that reaches a header, the message nurture
builds goes to exactly the intended person, with no header nurture did not write (issue 15).

Hypothesis draws arbitrary unicode mixed with RFC 2047 encoded words (base64 and quoted-
printable, hiding line breaks, brackets, commas and whole ``Bcc:`` lines), raw CR/LF and
other separators, for the subject, the contact's name, the account name, content titles,
meeting titles and the address itself.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.core.drafts import compose, sample_action
from agent.errors import UserError
from agent.model import Address, Offer, OutgoingMail, PlayId
from agent.untrusted.headers import (
    WRITTEN,
    RefusedDraft,
    ascii_name,
    build_message,
    display_name,
    header_text,
    plain_address,
)
from tests.conftest import NOW, make_config
from tests.kits.attackworld import EVIL
from tests.kits.fuzzing import runs as runs_of

KATE = "kate.morgan@samplefoods.example"
RUNS = runs_of(150, 3000)
ME = Address("rep@seller.com", "Riley Quinn")
NASTY = [
    f"\r\nBcc: {EVIL}",
    f"\nCc: {EVIL}\n\nnew body",
    f"Kate <{EVIL}>,",
    f'"x" <{EVIL}>, <',
    f"{EVIL}",
    "=?utf-8?q?",
    "?=",
    "\u2028To: x@y.z",
    "\x85\x0b\x0c",
    ';,:<>@"\\()[]',
]


def _word(data: bytes, how: str, charset: str) -> str:
    if how == "b":
        return f"=?{charset}?b?{base64.b64encode(data).decode()}?="
    quoted = "".join(chr(b) if chr(b).isalnum() else f"={b:02X}" for b in data)
    return f"=?{charset}?q?{quoted}?="


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    inner = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=30)))
    if draw(st.booleans()):  # an encoded word inside an encoded word
        inner = _word(inner.encode(), "q", "utf-8") + inner
    how = draw(st.sampled_from(["b", "q"]))
    charset = draw(st.sampled_from(["utf-8", "UTF-8", "iso-8859-1", "x-unknown"]))
    data = inner.encode("utf-8") if charset != "iso-8859-1" else inner.encode("latin-1", "replace")
    return _word(data, how, charset)


PIECES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(NASTY),
    encoded_words(),
    st.sampled_from(["\r", "\n", "\r\n", " ", "\t", "=?", "?="]),
)
OUTSIDE = st.lists(PIECES, max_size=6).map("".join)


def _headers_ok(raw: bytes, name: str, subject: str) -> None:
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    names = [n.lower() for n in message]
    assert set(names) <= WRITTEN and len(names) == len(set(names)), names
    to = [(a.display_name, a.addr_spec) for a in message["To"].addresses]
    assert [email for _, email in to] == [KATE]
    # The name as written, or in plain ASCII when the email package garbled the first try.
    assert "".join(to[0][0].split()) in {"".join(n.split()) for n in (name, ascii_name(name))}
    assert "bcc" not in names and "cc" not in names
    assert "".join(str(message["Subject"]).split()) == "".join(subject.split())
    assert not any(c in str(message["Subject"]) for c in "\r\n")


@pytest.mark.parametrize("runs", RUNS)
def test_any_subject_and_name_reach_exactly_the_contact(runs: int) -> None:
    @settings(max_examples=runs, suppress_health_check=list(HealthCheck))
    @given(subject=OUTSIDE, name=OUTSIDE)
    def prop(subject: str, name: str) -> None:
        mail = OutgoingMail(to=(Address(KATE, name),), subject=subject or "x", text="Hi.\n")
        raw = build_message(mail, ME, NOW).as_bytes()
        shown = display_name(name)
        _headers_ok(raw, shown, header_text(subject or "x"))

    prop()


@pytest.mark.parametrize("runs", RUNS)
def test_any_play_field_from_outside_reaches_exactly_the_contact(runs: int) -> None:
    """Names from the CRM or mail, the account name, content and meeting titles all go
    through the templates into the subject and To; the draft goes to Kate alone."""
    config = make_config()

    @settings(max_examples=runs, suppress_health_check=list(HealthCheck))
    @given(
        play=st.sampled_from(list(PlayId)),
        name=OUTSIDE,
        account=OUTSIDE,
        title=OUTSIDE,
        meeting=OUTSIDE,
        hint=OUTSIDE,
    )
    def prop(play: PlayId, *, name: str, account: str, title: str, meeting: str, hint: str) -> None:
        offer = Offer("white_paper", "https://x.example/p", title or "t", "https://x.example/")
        action = replace(
            sample_action(play),
            contact=KATE,
            contact_name=name,
            account=account or "A",
            offer=offer if play is not PlayId.DO_OVER else None,
            meeting=meeting,
            subject_hint=hint,
        )
        if play is PlayId.INVITATION:
            action = replace(action, offer=replace(offer, kind="tour", when=date(2026, 12, 7)))
        try:
            mail = compose(action, config)
        except RefusedDraft:
            raise
        except UserError:  # an empty subject: said, never a crash
            return
        raw = build_message(mail, ME, NOW).as_bytes()
        _headers_ok(raw, display_name(mail.to[0].name), mail.subject)

    prop()


@pytest.mark.parametrize("runs", RUNS)
def test_any_address_is_refused_or_reached_alone(runs: int) -> None:
    """An address from outside either is one plain address, and the message goes to it
    and nobody else, or the draft is refused with a reason; it never reaches another."""
    local = st.one_of(st.sampled_from(["kate", "k.m", "o'brien", "a+b"]), OUTSIDE)
    domains = st.sampled_from(["acme.example", "evil.example>, <x@acme.example", "acme.example"])

    @settings(max_examples=runs, suppress_health_check=list(HealthCheck))
    @given(local=local, domain=domains, name=OUTSIDE)
    def prop(local: str, domain: str, name: str) -> None:
        email = f"{local}@{domain}"
        mail = OutgoingMail(to=(Address(email, name),), subject="Hello", text="Hi.\n")
        if plain_address(email) is None:
            with pytest.raises(RefusedDraft, match="is not a single plain address"):
                build_message(mail, ME, NOW)
            return
        raw = build_message(mail, ME, NOW).as_bytes()
        from email import message_from_bytes, policy

        message = message_from_bytes(raw, policy=policy.default)
        found = [a.addr_spec for h in ("to", "cc", "bcc") for a in _addresses(message, h)]
        assert found == [email]

    prop()


def _addresses(message, name):  # type: ignore[no-untyped-def]
    header = message.get(name)
    return header.addresses if header is not None else ()
