"""The `blocks:` section of config.yaml: the NURTURE DREAM CLIENTS sessions on the calendar.

Working days and hours default to the top-level ``working_hours``; the time zone is the
top-level ``timezone``. Colours are Google Calendar's event colour names; the local
provider writes them to blocks.ics as the nearest CSS colour (RFC 7986 ``COLOR``).
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Colour = Literal[
    "lavender",
    "sage",
    "grape",
    "flamingo",
    "banana",
    "tangerine",
    "peacock",
    "graphite",
    "blueberry",
    "basil",
    "tomato",
]
# Google Calendar's event colorId for each name (colors.get: "event" palette).
GOOGLE_COLOUR_IDS: dict[str, str] = {
    "lavender": "1",
    "sage": "2",
    "grape": "3",
    "flamingo": "4",
    "banana": "5",
    "tangerine": "6",
    "peacock": "7",
    "graphite": "8",
    "blueberry": "9",
    "basil": "10",
    "tomato": "11",
}
# RFC 7986 COLOR takes a CSS3 colour name: the nearest one to each Google colour.
CSS_COLOURS: dict[str, str] = {
    "lavender": "mediumpurple",
    "sage": "darkseagreen",
    "grape": "purple",
    "flamingo": "lightcoral",
    "banana": "gold",
    "tangerine": "orangered",
    "peacock": "deepskyblue",
    "graphite": "gray",
    "blueberry": "royalblue",
    "basil": "seagreen",
    "tomato": "red",
}

BlockDay = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class BlocksSettings(BaseModel):
    """How many nurture sessions, how long, when, and how they look on the calendar."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    count: int = Field(5, ge=0, le=14, description="Blocks wanted in every horizon window")
    hours: float = Field(2.0, gt=0, le=12, description="Length of one block, in real hours")
    horizon_days: int = Field(
        5, ge=1, le=28, description="How many working days ahead blocks are placed"
    )
    title: str = Field("NURTURE DREAM CLIENTS", min_length=1, max_length=200)
    days: tuple[BlockDay, ...] | None = Field(
        None, description="Days blocks may go on; default: working_hours.days"
    )
    start: time | None = Field(None, description="Earliest block start; default: working_hours")
    end: time | None = Field(None, description="Latest block end; default: working_hours")
    buffer_minutes: int = Field(10, ge=0, le=240, description="Free time kept around meetings")
    preferred_start: time = Field(
        time(9, 0), description="Blocks start as close to this time of day as the day allows"
    )
    colour: Colour | None = "basil"
    show_as: Literal["busy", "free"] = "busy"

    @field_validator("hours")
    @classmethod
    def _quarter_hours(cls, value: float) -> float:
        if round(value * 60) % 15 or abs(value * 60 - round(value * 60)) > 1e-6:
            raise ValueError("use whole quarter hours, e.g. 1.5 or 2")
        return value

    @field_validator("days")
    @classmethod
    def _some_days(cls, value: tuple[BlockDay, ...] | None) -> tuple[BlockDay, ...] | None:
        if value is not None and not value:
            raise ValueError("give at least one day, or leave `days` out")
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> BlocksSettings:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("start must be earlier than end")
        if self.count > self.horizon_days:
            raise ValueError("count cannot exceed horizon_days: at most one block a day")
        return self
