"""Which days the rep works: weekends, time away (`away:`) and public holidays. Pure.

The `holidays` package computes a country's public holidays from rules (no network), so
this stays a pure function of (config, day). The planner, the blocks and the digest all
ask the same :class:`TimeOff`, so they agree on when the rep is back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from agent.config.away import AwayPeriod
from agent.config.never import is_never
from agent.config.schema import Config
from agent.core.accounts.state import AccountState
from agent.core.forecast import names

if TYPE_CHECKING:
    from holidays import HolidayBase

_LOOK = 400  # days searched for the next working day: past any plausible time away


@cache
def _rules(code: str) -> HolidayBase:
    # Imported here: the package takes most of a second to load, and only reps who set
    # `holidays:` need it.
    import holidays

    country, _, region = code.partition("-")
    return holidays.country_holidays(country, subdiv=region or None)


@dataclass(frozen=True)
class TimeOff:
    workdays: frozenset[int]  # weekday numbers, Monday 0
    periods: tuple[AwayPeriod, ...] = ()
    country: str | None = None
    _names: dict[date, str] = field(default_factory=dict, compare=False, repr=False)

    def period(self, day: date) -> AwayPeriod | None:
        return next((p for p in self.periods if p.holds(day)), None)

    def holiday(self, day: date) -> str:
        """The public holiday's name on ``day``, or ""."""
        if self.country is None:
            return ""
        if day not in self._names:
            self._names[day] = str(_rules(self.country).get(day) or "")
        return self._names[day]

    def off(self, day: date) -> bool:
        """Not a working day: a weekend day, a day away, or a public holiday."""
        return self.away(day) or (bool(self.workdays) and day.weekday() not in self.workdays)

    def away(self, day: date) -> bool:
        """Away or a public holiday: what pauses plays even on a day of the working week."""
        return self.period(day) is not None or bool(self.holiday(day))

    def why(self, day: date) -> str:
        """A rep's words for why ``day`` is off ("" when it is not)."""
        period = self.period(day)
        if period is not None:
            note = f" ({period.note})" if period.note else ""
            return f"you are away{note} until {period.end:%a %d %b}"
        name = self.holiday(day)
        if name:
            return f"{day:%a %d %b} is a public holiday ({name})"
        return "" if not self.off(day) else f"{day:%A} is not one of your working days"

    def next_working(self, day: date) -> date:
        """The first working day on or after ``day``."""
        for offset in range(_LOOK):
            candidate = day + timedelta(days=offset)
            if not self.off(candidate):
                return candidate
        return day

    def back_on(self, day: date) -> date:
        """The first working day after the time away (or holiday) that holds ``day``."""
        return self.next_working(day + timedelta(days=1))

    def days_off(self, first: date, last: date) -> frozenset[date]:
        """Days away or on a holiday between ``first`` and ``last`` (weekends are not listed:
        the working week already says them)."""
        span = (last - first).days + 1
        return frozenset(
            d for d in (first + timedelta(days=i) for i in range(max(0, span))) if self.away(d)
        )


def time_off(config: Config) -> TimeOff:
    return TimeOff(
        workdays=config.working_hours.weekday_numbers(),
        periods=config.away,
        country=config.holidays,
    )


def account_hold(state: AccountState, config: Config) -> tuple[date, str] | None:
    """When everyone nurture could reach at an account is out of the office: the day the
    first of them is back, and who is away until when. None while anyone is reachable."""
    if all(c.held_until is None for c in state.contacts):
        return None  # nobody there is away (most accounts, most days)
    reachable = [
        c
        for c in state.contacts
        if (c.known or c.touches) and not is_never(c.email, config.never_contact)
    ]
    away = [c for c in reachable if c.held_until is not None]
    if not reachable or len(away) < len(reachable):
        return None
    first = min(c.held_until for c in away if c.held_until is not None)
    who = names([f"{c.name} until {c.held_until:%a %d %b}" for c in away if c.held_until])
    return first, who


def digest_day(scheduled: date, off: TimeOff) -> date | None:
    """The day the week's digest goes out when ``scheduled`` is a day off: the last working
    day before it in the same week (you read it before you leave), else the first one after
    it in that week (you read it when you are back); None when the whole week is off (the
    next week's digest covers it)."""
    if not off.off(scheduled):
        return scheduled
    monday = scheduled - timedelta(days=scheduled.weekday())
    week = [monday + timedelta(days=i) for i in range(7)]
    before = [d for d in week if d < scheduled and not off.off(d)]
    after = [d for d in week if d > scheduled and not off.off(d)]
    return before[-1] if before else (after[0] if after else None)
