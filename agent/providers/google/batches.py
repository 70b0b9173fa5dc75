"""Many idempotent calls as batches: at most 50 each, two on the wire, failures re-queued.

google-api-python-client retries nothing inside a batch: each part answers on its own,
and a part that failed with 429, a rate-limit 403 or a 5xx reaches the callback like any
other. Those parts, and every part of a batch whose answer was lost or cut short, are
queued again and sent after a backoff that honours Retry-After, up to ``MAX_ATTEMPTS``.

Two batches are in flight at once so that building and reading one overlaps the other's
round trip (a 50-part batch costs the client tens of milliseconds of CPU). The first
rate-limit answer drops that to one for the rest of the run. Each worker thread has its own
transport: httplib2 is not thread-safe. The pacer is charged before a batch is sent,
always from the calling thread.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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

BATCH_SIZE = 50  # Google allows 100 calls in a batch but discourages more than 50
IN_FLIGHT = 2
MAX_ATTEMPTS = 6

# (answers by key, keys to send again, seconds a Retry-After asked for, rate-limited?)
Sent = tuple[dict[str, Any], list[str], float, bool]


class BatchRun:
    """One ``Calls.batch``: returns key → ``parse(answer)``, or the HttpError that is final
    (404 and the like; the caller decides). Requests are built (``build(key)``) and answers
    parsed in the worker threads, where that work overlaps the other batch's round trip."""

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
    ) -> None:
        self.api = api
        self.build = build
        self.parse = parse
        self.method = method
        self.sleep = sleep
        self.backoff = backoff
        self.execute = send  # executes one batch on a transport, errors translated
        self.results: dict[str, Any] = {}
        self.pending = deque(dict.fromkeys(keys))
        self.tries: Counter[str] = Counter()
        self.in_flight = IN_FLIGHT
        self.local = threading.local()

    def run(self, done: Callable[[int], None] | None = None) -> dict[str, Any]:
        with ThreadPoolExecutor(self.in_flight, thread_name_prefix="google-batch") as pool:
            running: set[Future[Sent]] = set()
            while self.pending or running:
                while self.pending and len(running) < self.in_flight:
                    size = min(BATCH_SIZE, len(self.pending))
                    chunk = [self.pending.popleft() for _ in range(size)]
                    self.api.pacer.spend(self.api.units(self.method) * len(chunk))
                    running.add(pool.submit(self.send, chunk))
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    self.settle(*future.result())
                if done is not None:
                    done(len(self.results))
        return self.results

    def settle(
        self, answers: dict[str, Any], again: list[str], pause: float, limited: bool
    ) -> None:
        self.results.update(answers)
        if not again:
            return
        if limited and self.in_flight > 1:
            log.info("Google asked to slow down: one batch at a time from now on")
            self.in_flight = 1
        self.tries.update(again)
        attempt = max(self.tries[key] for key in again)
        if attempt >= MAX_ATTEMPTS:
            raise GoogleUnavailable(
                f"Google {self.api.name} kept failing {self.method} after {attempt} tries",
                "nothing was saved; run the command again in a few minutes",
            )
        self.sleep(max(pause, self.backoff(attempt)))
        self.pending.extendleft(reversed(again))

    def send(self, chunk: list[str]) -> Sent:
        """One batch, in a worker thread."""
        answers: dict[str, Any] = {}
        again: list[str] = []
        waits = [0.0]
        limited = [False]

        def answer(key: str, response: Any, error: HttpError | None) -> None:
            if error is None and isinstance(response, dict):
                answers[key] = self.parse(response)
            elif error is None:  # a part whose body was cut or garbled: text, not JSON
                again.append(key)
            elif is_transient(error):
                again.append(key)
                waits.append(retry_after(error))
                limited[0] = limited[0] or is_rate_limit(error)
            elif (problem := problem_of(self.api.name, self.method, error)) is not None:
                raise problem  # 401, a 403 the rep must fix: no part would fare better
            else:
                answers[key] = error

        batch = WholeBatch(callback=answer, batch_uri=self.api.batch_uri)
        for key in chunk:
            batch.add(self.build(key), request_id=key)
        try:
            self.execute(self.api, batch, self.http(), self.method)
        except GoogleUnavailable as error:
            log.info("a batch of %d %s was lost (%s)", len(chunk), self.method, error)
            return answers, [k for k in chunk if k not in answers], 0.0, False
        return answers, again, max(waits), limited[0]

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
