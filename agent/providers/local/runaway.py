"""Recurrence rules too costly to expand, found before the library steps through them.

dateutil (under ``recurring_ical_events``) expands a rule by stepping from DTSTART one
FREQ period at a time until the window's end, whatever the window's start. An hourly rule
that starts in 1900 is a million steps before today; a daily rule no date satisfies
(``BYMONTH=2;BYMONTHDAY=30``) steps on until the year 9999. Calendar apps never write
such rules, fuzzed or hand-made files do, and one of them must not stall a sync. Such a
series is skipped (and logged) by :mod:`agent.providers.local.calendar`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr

# About 2 s of expansion per series at the library's ~8 µs a step; a daily rule from
# 1400 or an hourly one from 2000 still fits.
MAX_STEPS = 250_000
# Calendar apps cannot repeat more often than hourly; a sub-hourly series is expanded
# only when COUNT bounds its cost (the test tables of RFC 5545 libraries use COUNT).
SUB_HOURLY = frozenset({"SECONDLY", "MINUTELY"})
MAX_SUB_HOURLY_COUNT = 10_000

_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
_SECONDS = (365.25 * 86400, 30.44 * 86400, 7 * 86400, 86400, 3600, 60, 1)
# How many candidates a BY part adds per period when it is finer than FREQ (by FREQ rank).
_FINER = {"BYMONTH": 0, "BYWEEKNO": 0, "BYYEARDAY": 0, "BYMONTHDAY": 1, "BYDAY": 2,
          "BYHOUR": 3, "BYMINUTE": 4, "BYSECOND": 5}  # fmt: skip
_DOMAIN = {"BYMONTH": 12, "BYWEEKNO": 53, "BYYEARDAY": 366, "BYMONTHDAY": 31, "BYDAY": 7,
           "BYHOUR": 24, "BYMINUTE": 60, "BYSECOND": 60}  # fmt: skip
_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_YEAR_PROBE = 400  # years: the Gregorian calendar repeats itself after 400


def too_costly(rule: Any, dtstart: Any, window_end: datetime) -> str:
    """Why expanding ``rule`` (an icalendar vRecur) up to ``window_end`` costs too much; ""."""
    if not isinstance(rule, dict) or not isinstance(dtstart, date):
        return ""  # broken rules and starts: the library skips the series itself
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _FREQS:
        return ""
    counts = [c for c in rule.get("COUNT", []) if isinstance(c, int)]
    if freq in SUB_HOURLY and not (counts and max(counts) <= MAX_SUB_HOURLY_COUNT):
        return f"repeats {freq.lower()} without a small COUNT"
    rank = _FREQS.index(freq)
    steps = _steps(rule, rank, _naive(dtstart), _horizon(rule, window_end))
    if counts:
        steps = min(steps, _steps_for_count(rule, rank, max(counts)))
    if steps > MAX_STEPS:
        return f"about {steps:,.0f} repetitions from its start to the window's end"
    if rank >= _FREQS.index("MONTHLY") and _never(rule, rank, dtstart):
        return "no date satisfies its rule"
    return ""


def _steps(rule: dict[str, Any], rank: int, start: datetime, horizon: datetime) -> float:
    interval = _first(rule, "INTERVAL", 1)
    interval = interval if isinstance(interval, int) and interval > 0 else 1
    periods = max(0.0, (horizon - start).total_seconds()) / (_SECONDS[rank] * interval)
    return (periods + 1) * _fanout(rule, rank)


def _fanout(rule: dict[str, Any], rank: int) -> int:
    """Candidates per period: the BY parts finer than FREQ multiply."""
    size = 1
    for part, finer_than in _FINER.items():
        values = rule.get(part) or []
        if rank <= finer_than and values:
            weeks = (53, 5)[rank] if part == "BYDAY" and rank < 2 else 1  # weeks per period
            size *= len(values) * weeks
    return size


def _steps_for_count(rule: dict[str, Any], rank: int, count: int) -> float:
    """Candidates stepped through before COUNT of them pass the rule's filters."""
    fanout = _fanout(rule, rank)
    share = 1.0
    for part, finer_than in _FINER.items():
        values = rule.get(part) or []
        if values and rank > finer_than:  # a part as coarse as FREQ filters periods out
            share *= min(1.0, len(values) / _DOMAIN[part])
    per_period = fanout * share
    if rule.get("BYSETPOS"):
        per_period = min(per_period, len(rule["BYSETPOS"]))
    return count / max(per_period, 1e-9) * fanout


def _never(rule: dict[str, Any], rank: int, dtstart: date) -> bool:
    """A monthly-or-finer rule whose day filters match no day in 400 years, or whose
    BYSETPOS points past every candidate: dateutil would step on to the year 9999."""
    positions = [p for p in rule.get("BYSETPOS", []) if isinstance(p, int)]
    if positions and all(abs(p) > _fanout(rule, rank) for p in positions):
        return True
    parts = [part for part in (*_DAY_FILTERS, "BYDAY") if rule.get(part)]
    if not any(rule.get(part) for part in _DAY_FILTERS):
        return False
    # The same day filters on a yearly rule: 400 steps instead of three million.
    # BYDAY without its ordinals: every such weekday, a superset, so "never" stays true.
    text = ";".join(f"{p}={','.join(_ical(v, p) for v in rule[p])}" for p in parts)
    day = dtstart.date() if isinstance(dtstart, datetime) else dtstart
    start = datetime.combine(day, time())
    try:
        probe = rrulestr(f"FREQ=YEARLY;{text}", dtstart=start)
        return not probe.between(start, start + timedelta(days=366 * _YEAR_PROBE), inc=True)
    except (ValueError, TypeError, OverflowError):
        return False  # dateutil refuses the parts: the library skips the series itself


def _horizon(rule: dict[str, Any], window_end: datetime) -> datetime:
    end = _naive(window_end)
    until = _first(rule, "UNTIL", None)
    return min(end, _naive(until)) if isinstance(until, date) else end


def _naive(moment: date) -> datetime:
    """A comparable, naive UTC-ish datetime: hours of offset do not matter here."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time())
    try:
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    except (OverflowError, ValueError):  # the year 1 or 9999 shifted out of range
        return moment.replace(tzinfo=None)


def _first(rule: dict[str, Any], key: str, default: Any) -> Any:
    values = rule.get(key) or []
    return values[0] if isinstance(values, list) and values else default


def _ical(value: Any, part: str) -> str:
    to_ical = getattr(value, "to_ical", None)
    data = to_ical() if to_ical is not None else value
    text = data.decode() if isinstance(data, bytes) else str(data)
    return text.lstrip("+-0123456789") if part == "BYDAY" else text


def in_window(rule: Any, dtstart: Any, window_start: datetime, window_end: datetime) -> float:
    """About how many occurrences ``rule`` has inside the window (0 when it cannot say):
    what expanding it there would yield, estimated without stepping through it."""
    if not isinstance(rule, dict) or not isinstance(dtstart, date):
        return 0.0
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _FREQS:
        return 0.0
    rank = _FREQS.index(freq)
    begin = max(_naive(dtstart), _naive(window_start))
    interval = _first(rule, "INTERVAL", 1)
    interval = interval if isinstance(interval, int) and interval > 0 else 1
    periods = max(0.0, (_horizon(rule, window_end) - begin).total_seconds())
    periods /= _SECONDS[rank] * interval
    estimate = periods * _per_period(rule, rank)
    counts = [c for c in rule.get("COUNT", []) if isinstance(c, int)]
    return min(estimate, max(counts)) if counts else estimate


def _per_period(rule: dict[str, Any], rank: int) -> float:
    """Occurrences per FREQ period: finer BY parts multiply, coarser ones filter."""
    share = 1.0
    for part, finer_than in _FINER.items():
        values = rule.get(part) or []
        if values and rank > finer_than:
            share *= min(1.0, len(values) / _DOMAIN[part])
    per_period = _fanout(rule, rank) * share
    if rule.get("BYSETPOS"):
        per_period = min(per_period, len(rule["BYSETPOS"]))
    return per_period
