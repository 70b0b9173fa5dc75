"""Until when an answer computed at ``now`` stays the answer: the validity horizon.

The plan and the board are pure functions of (observations, state, config, now). Their
dependence on ``now`` is of two kinds, and both are known in advance:

* **the day**: cadences, holds until a date, throttles per day, content staleness, "N days
  since" in reasons are whole days in the rep's time zone (and a few in UTC), so nothing
  changes before the next midnight of either;
* **instants**: a touch counts once its time has come (``at <= now``) or its meeting has
  ended; it leaves a window of N days (coverage, periods, the reply window, cooldowns,
  rejected back-off, the week's throttle) at exactly ``at + N days``; a draft's creation
  or status time leaves the same windows.

So an answer computed at ``since`` holds for every ``now`` in ``[since, until)``, where
``until`` is the first of those moments after ``since`` (:func:`valid_until`), as long as
the inputs themselves are unchanged (the caller keys its cache on them; the store keeps
such an answer as ``agent.store.cache.Dated``). The durations
are every ``*days*`` integer of the config plus the engine's fixed periods, so a setting
added later is covered without a change here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from agent.config.schema import Config
from agent.core.accounts.contacts import PERIODS
from agent.core.plays.registry import plays, rule
from agent.core.touches import Candidates

WEEK_DAYS = 7  # the planner's per-week throttle looks back seven days
TICK = timedelta(microseconds=1)


def durations(config: Config) -> frozenset[timedelta]:
    """Every window the engine measures back from ``now`` (a superset is only cautious)."""
    days = {0, WEEK_DAYS, *PERIODS, *(rule(config, play).cooldown_days for play in plays())}
    _collect_days(config.model_dump(mode="json", exclude={"accounts"}), days, False)
    return frozenset(timedelta(days=n) for n in days)


def _collect_days(value: Any, found: set[int], named_days: bool) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _collect_days(item, found, named_days or "day" in str(key).lower())
    elif isinstance(value, list):
        for item in value:
            _collect_days(item, found, named_days)
    elif named_days and isinstance(value, int) and not isinstance(value, bool):
        found.add(value)


def valid_until(
    config: Config,
    since: datetime,
    found: Candidates,
    more_instants: Iterable[datetime] = (),
) -> datetime:
    """The first moment after ``since`` at which an answer computed at ``since`` may differ."""
    windows = durations(config)
    until = min(_next_midnight(since, config), _next_midnight(since, None))
    ends = [end for end in found.ends if end is not None and end >= since]
    signals = [s.at for s in found.signals]  # sorted by time, as touches are
    until = min([until, *ends, *_window_edges(since, windows, sorted(more_instants))])
    for instants in ([t.at for t in found.touches], signals):
        until = min([until, *_window_edges(since, windows, instants)])
    return since + TICK if until <= since else until


def _window_edges(
    since: datetime, windows: Iterable[timedelta], instants: Sequence[datetime]
) -> list[datetime]:
    """For each window, the first ``instant + window`` at or after ``since``."""
    edges = []
    for window in windows:
        at = bisect_left(instants, since - window)
        if at < len(instants):
            edges.append(instants[at] + window)
    return edges


def _next_midnight(now: datetime, config: Config | None) -> datetime:
    tz = config.tz if config is not None else UTC
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tz).astimezone(UTC)
