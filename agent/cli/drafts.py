"""`nurture drafts ...`: review what nurture wrote. Approving is the only way anything is sent."""

from __future__ import annotations

import json
import shutil
import textwrap
from typing import Any

import click

from agent.app.context import Context, pass_context
from agent.app.draft_preview import Preview, shown
from agent.app.review import Desk, edit_text, find, in_mailbox, preview, records, refuse_stale
from agent.config.schema import Config
from agent.errors import UserError
from agent.model.tables import DraftRecord, DraftStatus
from agent.providers.base import Mailbox
from agent.providers.registry import connect
from agent.store.db import Store
from agent.untrusted.terminal import echo
from agent.views.json import draft_json
from agent.views.reports import decision_json
from agent.views.tables import console, drafts_table

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
@click.option(
    "--status",
    type=click.Choice([s.value for s in DraftStatus]),
    help="Only drafts with this status.",
)
@pass_context
def list_(context: Context, as_json: bool, status: str | None) -> None:
    """Every draft, newest first, with its status (created, sent, rejected, expired, withdrawn).

    Example: nurture drafts list --status created
    """
    config = context.config()
    with context.reader() as store:
        rows = [draft_json(r, config) for r in records(store)]
    rows = [r for r in rows if status is None or r["status"] == status]
    if as_json:
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    out = console()
    if rows:
        out.print(drafts_table(rows, out.width))
    elif status is not None:
        echo(f"No drafts with status {status}; `nurture drafts list` shows them all.")
    else:
        echo("No drafts yet: `nurture cycle` writes them.")


@drafts.command()
@ID
@click.option("--json", "as_json", is_flag=True, help="Print JSON, with the text.")
@pass_context
def show(context: Context, draft_id: str, as_json: bool) -> None:
    """One draft: who it goes to, why, its status and its text. ID may be part of the id.

    A draft in your mailbox is shown as it is there (with your edits): every recipient,
    the subject and the text that approving it would send.
    Example: nurture drafts show 4454685c
    """
    config = context.config()
    with context.reader() as store:
        record = find(store, draft_id)
    live, note = _live(context, config, record)
    if as_json:
        message = live.json() if live else _recorded(record)
        where = {"source": "mailbox" if live else "record", "note": note}
        shown_json = {**draft_json(record, config), **message, **where}
        echo(json.dumps(shown_json, indent=2, ensure_ascii=False))
        return
    echo(_card(record, config, live, note))
    echo(f"\n{live.text if live else record.get('text', '')}", nl=False)


def _live(context: Context, config: Config, record: DraftRecord) -> tuple[Preview | None, str]:
    """The draft as the mailbox holds it, or None and why the record is shown instead."""
    if not in_mailbox(record):
        return None, "as recorded: it is not in your mailbox"
    try:
        return preview(_mailbox(context, config), record, config.provider), ""
    except UserError as error:
        return None, f"as recorded: {error.message}"


def _recorded(record: DraftRecord) -> dict[str, Any]:
    to = {"name": record.get("contact_name", ""), "email": record.get("contact", "")}
    return {
        "to": [to],
        "cc": [],
        "bcc": [],
        "subject": record.get("subject", ""),
        "text": record.get("text", ""),
        "unknown_headers": [],
    }


def _card(record: DraftRecord, config: Config, live: Preview | None = None, note: str = "") -> str:
    row = draft_json(record, config)
    lines = [f"{row['id']}  {row['status']}{' (edited)' if row['edited'] else ''}"]
    if live is None:
        who = f"{row['contact_name']} <{row['contact']}>" if row["contact_name"] else row["contact"]
        lines += [f"To:      {who} ({row['account']})", f"Subject: {row['subject']}"]
    else:
        lines.append(f"To:      {shown(live.to) or 'nobody'} ({row['account']})")
        for name, people in (("Cc", live.cc), ("Bcc", live.bcc)):
            if people:
                lines.append(f"{name + ':':<9}{shown(people)}")
        lines.append(f"Subject: {live.subject}")
    lines.append(f"Play:    {row['play']}: {row['reason']}")
    if not row["contact_name"]:
        lines.append("Note:    name unknown: add it in config or the web app")
    if row["link"]:
        lines.append(f"Open:    {row['link']}")
    if row["edit_summary"] or row["reject_reason"]:
        lines.append(f"Outcome: {row['edit_summary'] or row['reject_reason']}")
    if row["failed_reason"]:
        lines.append(f"Refused: {row['failed_reason']}")
    if note:
        lines.append(f"Shown:   {note}")
    concerns = live.concerns(str(row["contact"])) if live else []
    lines += [f"WARNING: {concern}" for concern in concerns]
    return "\n".join(_wrapped(line) for line in lines)


_PROSE = ("Play:", "Outcome:", "Refused:", "Shown:", "WARNING:")


def _wrapped(line: str) -> str:
    """A card line of prose wrapped to the terminal under its label; addresses and paths
    (To, Open) stay whole on their line."""
    if not line.startswith(_PROSE):
        return line
    width = shutil.get_terminal_size().columns  # COLUMNS when piped
    return textwrap.fill(
        line, width, subsequent_indent=" " * 9, break_long_words=False, break_on_hyphens=False
    )


def _mailbox(context: Context, config: Config) -> Mailbox:
    return connect(config, context.home, lambda: context.now).mailbox


def _desk(context: Context, config: Config, store: Store, mailbox: Mailbox | None = None) -> Desk:
    return Desk(store, mailbox or _mailbox(context, config), config.provider, context.now)


@drafts.command()
@ID
@click.option("--yes", "-y", is_flag=True, help="Send without asking for confirmation.")
@click.option("--force", is_flag=True, help="Send a stale draft anyway (see drafts show).")
@click.option("--json", "as_json", is_flag=True, help="Print the draft after it as JSON.")
@pass_context
def approve(context: Context, draft_id: str, yes: bool, force: bool, as_json: bool) -> None:
    """Send the draft, as it is in your mailbox now (with your edits), to its recipients.

    This is the only way nurture ever sends mail to anyone but you. With Gmail the draft
    is sent from your account; the local provider sends nothing: the .eml file moves to
    <outbox>/sent/ for you to send from your mail program, and counts as sent. It shows the message
    as it would go out (every recipient, the subject, the text), asks first, and sends it
    only if it is still that message. A draft that would go to anyone but its contact, or
    carries headers nurture did not write, is never sent with --yes.
    Example: nurture drafts approve 4454685c
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
    refuse_stale(record, force=force)
    mailbox = _mailbox(context, config)
    live = preview(mailbox, record, config.provider, "send")
    echo(_card(record, config, live), err=as_json)  # with --json, stdout is the JSON only
    echo(f"\n{live.text}", err=as_json)
    concerns = live.concerns(str(record.get("contact", "")))
    if concerns and yes:
        raise UserError(
            f"draft {record['key']} was not sent: {'; '.join(concerns)}",
            "look at it (nurture drafts show ID) and approve it without --yes if you mean it",
        )
    local = config.provider == "local"
    question = "Move it to the sent folder, to send it yourself?" if local else "Send it now?"
    # Asked with the store closed: a daemon job is not kept waiting on the rep.
    if not yes and not click.confirm(question, default=False, err=as_json):
        echo("Not moved." if local else "Not sent.", err=as_json)
        return
    with context.store() as store:
        record = _unchanged(find(store, str(record["key"])), record)
        sent = _desk(context, config, store, mailbox).approve(record, live, force=force)
        after = find(store, str(record["key"]))
    to = ", ".join(email for _, email in live.recipients)
    if as_json:
        _decided(context, config, after, "approved", recipients=[e for _, e in live.recipients])
    elif local:
        # The local provider has no way to send mail: say so, and what the rep does next.
        echo(f"Moved to {sent}: send it from your mail program. nurture counts it as sent to {to}.")
    else:
        echo(f"Sent to {to}.")


def _unchanged(now: DraftRecord, before: DraftRecord) -> DraftRecord:
    if any(now.get(key) != before.get(key) for key in ("status", "message_id")):
        raise click.ClickException(
            f"draft {now['key']} changed while you were deciding; run the command again"
        )
    return now


@drafts.command()
@ID
@click.option("--reason", default="", help="Why not: kept with the draft, for your records.")
@click.option("--json", "as_json", is_flag=True, help="Print the draft after it as JSON.")
@pass_context
def reject(context: Context, draft_id: str, reason: str, as_json: bool) -> None:
    """Delete the draft from your mailbox; that play rests for that person a while.

    Example: nurture drafts reject 4454685c --reason "they just changed roles"
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
        _desk(context, config, store).reject(record, reason)
        after = find(store, str(record["key"]))
    if as_json:
        _decided(context, config, after, "rejected")
        return
    echo(f"Rejected {record['key']}; nothing was sent.")


@drafts.command()
@ID
@click.option("--json", "as_json", is_flag=True, help="Print the draft after it as JSON.")
@pass_context
def edit(context: Context, draft_id: str, as_json: bool) -> None:
    """Edit the draft's subject and text in $EDITOR; the draft in your mailbox is replaced.

    The edited draft is plain text: an HTML version the template made is dropped (it
    would still say what you changed), and the command says so.

    Example: EDITOR=nano nurture drafts edit 4454685c
    """
    config = context.config()
    with context.store() as store:
        record = find(store, draft_id)
    if record.get("status") not in (DraftStatus.CREATED, "expired"):
        raise click.ClickException(f"draft {record['key']} is {record.get('status')}")
    edited = click.edit(edit_text(record), extension=".txt", require_save=True)
    if edited is None:
        if as_json:
            _decided(context, config, record, "edited", changed=False)
            return
        echo("No change.")
        return
    with context.store() as store:
        record = _unchanged(find(store, str(record["key"])), record)
        changed = _desk(context, config, store).edit(record, edited)
        after = find(store, str(record["key"]))
    if as_json:
        _decided(context, config, after, "edited", changed=changed)
    elif not changed:
        echo("No change.")
    elif record.get("html"):
        # Desk.edit keeps the rep's words only: the template's HTML would contradict them.
        echo(
            f"Updated {record['key']}. It now goes out as plain text: the HTML version "
            "was the template's, and your words replace it."
        )
    else:
        echo(f"Updated {record['key']}.")


def _decided(
    context: Context, config: Config, record: DraftRecord, decision: str, **extra: Any
) -> None:
    shape = decision_json(record, decision, config, context.now, **extra)
    echo(json.dumps(shape, indent=2, ensure_ascii=False))
