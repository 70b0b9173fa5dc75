"""Every answer the store keeps between commands (``agent.store.cache``), declared once.

* ``touches``: :class:`agent.core.touches.Candidates`, keyed by the config parts that touch
  detection reads (accounts and their domains, ``me``, internal domains, the participant
  limit) and :data:`DETECTION_VERSION`; bump it whenever ``agent.core.touches`` decides
  differently or the file's form changes, so that no cache made by an older nurture is
  used (a cache needs no migration: a miss derives it again).
* ``busy``: per calendar, the meetings that may block time for nurture blocks, reduced to
  what that decision reads, so placing blocks reads neither the .ics files nor all mail.
* ``plan`` and ``book``: the plan's actions and worklist (:class:`PlanBrief`) and the sync
  summary's counts (:class:`BookNumbers`), kept :class:`Dated` with a validity horizon
  (``agent.core.horizon``). Their key (``plan_key``, ``book_key``): the observations (the
  store's own part of every key), a fingerprint of the whole config (accounts, playbook,
  content library; for the plan also the config it was adapted from, i.e. the lowered
  daily volume), the ``stages`` table and, for the plan, the ``drafts`` table and the
  plays' own ids and defaults (``registry.defaults_key``). Bump
  :data:`MEMO_VERSION` whenever the engine decides differently.

Declaring a kind here says how it is saved and keyed; computing it is the use case's job
(``agent.app.book``): the cache never calls into use cases on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.config.schema import Config
from agent.core.briefs import BookNumbers, DueAccount, PlanBrief
from agent.core.forecast import ColdForecast
from agent.core.touches import Candidates, candidates
from agent.model import Action, Meeting, Signal, Touch
from agent.store.cache import Dated, Derived, dated, fingerprint_of
from agent.store.codec import Unreadable, from_json, to_json
from agent.store.db import Store
from agent.store.rows import RowReader, columns_of, from_columns, to_columns, to_row

DETECTION_VERSION = 7  # 2: touches.json holds touches by column; 3: touches have a thread;
# 4: touches carry the display name the message or invite gave the person; 5: signals of
# people copied or invited next to a contact (the buying committee) and of direct mail;
# 6: signals by column too; 7: the rep's mail is read as a give or an ask once, here
BUSY_VERSION = 1
MEMO_VERSION = 7  # the plan and book: bump whenever the engine decides differently (2:
# replies in threads; 3: no_play rows, names only from what the mail says, no bare check-ins;
# 4: time away, accounts held whole, the cold forecast; 5: a no rests the person, new_contact
# only to the never reached; 6: new_contact through the buying committee, gives before asks
# after three asks in a row; 7: the plan's brief names the accounts never touched)
BUSY_PAST = timedelta(days=30)  # blocks older than this are settled: no busy time needed
CUTOFF = ""  # the busy cache's entry that records from when it holds meetings
BusyMeetings = dict[str, tuple[Meeting, ...]]  # calendar name → meetings, in stored order


def _encode_candidates(found: Candidates) -> dict[str, Any]:
    # Touches by column: 200,000 of them decode in a fraction of the time rows take.
    return {
        "touches": to_columns(Touch, found.touches),
        "ends": [end.isoformat() if end else None for end in found.ends],
        "signals": to_columns(Signal, found.signals),
    }


def _decode_candidates(data: Mapping[str, Any]) -> Candidates:
    touches = tuple(from_columns(Touch, data["touches"]))
    ends = tuple(datetime.fromisoformat(end) if end else None for end in data["ends"])
    if len(ends) != len(touches):
        raise Unreadable("touches and their ends differ in number")
    return Candidates(touches, ends, tuple(from_columns(Signal, data["signals"])))


TOUCHES: Derived[Candidates] = Derived("touches", _encode_candidates, _decode_candidates)


def touch_fingerprint(config: Config) -> str:
    return fingerprint_of(
        DETECTION_VERSION,
        [(a.name, list(a.domains)) for a in config.accounts],
        list(config.me),
        sorted(config.internal_domains),
        config.max_participants,
    )


def touch_candidates(config: Config, store: Store) -> Candidates:
    """Every touch in the store's observations (computed once per change of either)."""
    return store.derived(
        TOUCHES,
        touch_fingerprint(config),
        lambda: candidates(config, store.messages(), store.meetings()),
    )


def _encode_busy(found: BusyMeetings) -> dict[str, Any]:
    rows = {name: [to_row(m) for m in meetings] for name, meetings in found.items()}
    return {"columns": columns_of(Meeting), "calendars": rows}


def _decode_busy(data: Mapping[str, Any]) -> BusyMeetings:
    reader = RowReader(data["columns"])
    calendars = data["calendars"]
    return {name: tuple(reader.read_all(Meeting, rows)) for name, rows in calendars.items()}


BUSY: Derived[BusyMeetings] = Derived("busy", _encode_busy, _decode_busy)


def busy_meetings(config: Config, store: Store, now: datetime) -> BusyMeetings:
    """Meetings that can block time, by calendar, from BUSY_PAST before ``now`` on (the
    ``CUTOFF`` entry says from when); only the rep's own attendance is kept."""
    me = frozenset(address.lower() for address in config.me)
    return store.derived(
        BUSY,
        fingerprint_of(BUSY_VERSION, sorted(me)),
        lambda: _blocking(store.meetings(), me, now - BUSY_PAST),
    )


def busy_cutoff(found: BusyMeetings) -> datetime | None:
    cutoff = found.get(CUTOFF)
    return cutoff[0].start if cutoff else None


def _blocking(meetings: Iterable[Meeting], me: frozenset[str], cutoff: datetime) -> BusyMeetings:
    found: dict[str, list[Meeting]] = {CUTOFF: [Meeting(uid=CUTOFF, start=cutoff, end=cutoff)]}
    for m in meetings:
        if m.cancelled or not m.busy or m.end <= cutoff or m.end <= m.start or m.own_block:
            continue
        mine = tuple(a for a in m.attendees if a.email in me)
        reduced = Meeting(uid=m.uid, start=m.start, end=m.end, attendees=mine, calendar=m.calendar)
        found.setdefault(m.calendar, []).append(reduced)
    return {name: tuple(items) for name, items in found.items()}


def _encode_brief(brief: PlanBrief) -> Any:
    return {
        "actions": [to_json(a) for a in brief.actions],
        "worklist": [to_json(d) for d in brief.worklist],
        "soon": [to_json(f) for f in brief.soon],
        "never_touched": list(brief.never_touched),
    }


def _decode_brief(data: Any) -> PlanBrief:
    actions = tuple(from_json(Action, a) for a in data["actions"])
    soon = tuple(from_json(ColdForecast, f) for f in data.get("soon", ()))
    worklist = tuple(from_json(DueAccount, d) for d in data["worklist"])
    return PlanBrief(actions, worklist, soon, tuple(data["never_touched"]))


def _encode_numbers(numbers: BookNumbers) -> Any:
    return to_json(numbers)


def _decode_numbers(data: Any) -> BookNumbers:
    return from_json(BookNumbers, data)


PLAN: Derived[Dated[PlanBrief]] = dated("plan", _encode_brief, _decode_brief)
BOOK: Derived[Dated[BookNumbers]] = dated("book", _encode_numbers, _decode_numbers)


def config_fingerprint(config: Config, store: Store) -> str:
    """The whole config's fingerprint, once per config object while the store is open."""
    kept = store.remember(
        ("config-fingerprint", id(config)),
        # pydantic's own JSON (in Rust): 2,000 accounts and 20,000 people in milliseconds.
        lambda: (config, hashlib.sha256(config.model_dump_json().encode()).hexdigest()[:24]),
    )
    return kept[1]


def plan_key(
    config: Config,
    base: Config,
    store: Store,
    stages: Mapping[str, Any],
    drafts: Mapping[str, Mapping[str, Any]],
) -> str:
    from agent.core.plays.registry import defaults_key  # the plays: not for the book's key

    return fingerprint_of(
        MEMO_VERSION,
        defaults_key(),
        config_fingerprint(config, store),
        config_fingerprint(base, store),
        stages,
        drafts,
    )


def book_key(config: Config, store: Store, stages: Mapping[str, Any]) -> str:
    return fingerprint_of(MEMO_VERSION, config_fingerprint(config, store), stages)


def draft_times(drafts: Mapping[str, Mapping[str, Any]]) -> Iterable[datetime]:
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
