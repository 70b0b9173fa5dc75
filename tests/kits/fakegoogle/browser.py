"""The rep's browser on the consent link: the fake's consent page, then the redirect.

``visit(url)`` opens the consent page and follows its redirect the way a browser does.
Browsers refuse to load some ports at all (the Fetch standard's "bad ports": Chrome shows
ERR_UNSAFE_PORT, Firefox "This address is restricted"), port 1 among them; a redirect
there raises :class:`BlockedPort`. Otherwise the browser loads the address: a local
server (``run_local_server``) gets the code, or, when nothing listens, the page fails and
the address stays in the address bar for the rep to copy (the console flow).
"""

from __future__ import annotations

import contextlib
import threading
import urllib.error
import urllib.request
from urllib.parse import urlsplit

# https://fetch.spec.whatwg.org/#bad-port
BAD_PORTS = frozenset(
    {1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95}
    | {101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161}
    | {179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563}
    | {587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060}
    | {5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080}
)


class BlockedPort(Exception):
    """The browser refused to load the address the consent page sent it to."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def consent(url: str) -> str:
    """Open the consent page; the address it sends the browser to."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as answer:
        if answer.code == 302:
            location = answer.headers["Location"]
            port = urlsplit(location).port
            if port in BAD_PORTS:
                raise BlockedPort(f"the browser refuses to load {location} (unsafe port)") from None
            return str(location)
        raise
    raise AssertionError("the consent page did not redirect")


def visit(url: str) -> str:
    """Consent, then load the address (a listening local server takes the code)."""
    location = consent(url)
    # When nothing listens there the page fails, and the address stays in the bar.
    with contextlib.suppress(OSError):
        urllib.request.urlopen(location, timeout=10).read()
    return location


class Browser:
    """What ``webbrowser.get()`` returns, for ``run_local_server``: it opens the link in
    the background (the flow starts listening only after it asked the browser)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.errors: list[BaseException] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)

        def go() -> None:
            try:
                visit(url)
            except BaseException as error:  # reported by the test, not lost in a thread
                self.errors.append(error)

        threading.Thread(target=go, daemon=True).start()
        return True
