"""The row shapes: what `--json` prints and what the web pages render, one definition each.

Plain dicts of plain values (str, int, bool, None, lists), times in the rep's zone as ISO
text. This module imports no rich, no store and no Jinja2 (a test holds it to that), so the
web app and the CLI share it without paying for each other's libraries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from agent.config.crm import Row
from agent.config.schema import Config
from agent.core.accounts.clocks import clocks_line
from agent.core.forecast import cold_on
from agent.core.giveask import GiveAsk
from agent.model import Action, Touch

if TYPE_CHECKING:  # the core's types are only named: a sync prints a board row and no plan
    from agent.core.accounts.contacts import ContactStatus
    from agent.core.accounts.state import AccountState
    from agent.core.accounts.status import AccountStatus
    from agent.core.blocks.reconcile import BlockPlan, BlockRecord
    from agent.core.blocks.types import BlockAction
    from agent.core.planner import NextCycle, Plan, Planned
    from agent.core.suggest import Suggested, Unmatched

# --- the board ---------------------------------------------------------------------------


def board_json(
    rows: Sequence[AccountStatus],
    config: Config,
    states: Mapping[str, AccountState] | None = None,
) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        last = row.last_touch
        result.append(
            {
                "name": row.name,
                "tier": row.tier.value,
                "stage": row.stage.value,
                "stage_since": row.stage_since.isoformat() if row.stage_since else None,
                "last_touch": _when(last.at, config) if last else None,
                "last_touch_contact": last.contact if last else None,
                "last_touch_channel": last.channel.value if last else None,
                "days_since_touch": row.days_since_touch,
                "touches": row.touches,
                "contacts_touched": row.contacts_touched,
                "recent_touches": row.recent_touches,
                "recent_people": row.recent_people,
                "coverage_target": row.coverage_target,
                "cadence_days": row.cadence_days,
                "due": row.due,
                "days_overdue": row.days_overdue,
                "cold_on": _day(cold_on(row, config.tz)),  # the day it is (or was) due
                **_notes_json(states.get(row.name) if states else None, config),
            }
        )
    return result


def _notes_json(state: AccountState | None, config: Config) -> dict[str, Any]:
    if state is None:
        return {
            **dict.fromkeys(CLOCKS),
            "patterns": [],
            "suggestions": [],
            **give_ask_json(GiveAsk()),
            "committee": [],
        }
    return {
        **clocks_json(state, config),
        "patterns": patterns_json(state),
        "suggestions": suggestions_json(state),
        **give_ask_json(state.give_ask),
        "committee": committee_json(state),
    }


CLOCKS = ("last_outreach", "last_reply", "last_meeting")


def clocks_json(state: AccountState, config: Config) -> dict[str, Any]:
    """The three clocks (issue 19). ``last_touch`` stays the newest touch either way (what
    the cadence counts from); ``last_outreach`` is your own last message."""
    kept = state.clocks

    def when(touch: Touch | None) -> str | None:
        return _when(touch.at, config) if touch else None

    return {
        "last_outreach": when(kept.last_touch),
        "last_reply": when(kept.last_reply),
        "last_meeting": when(kept.last_meeting),
    }


def clocks_sentence(state: AccountState, config: Config, today: date) -> str:
    return clocks_line(state.clocks, today, config.tz)


def give_ask_json(ledger: GiveAsk) -> dict[str, Any]:
    """The rep's outbound mail as gives and asks (``agent.core.giveask``)."""
    return {
        "give_ask": ledger.ratio,
        "gives": ledger.gives,
        "asks": ledger.asks,
        "asks_in_a_row": ledger.asks_in_a_row,
    }


def committee_json(state: AccountState) -> list[dict[str, Any]]:
    """The buying committee, the most central first, each with its ready play's reason."""
    return [
        {
            "email": m.email,
            "name": m.name,
            "listed": m.listed,
            "sightings": m.sightings,
            "bridge": m.bridges[0],
            "bridge_name": m.bridge_name,
            "bridges": list(m.bridges),
            "thread": m.thread,
            "invited": m.invited,
            "last_seen": m.last.isoformat(),
            "play": "new_contact",
            "reason": m.reason(state.name),
        }
        for m in state.committee
    ]


def patterns_json(state: AccountState) -> list[dict[str, Any]]:
    return [{"kind": p.kind.value, "detail": p.detail} for p in state.patterns]


def suggestions_json(state: AccountState) -> list[dict[str, Any]]:
    return [
        {"stage": s.suggested.value, "label": s.label, "reason": s.reason}
        for s in state.suggestions
    ]


# --- the plan and one account --------------------------------------------------------------


def action_json(action: Action) -> dict[str, Any]:
    offer = action.offer
    return {
        "kind": action.kind.value,
        "account": action.account,
        "contact": action.contact,
        "contact_name": action.contact_name or None,
        "play": str(action.play) if action.play else None,
        "reason": action.reason,
        "key": action.key,
        "offer": None
        if offer is None
        else {
            "kind": offer.kind,
            "key": offer.key,
            "title": offer.title,
            "url": offer.url or None,
            "detail": offer.detail or None,
            "when": _day(offer.when),
        },
        "asks": list(action.asks),
        "subject_hint": action.subject_hint or None,
        "meeting": action.meeting or None,
        "until": _day(action.until),
        "stage": action.stage.value if action.stage else None,
        "fix": action.fix or None,
    }


def plan_json(plan: Planned) -> list[dict[str, Any]]:
    return [action_json(a) for a in plan.actions]


def next_cycle_json(coming: NextCycle, config: Config) -> list[dict[str, Any]]:
    """The plan's actions, then the calendar steps, then the digest when it is due."""
    rows = plan_json(coming.plan) + [_block_json(a, config) for a in coming.blocks]
    if coming.digest_week is not None:
        rows.append(_digest_json(coming.digest_week, coming.digest_to))
    return rows


def _block_json(action: BlockAction, config: Config) -> dict[str, Any]:
    block = action.block
    return {
        **_no_person("block", action.reason, action.key),
        "step": action.step.value,
        "block": block.id,
        "start": _when(block.start, config),
        "end": _when(block.end, config),
        "accounts": list(action.done.accounts),
    }


def _digest_json(week: str, to: str) -> dict[str, Any]:
    return _no_person("digest", digest_reason(week, to), f"digest-{week}")


def nothing_planned(coming: NextCycle) -> str:
    """What to say when the plan has no row: true about never-touched accounts and about
    drafts still waiting, never just "all done"."""
    never = coming.plan.never_touched
    said = []
    if coming.waiting_drafts:
        n = coming.waiting_drafts
        said.append(
            f"{n} draft{'s' * (n != 1)} {'wait' if n != 1 else 'waits'} for your review "
            "(nurture drafts list)"
        )
    if never:
        names = ", ".join(never[:3]) + (", ..." if len(never) > 3 else "")
        said.append(f"{len(never)} account{'s' * (len(never) != 1)} never touched ({names})")
    if not said:
        return "Nothing is due: every account was touched within its cadence."
    return "Nothing new to plan: " + "; ".join(said) + "."


def digest_reason(week: str, to: str) -> str:
    return f"the weekly digest for {week} is due; it goes to you only ({to})"


def _no_person(kind: str, reason: str, key: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "account": None,
        "contact": None,
        "play": None,
        "reason": reason,
        "key": key,
    }


def account_json(state: AccountState, plan: Plan, config: Config) -> dict[str, Any]:
    status = state.status
    return {
        "name": state.name,
        "tier": status.tier.value,
        "stage": status.stage.value,
        "stage_since": _day(status.stage_since),
        "days_in_stage": state.days_in_stage,
        "last_touch": _when(status.last_touch.at, config) if status.last_touch else None,
        **clocks_json(state, config),
        "days_since_touch": status.days_since_touch,
        "cadence_days": status.cadence_days,
        "due": status.due,
        "days_overdue": status.days_overdue,
        "cold_on": _day(cold_on(status, config.tz)),
        "recent_people": status.recent_people,
        "coverage_target": status.coverage_target,
        "roles_missing": list(state.roles_missing),
        "touches_by_period": {f"{d}d": n for d, n in state.touches_by_period},
        "patterns": patterns_json(state),
        "suggestions": suggestions_json(state),
        **give_ask_json(state.give_ask),
        "committee": committee_json(state),
        "contacts": [_contact_json(c, config) for c in state.contacts],
        "actions": [action_json(a) for a in plan.actions if a.account == state.name],
    }


def _contact_json(contact: ContactStatus, config: Config) -> dict[str, Any]:
    last = contact.last_touch
    return {
        "email": contact.email,
        "name": contact.name,
        "role": contact.role or None,
        "listed": contact.known,
        "last_touch": _when(last.at, config) if last else None,
        "last_direction": last.direction.value if last else None,
        "days_since_touch": contact.days_since_touch,
        "touches": contact.touches,
        "recent_touches": contact.recent_touches,
        "reply_owed": contact.reply_owed is not None,
        "held_until": _day(contact.held_until),
        "due": contact.due,
    }


# --- drafts and blocks ---------------------------------------------------------------------


def draft_json(record: Mapping[str, Any], config: Config) -> dict[str, Any]:
    return {
        "id": record["key"],
        "account": record.get("account", ""),
        "contact": record.get("contact", ""),
        "contact_name": record.get("contact_name", ""),
        "play": record.get("play", ""),
        "subject": record.get("subject", ""),
        "status": record.get("status", ""),
        "created_at": moment(record.get("created_at"), config),
        "status_at": moment(record.get("status_at"), config),
        "reason": record.get("reason", ""),
        "link": record.get("link", ""),
        "edited": bool(record.get("edited")),
        "edit_summary": record.get("edit_summary", ""),
        "reject_reason": record.get("reject_reason", ""),
        "failed_reason": record.get("failed_reason", ""),
        # Overtaken by events: withdrawn, or (edited by the rep) still waiting but stale.
        "stale": bool(record.get("stale")) and record.get("status") == "created",
        "stale_reason": record.get("stale", ""),
    }


def _moment(value: Any) -> datetime:
    found = datetime.fromisoformat(str(value))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def blocks_json(plan: BlockPlan, config: Config, now: datetime) -> list[dict[str, Any]]:
    """This week's blocks and the horizon's, soonest first, with what this run does."""
    tz = config.tz
    today = now.astimezone(tz).date()
    since = today - timedelta(days=today.weekday())
    steps = {a.block.id: a.step.value for a in plan.actions}
    shown = [r for r in plan.records.values() if _shown(r, since, tz)]
    return [
        {
            "id": record.id,
            "day": record.day.isoformat(),
            "start": _when(record.where.start, config),
            "end": _when(record.where.end, config),
            "title": config.blocks.title,
            "status": record.status.value,
            "accounts": list(record.accounts),
            "hours": round((record.where.end - record.where.start).total_seconds() / 3600, 2),
            "action": steps.get(record.id),
        }
        for record in sorted(shown, key=lambda r: (r.where.start, r.id))
    ]


def _shown(record: BlockRecord, since: date, tz: ZoneInfo) -> bool:
    return record.day >= since or record.where.start.astimezone(tz).date() >= since


def timeline_json(
    touches: Sequence[Touch], drafts: Sequence[Mapping[str, Any]], config: Config
) -> list[dict[str, Any]]:
    """An account's mail, meetings and drafts (with what became of each), newest first."""
    rows = [
        {
            "at": _when(t.at, config),
            "kind": t.channel.value,
            "direction": t.direction.value,
            "contact": t.contact,
            "subject": t.subject,
            "status": None,
            "note": "",
        }
        for t in touches
    ]
    for record in drafts:
        row = draft_json(record, config)
        if row["created_at"] is None:
            continue
        rows.append(
            {
                "at": row["created_at"],
                "kind": "draft",
                "direction": "outbound",
                "contact": row["contact"],
                "subject": row["subject"],
                "status": row["status"],
                "note": row["reject_reason"] or row["edit_summary"] or row["play"],
            }
        )
    return sorted(rows, key=lambda r: datetime.fromisoformat(str(r["at"])), reverse=True)


# --- onboarding ----------------------------------------------------------------------------


def suggested_json(found: Suggested, config: Config) -> dict[str, Any]:
    return {
        "domain": found.domain,
        "name": found.name,
        "sent": found.sent,
        "received": found.received,
        "people": [{"email": p.email, "name": p.name} for p in found.people],
        "last": _when(found.last, config),
    }


def unmatched_json(person: Unmatched, config: Config) -> dict[str, Any]:
    return {
        "account": person.account,
        "email": person.email,
        "name": person.name,
        "touches": person.touches,
        "last": _when(person.last, config) if person.last else None,
    }


def import_row_json(row: Row) -> dict[str, Any]:
    account = row.account
    return {
        "line": row.line,
        "name": account["name"],
        "domains": list(account["domains"]),
        "tier": account["tier"],
        "stage": account["stage"],
        "owner": row.owner,
        "contacts": [
            {"email": c["email"], "name": c.get("name", ""), "role": c.get("role", "")}
            for c in account.get("contacts", [])
        ],
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _when(at: datetime, config: Config) -> str:
    """Every time a shape holds: ISO 8601 in the rep's zone, to the second, with the offset."""
    return at.astimezone(config.tz).isoformat(timespec="seconds")


def moment(at: datetime | str | None, config: Config) -> str | None:
    """``at`` (aware, or ISO text as the store and the daemon keep it) in the rep's zone."""
    if at is None or at == "":
        return None
    return _when(_moment(at) if isinstance(at, str) else at, config)
