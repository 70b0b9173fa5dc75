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
    tz = config.tz
    result = []
    for row in rows:
        last = row.last_touch
        result.append(
            {
                "name": row.name,
                "tier": row.tier.value,
                "stage": row.stage.value,
                "stage_since": row.stage_since.isoformat() if row.stage_since else None,
                "last_touch": last.at.astimezone(tz).isoformat() if last else None,
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
                **_notes_json(states.get(row.name) if states else None),
            }
        )
    return result


def _notes_json(state: AccountState | None) -> dict[str, Any]:
    if state is None:
        return {"patterns": [], "suggestions": []}
    return {"patterns": patterns_json(state), "suggestions": suggestions_json(state)}


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
        "play": action.play.value if action.play else None,
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
        "start": block.start.astimezone(config.tz).isoformat(),
        "end": block.end.astimezone(config.tz).isoformat(),
        "accounts": list(action.done.accounts),
    }


def _digest_json(week: str, to: str) -> dict[str, Any]:
    return _no_person("digest", digest_reason(week, to), f"digest-{week}")


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
        "days_since_touch": status.days_since_touch,
        "cadence_days": status.cadence_days,
        "due": status.due,
        "days_overdue": status.days_overdue,
        "recent_people": status.recent_people,
        "coverage_target": status.coverage_target,
        "roles_missing": list(state.roles_missing),
        "touches_by_period": {f"{d}d": n for d, n in state.touches_by_period},
        "patterns": patterns_json(state),
        "suggestions": suggestions_json(state),
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
    def when(key: str) -> str | None:
        value = record.get(key)
        return _moment(value).astimezone(config.tz).isoformat() if value else None

    return {
        "id": record["key"],
        "account": record.get("account", ""),
        "contact": record.get("contact", ""),
        "contact_name": record.get("contact_name", ""),
        "play": record.get("play", ""),
        "subject": record.get("subject", ""),
        "status": record.get("status", ""),
        "created_at": when("created_at"),
        "status_at": when("status_at"),
        "reason": record.get("reason", ""),
        "link": record.get("link", ""),
        "edited": bool(record.get("edited")),
        "edit_summary": record.get("edit_summary", ""),
        "reject_reason": record.get("reject_reason", ""),
        "failed_reason": record.get("failed_reason", ""),
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
            "start": record.where.start.astimezone(tz).isoformat(),
            "end": record.where.end.astimezone(tz).isoformat(),
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
    return at.astimezone(config.tz).isoformat()
