"""Partial responses: the ``fields`` selector (``a,b/c,d(e,f)``) applied to a JSON reply."""

from __future__ import annotations

from typing import Any

from .core import bad_request

Mask = dict[str, "Mask | None"]  # None: keep the whole value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def fail(self) -> Exception:
        return bad_request(f"Invalid field selection {self.text}", "invalidParameter")

    def selection(self) -> Mask:
        mask: Mask = {}
        while True:
            self.item(mask)
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            return mask

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",/()":
            self.pos += 1
        if self.pos == start:
            raise self.fail()
        return self.text[start : self.pos]

    def item(self, mask: Mask) -> None:
        path = [self.name()]
        while self.pos < len(self.text) and self.text[self.pos] == "/":
            self.pos += 1
            path.append(self.name())
        sub: Mask | None = None
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            self.pos += 1
            sub = self.selection()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                raise self.fail()
            self.pos += 1
        node = mask
        for key in path[:-1]:
            child = node.get(key, {})
            if child is None:  # already selected whole
                return
            node[key] = child
            node = child
        _merge(node, path[-1], sub)


def _merge(node: Mask, key: str, sub: Mask | None) -> None:
    if key in node:
        existing = node[key]
        if existing is None or sub is None:
            node[key] = None
            return
        for k, v in sub.items():
            _merge(existing, k, v)
        return
    node[key] = sub


def parse_fields(text: str) -> Mask:
    parser = _Parser(text)
    mask = parser.selection()
    if parser.pos != len(parser.text):
        raise parser.fail()
    return mask


def apply_fields(value: Any, mask: Mask) -> Any:
    if isinstance(value, list):
        return [apply_fields(item, mask) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in mask:
        return value
    out: dict[str, Any] = {}
    for key, sub in mask.items():
        if key in value:
            out[key] = value[key] if sub is None else apply_fields(value[key], sub)
    return out
