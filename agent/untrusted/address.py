"""One plain email address: what the config may list and what a header may carry.

Kept apart from ``agent.untrusted.headers`` (which builds and checks whole messages with
the ``email`` package) so that reading the config does not import the ``email`` package.
"""

from __future__ import annotations

import re

ADDRESS_CHARS = 254  # RFC 5321's limit on a forward path

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(
    rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})"
)


def plain_address(value: str) -> str | None:
    """``value`` when it is exactly one ASCII ``local@domain`` with no encoded word; else None."""
    if len(value) > ADDRESS_CHARS or "=?" in value or not _ADDRESS.fullmatch(value):
        return None
    return value
