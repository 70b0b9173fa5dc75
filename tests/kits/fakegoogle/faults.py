"""Fault injection: rules that make the next N matching calls fail in a chosen way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .core import ApiError, Call

Matcher = str | Callable[[Call], bool] | None
TRANSPORT_FAULTS = ("slow", "drop", "truncate", "cut")

_DEFAULT_ERRORS = {
    401: ("Request had invalid authentication credentials.", "authError", "global"),
    429: ("Resource has been exhausted (e.g. check quota).", "rateLimitExceeded", "usageLimits"),
    403: ("User Rate Limit Exceeded", "userRateLimitExceeded", "usageLimits"),
    500: ("Backend Error", "backendError", "global"),
    503: ("The service is currently unavailable.", "backendError", "global"),
}

_MESSAGES = {
    (403, "rateLimitExceeded"): "Rate Limit Exceeded",
    (403, "insufficientPermissions"): "Request had insufficient authentication scopes.",
    (403, "forbidden"): "The caller does not have permission",
    (403, "domainPolicy"): "The domain administrators have disabled Gmail apps.",
    (403, "dailyLimitExceeded"): "Daily Limit Exceeded",
    (403, "quotaExceeded"): "Calendar usage limits exceeded.",
    (403, "requiredAccessLevel"): "You need to have writer access to this calendar.",
    (403, "accessNotConfigured"): "Gmail API has not been used in project 1 before or it is "
    "disabled.",
}


@dataclass
class FaultRule:
    """One injected fault. ``remaining`` counts down as matching calls consume it."""

    kind: int | str  # an HTTP status, or "slow" / "drop" / "truncate" / "cut"
    remaining: int
    match: Matcher = None
    reason: str | None = None
    seconds: float = 1.0
    # drop/truncate/cut after the call took effect (its response is lost); slow: the call
    # takes effect at once and only its answer is late
    after: bool = False
    retry_after: int | None = None  # an error's Retry-After header, in seconds
    hits: int = 0

    def matches(self, call: Call | None) -> bool:
        """``call`` None is the batch envelope itself: only ``match="batch"`` selects it."""
        if self.match == "batch" or call is None:
            return self.match == "batch" and call is None
        if self.match is None:
            return True
        if callable(self.match):
            return bool(self.match(call))
        return self.match in (call.api, call.method_id) or call.method_id.endswith("." + self.match)

    def error(self) -> ApiError:
        assert isinstance(self.kind, int)
        message, reason, domain = _DEFAULT_ERRORS.get(
            self.kind, ("Injected failure.", "backendError", "global")
        )
        if self.reason is not None:
            reason = self.reason
            message = _MESSAGES.get((self.kind, reason), message)
        return ApiError(self.kind, message, reason, domain=domain)

    def headers(self) -> dict[str, str]:
        """Headers an error answer carries (Google sends Retry-After with some 429/503s)."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class FaultPlan:
    """The active rules, consumed in the order they were injected. Guarded by the server lock."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        if isinstance(rule.kind, str) and rule.kind not in TRANSPORT_FAULTS:
            raise ValueError(
                f"unknown fault {rule.kind!r}: use an HTTP status or {TRANSPORT_FAULTS}"
            )
        if isinstance(rule.kind, int) and not 400 <= rule.kind <= 599:
            raise ValueError(f"fault status {rule.kind} is not an HTTP error")
        self.rules.append(rule)
        return rule

    def take(self, call: Call | None) -> list[FaultRule]:
        """All rules this call consumes: at most one of each family (delay, error, transport)."""
        taken: list[FaultRule] = []
        families: set[str] = set()
        for rule in self.rules:
            family = "slow" if rule.kind == "slow" else "fail"
            if rule.remaining <= 0 or family in families or not rule.matches(call):
                continue
            rule.remaining -= 1
            rule.hits += 1
            families.add(family)
            taken.append(rule)
        self.rules = [r for r in self.rules if r.remaining > 0]
        return taken

    @property
    def pending(self) -> int:
        return sum(r.remaining for r in self.rules)
