"""A sender's name from the signature block of their own message, when the headers carry
none (``From: mjones7@txu.com``). Only the part the sender wrote is read (quoted replies and
forwards cut off), and a name counts only when the address agrees with it (its local part
holds the surname or the first name), so a colleague's signature never names someone else.
"""

from __future__ import annotations

import re

_QUOTE = re.compile(
    r"^(>|-{2,}\s*original message|-{2,}\s*forwarded|on .{4,200} wrote:|from:\s)",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^(best|best regards|regards|kind regards|thanks|thank you|many thanks|cheers|sincerely"
    r"|all the best|warm regards|--)[,.!]?$",
    re.IGNORECASE,
)
_NAME = re.compile(r"^[A-Z][a-zA-Z'-]+(?: [A-Z]\.?)?(?: [A-Z][a-zA-Z'-]+){1,2}$")
LINES_READ = 400  # a signature sits near the top of what the sender wrote


def name_from_signature(body: str, email: str) -> str:
    """The name under the sender's sign-off, "" unless the address agrees with it."""
    own = []
    for line in body.splitlines()[:LINES_READ]:
        text = line.strip()
        if _QUOTE.match(text):
            break
        own.append(text)
    local = re.sub(r"[^a-z]", "", email.partition("@")[0].lower())
    for index, text in enumerate(own):
        if not _SIGN_OFF.match(text):
            continue
        after = next((t for t in own[index + 1 :] if t), "")
        if _NAME.match(after) and _agrees(after, local):
            return after
    return ""


def _agrees(name: str, local: str) -> bool:
    words = [re.sub(r"[^a-z]", "", w.lower()) for w in name.split()]
    first, last = words[0], words[-1]
    return len(local) >= 3 and (
        (len(last) >= 3 and last in local) or (len(first) >= 3 and local.startswith(first))
    )
