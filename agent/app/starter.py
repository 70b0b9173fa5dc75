"""A starter content library for `nurture init`: the few things the rep already shares.

Until the library has something for an account's tags, the plays that need an offer say so
in the plan instead of sending a bare check-in; a handful of real items on day one means
the first cycle has something worth sending.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from agent.config.playbook import ContentItem
from agent.errors import UserError

LIBRARY = "content.yaml"
_COMMENTED = "# content_file: content.yaml"


def content_item(title: str, url: str, tags: str = "", kind: str = "article") -> ContentItem:
    """One item from what the rep typed; UserError says which part is wrong."""
    try:
        return ContentItem(
            title=title.strip(),
            url=url.strip(),
            kind=kind.strip() or "article",
            tags=tuple(t.strip() for t in tags.split(",") if t.strip()),
        )
    except ValidationError as error:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise UserError(f"content item {title!r}: {problem}", "type it again") from None


def parse_item(text: str) -> ContentItem:
    """``TITLE|URL|tag1,tag2|KIND`` (the last two optional), for --content."""
    parts = [*text.split("|"), "", ""]
    if len(parts) > 6 or not parts[1].strip():
        raise UserError(f"--content {text!r}", "write it as TITLE|URL|tag1,tag2|KIND")
    return content_item(parts[0], parts[1], parts[2], parts[3])


def write_library(directory: Path, items: Sequence[ContentItem]) -> Path:
    """content.yaml with these items (at least one), and config.yaml pointed at it."""
    path = directory / LIBRARY
    lines = ["# Your content library: what nurture may offer, matched on account tags."]
    for item in items:
        lines.append(f"- title: {json.dumps(item.title, ensure_ascii=False)}")
        lines.append(f"  url: {json.dumps(item.url)}")
        lines.append(f"  kind: {item.kind}")
        lines.append(f"  tags: {json.dumps(list(item.tags), ensure_ascii=False)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = directory / "config.yaml"
    text = config.read_text(encoding="utf-8")
    if _COMMENTED in text:
        config.write_text(text.replace(_COMMENTED, f"content_file: {LIBRARY}", 1), "utf-8")
    return path
