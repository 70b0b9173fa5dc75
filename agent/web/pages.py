"""The pages a rep works in: board, account, review, plan and week. Each route calls an
``app/`` use case and renders ``views/json.py`` rows; writes go through the same use cases
as the CLI (stages: ``app.stages``; drafts: ``app.review.Desk``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from agent.app import overview, review
from agent.app.context import Context
from agent.app.stages import find_account, set_stage
from agent.errors import UserError
from agent.model import Stage, Tier
from agent.model.tables import DraftRecord, DraftStatus
from agent.providers.registry import connect
from agent.views.json import (
    account_json,
    blocks_json,
    board_json,
    clocks_sentence,
    digest_reason,
    draft_json,
    next_cycle_json,
    nothing_planned,
    timeline_json,
)
from agent.web.app import DIGEST_CSP, WebApp, arg

PLAN_SECTIONS = (
    ("reply", "Replies you owe", "Answer these yourself first: no play goes to them until you do."),
    ("draft", "Drafts the next cycle would write", ""),
    ("deferred", "Held back by the throttles", ""),
    ("suggest_stage", "Stage changes to consider", "Agree on the account's page."),
    ("hold", "On hold", ""),
)


def account_url(name: str) -> str:
    return f"/account/{quote(name, safe='')}"


def board(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    with context.store() as store:
        found = overview.board(config, store, context.now)
    rows = board_json(found.rows, config, found.states)
    wanted = {k: request.args.get(k, "") for k in ("tier", "stage", "due")}
    shown = [r for r in rows if _fits(r, wanted)]
    for row in shown:
        row["url"] = account_url(row["name"])
        row["weekly"] = found.weekly.get(row["name"], [0] * 12)
    return web.page(
        "board",
        request,
        rows=shown,
        total=len(rows),
        wanted=wanted,
        tiers=[t.value for t in Tier],
        stages=[s.value for s in Stage],
        today=context.now.astimezone(config.tz).date().isoformat(),
        timezone=config.timezone,
        coverage_days=config.coverage_days,
        empty_book=not config.accounts,
    )


def _fits(row: dict[str, Any], wanted: dict[str, str]) -> bool:
    if wanted["tier"] and row["tier"] != wanted["tier"]:
        return False
    if wanted["stage"] and row["stage"] != wanted["stage"]:
        return False
    return not wanted["due"] or row["due"] == (wanted["due"] == "yes")


def account(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    found = find_account(config, arg(request, "name"))
    with context.store() as store:
        shown = overview.account(config, store, context.now, found)
    today = context.now.astimezone(config.tz).date()
    return web.page(
        "account",
        request,
        account=account_json(shown.state, shown.plan, config),
        clocks=clocks_sentence(shown.state, config, today),
        timeline=timeline_json(shown.touches[:60], shown.drafts, config),
        stages=[s.value for s in Stage],
        today=today.isoformat(),
        timezone=config.timezone,
        coverage_days=config.coverage_days,
        url=account_url(found.name),
    )


def change_stage(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    found = find_account(config, arg(request, "name"))
    try:
        stage = Stage(request.form.get("stage", ""))
    except ValueError:
        raise UserError("choose one of the stages", "cold, hot, stalled, lost or won") from None
    since = _date(request.form.get("since", ""))
    with context.store() as store:
        day = set_stage(config, store, found, stage, since=since, now=context.now)
    return web.done(
        account_url(found.name), f"{found.name} is now {stage.value}, since {day:%a %d %b %Y}."
    )


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{text!r} is not a date", "use the date picker, or write YYYY-MM-DD"
        ) from None


# --- review ----------------------------------------------------------------------------------


def _waiting(record: DraftRecord) -> bool:
    status = record.get("status")
    return status == DraftStatus.CREATED or (
        status == DraftStatus.EXPIRED and not record.get("removed")
    )


def review_page(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    with context.store() as store:
        everything = review.records(store)
    waiting = [
        {
            **draft_json(r, config),
            "text": r.get("text", ""),
            "message_id": r.get("message_id", ""),
            "expired": r.get("status") == DraftStatus.EXPIRED,
        }
        for r in everything
        if _waiting(r)
    ]
    decided = [draft_json(r, config) for r in everything if not _waiting(r)][:15]
    return web.page("review", request, drafts=waiting, decided=decided, provider=config.provider)


def _desk(context: Context, store: Any) -> review.Desk:
    config = context.config()
    mailbox = connect(config, context.home, lambda: context.now).mailbox
    return review.Desk(store, mailbox, config.provider, context.now)


def _record(store: Any, request: Request) -> DraftRecord:
    """The draft the form was about, refused if it changed since the page was shown."""
    record = review.find(store, arg(request, "key"))
    if request.form.get("message_id", "") != (record.get("message_id") or ""):
        raise UserError(
            f"draft {record['key']} changed while you were deciding",
            "look at it again on the review page",
        )
    return record


def approve(web: WebApp, request: Request, context: Context) -> Response:
    with context.store() as store:
        record = _record(store, request)
        desk = _desk(context, store)
        # What goes out is the message as the mailbox holds it now; one that would reach
        # anyone else, or carries headers nurture did not write, is never sent from here.
        live = review.preview(desk.mailbox, record, desk.provider, "send")
        concerns = live.concerns(str(record.get("contact", "")))
        if concerns:
            raise UserError(
                f"draft {record['key']} was not sent: {'; '.join(concerns)}",
                "look at it in your mailbox (or `nurture drafts show ID`) before sending it",
            )
        sent = desk.approve(record, live, force=request.form.get("force") == "yes")
    who = record.get("contact_name") or record.get("contact")
    if desk.provider == "local":  # the local provider sends nothing: say where it went
        return web.done("/review", f"Moved to {sent}: send it to {who} from your mail program.")
    return web.done("/review", f"Sent to {who}.")


def reject(web: WebApp, request: Request, context: Context) -> Response:
    with context.store() as store:
        record = _record(store, request)
        _desk(context, store).reject(record, request.form.get("reason", ""))
    return web.done("/review", f"Rejected the draft to {record.get('contact')}; nothing was sent.")


def edit(web: WebApp, request: Request, context: Context) -> Response:
    subject = request.form.get("subject", "")
    text = request.form.get("text", "").replace("\r\n", "\n")
    with context.store() as store:
        record = _record(store, request)
        changed = _desk(context, store).edit(record, f"{review.SUBJECT} {subject}\n\n{text}")
    note = "Saved your changes to the draft." if changed else "Nothing changed."
    return web.done(f"/review#d-{record['key']}", note)


# --- plan and week ----------------------------------------------------------------------------


def plan(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    with context.store() as store:
        found = overview.week(config, store, context.home, context.now)
    rows = next_cycle_json(found.coming, config)
    for row in rows:
        if row.get("account"):
            row["url"] = account_url(row["account"])
    sections = [
        {"title": title, "hint": hint, "rows": [r for r in rows if r["kind"] == kind]}
        for kind, title, hint in PLAN_SECTIONS
    ]
    blocks = blocks_json(found.blocks, config, context.now)
    coming = found.coming
    return web.page(
        "plan",
        request,
        sections=[s for s in sections if s["rows"]],
        steps=[r for r in rows if r["kind"] == "block"],
        blocks_note=coming.blocks_note,
        nothing=nothing_planned(coming),
        digest=digest_reason(coming.digest_week, coming.digest_to) if coming.digest_week else "",
        days=_week_days(
            context.now.astimezone(config.tz).date(), blocks, config.working_hours.weekday_numbers()
        ),
        timezone=config.timezone,
    )


def _week_days(
    today: date, blocks: list[dict[str, Any]], workdays: frozenset[int]
) -> list[dict[str, Any]]:
    """The working days from this Monday to the last block placed (at least this Friday)."""
    monday = today - timedelta(days=today.weekday())
    starts = [datetime.fromisoformat(b["start"]).date() for b in blocks]
    last = max([monday + timedelta(days=4), *starts])
    days = []
    day = monday
    while day <= last:
        on_day = [b for b, start in zip(blocks, starts, strict=True) if start == day]
        if day.weekday() in workdays or on_day:
            days.append(
                {
                    "day": day.isoformat(),
                    "today": day == today,
                    "past": day < today,
                    "blocks": on_day,
                }
            )
        day += timedelta(days=1)
    return days


def digest_preview(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    with context.store() as store:
        html = overview.digest_html(config, store, context.now)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = DIGEST_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def register(web: WebApp) -> None:
    web.route("/", "board", board, ["GET"])
    web.route("/account/<path:name>", "account", account, ["GET"])
    web.route("/account/<path:name>/stage", "stage", change_stage, ["POST"])
    web.route("/review", "review", review_page, ["GET"])
    web.route("/review/<key>/approve", "approve", approve, ["POST"])
    web.route("/review/<key>/reject", "reject", reject, ["POST"])
    web.route("/review/<key>/edit", "edit", edit, ["POST"])
    web.route("/plan", "plan", plan, ["GET"])
    web.route("/digest", "digest", digest_preview, ["GET"])
