"""Time away as a use case: record a period in config.yaml, and say what it changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from agent.config import edit
from agent.config.away import AwayPeriod
from agent.config.schema import Config
from agent.core.away import TimeOff, time_off
from agent.errors import UserError


@dataclass(frozen=True)
class AwayReport:
    periods: tuple[AwayPeriod, ...]  # every period not over yet, soonest first
    holidays: tuple[tuple[date, str], ...]  # public holidays in the next 60 days
    back_on: date | None  # the first working day after the period just added


def add(config_path: Path, start: date, end: date, note: str, now: datetime) -> AwayReport:
    """Add ``start``..``end`` (both included) to `away:`; the config is checked first."""
    if end < start:
        raise UserError(f"{end} is before {start}", "give the first day away, then the last")
    config = edit.update_config(config_path, edit.add_away(start, end, note))
    return report(config, now, back_from=end)


def report(config: Config, now: datetime, back_from: date | None = None) -> AwayReport:
    today = now.astimezone(config.tz).date()
    off = time_off(config)
    coming = sorted((p for p in config.away if p.end >= today), key=lambda p: p.start)
    return AwayReport(
        periods=tuple(coming),
        holidays=_holidays(off, today, 60),
        back_on=off.back_on(back_from) if back_from else None,
    )


def _holidays(off: TimeOff, today: date, days: int) -> tuple[tuple[date, str], ...]:
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        name = off.holiday(day)
        if name:
            found.append((day, name))
    return tuple(found)
