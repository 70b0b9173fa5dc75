"""Route table and request validation built from the discovery documents bundled with the
client, so the fake accepts exactly what Google declares and flags everything else."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from googleapiclient.discovery_cache import get_static_doc

APIS = {"gmail": ("gmail", "v1"), "calendar": ("calendar", "v3")}


@cache
def bundled_doc(api: str) -> dict[str, Any]:
    """The discovery document shipped with google-api-python-client (a fresh parse each api)."""
    name, version = APIS[api]
    text = get_static_doc(name, version)
    if text is None:  # pragma: no cover - the client always bundles both
        raise RuntimeError(f"no bundled discovery document for {name} {version}")
    doc: dict[str, Any] = json.loads(text)
    return doc


def discovery_doc(api: str, root_url: str) -> dict[str, Any]:
    """A copy of the bundled document with ``rootUrl`` (and ``baseUrl``) pointed at the fake."""
    doc: dict[str, Any] = json.loads(json.dumps(bundled_doc(api)))
    doc["rootUrl"] = root_url
    doc["baseUrl"] = root_url + doc["servicePath"]
    doc.pop("mtlsRootUrl", None)
    return doc


@dataclass(frozen=True)
class Param:
    name: str
    location: str
    type: str
    repeated: bool
    required: bool
    enum: tuple[str, ...] | None
    pattern: str | None
    minimum: int | None
    maximum: int | None

    @classmethod
    def from_doc(cls, name: str, spec: dict[str, Any]) -> Param:
        return cls(
            name=name,
            location=spec.get("location", "query"),
            type=spec.get("type", "string"),
            repeated=bool(spec.get("repeated")),
            required=bool(spec.get("required")),
            enum=tuple(spec["enum"]) if "enum" in spec else None,
            pattern=spec.get("pattern"),
            minimum=int(spec["minimum"]) if "minimum" in spec else None,
            maximum=int(spec["maximum"]) if "maximum" in spec else None,
        )

    def problems(self, value: str) -> list[str]:
        if self.enum is not None and value not in self.enum:
            return [f"{self.name}={value!r} is not one of {list(self.enum)}"]
        if self.type == "boolean" and value not in ("true", "false"):
            return [f"{self.name}={value!r} is not a boolean"]
        if self.type == "integer":
            try:
                number = int(value)
            except ValueError:
                return [f"{self.name}={value!r} is not an integer"]
            if self.minimum is not None and number < self.minimum:
                return [f"{self.name}={number} is below the minimum {self.minimum}"]
            if self.maximum is not None and number > self.maximum:
                return [f"{self.name}={number} is above the maximum {self.maximum}"]
        if self.pattern is not None and re.match(self.pattern, value) is None:
            return [f"{self.name}={value!r} does not match {self.pattern}"]
        return []


@dataclass(frozen=True)
class Route:
    api: str
    method_id: str
    http_method: str
    template: str
    regex: re.Pattern[str]
    params: dict[str, Param]
    request_schema: str | None
    upload: bool


def _compile(template: str) -> re.Pattern[str]:
    out = []
    for piece in re.split(r"(\{\+?[^}]+\})", template):
        if piece.startswith("{+"):
            out.append(f"(?P<{piece[2:-1]}>.+)")
        elif piece.startswith("{"):
            out.append(f"(?P<{piece[1:-1]}>[^/]+)")
        else:
            out.append(re.escape(piece))
    return re.compile("".join(out) + "$")


def _walk_methods(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(resource.get("methods", {}).values())
    for child in resource.get("resources", {}).values():
        found.extend(_walk_methods(child))
    return found


class Violation(Exception):
    """A request the real API would not accept as the discovery document describes it."""


class Discovery:
    """All routes of both APIs; resolves a path and validates parameters and body fields."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.globals: dict[str, dict[str, Param]] = {}
        self.schemas: dict[str, dict[str, Any]] = {}
        for api in APIS:
            self._load(api, bundled_doc(api))
        # Literal segments must win over variables (drafts/send before drafts/{id}).
        self.routes.sort(key=lambda r: (r.template.count("{"), -len(r.template)))

    def _load(self, api: str, doc: dict[str, Any]) -> None:
        self.globals[api] = {n: Param.from_doc(n, s) for n, s in doc["parameters"].items()}
        self.schemas[api] = doc.get("schemas", {})
        for method in _walk_methods(doc):
            params = {n: Param.from_doc(n, s) for n, s in method.get("parameters", {}).items()}
            schema = method.get("request", {}).get("$ref")
            templates = [(doc["servicePath"] + method["path"], False)]
            simple = method.get("mediaUpload", {}).get("protocols", {}).get("simple", {})
            if "path" in simple:
                templates.append((simple["path"].lstrip("/"), True))
            for template, upload in templates:
                self.routes.append(
                    Route(
                        api,
                        method["id"],
                        method["httpMethod"],
                        template,
                        _compile(template),
                        params,
                        schema,
                        upload,
                    )
                )

    def resolve(self, http_method: str, path: str) -> tuple[Route, dict[str, str]]:
        path_only_match = None
        for route in self.routes:
            match = route.regex.match(path)
            if match is None:
                continue
            if route.http_method != http_method:
                path_only_match = path_only_match or route
                continue
            return route, dict(match.groupdict())
        if path_only_match is not None:
            raise Violation(
                f"{http_method} /{path}: {path_only_match.method_id} "
                f"is {path_only_match.http_method}"
            )
        raise Violation(f"{http_method} /{path}: no such method in the discovery documents")

    def check_query(self, route: Route, query: dict[str, list[str]]) -> list[str]:
        problems: list[str] = []
        for name, values in query.items():
            spec = route.params.get(name)
            if spec is None or spec.location != "query":
                spec = self.globals[route.api].get(name)
            if spec is None:
                problems.append(f"undeclared query parameter {name!r}")
                continue
            if len(values) > 1 and not spec.repeated:
                problems.append(f"parameter {name!r} is not repeated but was sent {len(values)}x")
            for value in values:
                problems.extend(spec.problems(value))
        for spec in route.params.values():
            if spec.required and spec.location == "query" and spec.name not in query:
                problems.append(f"required parameter {spec.name!r} is missing")
        return problems

    def check_body(self, route: Route, body: Any) -> list[str]:
        if route.request_schema is None or route.upload:
            return []
        problems: list[str] = []
        self._check_value(route.api, {"$ref": route.request_schema}, body, "body", problems)
        return problems

    def _check_value(
        self, api: str, schema: dict[str, Any], value: Any, where: str, problems: list[str]
    ) -> None:
        while "$ref" in schema:
            schema = self.schemas[api][schema["$ref"]]
        kind = schema.get("type")
        if kind == "object" and isinstance(value, dict):
            props: dict[str, Any] = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                if key in props:
                    self._check_value(api, props[key], item, f"{where}.{key}", problems)
                elif extra is not None:
                    self._check_value(api, extra, item, f"{where}.{key}", problems)
                else:
                    problems.append(f"unknown field {where}.{key}")
        elif kind == "array" and isinstance(value, list):
            for i, item in enumerate(value):
                self._check_value(api, schema.get("items", {}), item, f"{where}[{i}]", problems)
        elif kind in ("object", "array") and value is not None:
            problems.append(f"{where} should be an {kind}, got {type(value).__name__}")
