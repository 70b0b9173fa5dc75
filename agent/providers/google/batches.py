"""Many idempotent calls as batches: small ones, two on the wire, failures re-queued.

google-api-python-client retries nothing inside a batch: each part answers on its own,
and a part that failed with 429, a rate-limit 403 or a 5xx reaches the callback like any
other. Those parts, and every part of a batch whose answer was lost or cut short, are
queued again and sent after a backoff that honours Retry-After.

Gmail also limits how many calls of one user run at once, and counts each part of a
batch as a call: two batches of 50 in flight get 429 "Too many concurrent requests for
user" for some of their parts. So batches start at 25 (reports put the safe size at
10-25), and every rate-limit answer halves the size and drops to one batch in flight for
the rest of the run; every second batch answered without one doubles the size again, up
to 25. A rate-limit answer is Google asking to slow down, not a failure: it never uses
up one of a part's ``MAX_ATTEMPTS`` tries; patience with it runs out only after
``RATE_LIMIT_PATIENCE`` seconds of waiting with no batch getting through in between.

Two batches are in flight at once so that building and reading one overlaps the other's
round trip (a batch costs the client tens of milliseconds of CPU). Each worker thread has
its own transport: httplib2 is not thread-safe. The pacer is charged before a batch is
sent, always from the calling thread.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from googleapiclient.errors import BatchError, HttpError
from googleapiclient.http import BatchHttpRequest

from agent.providers.google.client import Api, Sleep
from agent.providers.google.failures import (
    GoogleUnavailable,
    is_rate_limit,
    is_transient,
    problem_of,
    retry_after,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 25  # the first size; Google allows 100 calls in a batch, discourages > 50
IN_FLIGHT = 2
MAX_ATTEMPTS = 6  # tries of one call, rate-limit answers not counted
RATE_LIMIT_PATIENCE = 600.0  # seconds of rate-limit waits in a row before giving up
REGROW_AFTER = 2  # batches in a row without a rate limit before the size doubles again


@dataclass
class Sent:
    """What one batch brought back."""

    answers: dict[str, Any] = field(default_factory=dict)
    again: list[str] = field(default_factory=list)  # failed for a reason that passes
    limited: list[str] = field(default_factory=list)  # of those, refused by a rate limit
    pause: float = 0.0  # seconds a Retry-After asked for


class BatchRun:
    """One ``Calls.batch``: returns key → ``parse(answer)``, or the HttpError that is final
    (404 and the like; the caller decides). Requests are built (``build(key)``) and answers
    parsed in the worker threads, where that work overlaps the other batch's round trip.
    ``answered`` is told each batch's answers as they come (a journal keeps them)."""

    def __init__(
        self,
        api: Api,
        keys: Iterable[str],
        build: Callable[[str], Any],
        method: str,
        *,
        parse: Callable[[Any], Any],
        sleep: Sleep,
        backoff: Callable[[int], float],
        send: Callable[[Api, BatchHttpRequest, Any, str], None],
        answered: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.api = api
        self.build = build
        self.parse = parse
        self.method = method
        self.sleep = sleep
        self.backoff = backoff
        self.execute = send  # executes one batch on a transport, errors translated
        self.answered = answered
        self.results: dict[str, Any] = {}
        self.pending = deque(dict.fromkeys(keys))
        self.tries: Counter[str] = Counter()  # failed tries per key, rate limits not counted
        self.rounds: Counter[str] = Counter()  # every failed try, for the backoff's growth
        self.size = BATCH_SIZE
        self.in_flight = IN_FLIGHT
        self.waited = 0.0  # seconds slept on rate limits since a batch last got through
        self.clean = 0  # batches in a row without a rate-limit answer
        self.local = threading.local()

    def run(self, done: Callable[[int], None] | None = None) -> dict[str, Any]:
        with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="google-batch") as pool:
            running: set[Future[Sent]] = set()
            while self.pending or running:
                while self.pending and len(running) < self.in_flight:
                    size = min(self.size, len(self.pending))
                    chunk = [self.pending.popleft() for _ in range(size)]
                    self.api.pacer.spend(self.api.units(self.method) * len(chunk))
                    running.add(pool.submit(self.send, chunk))
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    self.settle(future.result())
                if done is not None:
                    done(len(self.results))
        return self.results

    def settle(self, sent: Sent) -> None:
        self.results.update(sent.answers)
        if self.answered is not None and sent.answers:
            self.answered(sent.answers)
        if sent.limited:
            self.slow_down()
        else:
            self.speed_up()
        if not sent.again:
            return
        limited = set(sent.limited)
        self.tries.update(key for key in sent.again if key not in limited)
        self.rounds.update(sent.again)
        attempt = max(self.tries[key] for key in sent.again)
        if attempt >= MAX_ATTEMPTS:
            raise GoogleUnavailable(
                f"Google {self.api.name} kept failing {self.method} after {attempt} tries",
                "nothing was saved; run the command again in a few minutes",
            )
        pause = max(sent.pause, self.backoff(max(self.rounds[key] for key in sent.again)))
        if sent.limited:
            self.waited += pause
            if self.waited > RATE_LIMIT_PATIENCE:
                raise GoogleUnavailable(
                    f"Google {self.api.name} kept asking nurture to slow down for "
                    f"{self.waited / 60:.0f} minutes ({self.method})",
                    "another app may be using the same Google account heavily; run the "
                    "command again later",
                )
        self.sleep(pause)
        self.pending.extendleft(reversed(sent.again))

    def speed_up(self) -> None:
        self.waited, self.clean = 0.0, self.clean + 1
        if self.clean >= REGROW_AFTER and self.size < BATCH_SIZE:
            self.size, self.clean = min(BATCH_SIZE, self.size * 2), 0

    def slow_down(self) -> None:
        self.clean = 0
        smaller = max(1, self.size // 2)
        if smaller != self.size or self.in_flight > 1:
            log.info(
                "Google asked to slow down: batches of %d, one batch at a time from now on",
                smaller,
            )
        self.size, self.in_flight = smaller, 1

    def send(self, chunk: list[str]) -> Sent:
        """One batch, in a worker thread."""
        sent = Sent()

        def answer(key: str, response: Any, error: HttpError | None) -> None:
            if error is None and isinstance(response, dict):
                sent.answers[key] = self.parse(response)
            elif error is None:  # a part whose body was cut or garbled: text, not JSON
                sent.again.append(key)
            elif is_transient(error):
                sent.again.append(key)
                sent.pause = max(sent.pause, retry_after(error))
                if is_rate_limit(error):
                    sent.limited.append(key)
            elif (problem := problem_of(self.api.name, self.method, error)) is not None:
                raise problem  # 401, a 403 the rep must fix: no part would fare better
            else:
                sent.answers[key] = error

        batch = WholeBatch(callback=answer, batch_uri=self.api.batch_uri)
        for key in chunk:
            batch.add(self.build(key), request_id=key)
        try:
            self.execute(self.api, batch, self.http(), self.method)
        except GoogleUnavailable as error:
            log.info("a batch of %d %s was lost (%s)", len(chunk), self.method, error)
            lost = [k for k in chunk if k not in sent.answers]
            limited = lost if error.rate_limited else []
            return Sent(sent.answers, lost, limited, error.retry_after)
        return sent

    def http(self) -> Any:
        if not hasattr(self.local, "http"):
            self.local.http = self.api.new_http()
        return self.local.http


class WholeBatch(BatchHttpRequest):  # type: ignore[misc]  # the client is untyped
    """A batch whose answer must hold every part it asked for.

    The client reads a multipart answer that was cut short (between parts or inside one,
    by a proxy or a connection closed early) without checking it: a missing part ends in
    a KeyError, a mangled one in a ValueError or IndexError, deep in ``execute``. Here both
    become a BatchError, which ``failures`` treats as a lost answer: the batch is sent again.
    Only the client's parsing runs inside ``_execute``; the callbacks run after it.
    """

    def _execute(self, http: Any, order: list[str], requests: dict[str, Any]) -> None:
        try:
            super()._execute(http, order, requests)
        except (ValueError, IndexError, KeyError, TypeError, AttributeError) as error:
            raise BatchError(f"unreadable batch answer ({type(error).__name__})") from error
        missing = sum(1 for request_id in order if request_id not in self._responses)
        if missing:
            raise BatchError(f"the batch answer lacks {missing} of {len(order)} parts")
