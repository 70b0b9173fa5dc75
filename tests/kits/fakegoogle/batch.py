"""The batch wire format: multipart/mixed of application/http parts, in and out.

What googleapiclient.http.BatchHttpRequest sends: parts with ``Content-ID: <uuid + n>`` whose
payload is ``METHOD /path?query HTTP/1.1`` + headers (LF line ends) + blank line + body.
What it parses back: the status line up to the first ``\\n``, headers via FeedParser, and the
body after the first ``\\r\\n\\r\\n`` — so every answer uses CRLF and each part's Content-ID is
``<response-` + the request's id + `>``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

from .core import REASON_PHRASES

MAX_PARTS = 100


class BatchFormatError(ValueError):
    """The batch body is not what Google's batch endpoint accepts."""


@dataclass(frozen=True)
class BatchPart:
    content_id: str
    http_method: str
    target: str  # path and query, as in the embedded request line
    headers: dict[str, str]
    body: bytes


def _split_http(payload: str) -> tuple[str, dict[str, str], str]:
    first, _, rest = payload.partition("\n")
    headers: dict[str, str] = {}
    if rest.startswith(("\r\n", "\n")):
        head, body = "", rest.split("\n", 1)[1]
    else:
        pieces = re.split(r"\r?\n\r?\n", rest, maxsplit=1)
        head, body = pieces[0], pieces[1] if len(pieces) > 1 else ""
    for line in head.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return first.rstrip("\r"), headers, body


def parse_batch(content_type: str, body: bytes) -> list[BatchPart]:
    if not content_type.lower().startswith("multipart/mixed"):
        raise BatchFormatError(f"batch Content-Type must be multipart/mixed, not {content_type!r}")
    envelope = message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body, policy=policy.compat32
    )
    if not envelope.is_multipart():
        raise BatchFormatError("batch body is not multipart")
    parts = []
    for part in envelope.get_payload():
        if not isinstance(part, Message):
            raise BatchFormatError("batch body is not multipart")
        if part.get_content_type() != "application/http":
            raise BatchFormatError(f"batch part of type {part.get_content_type()}")
        payload = part.get_payload()
        if not isinstance(payload, str):
            raise BatchFormatError("batch part is not a single HTTP request")
        request_line, headers, text = _split_http(payload)
        match = re.fullmatch(r"([A-Z]+) (\S+)(?: HTTP/1\.[01])?", request_line.strip())
        if match is None:
            raise BatchFormatError(f"bad request line in batch part: {request_line!r}")
        parts.append(
            BatchPart(
                content_id=str(part.get("Content-ID", "")).strip(),
                http_method=match.group(1),
                target=match.group(2),
                headers=headers,
                body=text.encode(),
            )
        )
    if not parts:
        raise BatchFormatError("empty batch")
    if len(parts) > MAX_PARTS:
        raise BatchFormatError(f"{len(parts)} calls in one batch; the limit is {MAX_PARTS}")
    return parts


def response_id(content_id: str, index: int) -> str:
    inner = content_id[1:-1] if content_id.startswith("<") else content_id
    return f"<response-{inner or index}>"


def render_batch(answers: list[tuple[str, int, bytes, dict[str, str]]]) -> tuple[str, bytes]:
    """(content_id, status, json body, extra headers) per part → (Content-Type, CRLF
    multipart body)."""
    boundary = f"batch_{uuid.uuid4().hex}"
    out: list[str] = []
    for index, (content_id, status, body, headers) in enumerate(answers, start=1):
        text = body.decode()
        reason = REASON_PHRASES.get(status, "Error")
        lines = [
            f"--{boundary}",
            "Content-Type: application/http",
            f"Content-ID: {response_id(content_id, index)}",
            "",
            f"HTTP/1.1 {status} {reason}",
        ]
        if text:
            lines.append("Content-Type: application/json; charset=UTF-8")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines += [f"Content-Length: {len(body)}", "", text]
        out.append("\r\n".join(lines))
    out.append(f"--{boundary}--\r\n")
    return f"multipart/mixed; boundary={boundary}", "\r\n".join(out).encode()
