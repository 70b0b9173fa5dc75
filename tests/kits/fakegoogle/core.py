"""Shared types of the fake: one logical API call, its reply, Google-shaped errors, tokens."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "GONE",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

REASON_PHRASES = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answered the way Google answers it: ``{"error": {code, message, errors}}``."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str,
        *,
        domain: str = "global",
        location: str | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.violation = violation  # also a mistake of the caller the fake must report
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.location = location

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "message": self.message,
            "domain": self.domain,
            "reason": self.reason,
        }
        if self.location is not None:
            detail["locationType"] = "parameter"
            detail["location"] = self.location
        error: dict[str, Any] = {"code": self.code, "message": self.message, "errors": [detail]}
        if self.code in _STATUS_NAMES:
            error["status"] = _STATUS_NAMES[self.code]
        return {"error": error}


def bad_request(message: str, reason: str = "invalidArgument", **kw: Any) -> ApiError:
    return ApiError(400, message, reason, **kw)


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    return ApiError(404, message, "notFound")


@dataclass
class Call:
    """One logical API call (a plain request, or one part of a batch)."""

    api: str
    method_id: str
    http_method: str
    path: str
    path_params: dict[str, str]
    query: dict[str, list[str]]
    body: bytes = b""
    content_type: str = ""
    upload: bool = False
    in_batch: bool = False

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def params(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.param(name)
        return default if value is None else value == "true"

    def int_param(self, name: str, default: int, maximum: int) -> int:
        value = self.param(name)
        return default if value is None else min(int(value), maximum)

    def json(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            data = json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, f"Invalid JSON payload received. {exc}", "parseError") from exc
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid JSON payload received.", "parseError")
        return data


@dataclass
class Reply:
    """What a handler answers: a status and a JSON body (None means no body, e.g. 204)."""

    status: int
    payload: dict[str, Any] | None
    fate: str = "ok"  # "ok" | "drop" | "truncate" | "cut": what the transport does with it
    extra_headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, err: ApiError) -> Reply:
        return cls(err.code, err.body())

    def body_bytes(self) -> bytes:
        if self.payload is None:
            return b""
        # Compact: only then does json use its C encoder (a 2,500-event page is big).
        return json.dumps(self.payload, separators=(",", ":")).encode()


def encode_token(cursor: Any, scope: str, extra: int = 0) -> str:
    raw = json.dumps([cursor, scope, extra]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, scope: str) -> tuple[Any, int]:
    """Return (cursor, extra); a token minted for other parameters is a 400, as on Google."""
    try:
        padded = token + "=" * (-len(token) % 4)
        cursor, token_scope, extra = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError) as exc:
        raise bad_request("Invalid pageToken", "invalid", location="pageToken") from exc
    if token_scope != scope:
        raise bad_request(
            "pageToken does not belong to this query", "invalid", location="pageToken"
        )
    return cursor, int(extra)


def scope_of(*parts: object) -> str:
    """A short digest of the request parameters a page token belongs to."""
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


def paginate(
    call: Call,
    items: Sequence[T],
    key: Callable[[T], list[Any]],
    scope: str,
    *,
    default: int,
    maximum: int,
    extra: int = 0,
) -> tuple[list[T], str | None, int]:
    """Cursor paging over items sorted ascending by ``key``: a change between two page
    requests can repeat an item but never skips one that did not change."""
    size = max(1, call.int_param("maxResults", default, maximum))
    token = call.param("pageToken")
    if token:
        cursor, extra = decode_token(token, scope)
        items = [item for item in items if key(item) > cursor]
    page = list(items[:size])
    more = len(items) > size
    return page, encode_token(key(page[-1]), scope, extra) if more else None, extra


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise bad_request("Invalid value for ByteString: raw", "invalidArgument") from exc
