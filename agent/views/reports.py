"""What the commands that do something report with `--json`: sync, cycle, doctor, digest,
templates check, a draft decision, a stage change, status.

Every time is ISO 8601 in the rep's zone, to the second, with its offset
(``agent.views.json.moment``): a script reading sync, cycle, status and doctor compares like
with like. The app's own types come in as Protocols; like ``agent.views.json`` this module
imports no rich, no store and no Jinja2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from agent.config.schema import Config
from agent.views.json import draft_json, moment


class Checked(Protocol):
    """One of the doctor's checks (``agent.app.doctor.Check``)."""

    @property
    def name(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...
    @property
    def fix(self) -> str: ...
    @property
    def mark(self) -> str: ...


def doctor_json(checks: Sequence[Checked], config: Config, now: datetime) -> dict[str, Any]:
    """``ok`` is False when a check says fix (busy and note are fine)."""
    return {
        "at": moment(now, config),
        "ok": all(c.ok for c in checks),
        "checks": [
            {"name": c.name, "status": c.mark, "detail": c.detail, "fix": c.fix or None}
            for c in checks
        ],
    }


class Synced(Protocol):
    """What a sync brought (``agent.app.book.SyncReport``)."""

    @property
    def new_messages(self) -> int: ...
    @property
    def meetings(self) -> int: ...
    @property
    def touches(self) -> int: ...
    @property
    def accounts_touched(self) -> int: ...
    @property
    def accounts(self) -> int: ...
    @property
    def cold_accounts(self) -> int: ...
    @property
    def unreadable(self) -> tuple[str, ...]: ...
    def summary(self) -> str: ...


def sync_json(
    report: Synced, drafts_changed: Sequence[str], config: Config, now: datetime
) -> dict[str, Any]:
    return {
        "at": moment(now, config),
        "new_messages": report.new_messages,
        "meetings": report.meetings,
        "touches": report.touches,
        "accounts_touched": report.accounts_touched,
        "accounts": report.accounts,
        "cold_accounts": report.cold_accounts,
        "skipped": list(report.unreadable),
        "drafts_changed": list(drafts_changed),
        "summary": report.summary(),
    }


def cycle_json(
    said: Mapping[str, str],
    synced: Synced | None,
    drafts_changed: Sequence[str],
    made: Mapping[str, Sequence[str]] | None,
    *,
    config: Config,
    now: datetime,
) -> dict[str, Any]:
    """One cycle: each step that ran and its line, the sync's numbers, the drafts made
    (``made``: created, resumed, failed keys)."""
    return {
        "at": moment(now, config),
        "steps": [{"step": step, "said": line} for step, line in said.items()],
        "sync": None if synced is None else sync_json(synced, drafts_changed, config, now),
        "drafts": None if made is None else {k: list(v) for k, v in made.items()},
    }


def digest_json(
    week: str, subject: str, to: str, html: Path | None, *, config: Config, now: datetime
) -> dict[str, Any]:
    """The digest previewed (``sent`` False) or sent: see ``digest_sent_json``."""
    return {
        "at": moment(now, config),
        "week": week,
        "subject": subject,
        "to": to,
        "sent": False,
        "where": None,
        "sends": 0,
        "html": str(html) if html else None,
    }


def digest_sent_json(preview: Mapping[str, Any], where: str, sends: int) -> dict[str, Any]:
    return {**preview, "sent": True, "where": where, "sends": sends}


def template_json(name: str, source: str, yours: bool, error: str) -> dict[str, Any]:
    return {
        "template": name,
        "ok": not error,
        "source": source or None,
        "yours": yours,
        "error": error or None,
    }


def decision_json(
    record: Mapping[str, Any], decision: str, config: Config, now: datetime, **extra: Any
) -> dict[str, Any]:
    """A draft after the rep's decision (approved, rejected, edited), as the store has it."""
    return {**draft_json(record, config), "decision": decision, "at": moment(now, config), **extra}


def stage_json(
    account: str, stage: str, since: date, config: Config, now: datetime
) -> dict[str, Any]:
    return {
        "account": account,
        "stage": stage,
        "since": since.isoformat(),
        "at": moment(now, config),
    }


def status_json(
    last_sync: str | None,
    counts: Mapping[str, int],
    daemon: Mapping[str, Any],
    config: Config,
) -> dict[str, Any]:
    """The store's counts and the daemon's jobs, every time in the rep's zone."""
    jobs = {
        name: {
            **job,
            **{k: moment(job.get(k), config) for k in ("last_run", "last_ok", "next_run")},
        }
        for name, job in (daemon.get("jobs") or {}).items()
    }
    return {
        "last_sync": moment(last_sync, config),
        "counts": dict(counts),
        "daemon": {**daemon, "jobs": jobs},
    }
