"""Gmail's per-user concurrency limit: too many calls at once get 429 "Too many concurrent
requests for user" (reason ``rateLimitExceeded``), whatever the quota says.

Google runs the parts of a batch in parallel, so a batch of N calls holds N slots for as
long as it is being answered (the fake's ``latency`` included); two batches of 50 in flight
hold 100. Google publishes no number: reports put the edge between 50 and 100 calls (a
batch of 100 fails cold, 25 and 50 pass, 50 again fails right after a 429), so the
realistic switch uses 50. The parts over the limit are refused, the others answered.
"""

from __future__ import annotations

import threading

from .core import ApiError

REALISTIC_LIMIT = 50


def too_many() -> ApiError:
    return ApiError(429, "Too many concurrent requests for user", "rateLimitExceeded")


class ConcurrencyLimit:
    """Slots for one user's Gmail calls; ``limit`` None means no limit (the default)."""

    def __init__(self) -> None:
        self.limit: int | None = None
        self.active = 0
        self.peak = 0
        self.refused = 0  # calls answered 429 for want of a slot
        self._lock = threading.Lock()

    def admit(self, wanted: int) -> int:
        """Take up to ``wanted`` slots; returns how many were free (the rest are refused)."""
        with self._lock:
            free = wanted if self.limit is None else max(0, min(wanted, self.limit - self.active))
            self.active += free
            self.peak = max(self.peak, self.active)
            self.refused += wanted - free
            return free

    def release(self, taken: int) -> None:
        with self._lock:
            self.active -= taken
