"""What to call a person: only what the rep's mail, calendar or config actually says.

A display name is taken as written (``"Jones, Melissa"`` reads as Melissa Jones); one that is
only the address or its local part says nothing and is dropped. A local part is a name only
when it clearly is one: ``melissa.jones`` or ``melissa_jones``, never ``mjones7``,
``hherzog`` or ``jsmith`` (inventing "Hi Mjones7," is worse than "Hi,").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"^[a-z]+(-[a-z]+)?$")  # anne.doe-smith
_LAST_FIRST = re.compile(r"^\s*([^,]+?)\s*,\s*([^,]+?)\s*$")
_JUNK = re.compile(r"[@<>/=\\]")
_CODE = re.compile(r"\s+-\s+[A-Z0-9]{4,}$")
_EDGES = re.compile(r"^[\W_]+|[^\w.)]+$")


# Words of letters, one space apart, ending in a letter or a dot: nothing below would change
# it, so only the local-part test applies (most names in a book; 18,000 people on a large one).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z'.]*(?: [A-Za-z][A-Za-z'.]*)*(?<=[A-Za-z.])")


def clean_name(raw: str, email: str = "") -> str:
    """A display name worth using, or "" (empty, an address, the local part, a path)."""
    if _PLAIN.fullmatch(raw):
        return "" if raw.lower() == email.partition("@")[0].lower() else raw
    name = " ".join(raw.replace('"', " ").split())
    name = _EDGES.sub("", name)  # Lotus Notes: "- *Herzog, Hans"
    name = _CODE.sub("", name)  # a directory's department code: "Betonte, Robert - TP2RSB"
    if not name or _JUNK.search(name) or not any(c.isalpha() for c in name):
        return ""
    local = email.partition("@")[0].lower()
    if local and name.lower() == local:
        return ""  # Outlook shows the local part when it knows no name
    found = _LAST_FIRST.match(name)
    if found and " " not in found[1].strip():  # "Jones, Melissa" → "Melissa Jones"
        name = f"{found[2]} {found[1]}"
    return name


def name_from_local_part(email: str) -> str:
    """'melissa.jones@x.com' → 'Melissa Jones'; "" unless the local part clearly is a name."""
    local = email.partition("@")[0].lower()
    words = re.split(r"[._]", local)
    if len(words) < 2 or len(words) > 3 or not all(_WORD.match(w) for w in words):
        return ""
    if len(words[0]) < 2 or len(words[-1]) < 2:
        return ""  # j.smith: an initial is not a first name
    return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in words)


def best_name(email: str, listed: str = "", seen: Iterable[str] = ()) -> str:
    """The config's name, else the newest name seen in mail or invites, else a clear local
    part, else "" (unknown: no name on the To line, a greeting without one)."""
    if listed.strip():
        return " ".join(listed.split())
    for raw in seen:
        name = clean_name(raw, email)
        if name:
            return name
    return name_from_local_part(email)


def first_name(name: str) -> str:
    words = name.replace(",", " ").split()
    return words[0] if words else ""
