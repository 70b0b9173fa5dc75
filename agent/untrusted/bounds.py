"""How much of an input nurture keeps: every text from mail and calendars is bounded where it
is read, so one crafted message or event cannot fill the store, the memory or a screen.

* subjects, titles and names: control, escape and bidi characters out (the terminal shows
  them, see ``agent.untrusted.terminal``), whitespace collapsed, cut to a length no real
  one reaches;
* recipient and attendee lists: the first ``MAX_PEOPLE`` (a message to more people than
  that is no touch anyway: ``max_participants``);
* message bodies: a text part is decoded only as far as the snippet and the out-of-office
  search read (``BODY_BYTES``), whatever its size or transfer encoding.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re

SUBJECT_CHARS = 1_000
NAME_CHARS = 200
MAX_PEOPLE = 500
BODY_BYTES = 65_536  # the start of a part: all a snippet or a return date reads

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def bounded(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, without control or bidi characters."""
    cut = text[: limit * 4]  # whitespace runs shrink below: look a little further
    line = " ".join(_UNSAFE.sub(" ", cut).split())
    return line[:limit]


def payload_head(raw: str, encoding: str, limit: int = BODY_BYTES) -> bytes:
    """The first ``limit`` bytes of a part, from its transfer-encoded text (as the compat32
    parser keeps it: ASCII with surrogate escapes), decoding only what that needs."""
    encoding = encoding.strip().lower()
    if encoding == "base64":
        # 4 characters per 3 bytes, plus line breaks and stray characters: twice is ample.
        chunk = _NOT_BASE64.sub(b"", _bytes(raw[: limit * 2]))
        chunk = chunk[: len(chunk) - len(chunk) % 4] if len(chunk) % 4 == 1 else chunk
        chunk += b"=" * (-len(chunk) % 4)
        try:
            return base64.b64decode(chunk)[:limit]
        except (binascii.Error, ValueError):
            return b""
    if encoding == "quoted-printable":
        return quopri.decodestring(_bytes(raw[: limit * 3]))[:limit]
    return _bytes(raw[:limit])


def _bytes(text: str) -> bytes:
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # a str payload set in code rather than parsed from bytes
        return text.encode("utf-8", "surrogateescape")
