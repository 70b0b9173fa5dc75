"""What Google's errors mean: transient (try again later), or a sentence for the rep
(a 403: ``refusals``).

google-api-python-client raises ``HttpError`` for an error answer and lets httplib2 and
http.client errors through for a lost or mangled one. Code that calls Google wraps the call
in :func:`translated`: errors the rep can act on become :class:`UserError`, transient ones
:class:`GoogleUnavailable`; anything else (404, 409, 410) stays an ``HttpError`` for the
caller, which knows what it means there.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httplib2
from google.auth.exceptions import RefreshError
from googleapiclient.errors import BatchError, HttpError

from agent.errors import UserError
from agent.providers.google.auth import reconnect_error
from agent.providers.google.refusals import refusal

RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
MAX_RETRY_AFTER = 120.0
# What a lost or mangled answer looks like from httplib2 and http.client (a body cut in
# the middle of a UTF-8 character fails to decode).
TRANSPORT_ERRORS = (
    OSError,
    httplib2.HttpLib2Error,
    http.client.HTTPException,
    BatchError,
    UnicodeDecodeError,
)


class GoogleUnavailable(UserError):
    """Google kept failing with errors that usually pass; nothing was saved."""

    def __init__(
        self, message: str, hint: str = "", retry_after: float = 0.0, rate_limited: bool = False
    ) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after  # seconds Google asked us to wait, 0 if it did not
        self.rate_limited = rate_limited  # Google asked to slow down: not a failed try


def answer_of(answer: Any, api_name: str, what: str) -> dict[str, Any]:
    """An API answer as the JSON object every Gmail and Calendar method returns.

    The client hands back the raw text when a body does not parse as JSON (an answer cut
    short where nothing told the client its length, or a proxy's error page): that is a
    lost answer, never data. Deletes answer 204 with no body, which the client gives as "".
    """
    if answer == "" and what.endswith(".delete"):
        return {}
    if not isinstance(answer, dict):
        raise GoogleUnavailable(
            f"Google {api_name} sent a cut or garbled answer to {what}",
            "nothing was saved; check the network connection and run the command again",
        )
    return answer


def error_reason(error: HttpError) -> str:
    """The ``errors[0].reason`` of a Google error body, "" when there is none."""
    try:
        body = json.loads(error.content)
        return str(body["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def status_of(error: HttpError) -> int:
    return int(error.resp.status)


def is_transient(error: HttpError) -> bool:
    """What the client's own retry treats as passing: 5xx, 429, rate-limit 403."""
    status = status_of(error)
    return status >= 500 or status == 429 or (status == 403 and error_reason(error) in RATE_REASONS)


def is_rate_limit(error: HttpError) -> bool:
    return status_of(error) in (403, 429) and is_transient(error)


def retry_after(error: HttpError) -> float:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), else 0."""
    value = str(error.resp.get("retry-after", "")).strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    with contextlib.suppress(TypeError, ValueError):
        moment = email.utils.parsedate_to_datetime(value)
        seconds = (moment - datetime.now(UTC)).total_seconds()
        return float(max(0.0, min(seconds, MAX_RETRY_AFTER)))
    return 0.0


@contextlib.contextmanager
def translated(api_name: str, what: str, keep: frozenset[int] = frozenset()) -> Iterator[None]:
    """Errors the rep can act on become UserErrors; transient ones GoogleUnavailable;
    those with a status in ``keep`` stay HttpErrors for the caller."""
    try:
        yield
    except RefreshError as error:
        raise reconnect_error(error) from None
    except TRANSPORT_ERRORS as error:  # before HttpError: BatchError is one, without a status
        raise GoogleUnavailable(
            f"no usable answer from Google {api_name} ({what}): {error or type(error).__name__}",
            "check the network connection and run the command again",
        ) from None
    except HttpError as error:
        problem = None if status_of(error) in keep else problem_of(api_name, what, error)
        if problem is None:
            raise
        raise problem from None


def problem_of(api_name: str, what: str, error: HttpError) -> UserError | None:
    """What an error answer means to the rep; None for those the caller must judge
    (404, 409, 410 ...)."""
    status, reason = status_of(error), error_reason(error)
    if is_transient(error):
        return GoogleUnavailable(
            f"Google {api_name} is failing ({status} {reason or 'error'}) on {what}",
            "nothing was saved; run the command again in a few minutes",
            retry_after(error),
            rate_limited=is_rate_limit(error),
        )
    if status == 401:
        return reconnect_error(error)
    if status == 403:
        return refusal(api_name, what, reason, error)
    return None
