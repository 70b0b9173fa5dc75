"""The `digest:` section of config.yaml: what the weekly digest holds and who gets it.

*When* it goes out is the daemon's business (``daemon.jobs.digest.at``, default
``"fri 16:00"`` in ``timezone``); this section owns the content and the recipient. The
digest only ever goes to the rep: ``to`` must be one of the ``me`` addresses.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DigestSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    to: str | None = Field(
        None, description="Which of your `me` addresses gets the digest (default: the first)"
    )
    subject: str = Field("Your dream clients this week", min_length=1, max_length=120)
    trend_weeks: int = Field(12, ge=4, le=52, description="Weeks in the touches trend chart")
    rows: int = Field(8, ge=1, le=100, description="At most this many rows per list")

    @field_validator("to")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower()
        local, at, domain = value.partition("@")
        if not at or not local or "." not in domain or " " in value:
            raise ValueError(f"{value!r} is not an email address")
        return f"{local.split('+', 1)[0]}@{domain}"
