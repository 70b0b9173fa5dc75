"""Where the Google token may go: ``google.endpoint`` is checked before anything connects.

The OAuth token opens the rep's mail. A compatible server on this machine (the tests'
fake, a local mirror) needs none and may speak plain http; anything else gets the token in
its requests, so it must be https and be Google (``*.googleapis.com``) or be trusted
explicitly (``google.trust_endpoint: true``). Plain http to another host would put the
token and the mail on the network in clear text: always refused.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

GOOGLE_DOMAIN = "googleapis.com"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_problem(endpoint: str, trusted: bool) -> str:
    """Why nurture must not use ``endpoint``; "" when it may."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return "is not an http(s) URL such as http://127.0.0.1:8080/"
    if is_loopback(host):
        return ""
    if parts.scheme == "http":
        return (
            "uses plain http to another machine, which would send your Google token and mail "
            "unencrypted; only 127.0.0.1, ::1 and localhost may use http"
        )
    google = host.lower() == GOOGLE_DOMAIN or host.lower().endswith("." + GOOGLE_DOMAIN)
    if not google and not trusted:
        return (
            f"is not Google, and {host} would receive your Google token; "
            "set google.trust_endpoint: true if you trust that server"
        )
    return ""
