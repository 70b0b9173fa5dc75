"""The HTTP side: a threaded loopback server, request routing and validation, counting,
quota pacing and fault injection. State lives in gmail.Mailbox and calendar.Calendars."""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import calendar_api, gmail, gmail_write, oauth
from .batch import BatchFormatError, parse_batch, render_batch
from .calendar import Calendars
from .concurrency import REALISTIC_LIMIT, ConcurrencyLimit, too_many
from .core import ApiError, Call, Reply
from .discovery import Discovery, Violation
from .faults import FaultPlan, FaultRule
from .fields import apply_fields, parse_fields
from .transport import LoopbackServer, Outcome

BATCH_PATHS = {"batch": None, "batch/gmail/v1": "gmail", "batch/calendar/v3": "calendar"}
JSON_TYPE = "application/json; charset=UTF-8"
Handler = Callable[[Call], dict[str, Any] | None]


@cache
def shared_discovery() -> Discovery:
    return Discovery()


# The parts of a batch share their query string but for an id in the path: parse once.
@lru_cache(maxsize=512)
def _query_pairs(query_string: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    parsed = parse_qs(query_string, keep_blank_values=True)
    return tuple((k, tuple(v)) for k, v in parsed.items())


def _parsed_query(query_string: str) -> dict[str, list[str]]:
    return {k: list(v) for k, v in _query_pairs(query_string)}


_fields_mask = lru_cache(maxsize=256)(parse_fields)


def _late_answer(rules: list[FaultRule]) -> None:
    """``inject("slow", after=True)``: the call took effect, its answer is late."""
    for rule in rules:
        if rule.kind == "slow" and rule.after:
            time.sleep(rule.seconds)


@dataclass(frozen=True)
class CallRecord:
    """One logical call as the fake saw it, with the status it answered."""

    api: str
    method_id: str
    http_method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    in_batch: bool
    status: int

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class FakeServer:
    """Transport, dispatch and bookkeeping; FakeGoogle adds the seeding API on top."""

    def __init__(
        self,
        *,
        email: str = "rep@example.com",
        now: datetime | None = None,
        latency: float = 0.0,
        quota_per_minute: int | None = None,
        calendar_per_minute: int | None = None,
        realistic: bool = False,
    ) -> None:
        self.email = email
        self.latency = latency
        self.quota_per_minute = quota_per_minute
        self.calendar_per_minute = calendar_per_minute
        # The span the per-minute budgets are counted over; tests may shorten the "minute".
        self.quota_window = 60.0
        self.lock = threading.RLock()
        self._now = now
        self.discovery = shared_discovery()
        self.mailbox = gmail.Mailbox(email, self.clock)
        self.draft_store = gmail_write.DraftStore()
        self.calendars = Calendars(email, self.clock)
        self.faults = FaultPlan()
        self.concurrency = ConcurrencyLimit()  # .limit: Gmail calls at once per user
        self.oauth = oauth.TokenEndpoint()
        self.violations: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.calls: list[CallRecord] = []
        self.round_trips = 0
        self.quota_by_method: Counter[str] = Counter()
        self.calendar_requests = 0
        self.quota_rejections = 0
        self._window: deque[tuple[float, str, int]] = deque()
        self._in_window: Counter[str] = Counter()  # units per api in the window, kept current
        self._handlers = self._handler_table()
        self._checked: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self._httpd: LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        if realistic:
            self.make_realistic()

    def make_realistic(self) -> None:
        """Every switch for what real Google does where the defaults are generous: the
        per-user concurrency limit, cancelled occurrences as id + status only, deleted
        events that cannot be patched back, ``to:`` not matching Bcc."""
        with self.lock:
            self.concurrency.limit = REALISTIC_LIMIT
            self.calendars.minimal_cancelled = True
            self.calendars.revive_deleted = False
            self.mailbox.to_matches_bcc = False

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._httpd = LoopbackServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="fakegoogle", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeGoogle is not started: use `with FakeGoogle() as fake:`")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # --- clock ----------------------------------------------------------------------------

    def clock(self) -> datetime:
        return self._now if self._now is not None else datetime.now(UTC)

    # --- counters -------------------------------------------------------------------------

    @property
    def quota_units(self) -> int:
        return sum(self.quota_by_method.values())

    def reset_counters(self) -> None:
        with self.lock:
            self.requests.clear()
            self.calls.clear()
            self.round_trips = 0
            self.quota_by_method.clear()
            self.calendar_requests = 0
            self.quota_rejections = 0
            self._window.clear()
            self._in_window.clear()

    def take_violations(self) -> list[str]:
        with self.lock:
            taken, self.violations = self.violations, []
        return taken

    def assert_no_violations(self) -> None:
        if self.violations:
            raise AssertionError(
                "fake Google saw API violations:\n  " + "\n  ".join(self.violations)
            )

    # --- dispatch -------------------------------------------------------------------------

    def _handler_table(self) -> dict[str, Handler]:
        box, store, cals = self.mailbox, self.draft_store, self.calendars

        def mail(fn: Callable[[gmail.Mailbox, Call], Any]) -> Handler:
            def run(call: Call) -> Any:
                gmail.check_user(box, call)
                return fn(box, call)

            return run

        def draft(fn: Callable[[gmail.Mailbox, gmail_write.DraftStore, Call], Any]) -> Handler:
            def run(call: Call) -> Any:
                gmail.check_user(box, call)
                return fn(box, store, call)

            return run

        def cal(fn: Callable[[Calendars, Call], Any]) -> Handler:
            return lambda call: fn(cals, call)

        g, w, c = "gmail.users.", gmail_write, calendar_api
        return {
            g + "getProfile": mail(gmail.get_profile),
            g + "settings.sendAs.list": mail(gmail.list_send_as),
            g + "messages.list": mail(gmail.list_messages),
            g + "messages.get": mail(gmail.get_message),
            g + "threads.get": mail(gmail.get_thread),
            g + "threads.list": mail(gmail.list_threads),
            g + "history.list": mail(gmail.list_history),
            g + "messages.send": draft(w.send_message),
            g + "drafts.create": draft(w.create_draft),
            g + "drafts.get": draft(w.get_draft),
            g + "drafts.list": draft(w.list_drafts),
            g + "drafts.update": draft(w.update_draft),
            g + "drafts.delete": draft(w.delete_draft),
            g + "drafts.send": draft(w.send_draft),
            "calendar.events.list": cal(c.list_events),
            "calendar.events.get": cal(c.get_event),
            "calendar.events.insert": cal(c.insert_event),
            "calendar.events.patch": cal(c.patch_event),
            "calendar.events.update": cal(c.update_event),
            "calendar.events.delete": cal(c.delete_event),
            "calendar.freebusy.query": cal(c.freebusy),
        }

    def _query_problems(
        self, route: Any, query_string: str, query: dict[str, list[str]]
    ) -> tuple[str, ...]:
        key = (route.method_id, route.template, query_string)
        if key not in self._checked:
            if len(self._checked) > 512:
                self._checked.clear()
            self._checked[key] = tuple(self.discovery.check_query(route, query))
        return self._checked[key]

    def _violation(self, message: str) -> Reply:
        with self.lock:
            self.violations.append(message)
        return Reply.error(ApiError(400, f"fake Google: {message}", "badRequest"))

    def serve(self, http_method: str, target: str, headers: dict[str, str], body: bytes) -> Outcome:
        """Answer one HTTP request (a plain call or a whole batch)."""
        with self.lock:
            self.round_trips += 1
        split = urlsplit(target)
        path = split.path.lstrip("/")
        taken = 0
        try:
            if path in oauth.PATHS:
                self._wait()
                return self.oauth.serve(http_method, path, split.query, body)
            if http_method == "POST" and path in BATCH_PATHS:
                return self._serve_batch(BATCH_PATHS[path], headers, body)
            # A call holds a slot of the user's Gmail concurrency while it is answered.
            taken = self.concurrency.admit(1) if _is_gmail(path) else 0
            refused = _is_gmail(path) and not taken
            self._wait()
            ctype = headers.get("content-type", "")
            reply = self._serve_call(
                http_method,
                path,
                split.query,
                ctype,
                body,
                in_batch=False,
                batch_api=None,
                refused=refused,
            )
        except Exception:  # a bug in the fake must fail the test, loudly
            reply = self._violation("fake crashed:\n" + traceback.format_exc())
            reply.status = 500
        finally:
            self.concurrency.release(taken)
        return Outcome(reply.status, JSON_TYPE, reply.body_bytes(), reply.fate, reply.extra_headers)

    def _wait(self) -> None:
        """The round trip's latency, spent while the call holds its slots."""
        if self.latency:
            time.sleep(self.latency)

    def _serve_batch(self, batch_api: str | None, headers: dict[str, str], body: bytes) -> Outcome:
        with self.lock:
            rules = self.faults.take(None)
        failure = self._apply_delays(rules)
        if failure is not None and isinstance(failure.kind, int):
            self._wait()
            error = Reply.error(failure.error()).body_bytes()
            return Outcome(failure.kind, JSON_TYPE, error, headers=failure.headers())
        if failure is not None and failure.kind == "drop" and not failure.after:
            self._wait()
            return Outcome(0, "", b"", "drop")
        try:
            parts = parse_batch(headers.get("content-type", ""), body)
        except BatchFormatError as exc:
            self._wait()
            reply = self._violation(f"batch: {exc}")
            return Outcome(400, JSON_TYPE, reply.body_bytes())
        # Google runs the parts at once: each Gmail part holds a slot; the last ones are
        # refused when there are not enough.
        gmail_parts = sum(1 for part in parts if _is_gmail(urlsplit(part.target).path))
        taken = self.concurrency.admit(gmail_parts)
        try:
            self._wait()
            answers = self._answer_parts(parts, batch_api, refuse_after=taken)
        finally:
            self.concurrency.release(taken)
        fate = "ok" if failure is None else str(failure.kind)
        for _, _, _, _, part_fate in answers:
            fate = part_fate if part_fate != "ok" else fate
        content_type, data = render_batch([a[:4] for a in answers])
        _late_answer(rules)
        return Outcome(200, content_type, data, fate)

    def _answer_parts(
        self, parts: list[Any], batch_api: str | None, refuse_after: int
    ) -> list[tuple[str, int, bytes, dict[str, str], str]]:
        answers = []
        gmail_seen = 0
        for part in parts:
            split = urlsplit(part.target)
            path = split.path.lstrip("/")
            refused = False
            if _is_gmail(path):
                gmail_seen += 1
                refused = gmail_seen > refuse_after
            reply = self._serve_call(
                part.http_method,
                path,
                split.query,
                part.headers.get("content-type", ""),
                part.body,
                in_batch=True,
                batch_api=batch_api,
                refused=refused,
            )
            answers.append(
                (part.content_id, reply.status, reply.body_bytes(), reply.extra_headers, reply.fate)
            )
        return answers

    def _apply_delays(self, rules: list[FaultRule]) -> FaultRule | None:
        for rule in rules:
            if rule.kind == "slow" and not rule.after:
                time.sleep(rule.seconds)
        return next((r for r in rules if r.kind != "slow"), None)

    def _serve_call(
        self,
        http_method: str,
        path: str,
        query_string: str,
        content_type: str,
        body: bytes,
        *,
        in_batch: bool,
        batch_api: str | None,
        refused: bool = False,
    ) -> Reply:
        try:
            route, raw_params = self.discovery.resolve(http_method, path)
        except Violation as exc:
            return self._violation(str(exc))
        if batch_api is not None and route.api != batch_api:
            return self._violation(f"{route.method_id} sent in the {batch_api} batch endpoint")
        query = _parsed_query(query_string)
        problems = list(self._query_problems(route, query_string, query))
        if body and not route.upload and "json" in (content_type or "application/json"):
            try:
                problems += self.discovery.check_body(route, json.loads(body))
            except ValueError:
                problems.append("request body is not JSON")
        if problems:
            return self._violation(f"{route.method_id}: " + "; ".join(problems))
        params = {k: unquote(v) for k, v in raw_params.items()}
        call = Call(
            route.api,
            route.method_id,
            http_method,
            path,
            params,
            query,
            body,
            content_type,
            route.upload,
            in_batch,
        )
        with self.lock:
            self.requests.append((call.api, call.method_id))
            rules = [] if refused else self.faults.take(call)
        failure = self._apply_delays(rules)
        if refused:  # no slot free: the call never ran
            reply = Reply.error(too_many())
        elif failure is not None and isinstance(failure.kind, int):
            reply = Reply.error(failure.error())
            reply.extra_headers = failure.headers()
        elif failure is not None and failure.kind == "drop" and not failure.after:
            reply = Reply(0, None, fate="drop")  # never answered, never took effect
        else:
            reply = self._execute(call)
            if failure is not None:
                reply.fate = str(failure.kind)
            _late_answer(rules)
        with self.lock:
            self.calls.append(
                CallRecord(
                    call.api, call.method_id, http_method, path, query, body, in_batch, reply.status
                )
            )
        return reply

    def _admit(self, call: Call) -> ApiError | None:
        """Charge the call against the per-minute budgets, or refuse it with a 429."""
        now = time.monotonic()
        while self._window and self._window[0][0] <= now - self.quota_window:
            _, api, spent = self._window.popleft()
            self._in_window[api] -= spent
        if call.api == "gmail":
            units, limit = gmail.quota_cost(call.method_id), self.quota_per_minute
        else:
            units, limit = 1, self.calendar_per_minute
        if limit is not None and self._in_window[call.api] + units > limit:
            self.quota_rejections += 1
            return ApiError(
                429,
                "Quota exceeded for quota metric 'Queries' and limit "
                "'Queries per minute per user'.",
                "rateLimitExceeded",
                domain="usageLimits",
            )
        self._window.append((now, call.api, units))
        self._in_window[call.api] += units
        if call.api == "gmail":
            self.quota_by_method[call.method_id] += units
        else:
            self.calendar_requests += 1
        return None

    def _execute(self, call: Call) -> Reply:
        handler = self._handlers.get(call.method_id)
        if handler is None:
            return self._violation(f"{call.method_id} is valid but not modelled by the fake")
        with self.lock:
            refused = self._admit(call)
            if refused is not None:
                return Reply.error(refused)
            try:
                payload = handler(call)
            except ApiError as exc:
                if exc.violation:
                    self.violations.append(f"{call.method_id}: {exc.message}")
                return Reply.error(exc)
        fields = call.param("fields")
        if payload is not None and fields:
            try:
                payload = apply_fields(payload, _fields_mask(fields))
            except ApiError as exc:
                return Reply.error(exc)
        return Reply(200 if payload is not None else 204, payload)


def _is_gmail(path: str) -> bool:
    return path.lstrip("/").startswith(("gmail/", "upload/gmail/"))
