"""The one pipeline: pull observations, detect touches, roll up status.

Use cases live here as plain functions; the CLI and the daemon call the same ones.
The caller owns the open store and commits it once at the end.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from agent.app.derived import (
    BOOK,
    PLAN,
    book_key,
    busy_meetings,
    draft_times,
    plan_key,
    touch_candidates,
)
from agent.config.schema import Config
from agent.core.briefs import BookNumbers, PlanBrief
from agent.model import Stage
from agent.model.tables import DRAFTS, STAGES
from agent.providers.base import Interest, Progress, Provider
from agent.store.cache import Dated, holds_at
from agent.store.db import Store

if TYPE_CHECKING:
    from agent.core.accounts.state import AccountState
    from agent.core.accounts.status import AccountStatus, StageChange
    from agent.core.history import History
    from agent.core.planner import Plan
    from agent.core.touches import Detection

# The core's roll-ups are imported by the use cases that roll accounts up, not at start-up:
# a sync with nothing new (the plan memo holds) needs none of them.

log = logging.getLogger(__name__)
T = TypeVar("T")

COLD_AFTER_DAYS = 60  # the "not touched in 60+ days" line of the sync summary


def interest_for(config: Config, now: datetime) -> Interest:
    """What the configured accounts make worth fetching."""
    return Interest(
        domains=frozenset(d for a in config.accounts for d in a.domains),
        me=frozenset(config.me),
        since=now - timedelta(days=config.lookback_days),
        until=now + timedelta(days=config.lookahead_days),
    )


@dataclass(frozen=True)
class SyncReport:
    new_messages: int
    meetings: int
    touches: int
    accounts_touched: int
    accounts: int
    cold_accounts: int  # not touched in COLD_AFTER_DAYS or more (or never)
    unreadable: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"{_counted(self.touches, 'touch', 'touches')} with {self.accounts_touched:,} of "
            f"{_counted(self.accounts, 'account')}; {_counted(self.cold_accounts, 'account')} "
            f"not touched in {COLD_AFTER_DAYS}+ days ({_counted(self.new_messages, 'new message')}"
            f", {_counted(self.meetings, 'meeting')} read)"
        )


def _counted(n: int, one: str, many: str = "") -> str:
    """``1 new message``, ``2 new messages``: counts read as a rep would say them."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def sync(
    config: Config,
    store: Store,
    provider: Provider,
    now: datetime,
    progress: Progress | None = None,
) -> SyncReport:
    """Pull what changed into the store and report what the book looks like now."""
    cursor_key = f"cursor:{provider.name}"
    pull = provider.pull(store.get_meta(cursor_key, {}), interest_for(config, now), progress)
    for calendar in pull.reset_calendars:
        store.reset_calendar(calendar)
    store.remove_meetings(pull.removed_meetings)
    store.put_meetings(pull.meetings)
    new = store.put_messages(pull.messages)
    store.set_meta(cursor_key, dict(pull.cursor))
    store.set_meta("last_sync", now.isoformat())
    for problem in pull.unreadable:
        log.warning("skipped unreadable input %s", problem)
    if (
        provider.busy_from_sync
        and config.blocks.enabled
        and (new or pull.meetings or pull.reset_calendars)
    ):
        busy_meetings(config, store, now)  # cheap now the meetings are in memory; saved with them
    numbers = book_numbers(config, store, now)
    return SyncReport(
        new_messages=new,
        meetings=len(pull.meetings),
        touches=numbers.touches,
        accounts_touched=numbers.accounts_touched,
        accounts=len(config.accounts),
        cold_accounts=numbers.cold_accounts,
        unreadable=pull.unreadable,
    )


def book_numbers(config: Config, store: Store, now: datetime) -> BookNumbers:
    """The sync summary's counts, kept while the config, stages and observations are the
    same and their horizon holds (``agent.app.derived.BOOK``)."""

    def fresh() -> Dated[BookNumbers]:
        from agent.core.horizon import valid_until

        until = valid_until(config, now, touch_candidates(config, store))
        return Dated(now, until, _book_numbers(config, store, now))

    key = book_key(config, store, store.items(STAGES))
    return store.derived(BOOK, key, fresh, holds_at(now)).value


def _book_numbers(config: Config, store: Store, now: datetime) -> BookNumbers:
    from agent.core.accounts.status import board

    detection = detect_all(config, store, now)
    rows = board(config, detection.touches, now, stage_changes(store))
    return BookNumbers(
        touches=len({t.source for t in detection.touches}),
        accounts_touched=sum(1 for r in rows if r.touches),
        cold_accounts=sum(
            1 for r in rows if r.days_since_touch is None or r.days_since_touch >= COLD_AFTER_DAYS
        ),
    )


def detect_all(config: Config, store: Store, now: datetime) -> Detection:
    """Touches and signals at ``now``: derived once per change of the observations or the
    accounts (``agent.app.derived``), not once per step of a cycle."""
    return uncollected(lambda: touch_candidates(config, store).at(now))


def states_of(
    config: Config,
    store: Store,
    now: datetime,
    detection: Detection,
    history: History | None = None,
) -> list[AccountState]:
    """Every account's state; the steps of one cycle share it (``store.remember``).
    ``history``: the drafts' (``load_history``), when the caller has read it already."""
    from agent.core.accounts.state import account_states

    stages = stage_changes(store)
    plays = (history if history is not None else load_history(store)).plays_by_message()
    key = (
        "states",
        id(config),
        id(detection),
        now,
        tuple(sorted(stages.items())),
        tuple(sorted(plays.items())),
    )
    kept = store.remember(
        key,
        lambda: (
            config,  # kept alive with the answer, so its id cannot be reused
            detection,
            uncollected(
                lambda: account_states(
                    config,
                    detection.touches,
                    detection.signals,
                    now,
                    stages,
                    plays=plays,
                    ordered=True,
                )
            ),
        ),
    )
    return kept[2]


def stage_changes(store: Store) -> dict[str, StageChange]:
    """Stages set by hand with `nurture account NAME --stage ...`, keyed by account name."""
    from agent.core.accounts.status import StageChange

    return {
        name: StageChange(Stage(doc["stage"]), date.fromisoformat(doc["since"]))
        for name, doc in store.items(STAGES).items()
    }


def current_board(config: Config, store: Store, now: datetime) -> list[AccountStatus]:
    from agent.core.accounts.status import board

    return board(config, detect_all(config, store, now).touches, now, stage_changes(store))


def load_history(store: Store) -> History:
    """Earlier plays, from the drafts table: {account, contact, play, content_url, status,
    created_at}. A record that cannot be read is skipped with a warning, never fatal."""
    from agent.core.history import PastDraft, history_of

    drafts = []
    for key, doc in store.view(DRAFTS).items():
        try:
            created = datetime.fromisoformat(str(doc["created_at"]))
            drafts.append(
                PastDraft(
                    account=str(doc["account"]),
                    contact=str(doc.get("contact") or "").lower(),
                    play=str(doc.get("play") or ""),
                    content_url=str(doc.get("content_url") or ""),
                    status=str(doc.get("status") or "").lower(),
                    created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
                    message_id=str(doc.get("rfc822_id") or "").strip("<>").lower(),
                )
            )
        except (KeyError, TypeError, ValueError):
            log.warning("skipped draft record %s: it lacks account or created_at", key)
    return history_of(drafts)


def current_board_and_states(
    config: Config, store: Store, now: datetime
) -> tuple[list[AccountStatus], dict[str, AccountState]]:
    """The board, plus each account's people, patterns and suggested stage changes."""
    from agent.core.accounts.status import in_attention_order

    detection = detect_all(config, store, now)
    states = states_of(config, store, now, detection)
    # Each state holds its account's board row, rolled up from the same touches.
    rows = in_attention_order(s.status for s in states)
    return rows, {s.name: s for s in states}


def current_plan(
    config: Config, store: Store, now: datetime, *, base: Config | None = None
) -> Plan:
    """What the next cycle would do. Reads the store, changes nothing. ``base``: the config
    ``config`` was adapted from (throttles only), whose account states are the same."""
    from agent.core.planner import make_plan

    detection = detect_all(config, store, now)
    stages, history = stage_changes(store), load_history(store)
    states = states_of(base or config, store, now, detection, history)
    return uncollected(
        lambda: make_plan(
            config,
            detection.touches,
            detection.signals,
            now,
            stages=stages,
            history=history,
            states=states,
        )
    )


def uncollected(compute: Callable[[], T]) -> T:
    """``compute()`` with the cycle collector paused: the engine's roll-ups build a million
    small objects that hold no cycles, and a collection in between would only scan them
    (a tenth of `nurture plan` on a large book)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return compute()
    finally:
        if paused:
            gc.enable()


def plan_brief(
    config: Config, store: Store, now: datetime, *, base: Config | None = None
) -> PlanBrief:
    """``current_plan``'s actions and worklist, reused from an earlier command while the
    inputs are the same and its horizon holds (``agent.app.derived.PLAN``). A hit reads
    neither the touches nor any account."""
    drafts = store.view(DRAFTS)

    def fresh() -> Dated[PlanBrief]:
        from agent.core.briefs import brief_of
        from agent.core.horizon import valid_until

        plan = current_plan(config, store, now, base=base)
        found = touch_candidates(config, store)
        return Dated(now, valid_until(config, now, found, draft_times(drafts)), brief_of(plan))

    key = plan_key(config, base or config, store, store.items(STAGES), drafts)
    return store.derived(PLAN, key, fresh, holds_at(now)).value
