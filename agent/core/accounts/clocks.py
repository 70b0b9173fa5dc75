"""Three clocks per account: your last message, their last reply, the last meeting. Pure.

The cadence counts from the newest touch either way (``status.last_touch``); these three
tell the touches apart, so "you write, they never answer" shows: one-way for N weeks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from agent.model import Channel, Direction, Touch


@dataclass(frozen=True)
class Clocks:
    last_touch: Touch | None = None  # your last email to anyone there
    last_reply: Touch | None = None  # their last email to you
    last_meeting: Touch | None = None  # the last meeting that has ended


def clocks(touches: Iterable[Touch]) -> Clocks:
    """The newest of each kind among ``touches`` (already limited to the past)."""
    mine: Touch | None = None
    theirs: Touch | None = None
    met: Touch | None = None
    for touch in touches:
        if touch.channel is Channel.MEETING:
            met = _later(met, touch)
        elif touch.direction is Direction.OUTBOUND:
            mine = _later(mine, touch)
        else:
            theirs = _later(theirs, touch)
    return Clocks(mine, theirs, met)


def _later(kept: Touch | None, touch: Touch) -> Touch:
    return touch if kept is None or touch.at > kept.at else kept


def clocks_line(kept: Clocks, today: date, tz: ZoneInfo) -> str:
    """'you wrote 3 days ago · they replied 40 days ago · met 61 days ago', in the rep's zone."""

    def ago(touch: Touch | None, what: str, never: str) -> str:
        if touch is None:
            return never
        days = (today - touch.at.astimezone(tz).date()).days
        when = {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")
        return f"{what} {when} ({touch.at.astimezone(tz):%a %d %b})"

    return " · ".join(
        (
            ago(kept.last_touch, "you wrote", "you never wrote"),
            ago(kept.last_reply, "they replied", "they never replied"),
            ago(kept.last_meeting, "met", "no meeting yet"),
        )
    )
