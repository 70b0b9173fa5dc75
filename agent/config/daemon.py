"""The `daemon:` section of config.yaml: when each job of `nurture run` fires."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_AT = re.compile(r"^(?:(mon|tue|wed|thu|fri|sat|sun)\s+)?([01]\d|2[0-3]):([0-5]\d)$")


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(str(value))
    if match is None:
        raise ValueError(f"{value!r} is not a duration like 30s, 10m, 1h or 1d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def _at(value: object) -> str:
    text = str(value).strip().lower()
    if _AT.match(text) is None:
        raise ValueError(f"{value!r} is not a time like 07:30 or a weekly time like 'fri 16:00'")
    return text


Duration = Annotated[timedelta, BeforeValidator(_duration)]
At = Annotated[str, BeforeValidator(_at)]


class JobSchedule(BaseModel):
    """Either `every` (a period) or `at` (daily "HH:MM" or weekly "fri HH:MM")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    every: Duration | None = None
    off_hours_every: Duration | None = Field(
        None, description="A slower period outside working hours (sync: hourly)"
    )
    at: At | None = None
    after_sync: bool = Field(False, description="Also run right after each successful sync")
    enabled: bool = True

    @model_validator(mode="after")
    def _one_kind(self) -> JobSchedule:
        if (self.every is None) == (self.at is None):
            raise ValueError("give exactly one of `every` or `at`")
        return self

    @property
    def weekday(self) -> str | None:
        match = _AT.match(self.at or "")
        return match[1] if match else None

    @property
    def clock(self) -> str:
        return (self.at or "").split()[-1]


JobName = Literal["sync", "plan", "blocks", "digest"]


def _default_jobs() -> dict[JobName, JobSchedule]:
    return {
        "sync": JobSchedule(every=timedelta(minutes=10), off_hours_every=timedelta(hours=1)),
        "plan": JobSchedule(at="07:30"),
        "blocks": JobSchedule(at="mon 07:00", after_sync=True),
        "digest": JobSchedule(at="fri 16:00"),
    }


def _with_defaults(value: object) -> object:
    # Setting one job in config.yaml must not switch the others off.
    if isinstance(value, dict):
        return {**_default_jobs(), **value}
    return value


class DaemonSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    jobs: Annotated[dict[JobName, JobSchedule], BeforeValidator(_with_defaults)] = Field(
        default_factory=_default_jobs
    )
    retry_backoff: tuple[Duration, ...] = Field(
        default=(
            timedelta(seconds=30),
            timedelta(minutes=2),
            timedelta(minutes=10),
            timedelta(minutes=30),
        ),
        description="Waits before retrying a failed job; the last one repeats",
        min_length=1,
    )
