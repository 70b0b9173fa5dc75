"""Running API calls: paced, retried where that is safe (errors: see ``failures``).

* ``retried``: idempotent calls (reads, and writes made safe by a client-chosen id) are
  tried again after anything transient: 5xx, 429, a rate-limit 403, and an answer that was
  lost, timed out, cut short or garbled. The client's own ``execute(num_retries=...)`` is
  not used: it ignores Retry-After, its waits are uncapped, it does not retry a cut
  answer, and its tries would bypass the pacer. Each try here is paced and charged.
* ``once``: other writes. A second try could create twice, so they get one; their callers
  make them safe (a draft is looked for before it is created again) and retry there.
* ``batch``: many idempotent calls in batches (see ``batches``).

Single calls and batch parts share one budget (``MAX_ATTEMPTS`` tries) and one backoff.
A rate-limit answer (429, rate-limit 403) is Google asking to wait, not a failed try: it
is waited out without using up a try, for up to ``RATE_LIMIT_PATIENCE`` seconds a call.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from googleapiclient.http import BatchHttpRequest

from agent.providers.google.batches import MAX_ATTEMPTS, RATE_LIMIT_PATIENCE, BatchRun
from agent.providers.google.client import Api, Sleep
from agent.providers.google.failures import GoogleUnavailable, answer_of, translated

log = logging.getLogger(__name__)

BACKOFF_START = 0.5
BACKOFF_CAP = 30.0


class Calls:
    """Executes requests for one provider; ``sleep`` and ``rand`` are injectable for tests."""

    def __init__(self, *, sleep: Sleep = time.sleep, rand: Callable[[], float] = random.random):
        self.sleep = sleep
        self.rand = rand

    def retried(
        self, api: Api, request: Any, method: str, *, keep: frozenset[int] = frozenset()
    ) -> Any:
        """An idempotent call, tried again on anything transient, up to MAX_ATTEMPTS failed
        tries (rate-limit answers are waited out and not counted). Error answers with a
        status in ``keep`` reach the caller as HttpError, for it to judge."""
        tries = rounds = 0
        waited = 0.0
        while True:
            try:
                return self.once(api, request, method, keep=keep)
            except GoogleUnavailable as error:
                rounds += 1
                tries += 0 if error.rate_limited else 1
                pause = max(error.retry_after, self.backoff(rounds))
                if error.rate_limited:
                    waited += pause
                if waited > RATE_LIMIT_PATIENCE:
                    raise GoogleUnavailable(
                        f"Google {api.name} kept asking nurture to slow down for "
                        f"{waited / 60:.0f} minutes ({method})",
                        "another app may be using the same Google account heavily; run the "
                        "command again later",
                    ) from None
                if tries >= MAX_ATTEMPTS:
                    raise GoogleUnavailable(
                        f"{error.message} ({tries} tries)", error.hint
                    ) from None
                log.info("%s: %s; trying again in %.1f s", method, error.message, pause)
                self.sleep(pause)

    def once(
        self, api: Api, request: Any, method: str, *, keep: frozenset[int] = frozenset()
    ) -> Any:
        """One try: the caller decides whether and how a failed write may be repeated."""
        api.pacer.spend(api.units(method))
        with translated(api.name, method, keep=keep):
            return answer_of(request.execute(num_retries=0), api.name, method)

    def batch(
        self,
        api: Api,
        keys: Iterable[str],
        build: Callable[[str], Any],
        method: str,
        *,
        parse: Callable[[Any], Any] = lambda answer: answer,
        done: Callable[[int], None] | None = None,
        answered: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Idempotent calls ``build(key)`` in batches: key → ``parse(answer)``, or the final
        HttpError (404, ...). ``done`` is told how many have answered so far, ``answered``
        each batch's answers."""
        run = BatchRun(
            api,
            keys,
            build,
            method,
            parse=parse,
            sleep=self.sleep,
            backoff=self.backoff,
            send=_execute,
            answered=answered,
        )
        return run.run(done)

    def backoff(self, attempt: int) -> float:
        """Exponential with jitter: 0.5 s, 1 s, 2 s, ... capped, each times 0.5-1."""
        return min(BACKOFF_CAP, BACKOFF_START * 2.0 ** (attempt - 1)) * (0.5 + self.rand() / 2)


def _execute(api: Api, batch: BatchHttpRequest, http: Any, method: str) -> None:
    with translated(api.name, f"{method} batch"):
        batch.execute(http=http)
