"""The fake Google API server, driven by the real google-api-python-client."""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaIoBaseUpload
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kits.fakegoogle import FakeGoogle
from tests.kits.fakegoogle.mime import compose
from tests.kits.fakegoogle.query import QueryError, parse_query

pytest_plugins = ["pytester"]

NOW = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
Result = tuple[str, Any, HttpError | None]


def reason(err: HttpError) -> str:
    return str(json.loads(err.content)["error"]["errors"][0]["reason"])


def no_sleep(request: HttpRequest) -> HttpRequest:
    """Let execute(num_retries=N) retry at once instead of sleeping random()*2**n s."""
    request._sleep = lambda _seconds: None
    return request


def run_batch(service: Any, requests: list[HttpRequest]) -> list[Result]:
    results: list[Result] = []
    batch = service.new_batch_http_request(
        callback=lambda rid, resp, exc: results.append((rid, resp, exc))
    )
    for request in requests:
        batch.add(request)
    batch.execute()
    return results


def event(start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"start": {"dateTime": start}, "end": {"dateTime": end}, **extra}


# --- Gmail ----------------------------------------------------------------------------------


def test_list_and_get_metadata(fake_google: FakeGoogle) -> None:
    fake = fake_google
    wanted = fake.add_message(from_="Ann <ann@acme.com>", subject="Pricing", body="Hi it's Ann")
    fake.add_message(from_="spam@other.org", subject="Win")
    gmail = fake.build("gmail").users()

    listed = gmail.messages().list(userId="me", q="from:acme.com").execute()
    assert listed == {"messages": [{"id": wanted, "threadId": wanted}], "resultSizeEstimate": 1}
    msg = (
        gmail.messages()
        .get(userId="me", id=wanted, format="metadata", metadataHeaders=["From", "subject"])
        .execute()
    )
    assert msg["payload"]["headers"] == [
        {"name": "From", "value": "Ann <ann@acme.com>"},
        {"name": "Subject", "value": "Pricing"},
    ]
    assert msg["labelIds"] == ["INBOX", "UNREAD"]
    assert msg["snippet"] == "Hi it&#39;s Ann"  # Gmail snippets are HTML-escaped
    assert len(msg["id"]) == 16
    assert int(msg["id"], 16)
    minimal = gmail.messages().get(userId="me", id=wanted, format="minimal").execute()
    assert "payload" not in minimal
    assert minimal["internalDate"].isdigit()
    raw = gmail.messages().get(userId="me", id=wanted, format="raw").execute()["raw"]
    assert b"Subject: Pricing" in base64.urlsafe_b64decode(raw)
    full = gmail.messages().get(userId="me", id=wanted).execute()
    assert full["payload"]["mimeType"] == "text/plain"
    assert full["payload"]["body"]["data"]
    assert gmail.messages().list(userId="me", q="from:nobody.example").execute() == {
        "resultSizeEstimate": 0  # like Gmail: no "messages" key at all
    }
    with pytest.raises(HttpError) as missing:
        gmail.messages().get(userId="me", id="0000000000000000").execute()
    assert missing.value.resp.status == 404
    assert fake.round_trips == 7
    assert fake.quota_units == 5 * 7


def test_paging_threads_and_partial_response(fake_google: FakeGoogle) -> None:
    fake = fake_google
    first = fake.add_message(from_="a@acme.com", message_id="<m1@acme.com>", subject="Q")
    reply = fake.add_message(from_="b@acme.com", in_reply_to="<m1@acme.com>", subject="Re: Q")
    ids = [fake.add_message(from_=f"p{i}@acme.com", internal_date=i * 1000) for i in range(5)]
    gmail = fake.build("gmail").users()
    assert fake.message(reply).thread_id == first  # threaded through In-Reply-To
    thread = gmail.threads().get(userId="me", id=first, format="metadata").execute()
    assert [m["id"] for m in thread["messages"]] == [first, reply]

    seen, token = [], None
    while True:
        page = gmail.messages().list(userId="me", maxResults=3, pageToken=token).execute()
        seen += [m["id"] for m in page["messages"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    assert len(seen) == 7
    assert seen[-5:] == ids[::-1]
    slim = gmail.messages().list(userId="me", fields="messages(id)").execute()
    assert set(slim) == {"messages"}
    assert set(slim["messages"][0]) == {"id"}


def test_batch_of_50_gets_with_one_429_part(fake_google: FakeGoogle) -> None:
    fake = fake_google
    ids = [fake.add_message(from_=f"p{i}@acme.com", subject=f"#{i}") for i in range(50)]
    service = fake.build("gmail")
    fake.inject(429, match="messages.get")
    get = service.users().messages().get
    requests = [get(userId="me", id=i, format="metadata", metadataHeaders=["From"]) for i in ids]
    results = run_batch(service, requests)

    failed = [(rid, exc) for rid, _, exc in results if exc is not None]
    assert len(results) == 50
    assert len(failed) == 1
    failed_id, error = failed[0]
    assert error.resp.status == 429
    assert reason(error) == "rateLimitExceeded"
    assert {r[1]["id"] for r in results if r[2] is None} == set(ids[1:])
    assert fake.round_trips == 1
    assert fake.count("messages.get") == 50
    assert fake.quota_units == 49 * 5  # a refused part costs nothing
    retry = run_batch(service, [requests[int(failed_id) - 1]])
    assert retry[0][2] is None
    assert retry[0][1]["id"] == ids[0]


def test_history_increments_then_404_after_prune(fake_google: FakeGoogle) -> None:
    fake = fake_google
    gmail = fake.build("gmail").users()
    start = gmail.getProfile(userId="me").execute()["historyId"]
    first = fake.add_message(from_="a@acme.com")
    second = fake.add_message(from_="b@acme.com")
    fake.modify_labels(first, add=["STARRED"])

    added = (
        gmail.history()
        .list(userId="me", startHistoryId=start, historyTypes="messageAdded")
        .execute()
    )
    assert [h["messagesAdded"][0]["message"]["id"] for h in added["history"]] == [first, second]
    assert added["historyId"] == str(fake.history_id)
    page = gmail.history().list(userId="me", startHistoryId=start, maxResults=2).execute()
    rest = (
        gmail.history()
        .list(userId="me", startHistoryId=start, maxResults=2, pageToken=page["nextPageToken"])
        .execute()
    )
    assert rest["history"][0]["labelsAdded"][0]["labelIds"] == ["STARRED"]
    assert "nextPageToken" not in rest
    latest = gmail.history().list(userId="me", startHistoryId=rest["historyId"]).execute()
    assert "history" not in latest

    fake.prune_history()
    with pytest.raises(HttpError) as gone:
        gmail.history().list(userId="me", startHistoryId=start).execute()
    error = json.loads(gone.value.content)["error"]
    assert gone.value.resp.status == 404
    assert error["code"] == 404
    assert error["errors"][0]["reason"] == "notFound"


def test_drafts_create_update_send_and_delete(fake_google: FakeGoogle) -> None:
    fake = fake_google
    service = fake.build("gmail")
    drafts = service.users().drafts()
    raw = compose(from_=fake.email, to="ann@acme.com", cc="cfo@acme.com", subject="Hello")
    body = {"message": {"raw": base64.urlsafe_b64encode(raw).decode()}}
    created = drafts.create(userId="me", body=body).execute()
    assert created["id"].startswith("r")
    assert created["message"]["labelIds"] == ["DRAFT"]
    assert drafts.list(userId="me").execute()["drafts"][0]["id"] == created["id"]
    updated = drafts.update(userId="me", id=created["id"], body=body).execute()
    assert updated["message"]["id"] != created["message"]["id"]  # Gmail swaps the message
    assert drafts.get(userId="me", id=created["id"], format="metadata").execute()["id"]

    sent = drafts.send(userId="me", body={"id": created["id"]}).execute()
    assert sent["labelIds"] == ["SENT"]
    assert fake.drafts() == {}
    [record] = fake.sends
    assert record.method == "drafts.send"
    assert record.draft_id == created["id"]
    assert record.recipients == ("ann@acme.com", "cfo@acme.com")
    assert record.subject == "Hello"

    spare = drafts.create(userId="me", body=body).execute()
    [(_, response, error)] = run_batch(service, [drafts.delete(userId="me", id=spare["id"])])
    assert error is None
    assert response == ""
    assert fake.drafts() == {}
    assert fake.quota_by_method["gmail.users.drafts.send"] == 100


def test_messages_send_json_and_media_upload(fake_google: FakeGoogle) -> None:
    fake = fake_google
    messages = fake.build("gmail").users().messages()
    raw = compose(from_=fake.email, to=["x@acme.com", "y@acme.com"], subject="Digest")
    encoded = base64.urlsafe_b64encode(raw).decode()
    messages.send(userId="me", body={"raw": encoded}).execute()
    media = MediaIoBaseUpload(io.BytesIO(raw), mimetype="message/rfc822")
    messages.send(userId="me", body={}, media_body=media).execute()
    assert [s.to for s in fake.sends] == [("x@acme.com", "y@acme.com")] * 2
    nobody = base64.urlsafe_b64encode(compose(from_=fake.email, subject="?")).decode()
    with pytest.raises(HttpError) as no_rcpt:
        messages.send(userId="me", body={"raw": nobody}).execute()
    assert no_rcpt.value.resp.status == 400


# --- Gmail search ---------------------------------------------------------------------------


def test_query_language() -> None:
    with FakeGoogle(now=NOW) as fake:
        ann = fake.add_message(
            from_="Ann Lee <ann@acme.com>",
            to="rep@example.com",
            subject="Renewal",
            internal_date=NOW - timedelta(days=2),
            message_id="<ann-1@acme.com>",
        )
        sub = fake.add_message(
            from_="bo@eu.acme.com", cc="cfo@globex.com", internal_date=NOW - timedelta(days=20)
        )
        lookalike = fake.add_message(from_="eve@notacme.com", internal_date=NOW)
        mine = fake.add_message(from_="rep@example.com", to="zed@globex.com", internal_date=NOW)
        fake.modify_labels(lookalike, add=["SPAM"])
        gmail = fake.build("gmail").users().messages()

        def ids(q: str) -> set[str]:
            listed = gmail.list(userId="me", q=q).execute()
            return {m["id"] for m in listed.get("messages", [])}

        assert ids("from:acme.com") == {ann, sub}  # subdomain yes, notacme.com no
        assert ids("from:@acme.com") == {ann, sub}
        assert ids("from:ann@acme.com") == {ann}
        assert ids("from:ann") == {ann}
        assert ids('from:"ann lee"') == {ann}
        assert ids("to:globex.com") == {sub, mine}  # to: also finds Cc
        assert ids("cc:globex.com") == {sub}
        assert ids("from:acme.com OR to:globex.com") == {ann, sub, mine}
        assert ids("{from:ann@acme.com to:zed@globex.com}") == {ann, mine}
        assert ids("from:(ann@acme.com OR bo@eu.acme.com)") == {ann, sub}
        assert ids("from:{ann@acme.com bo@eu.acme.com} -cc:globex.com") == {ann}
        assert ids("(from:acme.com OR from:me) newer_than:7d") == {ann, mine}
        assert ids("from:me") == {mine}
        assert ids("in:sent") == {mine}
        assert ids("deliveredto:rep@example.com") == {ann, sub}
        assert ids("after:2024/03/01 before:2024/03/14") == {ann}
        assert ids(f"after:{int((NOW - timedelta(days=3)).timestamp())}") == {ann, mine}
        assert ids("rfc822msgid:<ann-1@acme.com>") == {ann}
        assert ids("-label:INBOX") == {mine}
        assert ids("in:spam") == {lookalike}
        assert ids("from:acme.com in:anywhere") == {ann, sub}
        assert ids("subject:renewal is:unread") == {ann}
        assert fake.take_violations() == []

        for bad in ("has:attachment", "from:", "(from:acme.com", "larger:10M"):
            with pytest.raises(HttpError) as err:
                gmail.list(userId="me", q=bad).execute()
            assert err.value.resp.status == 400
        assert len(fake.take_violations()) == 4


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab:-(){}" OR@.')), max_size=30))
def test_query_parser_only_raises_query_error(text: str) -> None:
    with contextlib.suppress(QueryError):
        parse_query(text)


# --- Calendar -------------------------------------------------------------------------------


def test_event_insert_with_client_id_and_conflicts(fake_google: FakeGoogle) -> None:
    fake = fake_google
    events = fake.build("calendar").events()
    body = event("2024-03-18T10:00:00Z", "2024-03-18T10:30:00Z", id="nurture0block01")
    created = events.insert(calendarId="primary", body=body).execute()
    assert created["id"] == "nurture0block01"
    assert created["status"] == "confirmed"
    assert created["organizer"] == {"email": fake.email, "self": True}

    with pytest.raises(HttpError) as dup:
        events.insert(calendarId="primary", body=body).execute()
    assert dup.value.resp.status == 409
    assert reason(dup.value) == "duplicate"
    events.delete(calendarId="primary", eventId="nurture0block01").execute()
    assert fake.event("nurture0block01")["status"] == "cancelled"
    with pytest.raises(HttpError) as dup_deleted:
        events.insert(calendarId="primary", body=body).execute()
    assert dup_deleted.value.resp.status == 409
    revived = events.patch(
        calendarId="primary", eventId="nurture0block01", body={"status": "confirmed"}
    ).execute()
    assert revived["status"] == "confirmed"
    for bad_id in ("UPPER12345", "abcw1", "abc"):
        with pytest.raises(HttpError) as bad:
            events.insert(calendarId="primary", body={**body, "id": bad_id}).execute()
        assert bad.value.resp.status == 400
    events.delete(calendarId="primary", eventId="nurture0block01").execute()
    with pytest.raises(HttpError) as twice:
        events.delete(calendarId="primary", eventId="nurture0block01").execute()
    assert twice.value.resp.status == 410
    assert reason(twice.value) == "deleted"


def test_events_list_filters_and_order(fake_google: FakeGoogle) -> None:
    fake = fake_google
    tag = {"extendedProperties": {"private": {"nurture": "block", "acct": "acme"}}}
    late = fake.add_event(event("2024-03-20T15:00:00Z", "2024-03-20T16:00:00Z", **tag))
    early = fake.add_event(event("2024-03-19T09:00:00+01:00", "2024-03-19T10:00:00+01:00", **tag))
    fake.add_event(event("2024-03-19T12:00:00Z", "2024-03-19T13:00:00Z", summary="Lunch"))
    fake.add_event(event("2024-05-01T12:00:00Z", "2024-05-01T13:00:00Z", **tag))
    events = fake.build("calendar").events()
    listed = events.list(
        calendarId="primary",
        singleEvents=True,
        orderBy="startTime",
        timeMin="2024-03-18T00:00:00Z",
        timeMax="2024-03-25T00:00:00Z",
        privateExtendedProperty=["nurture=block", "acct=acme"],
    ).execute()
    assert [e["id"] for e in listed["items"]] == [early["id"], late["id"]]
    assert "nextSyncToken" in listed
    lunch = events.list(calendarId="primary", q="lunch").execute()["items"]
    assert [e["summary"] for e in lunch] == ["Lunch"]
    with pytest.raises(HttpError) as unordered:
        events.list(calendarId="primary", orderBy="startTime").execute()
    assert unordered.value.resp.status == 400


def test_sync_token_increments_cancellations_and_410(fake_google: FakeGoogle) -> None:
    fake = fake_google
    keep = fake.add_event(event("2024-03-18T10:00:00Z", "2024-03-18T11:00:00Z"))
    moved = fake.add_event(event("2024-03-18T12:00:00Z", "2024-03-18T13:00:00Z"))
    gone = fake.add_event(event("2024-03-18T14:00:00Z", "2024-03-18T15:00:00Z"))
    events = fake.build("calendar").events()
    full = events.list(calendarId="primary", singleEvents=True).execute()
    assert len(full["items"]) == 3
    token = full["nextSyncToken"]

    fake.change_event(
        moved["id"],
        {
            "start": {"dateTime": "2024-03-18T16:00:00Z"},
            "end": {"dateTime": "2024-03-18T17:00:00Z"},
        },
    )
    fake.cancel_event(gone["id"])
    new = fake.add_event(event("2024-03-19T10:00:00Z", "2024-03-19T11:00:00Z"))
    first = events.list(calendarId="primary", syncToken=token, maxResults=2).execute()
    assert "nextSyncToken" not in first
    last = events.list(
        calendarId="primary", syncToken=token, maxResults=2, pageToken=first["nextPageToken"]
    ).execute()
    changed = first["items"] + last["items"]
    assert [e["id"] for e in changed] == [moved["id"], gone["id"], new["id"]]
    assert changed[1] == {
        "kind": "calendar#event",
        "etag": changed[1]["etag"],
        "id": gone["id"],
        "status": "cancelled",
    }
    assert keep["id"] not in {e["id"] for e in changed}
    quiet = events.list(calendarId="primary", syncToken=last["nextSyncToken"]).execute()
    assert quiet["items"] == []
    assert quiet["nextSyncToken"]

    with pytest.raises(HttpError) as mixed:
        events.list(calendarId="primary", syncToken=token, timeMin=keep["created"]).execute()
    assert mixed.value.resp.status == 400
    fake.expire_sync_tokens()
    with pytest.raises(HttpError) as expired:
        events.list(calendarId="primary", syncToken=last["nextSyncToken"]).execute()
    error = json.loads(expired.value.content)["error"]
    assert expired.value.resp.status == 410
    assert error["code"] == 410
    assert error["errors"][0]["reason"] == "fullSyncRequired"


def test_freebusy(fake_google: FakeGoogle) -> None:
    fake = fake_google
    fake.add_event(event("2024-03-18T09:00:00Z", "2024-03-18T10:00:00Z"))
    fake.add_event(event("2024-03-18T09:30:00Z", "2024-03-18T11:00:00Z"))  # merges
    fake.add_event(
        event("2024-03-18T12:00:00Z", "2024-03-18T13:00:00Z", transparency="transparent")
    )
    cancelled = fake.add_event(event("2024-03-18T14:00:00Z", "2024-03-18T15:00:00Z"))
    fake.cancel_event(cancelled["id"])
    fake.add_event(
        event(
            "2024-03-18T16:00:00Z",
            "2024-03-18T17:00:00Z",
            attendees=[{"email": fake.email, "responseStatus": "declined"}],
        )
    )
    fake.add_event(event("2024-03-18T17:30:00Z", "2024-03-19T09:00:00Z"))  # clipped
    query = fake.build("calendar").freebusy().query
    window = {"timeMin": "2024-03-18T00:00:00Z", "timeMax": "2024-03-18T18:00:00Z"}
    answer = query(body={**window, "items": [{"id": "primary"}, {"id": "x@y.com"}]}).execute()
    assert answer["calendars"]["primary"]["busy"] == [
        {"start": "2024-03-18T09:00:00Z", "end": "2024-03-18T11:00:00Z"},
        {"start": "2024-03-18T17:30:00Z", "end": "2024-03-18T18:00:00Z"},
    ]
    assert answer["calendars"]["x@y.com"]["errors"][0]["reason"] == "notFound"
    with pytest.raises(HttpError) as too_many:
        query(body={**window, "items": [{"id": f"c{i}@x.com"} for i in range(51)]}).execute()
    assert reason(too_many.value) == "tooManyCalendarsRequested"


# --- discovery validation, counting, quota ---------------------------------------------------


def test_discovery_validation_records_violations(fake_google: FakeGoogle) -> None:
    fake = fake_google
    client = httplib2.Http(timeout=5)
    base = fake.base_url
    for url, method, body in [
        (f"{base}gmail/v1/users/me/messages?foo=bar", "GET", None),
        (f"{base}gmail/v1/users/me/messages/abc?format=headers", "GET", None),
        (f"{base}gmail/v1/users/me/messages?q=a&q=b", "GET", None),
        (f"{base}gmail/v1/users/me/messages?maxResults=ten", "GET", None),
        (f"{base}gmail/v1/users/me/nothing", "GET", None),
        (f"{base}gmail/v1/users/me/profile", "DELETE", None),
        (f"{base}calendar/v3/calendars/primary/events", "POST", '{"summmary": "typo"}'),
    ]:
        resp, content = client.request(
            url, method, body=body, headers={"content-type": "application/json"}
        )
        assert resp.status == 400, url
        assert json.loads(content)["error"]["code"] == 400
    violations = fake.take_violations()
    assert len(violations) == 7
    assert "undeclared query parameter 'foo'" in violations[0]
    assert "format='headers' is not one of" in violations[1]
    assert "unknown field body.summmary" in violations[6]
    assert fake.requests == []  # rejected before reaching the API

    # GOOGLE.md: with api_endpoint, Calendar loses its calendar/v3/ prefix; Gmail keeps it.
    options = {"api_endpoint": base}
    gmail = build("gmail", "v1", http=httplib2.Http(), client_options=options)
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == fake.email
    calendar = build("calendar", "v3", http=httplib2.Http(), client_options=options)
    with pytest.raises(HttpError):
        calendar.events().list(calendarId="primary").execute()
    assert "GET /calendars/primary/events" in fake.take_violations()[0]


def test_fixture_fails_the_test_on_violations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httplib2
        pytest_plugins = ["tests.kits.fakegoogle.plugin"]

        def test_sloppy(fake_google):
            url = fake_google.base_url + "gmail/v1/users/me/profile?verbose=true"
            assert httplib2.Http().request(url)[0].status == 400
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*undeclared query parameter 'verbose'*"])


def test_quota_and_round_trip_counting(fake_google: FakeGoogle) -> None:
    fake = fake_google
    ids = [fake.add_message(from_="a@acme.com") for _ in range(3)]
    service = fake.build("gmail")
    users = service.users()
    users.getProfile(userId="me").execute()  # 1
    users.messages().list(userId="me").execute()  # 5
    run_batch(service, [users.messages().get(userId="me", id=i) for i in ids])  # 3 x 5
    users.threads().get(userId="me", id=ids[0]).execute()  # 10
    users.history().list(userId="me", startHistoryId="1").execute()  # 2
    calendar = fake.build("calendar")
    run_batch(calendar, [calendar.events().list(calendarId="primary")] * 2)
    assert fake.quota_units == 1 + 5 + 15 + 10 + 2
    assert fake.quota_by_method["gmail.users.messages.get"] == 15
    assert fake.round_trips == 6
    assert len(fake.requests) == 9
    assert fake.calendar_requests == 2
    assert fake.requests[2] == ("gmail", "gmail.users.messages.get")
    fake.reset_counters()
    assert (fake.quota_units, fake.round_trips, fake.requests) == (0, 0, [])


def test_quota_per_minute_is_enforced(fake_google: FakeGoogle) -> None:
    fake = fake_google
    fake.quota_per_minute = 11
    users = fake.build("gmail").users()
    users.getProfile(userId="me").execute()
    users.messages().list(userId="me").execute()
    users.messages().list(userId="me").execute()
    with pytest.raises(HttpError) as refused:
        users.messages().list(userId="me").execute()
    assert refused.value.resp.status == 429
    assert fake.quota_rejections == 1
    assert fake.quota_units == 11


# --- faults ---------------------------------------------------------------------------------


def test_status_faults_are_retried_by_the_client(fake_google: FakeGoogle) -> None:
    fake = fake_google
    users = fake.build("gmail").users()
    fake.inject(500)
    fake.inject(503, match="gmail")
    fake.inject(403, match="messages.list")  # userRateLimitExceeded: retryable
    fake.inject(403, reason="rateLimitExceeded", match=lambda call: call.in_batch is False)
    no_sleep(users.messages().list(userId="me")).execute(num_retries=4)
    assert fake.count("messages.list") == 5
    assert fake.pending_faults == 0
    fake.inject(403, reason="forbidden")
    with pytest.raises(HttpError):
        no_sleep(users.getProfile(userId="me")).execute(num_retries=3)
    assert fake.count("getProfile") == 1  # a plain 403 is not retried


def test_transport_faults(fake_google: FakeGoogle) -> None:
    fake = fake_google
    users = fake.build("gmail").users()
    raw = compose(from_=fake.email, to="ann@acme.com", subject="Once")
    body = {"raw": base64.urlsafe_b64encode(raw).decode()}

    fake.inject("drop")  # httplib2 itself resends once after a dropped connection
    users.getProfile(userId="me").execute()
    assert fake.round_trips == 2
    fake.inject("drop", count=2)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        users.getProfile(userId="me").execute()
    fake.inject("drop", count=2, match="messages.send", after=True)
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        users.messages().send(userId="me", body=body).execute()
    assert len(fake.sends) == 2  # the answer was lost, the send happened (twice!)
    fake.inject("truncate")
    with pytest.raises(http.client.IncompleteRead):
        users.getProfile(userId="me").execute()

    slow = fake.build("gmail", http=httplib2.Http(timeout=0.2)).users()
    fake.inject("slow", seconds=0.5)
    with pytest.raises(TimeoutError):
        slow.getProfile(userId="me").execute()
    fake.latency = 0.05
    started = time.monotonic()
    users.getProfile(userId="me").execute()
    assert time.monotonic() - started >= 0.05


def test_batch_envelope_fault(fake_google: FakeGoogle) -> None:
    fake = fake_google
    service = fake.build("gmail")
    fake.inject(503, match="batch")
    with pytest.raises(HttpError) as whole:
        run_batch(service, [service.users().getProfile(userId="me")])
    assert whole.value.resp.status == 503
    assert fake.requests == []
