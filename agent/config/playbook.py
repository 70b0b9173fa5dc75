"""Config sections of the nurture engine: the play table, throttles, holds, signals, patterns
and the things a draft can offer (content library, introductions, invitations).

Every default here is a playbook rule in numbers; `config.yaml` shows each key commented.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.model import Stage, Tier

ALL_TIERS = (Tier.DREAM, Tier.TARGET, Tier.OTHER)
OPEN_STAGES = (Stage.COLD, Stage.HOT, Stage.LOST, Stage.WON)


class Section(BaseModel):
    """Same rules as every config model: frozen, and a typo is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PlayRule(Section):
    """One row of the play table: when a play may be chosen and how often."""

    enabled: bool = True
    priority: int = Field(50, ge=1, le=1000, description="Lower numbers are tried first")
    stages: tuple[Stage, ...] = Field(OPEN_STAGES, description="Stages the play fits")
    tiers: tuple[Tier, ...] = Field(ALL_TIERS, description="Tiers the play fits")
    cooldown_days: int = Field(
        0, ge=0, description="Days before the same play goes to the same person again"
    )


class PlayChange(Section):
    """A play's row under ``plays:`` in config.yaml: what differs from the play's defaults.

    The defaults live with the play (``agent.core.plays.catalog.<play>``), so this section
    names no play: a key left out keeps the play's own value, and a name that is no play
    is refused by the registry (``agent.core.plays.registry.check``).
    """

    enabled: bool | None = None
    priority: int | None = Field(None, ge=1, le=1000, description="Lower numbers are tried first")
    stages: tuple[Stage, ...] | None = Field(None, description="Stages the play fits")
    tiers: tuple[Tier, ...] | None = Field(None, description="Tiers the play fits")
    cooldown_days: int | None = Field(
        None, ge=0, description="Days before the same play goes to the same person again"
    )

    def over(self, defaults: PlayRule) -> PlayRule:
        """The play's rule: its defaults with what this row sets."""
        return defaults.model_copy(update=self.model_dump(exclude_none=True))


PlayTable = dict[str, PlayChange]  # play id → what config.yaml changes of its row


class Throttle(Section):
    per_account_per_week: int = Field(2, ge=0, description="Plays per account in 7 days")
    per_day: int = Field(6, ge=0, description="Plays per day over all accounts")


class Holds(Section):
    reply_window_days: int = Field(
        30, ge=1, description="An unanswered inbound message this recent is a reply you owe"
    )
    out_of_office_days: int = Field(
        7, ge=0, description="Hold after an out-of-office reply that names no return date"
    )
    rejected_backoff_days: int = Field(
        60, ge=0, description="After you delete a draft, that play rests for that person"
    )


DISSATISFACTION = (
    "renewal",
    "rfp",
    "request for proposal",
    "outage",
    "downtime",
    "evaluating",
    "frustrated",
    "disappointed",
    "unhappy",
    "switching",
    "alternatives",
    "other options",
    "not working",
)


class Signals(Section):
    """Stage changes to suggest (never applied without the rep)."""

    stalled_after_days: int = Field(
        21, ge=1, description="A hot deal with no word from the account this long looks stalled"
    )
    dissatisfaction_keywords: tuple[str, ...] = Field(
        DISSATISFACTION, description="Words in inbound subject or snippet that hint at change"
    )
    window_days: int = Field(30, ge=1, description="How recent a dissatisfaction signal must be")

    @field_validator("dissatisfaction_keywords")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(k.strip().lower() for k in value if k.strip())


EMPTY_PHRASES = (
    "checking in",
    "check in",
    "check-in",
    "touching base",
    "touch base",
    "following up",
    "follow up",
    "circling back",
    "any news",
    "any update",
    "just wanted to see",
    "bumping this",
)


class Patterns(Section):
    """Thresholds of the habits flagged on the board."""

    empty_phrases: tuple[str, ...] = Field(
        EMPTY_PHRASES, description="Phrases that mark a message with nothing to offer"
    )
    checkin_min_gap_days: int = Field(45, ge=1, description="A gap this long is a long gap")
    checkin_regularity: float = Field(
        0.25, gt=0, le=1, description="Allowed spread of the gaps, as a share of their mean"
    )
    checkin_min_touches: int = Field(3, ge=3)
    single_thread_min_touches: int = Field(3, ge=2)
    one_way_after: int = Field(3, ge=2, description="Unanswered outbound touches in a row")
    stalled_hanging_days: int = Field(30, ge=1, description="Days in stalled before it hangs")

    @field_validator("empty_phrases")
    @classmethod
    def _lower(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(k.strip().lower() for k in value if k.strip())


ContentKind = Literal[
    "article", "white_paper", "news", "analysis", "case_study", "report", "video", "other"
]


class ContentItem(Section):
    title: str = Field(min_length=1)
    url: str = Field(min_length=1, description="Also how sent mail is recognised as sharing it")
    kind: ContentKind = "article"
    tags: tuple[str, ...] = ()
    published: date | None = None
    evergreen: bool = Field(False, description="Never too old to share")

    @field_validator("url")
    @classmethod
    def _looks_like_url(cls, value: str) -> str:
        value = value.strip()
        if "://" not in value:
            raise ValueError(f"{value!r} is not a URL like https://example.com/paper")
        return value


class Introduction(Section):
    """Someone the rep can introduce a client to."""

    name: str = Field(min_length=1, description="Short id, unique among introductions")
    who: str = Field(min_length=1, description="The person, e.g. 'Jordan Reyes, COO at X'")
    why: str = ""
    tags: tuple[str, ...] = ()
    accounts: tuple[str, ...] = Field((), description="Offer only to these accounts")
    until: date | None = None


class Invitation(Section):
    """A tour, lunch or event the rep can invite people to."""

    name: str = Field(min_length=1, description="Short id, unique among invitations")
    kind: Literal["tour", "lunch", "event", "dinner", "webinar"] = "event"
    title: str = Field(min_length=1)
    when: date | None = Field(None, description="The day it happens; past ones are skipped")
    where: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()


def unique_names(items: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            raise ValueError(f"{what} {item.name!r} is listed twice")
        seen.add(item.name)
    return items
