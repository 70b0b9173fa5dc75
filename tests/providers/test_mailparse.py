"""Header parsing: addresses, noise classification, return dates, and never raising."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.model import Address, MailKind
from agent.providers.mail.parse import (
    EPOCH,
    classify,
    message_from_bytes,
    message_from_headers,
    normalize_email,
    parse_addresses,
    return_date,
)

SENT = datetime(2026, 2, 20, 9, 30, tzinfo=UTC)  # a Friday


# --- normalize_email ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jo@Example.COM", "jo@example.com"),
        ("  jo@example.com \n", "jo@example.com"),
        ("Jo Smith <Jo.Smith@Example.com>", "jo.smith@example.com"),
        ('"Smith, Jo" <jo@example.com>', "jo@example.com"),
        ("jo+crm@example.com", "jo@example.com"),
        ("jo+a+b@example.com", "jo@example.com"),
        ("+only@example.com", "+only@example.com"),  # nothing left to keep: keep it whole
        ("jo@example.com.", "jo@example.com"),
        ("<jo@example.com>", "jo@example.com"),
        ("jürgen@müller.de", "jürgen@müller.de"),
    ],
)
def test_normalize_email_accepts_and_normalises(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "jo", "jo@", "@example.com", "jo smith@example.com", "jo@exa mple.com",
     "jo@@example.com", "jo@example..com", ".jo@example.com", "jo.@example.com",
     "undisclosed-recipients:;", "jo@exa<mple.com", "a@b,c@d"],
)  # fmt: skip
def test_normalize_email_rejects_what_is_not_an_address(raw: str) -> None:
    assert normalize_email(raw) is None


@given(st.text())
def test_normalize_email_never_raises_and_is_idempotent(raw: str) -> None:
    email = normalize_email(raw)
    if email is not None:
        assert normalize_email(email) == email
        assert email == email.lower()


# --- parse_addresses -----------------------------------------------------------------


def test_encoded_word_display_name_is_decoded() -> None:
    assert parse_addresses(["=?utf-8?q?J=C3=BCrgen?= <J@X.com>"]) == (Address("j@x.com", "Jürgen"),)


def test_encoded_words_mixed_with_plain_text() -> None:
    (address,) = parse_addresses(["Hans =?iso-8859-1?q?M=FCller?= Jr <h@x.com>"])
    assert address.name == "Hans Müller Jr"


def test_bad_charset_and_bad_base64_do_not_raise() -> None:
    found = parse_addresses(["=?x-no-such-charset?q?Ab?= <a@x.com>, =?utf-8?b?!!!?= <b@x.com>"])
    assert [a.email for a in found] == ["a@x.com", "b@x.com"]


def test_plus_tags_are_removed_and_duplicates_keep_the_first() -> None:
    found = parse_addresses(["Jo <jo+crm@x.com>", "JO@X.COM, Other <other@y.com>, jo@x.com"])
    assert found == (Address("jo@x.com", "Jo"), Address("other@y.com", "Other"))


def test_group_syntax() -> None:
    assert parse_addresses(["undisclosed-recipients:;"]) == ()
    found = parse_addresses(["Team: a@x.com, B <b@y.com>;, c@z.com"])
    assert [a.email for a in found] == ["a@x.com", "b@y.com", "c@z.com"]


def test_quoted_names_with_commas() -> None:
    found = parse_addresses(['"Doe, John" <john@x.com>, "Roe, Jane (CFO)" <jane@x.com>'])
    assert found == (Address("john@x.com", "Doe, John"), Address("jane@x.com", "Roe, Jane (CFO)"))


def test_newlines_inside_a_header() -> None:
    found = parse_addresses(["a@x.com,\r\n\t b@x.com,\n\t\n\tJo\n <c@x.com>"])
    assert [a.email for a in found] == ["a@x.com", "b@x.com", "c@x.com"]


def test_garbage_parts_are_skipped() -> None:
    found = parse_addresses(["<<>>, ,,@@, not an address, ok@x.com", "", ":;", "@x.com"])
    assert [a.email for a in found] == ["ok@x.com"]


def test_raw_utf8_header_bytes_are_decoded() -> None:
    # The stdlib parser hands raw 8-bit header bytes over as surrogate escapes.
    raw = "Jöhn <jdöe@mächine.example>".encode().decode("ascii", "surrogateescape")
    assert parse_addresses([raw]) == (Address("jdöe@mächine.example", "Jöhn"),)


@given(st.lists(st.text()))
def test_parse_addresses_never_raises(values: list[str]) -> None:
    found = parse_addresses(values)
    emails = [a.email for a in found]
    assert len(emails) == len(set(emails))
    assert all(normalize_email(e) == e for e in emails)


# --- classify -------------------------------------------------------------------------

PERSONAL = {"From": "Jo <jo@acme.com>", "To": "rep@seller.com", "Subject": "Pricing"}


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ({}, MailKind.PERSONAL),
        # Outlook adds this to mail a person wrote; alone it proves nothing.
        ({"X-Auto-Response-Suppress": "All"}, MailKind.PERSONAL),
        ({"Auto-Submitted": "no"}, MailKind.PERSONAL),
        ({"Precedence": "first-class"}, MailKind.PERSONAL),
        ({"List-Id": "<team.lists.acme.com>"}, MailKind.BULK),
        ({"List-Unsubscribe": "<mailto:u@acme.com>"}, MailKind.BULK),
        ({"List-Post": "<mailto:l@acme.com>"}, MailKind.BULK),
        ({"Precedence": "bulk"}, MailKind.BULK),
        ({"Precedence": " List"}, MailKind.BULK),
        ({"Precedence": "junk"}, MailKind.BULK),
        ({"X-Mailchimp-Campaign": "x"}, MailKind.BULK),
        ({"X-MC-User": "x"}, MailKind.BULK),
        ({"Feedback-ID": "1:2:3:ses"}, MailKind.BULK),
        ({"From": "no-reply@acme.com"}, MailKind.BULK),
        ({"From": "Acme <noreply+x@acme.com>"}, MailKind.BULK),
        ({"From": "do-not-reply@acme.com"}, MailKind.BULK),
        ({"From": "notifications@acme.com"}, MailKind.BULK),
        ({"Auto-Submitted": "auto-replied"}, MailKind.AUTO_REPLY),
        ({"Auto-Submitted": "auto-generated"}, MailKind.AUTO_REPLY),  # Exchange OOF
        ({"X-Autoreply": "yes"}, MailKind.AUTO_REPLY),
        ({"X-Autorespond": "yes"}, MailKind.AUTO_REPLY),
        ({"Precedence": "auto_reply"}, MailKind.AUTO_REPLY),
        ({"Subject": "Out of Office: Pricing"}, MailKind.AUTO_REPLY),
        ({"Subject": "Automatic reply: Pricing"}, MailKind.AUTO_REPLY),
        ({"Subject": "Auto: Pricing"}, MailKind.AUTO_REPLY),
        ({"Subject": "Abwesenheitsnotiz: Pricing"}, MailKind.AUTO_REPLY),
        ({"Subject": "=?utf-8?q?R=C3=A9ponse_automatique=3A_Pricing?="}, MailKind.AUTO_REPLY),
        ({"Subject": "Jo Smith is out of the office."}, MailKind.AUTO_REPLY),
        (
            {"Content-Type": 'multipart/report; report-type="disposition-notification"'},
            MailKind.AUTO_REPLY,
        ),
        (
            {"Content-Type": "multipart/report; report-type=delivery-status; boundary=x"},
            MailKind.BOUNCE,
        ),
        ({"From": "MAILER-DAEMON@mx.acme.com"}, MailKind.BOUNCE),
        ({"From": "Mail Delivery System <postmaster@acme.com>"}, MailKind.BOUNCE),
        ({"Subject": "Undeliverable: Pricing"}, MailKind.BOUNCE),
        ({"Subject": "Delivery Status Notification (Failure)"}, MailKind.BOUNCE),
        ({"Subject": "Mail delivery failed: returning message to sender"}, MailKind.BOUNCE),
        ({"X-Failed-Recipients": "jo@acme.com"}, MailKind.BOUNCE),
    ],
)
def test_classify(extra: dict[str, str], kind: MailKind) -> None:
    assert classify({**PERSONAL, **extra}) is kind


def test_classify_headers_are_case_insensitive_and_may_be_pairs() -> None:
    assert classify([("FROM", "jo@acme.com"), ("list-ID", "<x>")]) is MailKind.BULK
    assert classify([("subject", "AUTOMATIC REPLY: hi")]) is MailKind.AUTO_REPLY


def test_an_out_of_office_via_a_vacation_program_is_not_bulk() -> None:
    # Unix vacation(1) marks its replies "Precedence: bulk"; the subject says what it is.
    headers = {**PERSONAL, "Precedence": "bulk", "Subject": "Out of office"}
    assert classify(headers) is MailKind.AUTO_REPLY


def test_a_human_subject_about_out_of_office_is_personal() -> None:
    assert classify({**PERSONAL, "Subject": "Re: your out of office plans"}) is MailKind.PERSONAL


# --- return_date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am back on 3 March.", date(2026, 3, 3)),
        ("I'll be back on March 3rd, 2026.", date(2026, 3, 3)),
        ("Returning 2026-03-03 with limited access.", date(2026, 3, 3)),
        ("Ich bin zurück am 03.03.", date(2026, 3, 3)),
        ("Ich bin bis 3. März nicht erreichbar.", date(2026, 3, 3)),
        ("Je serai de retour le 5 mars.", date(2026, 3, 5)),
        ("Back on Monday.", date(2026, 2, 23)),
        ("Out of office 1.3.–10.3.", date(2026, 3, 10)),  # a range ends with the return
        ("Back on 19 February.", None),  # the next 19 February is a year away
        ("Back on 3 March 2027.", None),  # too far ahead to mean anything
        ("Back on 2026-02-10.", None),  # before the reply was sent
        ("I am out of the office with limited access.", None),
        ("Out of the office from 3 March.", None),  # one unanchored date: maybe the start
    ],
)
def test_return_date(text: str, expected: date | None) -> None:
    assert return_date("Out of office", text, SENT) == expected


def test_return_date_weekday_settles_month_day_order() -> None:
    # 1 December 2025 and 12 January 2026 are both Mondays: the nearer one wins.
    assert return_date("Auto", "until Monday 12/01", datetime(2025, 11, 20, tzinfo=UTC)) == date(
        2025, 12, 1
    )
    # 12 January 2026 is a Monday, 1 December 2026 a Tuesday.
    sent = datetime(2025, 12, 20, tzinfo=UTC)
    assert return_date("Auto", "until Monday 12/01", sent) == date(2026, 1, 12)
    assert return_date("Auto", "until Tuesday 12/01", sent) == date(2026, 1, 12)  # no Dec 1


def test_return_date_without_a_year_is_the_next_such_date() -> None:
    sent = datetime(2025, 12, 20, tzinfo=UTC)
    assert return_date("Out of office", "Back on 2 January.", sent) == date(2026, 1, 2)
    assert return_date("Out of office", "Back on 02.01.", sent) == date(2026, 1, 2)


def test_return_date_in_the_subject() -> None:
    assert return_date("Out of office until 2 March", "", SENT) == date(2026, 3, 2)


@given(st.text(), st.text(), st.datetimes(timezones=st.just(UTC)))
def test_return_date_never_raises(subject: str, body: str, sent_at: datetime) -> None:
    found = return_date(subject, body, sent_at)
    assert found is None or sent_at.date() < found <= sent_at.date() + timedelta(days=120)


# --- message_from_headers ---------------------------------------------------------------


def test_message_from_headers_builds_a_message() -> None:
    message = message_from_headers(
        [
            ("Message-ID", "<ABC.123@Mail.Acme.com>"),
            ("Date", "Fri, 20 Feb 2026 10:30:00 +0100"),
            ("From", "=?utf-8?q?J=C3=BCrgen?= <Juergen+x@Acme.com>"),
            ("To", "rep@seller.com,\r\n Other <o@globex.io>"),
            ("Cc", "undisclosed-recipients:;"),
            ("Subject", "=?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n and more"),
            ("In-Reply-To", "<Parent@x>"),
            ("References", "<Root@x> <Parent@x>"),
        ],
        snippet="hello",
        provider_id="g1",
    )
    assert message.uid == "abc.123@mail.acme.com"
    assert message.sent_at == datetime(2026, 2, 20, 9, 30, tzinfo=UTC)
    assert message.sender == Address("juergen@acme.com", "Jürgen")
    assert [a.email for a in message.to] == ["rep@seller.com", "o@globex.io"]
    assert message.cc == ()
    assert message.subject == "Grüße and more"
    assert message.thread == "root@x"
    assert message.in_reply_to == "parent@x"
    assert (message.snippet, message.provider_id, message.kind) == ("hello", "g1", "personal")
    assert message.return_date is None


def test_same_message_id_in_any_spelling_is_one_uid() -> None:
    spellings = ["<AbC@x.com>", "abc@X.COM", "  <abc@x.com>  ", "<abc@x.com> (comment)"]
    uids = {message_from_headers([("Message-ID", s)]).uid for s in spellings}
    assert uids == {"abc@x.com"}


def test_uid_falls_back_to_given_uid_then_to_a_content_hash() -> None:
    headers = [("From", "jo@acme.com"), ("Subject", "hi"), ("Date", "Fri, 20 Feb 2026 10:30 +0000")]
    assert message_from_headers(headers, fallback_uid="gmail:1").uid == "gmail:1"
    first, again = message_from_headers(headers), message_from_headers(list(headers))
    assert first.uid == again.uid
    assert first.uid.startswith("h:")
    other = message_from_headers([*headers[:2], ("Date", "Sat, 21 Feb 2026 10:30 +0000")])
    assert other.uid != first.uid


def test_thread_prefers_given_then_references_then_in_reply_to_then_uid() -> None:
    headers = [("Message-ID", "<m@x>"), ("In-Reply-To", "<p@x>"), ("References", "<r@x> <p@x>")]
    assert message_from_headers(headers, thread="t1").thread == "t1"
    assert message_from_headers(headers).thread == "r@x"
    assert message_from_headers(headers[:2]).thread == "p@x"
    assert message_from_headers(headers[:1]).thread == "m@x"


def test_dates() -> None:
    naive = message_from_headers([("Date", "Fri, 20 Feb 2026 10:30:00 -0000")])
    assert naive.sent_at == datetime(2026, 2, 20, 10, 30, tzinfo=UTC)
    offset = message_from_headers([("Date", "20 Feb 2026 10:30 -0500")]).sent_at
    assert offset.utcoffset() == timedelta(hours=-5)
    received = [
        ("Received", "by mx2; Sat, 21 Feb 2026 08:00:00 +0000"),
        ("Received", "from laptop by mx1; Fri, 20 Feb 2026 10:30:00 +0000 (UTC)"),
    ]
    undated = message_from_headers([("Date", "yesterday"), *received])
    assert undated.sent_at == datetime(2026, 2, 20, 10, 30, tzinfo=UTC)  # the first hop
    assert message_from_headers([]).sent_at == EPOCH
    fallback = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    assert message_from_headers([], default_date=fallback).sent_at == fallback


def test_return_date_only_for_auto_replies() -> None:
    date_header = ("Date", "Fri, 20 Feb 2026 09:30:00 +0000")
    ooo = [("Subject", "Automatic reply: Pricing"), date_header]
    assert message_from_headers(ooo, snippet="Back on 3 March").return_date == date(2026, 3, 3)
    personal = [("Subject", "Pricing"), date_header]
    assert message_from_headers(personal, snippet="Back on 3 March").return_date is None


@given(st.lists(st.tuples(st.text(), st.text())))
def test_message_from_headers_never_raises(headers: list[tuple[str, str]]) -> None:
    message = message_from_headers(headers)
    assert message.uid
    assert message.sent_at.tzinfo is not None


# --- message_from_bytes ------------------------------------------------------------------

MULTIPART = b"""\
Message-ID: <m1@acme.com>
Date: Fri, 20 Feb 2026 09:30:00 +0000
From: Jo <jo@acme.com>
To: rep@seller.com
Subject: Automatic reply: Pricing
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/html; charset=utf-8

<p>Ignored, the <b>plain</b> part comes first in spirit</p>
--b
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Ich bin bis 3. M=E4rz nicht im B=FCro.
  Thanks,   Jo
--b--
"""


def test_message_from_bytes_snippet_from_the_plain_part() -> None:
    message = message_from_bytes(MULTIPART)
    assert message.uid == "m1@acme.com"
    assert message.snippet == "Ich bin bis 3. März nicht im Büro. Thanks, Jo"
    assert message.kind is MailKind.AUTO_REPLY
    assert message.return_date == date(2026, 3, 3)


def test_message_from_bytes_html_only_is_stripped() -> None:
    raw = (
        b"From: jo@acme.com\nContent-Type: text/html\n\n"
        b"<html><style>p {color: red}</style><p>Hello&nbsp;<b>there</b></p></html>"
    )
    assert message_from_bytes(raw).snippet == "Hello there"


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [("shift_jis", "8bit"), ("iso-2022-jp", "7bit"), ("latin-1", "8bit"), ("utf-8", "")],
)
def test_an_unencoded_body_in_its_own_charset_is_read_in_it(charset: str, encoding: str) -> None:
    text = "Danke für Ihre Nachricht" if charset == "latin-1" else "今後ともよろしくお願いします"
    cte = f"Content-Transfer-Encoding: {encoding}\n" if encoding else ""
    raw = (
        f"From: jo@acme.com\nContent-Type: text/plain; charset={charset}\n{cte}\n".encode()
        + text.encode(charset)
    )
    assert message_from_bytes(raw).snippet == text


def test_message_from_bytes_snippet_is_short() -> None:
    raw = b"From: jo@acme.com\n\n" + b"word " * 500
    assert len(message_from_bytes(raw).snippet) == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\n\nJust a body, no headers at all.",
        b"\x00\xff\xfe garbage \x80\x81",
        b"From: \xff\xfe <x@\xff>\nTo: ,,,<<\nDate: 99 Foo 99999\nContent-Type: text/plain; "
        b"charset=idna\nContent-Transfer-Encoding: base64\n\n!!!not base64",
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain; "
        b"charset=no-such\n\n\xe9t\xe9\n",
        b"Subject: =?utf-8?b?!!!?= =?bogus?q?x?=\n\nbody",
    ],
)
def test_message_from_bytes_survives_malformed_input(raw: bytes) -> None:
    message = message_from_bytes(raw)
    assert message.uid
    assert message.sent_at.tzinfo is not None


def test_message_from_bytes_survives_absurdly_deep_mime_nesting() -> None:
    raw = b"From: jo@acme.com\nSubject: deep\n" + b"Content-Type: message/rfc822\n\n" * 3000
    message = message_from_bytes(raw + b"hi")
    assert message.sender == Address("jo@acme.com")
    assert message.subject == "deep"


_FRAGMENTS = st.sampled_from(
    [b"From: ", b"To: ", b"Date: ", b"Subject: ", b"Message-ID: <", b">", b"\n", b"\r\n",
     b" ", b"=?utf-8?b?", b"=?x-bad?q?", b"?=", b"a@b.com", b'"', b",", b";", b":", b"<",
     b"\xff\xfe", b"\xc3\xa9", b"Content-Type: multipart/mixed; boundary=x\n", b"--x\n",
     b"Content-Type: text/plain; charset=idna\n", b"Content-Transfer-Encoding: base64\n",
     b"Received: x; ", b"Auto-Submitted: auto-replied\n", b"Subject: back on 3 March\n\n"]
)  # fmt: skip
_MESSAGES = st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=8)), max_size=40).map(b"".join)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(), _MESSAGES))
def test_message_from_bytes_never_raises(raw: bytes) -> None:
    message = message_from_bytes(raw)
    assert message.uid
    assert message.sent_at.tzinfo is not None
