"""The `drafts:` section of config.yaml: how drafts read, how long they wait, how many a day.

How many plays a day the engine may plan is ``throttle.per_day`` (agent/playbook_settings);
this section only says how far that number drops when the rep lets drafts expire unread.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DraftsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sender_name: str = Field(
        "", max_length=100, description="Your name as it appears on the From line of drafts"
    )
    signature: str = Field(
        "", max_length=2000, description="Closes every draft; several lines are fine"
    )
    expire_days: int = Field(
        14, ge=1, le=365, description="A draft nobody touched this long expires"
    )
    templates: Path | None = Field(
        None, description="Folder of your own templates (default: templates/ next to config)"
    )
    quiet_window_days: int = Field(
        28, ge=7, le=365, description="How far back expiries count against the daily volume"
    )
    quiet_after: int = Field(
        4, ge=1, description="Closed drafts in the window before the volume adapts"
    )
    min_per_day: int = Field(1, ge=0, description="The daily volume never drops below this")

    @field_validator("sender_name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # It goes into the From header: a line break there would be a header injection.
        return " ".join(value.split())

    @field_validator("signature")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        return "\n".join(line.rstrip() for line in value.strip("\n").splitlines())
