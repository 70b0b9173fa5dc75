"""Touches per ISO week for each account: the board's sparklines (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from agent.model import Touch


def weekly_touches(
    touches: Iterable[Touch], now: datetime, tz: ZoneInfo, weeks: int = 12
) -> dict[str, list[int]]:
    """account → distinct messages and meetings in each of the last ``weeks`` ISO weeks (in
    the rep's zone), the oldest first and this week last; future meetings are not counted."""
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    sources: dict[str, list[set[str]]] = defaultdict(lambda: [set() for _ in range(weeks)])
    for touch in touches:
        if touch.at > now:
            continue
        day = touch.at.astimezone(tz).date()
        index = (day - first).days // 7
        if 0 <= index < weeks:
            sources[touch.account][index].add(touch.source)
    return {account: [len(s) for s in per_week] for account, per_week in sources.items()}
