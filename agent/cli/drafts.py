"""`nurture drafts ...`: review what nurture wrote. Approving is the only way anything is sent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click
from rich.table import Table

from agent.app.context import Context, pass_context
from agent.app.review import Desk, edit_text, find, records
from agent.config.schema import Config
from agent.core.drafts import CREATED, STATUSES
from agent.providers.registry import connect
from agent.store.db import Store
from agent.views.json import draft_json
from agent.views.tables import console

ID = click.argument("draft_id", metavar="ID")


@click.group()
def drafts() -> None:
    """Review the drafts nurture wrote: list, show, approve, reject, edit.

    Drafts wait in Gmail Drafts (or <outbox>/drafts as .eml files). You can also send,
    edit or delete them in your mail program: the next sync notices. Example: nurture
    drafts list
    """


@drafts.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option("--status", type=click.Choice(STATUSES), help="Only drafts with this status.")
@pass_context
def list_(context: Context, as_json: bool, status: str | None) -> None:
    """Every draft, newest first, with its status (created, sent, rejected, expired).

    Example: nurture drafts list --status created
    """
    config = context.config()
    with context.store() as store:
        rows = [draft_json(r, config) for r in records(store)]
    rows = [r for r in rows if status is None or r["status"] == status]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(box=None, pad_edge=False)
    for column in ("id", "status", "account", "contact", "play", "subject", "created"):
        table.add_column(column)
    for row in rows:
        created = row["created_at"][:10] if row["created_at"] else ""
        who = row["contact_name"] or row["contact"]
        cells = (row["id"], row["status"], row["account"], who, row["play"], row["subject"])
        table.add_row(*cells, created)
    console().print(table if rows else "No drafts yet: `nurture cycle` writes them.")


@drafts.command()
@ID
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with the text.")
@pass_context
def show(context: Context, draft_id: str, as_json: bool) -> None:
    """One draft: who it is for, why, its status and its text. ID may be part of the id.

    Example: nurture drafts show 4454685c
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
    if as_json:
        shown = {**draft_json(record, config), "text": record.get("text", "")}
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    click.echo(_card(record, config))
    click.echo(f"\n{record.get('text', '')}", nl=False)


def _card(record: Mapping[str, Any], config: Config) -> str:
    row = draft_json(record, config)
    who = f"{row['contact_name']} <{row['contact']}>" if row["contact_name"] else row["contact"]
    lines = [
        f"{row['id']}  {row['status']}{' (edited)' if row['edited'] else ''}",
        f"To:      {who} ({row['account']})",
        f"Subject: {row['subject']}",
        f"Play:    {row['play']}: {row['reason']}",
    ]
    if row["link"]:
        lines.append(f"Open:    {row['link']}")
    if row["edit_summary"] or row["reject_reason"]:
        lines.append(f"Outcome: {row['edit_summary'] or row['reject_reason']}")
    return "\n".join(lines)


def _desk(context: Context, config: Config, store: Store) -> Desk:
    mailbox = connect(config, context.home, lambda: context.now).mailbox
    return Desk(store, mailbox, config.provider, context.now)


@drafts.command()
@ID
@click.option("--yes", "-y", is_flag=True, help="Send without asking for confirmation.")
@pass_context
def approve(context: Context, draft_id: str, yes: bool) -> None:
    """Send the draft to its contact, as it is in your mailbox now (with your edits).

    This is the only way nurture ever sends mail to anyone but you, and it asks first.
    Example: nurture drafts approve 4454685c
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
    click.echo(_card(record, config))
    # Asked with the store closed: a daemon job is not kept waiting on the rep.
    if not yes and not click.confirm("Send it now?", default=False):
        click.echo("Not sent.")
        return
    with context.store() as store:
        record = _unchanged(find(store, str(record["key"])), record)
        _desk(context, config, store).approve(record)
    click.echo(f"Sent to {record.get('contact')}.")


def _unchanged(now: dict[str, Any], shown: Mapping[str, Any]) -> dict[str, Any]:
    if now.get("status") != shown.get("status") or now.get("message_id") != shown.get("message_id"):
        raise click.ClickException(
            f"draft {now['key']} changed while you were deciding; run the command again"
        )
    return now


@drafts.command()
@ID
@click.option("--reason", default="", help="Why not: kept with the draft, for your records.")
@pass_context
def reject(context: Context, draft_id: str, reason: str) -> None:
    """Delete the draft from your mailbox; that play rests for that person a while.

    Example: nurture drafts reject 4454685c --reason "they just changed roles"
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
        _desk(context, config, store).reject(record, reason)
    click.echo(f"Rejected {record['key']}; nothing was sent.")


@drafts.command()
@ID
@pass_context
def edit(context: Context, draft_id: str) -> None:
    """Edit the draft's subject and text in $EDITOR; the draft in your mailbox is replaced.

    Example: EDITOR=nano nurture drafts edit 4454685c
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
    if record.get("status") not in (CREATED, "expired"):
        raise click.ClickException(f"draft {record['key']} is {record.get('status')}")
    edited = click.edit(edit_text(record), extension=".txt", require_save=True)
    if edited is None:
        click.echo("No change.")
        return
    with context.store() as store:
        record = _unchanged(find(store, str(record["key"])), record)
        changed = _desk(context, config, store).edit(record, edited)
    click.echo(f"Updated {record['key']}." if changed else "No change.")
