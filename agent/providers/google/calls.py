"""Running API calls: paced, retried where that is safe (errors: see ``failures``).

* ``retried``: idempotent calls (reads, and writes made safe by a client-chosen id) use
  ``execute(num_retries=...)``: the client retries 5xx, 429, rate-limit 403 and socket
  errors itself. A truncated answer (``IncompleteRead``), which it does not retry, gets a
  few more tries here.
* ``once``: other writes. The client would retry a POST too and could create twice, so
  they get one try; their callers make them safe (the draft marker) and retry there.
* ``batch``: many idempotent calls in batches (see ``batches``).
"""

from __future__ import annotations

import http.client
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from googleapiclient.http import BatchHttpRequest

from agent.providers.google.batches import BatchRun
from agent.providers.google.client import Api, Sleep
from agent.providers.google.failures import translated

READ_RETRIES = 4
TRUNCATED_TRIES = 3
BACKOFF_START = 0.5
BACKOFF_CAP = 30.0


class Calls:
    """Executes requests for one provider; ``sleep`` and ``rand`` are injectable for tests."""

    def __init__(self, *, sleep: Sleep = time.sleep, rand: Callable[[], float] = random.random):
        self.sleep = sleep
        self.rand = rand

    def retried(self, api: Api, request: Any, method: str) -> Any:
        """An idempotent call, retried on anything transient."""
        for attempt in range(1, TRUNCATED_TRIES + 1):
            api.pacer.spend(api.units(method))
            with translated(api.name, method):
                try:
                    return request.execute(num_retries=READ_RETRIES)
                except http.client.HTTPException:  # cut short: the client does not retry it
                    if attempt == TRUNCATED_TRIES:
                        raise
            self.sleep(self.backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def once(self, api: Api, request: Any, method: str) -> Any:
        """One try: the caller decides whether and how a failed write may be repeated."""
        api.pacer.spend(api.units(method))
        with translated(api.name, method):
            return request.execute(num_retries=0)

    def batch(
        self,
        api: Api,
        keys: Iterable[str],
        build: Callable[[str], Any],
        method: str,
        *,
        parse: Callable[[Any], Any] = lambda answer: answer,
        done: Callable[[int], None] | None = None,
    ) -> dict[str, Any]:
        """Idempotent calls ``build(key)`` in batches: key → ``parse(answer)``, or the final
        HttpError (404, ...). ``done`` is told how many have answered so far."""
        run = BatchRun(
            api,
            keys,
            build,
            method,
            parse=parse,
            sleep=self.sleep,
            backoff=self.backoff,
            send=_execute,
        )
        return run.run(done)

    def backoff(self, attempt: int) -> float:
        """Exponential with jitter: 0.5 s, 1 s, 2 s, ... capped, each times 0.5-1."""
        return min(BACKOFF_CAP, BACKOFF_START * 2.0 ** (attempt - 1)) * (0.5 + self.rand() / 2)


def _execute(api: Api, batch: BatchHttpRequest, http: Any, method: str) -> None:
    with translated(api.name, f"{method} batch"):
        batch.execute(http=http)
