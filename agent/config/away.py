"""Time away: the `away:` periods and the `holidays:` country of config.yaml.

Days in an away period or on a public holiday of the rep's country are not working days:
no play is drafted, no nurture block is placed, and the digest moves (``agent.core.away``).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator


class AwayPeriod(BaseModel):
    """From the first day away to the last, both included, in the rep's time zone."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: date = Field(alias="from", description="The first day away")
    end: date = Field(alias="to", description="The last day away (included)")
    note: str = Field("", max_length=80, description="What it is, for you: shown in the plan")

    @model_validator(mode="after")
    def _in_order(self) -> AwayPeriod:
        if self.end < self.start:
            raise ValueError(f"`to` ({self.end}) is before `from` ({self.start})")
        return self

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def check_country(value: str | None) -> str | None:
    """``GB``, ``US`` or a region such as ``US-CA`` / ``GB-SCT``, as the `holidays` package
    knows them; anything else is an error naming the codes."""
    if value is None:
        return None
    import holidays

    country, _, region = value.strip().upper().partition("-")
    known = holidays.list_supported_countries()
    if country not in known:
        raise ValueError(
            f"{value!r} is not a country code the holidays package knows; use a two-letter "
            "ISO code such as GB, US, DE or FR (a region after a dash: US-CA, GB-SCT)"
        )
    if region and region not in known[country]:
        regions = ", ".join(known[country][:12]) or "none"
        raise ValueError(f"{value!r}: {country} has no region {region} (known: {regions})")
    return f"{country}-{region}" if region else country
