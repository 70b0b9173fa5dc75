"""Pacing under Google's per-user quotas, so that normal operation never meets a 429.

Gmail counts quota units per user per minute (15,000 by default; 6,000 for projects created
after May 2026) and Calendar counts requests (600 per user per minute). A pacer keeps
what was spent in the last 60 seconds and sleeps before a call that would go over the
budget less some headroom, which leaves room for other clients of the same mailbox (the
Gmail app on the rep's phone spends from the same budget) and for clock skew.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
HEADROOM = 0.9  # spend at most 90% of the configured budget in any minute
# Google counts a call when it arrives, we when we send it; waiting this share of the window
# past the oldest call keeps a slow old call and a fast new one from sharing a window there.
GUARD = 0.01
CALENDAR_REQUESTS_PER_MINUTE = 600


class Pacer:
    """A sliding window (a minute) of spent units, the shape Google's quota has.

    A token bucket refilled at budget/60 per second would be gentler, but it would make a
    10,000-unit back-fill take 45 s when the quota lets it run at network speed.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        headroom: float = HEADROOM,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = max(1, int(per_minute * headroom))
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self.spent: deque[tuple[float, int]] = deque()
        self.used = 0
        self.waited = 0.0  # seconds slept so far, for logs and benchmarks

    def spend(self, units: int) -> None:
        """Wait until ``units`` fit in the window, then record them as spent."""
        units = min(units, self.limit)  # a call bigger than the budget waits for an empty window
        while True:
            now = self.clock()
            while self.spent and self.spent[0][0] <= now - self.window * (1 + GUARD):
                self.used -= self.spent.popleft()[1]
            if self.used + units <= self.limit:
                self.spent.append((now, units))
                self.used += units
                return
            pause = max(self.spent[0][0] + self.window * (1 + GUARD) - now, 0.001)
            self.waited += pause
            self.sleep(pause)
