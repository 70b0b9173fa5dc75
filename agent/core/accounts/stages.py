"""Stage changes worth suggesting. Pure; nothing here changes a stage.

The rep owns the stage (config, CRM export, or `nurture account NAME --stage`); the engine
only points at evidence: a hot deal gone quiet, or a cold or lost account whose mail
sounds like the dissatisfaction that reopens a door.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from agent.config.playbook import Signals
from agent.config.schema import Config
from agent.core.accounts.contacts import name_from_email
from agent.core.accounts.status import AccountStatus
from agent.model import Channel, Direction, Stage, Touch

STALLED_LABEL = "looks stalled"
REBORN_LABEL = "opportunity may be reborn"


@dataclass(frozen=True)
class Suggestion:
    account: str
    current: Stage
    suggested: Stage
    label: str  # a few words for the board
    reason: str  # the sentence with the evidence
    contact: str | None = None
    source: str = ""  # the touch behind it, for a stable key
    keywords: tuple[str, ...] = ()


def suggestions(
    config: Config, status: AccountStatus, touches: Sequence[Touch], today: date
) -> tuple[Suggestion, ...]:
    """``touches``: the account's, oldest first (as an account state holds them)."""
    found = [
        hot_gone_quiet(config, status, touches, today),
        may_be_reborn(config, status, touches, today),
    ]
    return tuple(s for s in found if s is not None)


def hot_gone_quiet(
    config: Config, status: AccountStatus, touches: Sequence[Touch], today: date
) -> Suggestion | None:
    """Hot, and no reply or meeting for ``signals.stalled_after_days``."""
    if status.stage is not Stage.HOT:
        return None
    heard = [t.at for t in touches if t.direction is Direction.INBOUND or _met(t)]
    starts = [_day(config, max(heard))] if heard else []
    if status.stage_since is not None:
        starts.append(status.stage_since)  # a deal made hot last week is not yet quiet
    if not starts and touches:
        starts.append(_day(config, min(t.at for t in touches)))
    if not starts:
        return None
    quiet = (today - max(starts)).days
    if quiet < config.signals.stalled_after_days:
        return None
    return Suggestion(
        account=status.name,
        current=status.stage,
        suggested=Stage.STALLED,
        label=STALLED_LABEL,
        reason=(
            f"{status.name} is marked hot but has not answered or met you in {quiet} days; "
            "if it is waiting on nothing, call it stalled and work it to a decision"
        ),
    )


def may_be_reborn(
    config: Config, status: AccountStatus, touches: Sequence[Touch], today: date
) -> Suggestion | None:
    """Recent inbound mail from a cold or lost account that mentions change (``touches``
    oldest first: read from the newest back to the end of the window)."""
    if status.stage not in (Stage.COLD, Stage.LOST):
        return None
    settings = config.signals
    for touch in reversed(touches):
        age = (today - _day(config, touch.at)).days
        if age > settings.window_days:
            break
        if touch.direction is not Direction.INBOUND or touch.channel is not Channel.EMAIL:
            continue
        if status.stage_since is not None and status.stage_since >= _day(config, touch.at):
            continue  # the rep set the stage after reading this mail: they have decided
        words = matched_keywords(f"{touch.subject}\n{touch.snippet}", settings)
        if words:
            return Suggestion(
                account=status.name,
                current=status.stage,
                suggested=Stage.HOT,
                label=REBORN_LABEL,
                reason=(
                    f"{name_from_email(touch.contact)} wrote {age} days ago "
                    f"(\u201c{touch.subject}\u201d) about {', '.join(words)}: the "
                    f"{status.stage.value} account may be opening up again"
                ),
                contact=touch.contact,
                source=touch.source,
                keywords=words,
            )
    return None


def matched_keywords(text: str, settings: Signals) -> tuple[str, ...]:
    """Keywords found at the start of a word ("renewal" also finds "renewals")."""
    lowered = text.lower()
    return tuple(
        keyword
        for keyword, pattern in _word_starts(tuple(settings.dissatisfaction_keywords))
        if keyword in lowered and pattern.search(lowered)
    )


@cache
def _word_starts(keywords: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each keyword with its pattern, compiled once per list (one list per config)."""
    return tuple((k, re.compile(rf"(?<!\w){re.escape(k)}")) for k in keywords)


def _met(touch: Touch) -> bool:
    return touch.channel is Channel.MEETING


def _day(config: Config, at: datetime) -> date:
    return at.astimezone(config.tz).date()
