"""The Gmail and Calendar clients, built offline from the discovery documents bundled with
google-api-python-client, aimed at Google or at a compatible server (``google.endpoint``).

Both APIs keep Google's own paths under any root: Gmail ``<root>gmail/v1/...``, Calendar
``<root>calendar/v3/...``, and batches go to ``<root>batch/gmail/v1`` and
``<root>batch/calendar/v3``. The batch URI is always given explicitly: Gmail's bundled
document has ``batchPath: "batch"`` (Google's retired global endpoint), and
``client_options={"api_endpoint": ...}`` would leave batches aimed at Google anyway.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httplib2
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.http import HttpRequest

from agent.errors import UserError
from agent.providers.google.pacing import CALENDAR_REQUESTS_PER_MINUTE, Pacer

TIMEOUT_SECONDS = 60.0
_VERSIONS = {"gmail": "v1", "calendar": "v3"}
_BATCH_WIDE_HEADERS = frozenset({"user-agent", "x-goog-api-client", "accept-encoding"})
_BATCH_PATHS = {"gmail": "batch/gmail/v1", "calendar": "batch/calendar/v3"}

# Gmail quota units per call (GOOGLE.md); Calendar counts requests, 1 each.
GMAIL_UNITS = {
    "getProfile": 1,
    "settings.sendAs.list": 1,
    "history.list": 2,
    "messages.list": 5,
    "messages.get": 5,
    "drafts.create": 10,
    "drafts.get": 5,
    "drafts.list": 5,
    "drafts.update": 15,
    "drafts.delete": 10,
    "messages.send": 100,
    "drafts.send": 100,
}

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Api:
    """One API's client resource, where its batches go, and the pacer of its quota."""

    name: str  # "gmail" | "calendar"
    service: Any  # a googleapiclient Resource
    batch_uri: str
    pacer: Pacer
    new_http: Callable[[], Any]  # a transport for another thread (httplib2 is not thread-safe)

    def units(self, method: str) -> int:
        return GMAIL_UNITS.get(method, 5) if self.name == "gmail" else 1


def endpoint_root(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"google.endpoint {endpoint!r} is not an http(s) URL",
            "use a base URL such as http://127.0.0.1:8080/, or remove google.endpoint",
        )
    return endpoint if endpoint.endswith("/") else endpoint + "/"


def make_http(credentials: Any = None, timeout: float = TIMEOUT_SECONDS) -> Any:
    """An httplib2 transport; with credentials it adds (and refreshes) the OAuth header."""
    http = httplib2.Http(timeout=timeout)
    if credentials is None:
        return http
    import google_auth_httplib2

    return google_auth_httplib2.AuthorizedHttp(credentials, http=http)


def build_apis(
    endpoint: str | None,
    new_http: Callable[[], Any],
    *,
    gmail_units_per_minute: int,
    sleep: Sleep = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[Api, Api]:
    """(gmail, calendar), built from the bundled documents: no network, no discovery call.

    ``new_http`` makes a transport (see :func:`make_http`); each API gets its own.
    """
    root = endpoint_root(endpoint) if endpoint else None
    gmail_pacer = Pacer(gmail_units_per_minute, clock=clock, sleep=sleep)
    calendar_pacer = Pacer(CALENDAR_REQUESTS_PER_MINUTE, clock=clock, sleep=sleep)
    return (
        _build("gmail", root, new_http, gmail_pacer),
        _build("calendar", root, new_http, calendar_pacer),
    )


def _build(name: str, root: str | None, new_http: Callable[[], Any], pacer: Pacer) -> Api:
    text = get_static_doc(name, _VERSIONS[name])
    if text is None:  # pragma: no cover - google-api-python-client bundles both documents
        raise RuntimeError(f"no bundled discovery document for {name}")
    doc = json.loads(text)
    if root is not None:
        doc["rootUrl"] = root
        doc["baseUrl"] = root + doc["servicePath"]
        doc.pop("mtlsRootUrl", None)  # else a client certificate could redirect us to Google
    service = build_from_document(doc, http=new_http())
    return Api(name, service, doc["rootUrl"] + _BATCH_PATHS[name], pacer, new_http)


def with_id(template: HttpRequest, placeholder: str, value: str) -> HttpRequest:
    """``template`` (made with ``placeholder`` as its id) for another id, for a batch.

    The client validates and encodes every argument of every call, which costs as much
    CPU as reading the answer; thousands of gets that differ only in the id are cloned
    from one instead. Only plain ids (Gmail's are hex) are put into the path like this.
    """
    if not value.isalnum():
        raise ValueError(f"not a plain id: {value!r}")
    # Google applies a batch's own headers to every call in it; a call meant for a batch
    # needs no client identification of its own (each header costs the client's MIME
    # serializer a fold per call).
    headers = {k: v for k, v in template.headers.items() if k not in _BATCH_WIDE_HEADERS}
    return HttpRequest(
        template.http,
        template.postproc,
        template.uri.replace(placeholder, value, 1),
        method=template.method,
        body=template.body,
        headers=headers,
        methodId=template.methodId,
    )
