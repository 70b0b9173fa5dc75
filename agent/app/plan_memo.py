"""The plan and the book's numbers, made once and reused while nothing they read changed.

A cycle with nothing new would otherwise read 200,000 touches and roll up every account
only to find the plan it found last time. So each answer is saved (``plan.json``,
``book.json``, as derived data of the store) with a key and a validity horizon:

* the key: the observations (the store's derived-data key), a fingerprint of the whole
  config (accounts, playbook, content library) and of the state tables the engine reads
  (``stages``, and for the plan the ``drafts`` history and the lowered daily volume);
* the horizon (``agent.core.horizon``): the next midnight, the next meeting end, the next
  moment a touch or draft enters or leaves a window.

On a hit neither the touch cache nor the account states are read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from agent.app import stages
from agent.app.derived import touch_candidates
from agent.config.schema import Config
from agent.core.horizon import Dated, valid_until
from agent.model import Action, ActionKind
from agent.store.cache import Derived, fingerprint_of
from agent.store.codec import from_json, to_json
from agent.store.db import Store

if TYPE_CHECKING:
    from agent.core.accounts.state import AccountState
    from agent.core.planner import Plan

MEMO_VERSION = 3  # bump whenever the engine decides differently (2: replies in threads;
# 3: no_play rows, names only from what the mail says, no bare check-ins)
PEOPLE_PER_ACCOUNT = 3


@dataclass(frozen=True)
class DueAccount:
    """One account of the worklist as nurture blocks show it."""

    account: str
    reason: str
    due_people: tuple[str, ...]  # "Name (role) <email>" of its due, listed people


@dataclass(frozen=True)
class PlanBrief:
    """What the cycle needs of a plan: its actions and its worklist, in order."""

    actions: tuple[Action, ...]
    worklist: tuple[DueAccount, ...]

    def of_kind(self, kind: ActionKind) -> list[Action]:
        return [a for a in self.actions if a.kind is kind]


@dataclass(frozen=True)
class BookNumbers:
    """The sync summary's counts."""

    touches: int
    accounts_touched: int
    cold_accounts: int


def brief_of(plan: Plan) -> PlanBrief:
    return PlanBrief(plan.actions, tuple(_due(state) for state in plan.worklist))


def _due(state: AccountState) -> DueAccount:
    people = tuple(person(c.label, c.email) for c in state.contacts if c.due and c.known)
    return DueAccount(state.name, reason(state), people)


def person(name: str, email: str) -> str:
    return f"{name} <{email}>" if name and email else (name or email)


def reason(state: AccountState) -> str:
    status = state.status
    if status.days_since_touch is None:
        why = "never touched"
    else:
        why = f"{status.days_since_touch} days since the last touch"
    why += f" ({status.cadence_days}-day rhythm, {status.tier.value}, {status.stage.value})"
    if status.coverage_gap:
        why += f"; {status.recent_people} of {status.coverage_target} people reached"
    return why


def _dated_codec(
    encode: Callable[[Any], Any], decode: Callable[[Any], Any]
) -> tuple[Callable[[Dated[Any]], Any], Callable[[Any], Dated[Any]]]:
    def dump(entry: Dated[Any]) -> Any:
        return {
            "since": entry.since.isoformat(),
            "until": entry.until.isoformat(),
            "value": encode(entry.value),
        }

    def load(data: Any) -> Dated[Any]:
        since, until = (datetime.fromisoformat(data[k]) for k in ("since", "until"))
        return Dated(since, until, decode(data["value"]))

    return dump, load


def _encode_brief(brief: PlanBrief) -> Any:
    return {
        "actions": [to_json(a) for a in brief.actions],
        "worklist": [to_json(d) for d in brief.worklist],
    }


def _decode_brief(data: Any) -> PlanBrief:
    actions = tuple(from_json(Action, a) for a in data["actions"])
    return PlanBrief(actions, tuple(from_json(DueAccount, d) for d in data["worklist"]))


def _encode_numbers(numbers: BookNumbers) -> Any:
    return to_json(numbers)


def _decode_numbers(data: Any) -> BookNumbers:
    return from_json(BookNumbers, data)


PLAN: Derived[Dated[PlanBrief]] = Derived("plan", *_dated_codec(_encode_brief, _decode_brief))
BOOK: Derived[Dated[BookNumbers]] = Derived("book", *_dated_codec(_encode_numbers, _decode_numbers))


def config_fingerprint(config: Config, store: Store) -> str:
    """The whole config's fingerprint, once per config object while the store is open."""
    kept = store.remember(
        ("config-fingerprint", id(config)),
        # pydantic's own JSON (in Rust): 2,000 accounts and 20,000 people in milliseconds.
        lambda: (config, hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:24]),
    )
    return kept[1]


def plan_brief(
    config: Config,
    store: Store,
    now: datetime,
    drafts: Mapping[str, Mapping[str, Any]],
    compute: Callable[[], Plan],
    *,
    base: Config | None = None,
) -> PlanBrief:
    """``brief_of(compute())``, or the one saved for the same inputs while it holds."""
    key = fingerprint_of(
        MEMO_VERSION,
        config_fingerprint(config, store),
        config_fingerprint(base or config, store),
        store.items(stages.TABLE),
        drafts,
    )

    def fresh() -> Dated[PlanBrief]:
        plan = compute()
        until = valid_until(config, now, touch_candidates(config, store), _draft_times(drafts))
        return Dated(now, until, brief_of(plan))

    return store.derived(PLAN, key, fresh, lambda entry: entry.holds_at(now)).value


def book_numbers(
    config: Config, store: Store, now: datetime, compute: Callable[[], BookNumbers]
) -> BookNumbers:
    """``compute()`` (the sync summary's counts), or the saved ones while they hold."""
    key = fingerprint_of(MEMO_VERSION, config_fingerprint(config, store), store.items(stages.TABLE))

    def fresh() -> Dated[BookNumbers]:
        numbers = compute()
        return Dated(now, valid_until(config, now, touch_candidates(config, store)), numbers)

    return store.derived(BOOK, key, fresh, lambda entry: entry.holds_at(now)).value


def _draft_times(drafts: Mapping[str, Mapping[str, Any]]) -> Iterable[datetime]:
    """Every time a draft record holds (created, status changed, ...): each may open or
    close a window the planner or the daily volume looks at."""
    for doc in drafts.values():
        for value in doc.values():
            if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-":
                try:
                    moment = datetime.fromisoformat(value)
                except ValueError:
                    continue
                yield moment if moment.tzinfo else moment.replace(tzinfo=UTC)
