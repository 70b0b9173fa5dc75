"""What the web app's pages read: the board with its weekly counts, one account with its
timeline, the coming week. The same use cases and memos the CLI commands use, reading
only (nothing here writes or sends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent.app import blocks as block_cases
from agent.app import book, digest, pipeline, review
from agent.app.preview import preview
from agent.config.schema import Account, Config
from agent.core.accounts.state import AccountState
from agent.core.accounts.status import AccountStatus
from agent.core.accounts.weekly import weekly_touches
from agent.core.blocks.reconcile import BlockPlan
from agent.core.planner import NextCycle, Plan
from agent.model import Touch
from agent.model.tables import DraftRecord
from agent.providers.registry import connect
from agent.store.db import Store


@dataclass(frozen=True)
class Board:
    rows: list[AccountStatus]  # in `nurture board`'s order
    states: dict[str, AccountState]
    weekly: dict[str, list[int]]  # account → touches per week, oldest first


def board(config: Config, store: Store, now: datetime, weeks: int = 12) -> Board:
    rows, states = book.current_board_and_states(config, store, now)
    touches = book.detect_all(config, store, now).touches
    return Board(rows, states, weekly_touches(touches, now, config.tz, weeks))


@dataclass(frozen=True)
class AccountPage:
    state: AccountState
    plan: Plan
    touches: list[Touch]  # this account's, newest first
    drafts: list[DraftRecord]  # this account's draft records, newest first


def account(config: Config, store: Store, now: datetime, found: Account) -> AccountPage:
    plan = pipeline.current_plan(config, store, now)
    state = next(s for s in plan.accounts if s.name == found.name)
    touches = [t for t in book.detect_all(config, store, now).touches if t.account == found.name]
    drafts = [r for r in review.records(store) if r.get("account") == found.name]
    return AccountPage(state, plan, sorted(touches, key=lambda t: t.at, reverse=True), drafts)


@dataclass(frozen=True)
class Week:
    coming: NextCycle
    blocks: BlockPlan


def week(config: Config, store: Store, home: Path, now: datetime) -> Week:
    """The next cycle's actions and this week's blocks as the calendar has them (a dry
    run of the blocks step: nothing is placed)."""
    coming = preview(config, store, home, now)
    calendar = connect(config, home, lambda: now).calendar
    blocks = block_cases.run(config, store, calendar, now, dry_run=True).plan
    return Week(coming, blocks)


def digest_html(config: Config, store: Store, now: datetime) -> str:
    """This week's digest as it would be sent now (not sent, not recorded)."""
    return digest.render(config, digest.current_digest(config, store, now)).html
