"""Habits the playbook warns about, found in one account's touches. Pure.

Each finder returns a Pattern with a sentence a rep understands, or None. Thresholds come
from ``config.patterns``; the stage and cadence from the account's status.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from agent.config.schema import Config
from agent.core.accounts.status import AccountStatus
from agent.model import Channel, Direction, PatternKind, Stage, Touch

_URL = re.compile(r"https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Pattern:
    kind: PatternKind
    detail: str
    contact: str | None = None


def _text(source: Touch) -> str:  # only a few sources are read: lower-case them on demand
    return f"{source.subject}\n{source.snippet}".lower()


def account_patterns(
    config: Config,
    status: AccountStatus,
    touches: Sequence[Touch],
    today: date,
    names: Mapping[str, str] | None = None,
) -> tuple[Pattern, ...]:
    """``touches``: the account's, oldest first, as account states hold them."""
    sources = _sources(touches)
    finders: tuple[Callable[[], Pattern | None], ...] = (
        lambda: predictable_checkins(config, sources),
        lambda: single_threaded(config, touches, names or {}),
        lambda: gone_dark_after_loss(status, sources, today, config),
        lambda: stalled_hanging(config, status, sources, today),
        lambda: one_way(config, sources, today),
    )
    return tuple(p for p in (find() for find in finders) if p is not None)


def _sources(touches: Sequence[Touch]) -> list[Touch]:
    """One touch per message or meeting (its first), however many people it reached."""
    first: dict[str, Touch] = {}
    for touch in touches:
        first.setdefault(touch.source, touch)
    return list(first.values())


def carries_nothing(config: Config, text: str) -> bool:
    """An email that only asks for news: a stock phrase, and no link or library item."""
    lowered = text.lower()
    if _URL.search(lowered) or any(i.title.lower() in lowered for i in config.content):
        return False
    return any(phrase in lowered for phrase in config.patterns.empty_phrases)


def predictable_checkins(config: Config, sources: Sequence[Touch]) -> Pattern | None:
    """The latest run of our touches with long, near-equal gaps and nothing in them."""
    settings = config.patterns
    ours = [s for s in sources if s.direction is Direction.OUTBOUND]
    if not ours:
        return None
    run = [ours[-1]]
    for earlier in reversed(ours[:-1]):
        if (run[-1].at - earlier.at).days < settings.checkin_min_gap_days:
            break
        run.append(earlier)
    if len(run) < settings.checkin_min_touches:
        return None
    gaps = [(later.at - earlier.at).days for later, earlier in itertools.pairwise(run)]
    mean = sum(gaps) / len(gaps)
    empty = sum(1 for s in run if s.channel is Channel.EMAIL and carries_nothing(config, _text(s)))
    if max(gaps) - min(gaps) > settings.checkin_regularity * mean or empty * 4 < len(run) * 3:
        return None
    return Pattern(
        PatternKind.PREDICTABLE_CHECKINS,
        f"{len(run)} check-ins about every {round(mean)} days, {empty} of them with nothing "
        "to offer: a rhythm that easy is easy to ignore",
    )


def single_threaded(
    config: Config, touches: Sequence[Touch], names: Mapping[str, str]
) -> Pattern | None:
    people = {t.contact for t in touches}
    sources = {t.source for t in touches}
    if (
        len(people) != 1
        or len(sources) < config.patterns.single_thread_min_touches
        or config.coverage_target < 2
    ):
        return None
    (only,) = people
    return Pattern(
        PatternKind.SINGLE_THREADED,
        f"all {len(sources)} touches are with {names.get(only, only)}: one person is one "
        "point of failure",
        contact=only,
    )


def gone_dark_after_loss(
    status: AccountStatus, sources: Sequence[Touch], today: date, config: Config
) -> Pattern | None:
    if status.stage is not Stage.LOST:
        return None
    ours = [s.at for s in sources if s.direction is Direction.OUTBOUND]
    silent = (today - max(ours).astimezone(config.tz).date()).days if ours else None
    if silent is not None and silent <= status.cadence_days:
        return None
    when = f" on {status.stage_since:%d %b}" if status.stage_since else ""
    quiet = "nothing from you since" if silent is None else f"nothing from you in {silent} days"
    return Pattern(PatternKind.GONE_DARK_AFTER_LOSS, f"lost{when}, and {quiet}")


def stalled_hanging(
    config: Config, status: AccountStatus, sources: Sequence[Touch], today: date
) -> Pattern | None:
    if status.stage is not Stage.STALLED:
        return None
    heard = [s.at for s in sources if _heard(s)]
    if status.stage_since is not None:
        days, what = (today - status.stage_since).days, "stalled for"
    elif heard:
        days, what = (today - max(heard).astimezone(config.tz).date()).days, "no word for"
    else:
        return None
    if days < config.patterns.stalled_hanging_days:
        return None
    return Pattern(
        PatternKind.STALLED_HANGING,
        f"{what} {days} days with no decision either way: it hangs in the pipeline",
    )


def one_way(config: Config, sources: Sequence[Touch], today: date) -> Pattern | None:
    """Our touches in a row since we last heard from them (a reply or a meeting): one-way
    for the weeks since the first of them."""
    unanswered: list[Touch] = []
    for source in reversed(sources):
        if _heard(source):
            break
        unanswered.append(source)
    if len(unanswered) < config.patterns.one_way_after:
        return None
    start = unanswered[-1].at.astimezone(config.tz)
    weeks = (today - start.date()).days // 7
    span = "under a week" if weeks < 1 else f"{weeks} week{'s' if weeks > 1 else ''}"
    return Pattern(
        PatternKind.ONE_WAY,
        f"one-way for {span}: {len(unanswered)} messages in a row since {start:%d %b} "
        "without an answer",
    )


def _heard(source: Touch) -> bool:
    return source.direction is Direction.INBOUND or source.channel is Channel.MEETING
