"""The digest's sections, one small pure function each, from the engine's account states.

Every function returns plain frozen rows in the order the email shows them; nothing here
formats text for a medium (the templates do) beyond the engine's own sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from agent.config.schema import Config
from agent.core.accounts.stages import REBORN_LABEL, STALLED_LABEL
from agent.core.accounts.state import AccountState
from agent.core.accounts.status import TIER_ORDER
from agent.core.digest.work import DigestDraft
from agent.model import Direction, PatternKind, PlayId, Stage, Tier

PATTERN_LABELS = {
    PatternKind.PREDICTABLE_CHECKINS: "Predictable check-ins",
    PatternKind.SINGLE_THREADED: "One contact per account",
    PatternKind.GONE_DARK_AFTER_LOSS: "Gone dark after a loss",
    PatternKind.STALLED_HANGING: "Stalled and left hanging",
    PatternKind.ONE_WAY: "Talking to a wall",
}


@dataclass(frozen=True)
class ColdRow:
    account: str
    tier: Tier
    stage: Stage
    days_since_touch: int
    cadence_days: int
    days_overdue: int
    last_contact: str


@dataclass(frozen=True)
class NeverRow:
    account: str
    tier: Tier
    stage: Stage
    people_listed: int


@dataclass(frozen=True)
class CoverageRow:
    account: str
    tier: Tier
    people: int  # reached within config.coverage_days
    target: int
    roles_missing: tuple[str, ...]

    @property
    def gap(self) -> int:
        return max(0, self.target - self.people)

    @property
    def share(self) -> int:
        return min(100, round(100 * self.people / self.target)) if self.target else 100


@dataclass(frozen=True)
class StalledRow:
    account: str
    tier: Tier
    marked: bool  # marked stalled by the rep; else the engine thinks it looks stalled
    days_in_stage: int | None
    detail: str
    closure_drafts: int  # stalled_closure drafts ever prepared for it


@dataclass(frozen=True)
class LostRow:
    account: str
    tier: Tier
    lost_since: date | None
    days_since_ours: int | None  # since the rep's last message or meeting
    gone_dark: bool
    detail: str
    renurture_drafts: int  # reengage_lost drafts prepared
    renurture_sent: int


@dataclass(frozen=True)
class SignalRow:
    account: str
    stage: Stage
    contact: str
    reason: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class PatternRow:
    account: str
    kind: PatternKind
    label: str
    detail: str


@dataclass(frozen=True)
class ReplyRow:
    account: str
    contact: str
    name: str
    subject: str
    days: int  # since their message


def _tiered(states: Sequence[AccountState]) -> list[AccountState]:
    return sorted(states, key=lambda s: (TIER_ORDER[s.status.tier], s.name.lower()))


def going_cold(states: Sequence[AccountState]) -> tuple[ColdRow, ...]:
    """Touched before, now past their cadence: the most overdue first."""
    rows = []
    for state in _tiered(states):
        status = state.status
        if not status.due or status.days_since_touch is None or status.last_touch is None:
            continue
        person = state.contact(status.last_touch.contact)
        rows.append(
            ColdRow(
                account=state.name,
                tier=status.tier,
                stage=status.stage,
                days_since_touch=status.days_since_touch,
                cadence_days=status.cadence_days,
                days_overdue=status.days_overdue,
                last_contact=person.name if person else status.last_touch.contact,
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.days_overdue, TIER_ORDER[r.tier])))


def never_touched(states: Sequence[AccountState]) -> tuple[NeverRow, ...]:
    return tuple(
        NeverRow(s.name, s.status.tier, s.status.stage, len(s.account.contacts))
        for s in _tiered(states)
        if s.status.days_since_touch is None
    )


def coverage(states: Sequence[AccountState]) -> tuple[CoverageRow, ...]:
    """Every account, dream clients first, the widest gap first within a tier."""
    rows = [
        CoverageRow(
            account=s.name,
            tier=s.status.tier,
            people=s.status.recent_people,
            target=s.status.coverage_target,
            roles_missing=s.roles_missing,
        )
        for s in states
    ]
    return tuple(sorted(rows, key=lambda r: (TIER_ORDER[r.tier], -r.gap, r.account.lower())))


def _plays(drafts: Sequence[DigestDraft], account: str, play: PlayId) -> list[DigestDraft]:
    return [d for d in drafts if d.account == account and d.play == play.value]


def stalled(
    states: Sequence[AccountState], drafts: Sequence[DigestDraft]
) -> tuple[StalledRow, ...]:
    """Stalled deals to bring to a decision, and hot ones the engine thinks have stalled."""
    rows = []
    for state in _tiered(states):
        marked = state.status.stage is Stage.STALLED
        hanging = [p.detail for p in state.patterns if p.kind is PatternKind.STALLED_HANGING]
        quiet = [s.reason for s in state.suggestions if s.label == STALLED_LABEL]
        if not marked and not quiet:
            continue
        days = state.days_in_stage if marked else None
        fallback = f"stalled for {days} days" if days is not None else "marked stalled"
        rows.append(
            StalledRow(
                account=state.name,
                tier=state.status.tier,
                marked=marked,
                days_in_stage=days,
                detail=(hanging or quiet or [fallback])[0],
                closure_drafts=len(_plays(drafts, state.name, PlayId.STALLED_CLOSURE)),
            )
        )
    return tuple(sorted(rows, key=lambda r: (not r.marked, -(r.days_in_stage or 0))))


def lost(
    config: Config, states: Sequence[AccountState], drafts: Sequence[DigestDraft], now: datetime
) -> tuple[LostRow, ...]:
    today = now.astimezone(config.tz).date()
    rows = []
    for state in _tiered(states):
        if state.status.stage is not Stage.LOST:
            continue
        ours = [t.at for t in state.touches if t.direction is Direction.OUTBOUND]
        dark = [p.detail for p in state.patterns if p.kind is PatternKind.GONE_DARK_AFTER_LOSS]
        plays = _plays(drafts, state.name, PlayId.REENGAGE_LOST)
        rows.append(
            LostRow(
                account=state.name,
                tier=state.status.tier,
                lost_since=state.status.stage_since,
                days_since_ours=(today - max(ours).astimezone(config.tz).date()).days
                if ours
                else None,
                gone_dark=bool(dark),
                detail=dark[0] if dark else "",
                renurture_drafts=len(plays),
                renurture_sent=sum(1 for d in plays if d.status == "sent"),
            )
        )
    return tuple(rows)


def signals(states: Sequence[AccountState]) -> tuple[SignalRow, ...]:
    """Cold or lost accounts whose mail sounds like the dissatisfaction that opens doors."""
    return tuple(
        SignalRow(s.name, s.status.stage, found.contact or "", found.reason, found.keywords)
        for s in _tiered(states)
        for found in s.suggestions
        if found.label == REBORN_LABEL
    )


# Shown in their own sections (stalled, lost) rather than twice.
OWN_SECTION = frozenset({PatternKind.STALLED_HANGING, PatternKind.GONE_DARK_AFTER_LOSS})


def patterns(states: Sequence[AccountState]) -> tuple[PatternRow, ...]:
    """The habits to fix, grouped by habit (the stalled and lost ones have their sections)."""
    rows = [
        PatternRow(s.name, p.kind, PATTERN_LABELS.get(p.kind, p.kind.value), p.detail)
        for s in _tiered(states)
        for p in s.patterns
        if p.kind not in OWN_SECTION
    ]
    order = list(PATTERN_LABELS)
    return tuple(sorted(rows, key=lambda r: order.index(r.kind) if r.kind in order else 99))


def replies(states: Sequence[AccountState]) -> tuple[ReplyRow, ...]:
    """Messages waiting for the rep's answer, the longest waiting first."""
    rows = [
        ReplyRow(
            account=s.name,
            contact=c.email,
            name=c.name,
            subject=c.reply_owed.subject,
            days=c.days_since_touch or 0,
        )
        for s in states
        for c in s.contacts
        if c.reply_owed is not None
    ]
    return tuple(sorted(rows, key=lambda r: (-r.days, r.account.lower(), r.contact)))
