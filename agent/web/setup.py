"""The onboarding page: connect Google, then build the account list without YAML
(suggested accounts, a CRM import, people to confirm, the never-contact list). Each write
goes through ``agent.app.onboard`` (comments kept, the CLI's validation)."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from agent.app import onboard
from agent.app.context import Context
from agent.config.crm import CrmImport, read_crm_export
from agent.config.schema import Config, find_config
from agent.errors import UserError
from agent.model import Address, Tier
from agent.views.json import import_row_json, suggested_json, unmatched_json
from agent.web.app import WebApp

GOOGLE = "google-consent"  # WebApp.kept: the consent flow running in the background


@dataclass
class Consent:
    """`nurture auth`'s flow, started from the page: its thread and how it ended."""

    thread: threading.Thread
    outcome: str = ""  # "" while waiting; then what happened, in words
    failed: bool = False


def setup_page(web: WebApp, request: Request, context: Context) -> Response:
    config = context.config()
    suggestions: list[dict[str, Any]] = []
    suggest_problem = ""
    try:
        suggestions = [
            suggested_json(s, config) for s in onboard.suggested_accounts(config, context.now)[:15]
        ]
    except UserError as error:
        suggest_problem = f"{error.message}: {error.hint}" if error.hint else error.message
    with context.store() as store:
        people = [
            unmatched_json(u, config)
            for u in onboard.unmatched_people(config, store, context.now)[:40]
        ]
    pending = web.kept.get(request.args.get("import", ""))
    return web.page(
        "setup",
        request,
        config_path=str(find_config(context.config_path)),
        provider=config.provider,
        google=_google_state(web, config, context),
        suggestions=suggestions,
        suggest_problem=suggest_problem,
        people=people,
        never="\n".join(config.never_contact),
        tiers=[t.value for t in Tier],
        accounts=len(config.accounts),
        preview=_preview(pending, request.args.get("import", ""))
        if isinstance(pending, CrmImport)
        else None,
    )


def _google_state(web: WebApp, config: Config, context: Context) -> dict[str, Any]:
    from agent.providers.google.auth import needs_token, token_path

    consent = web.kept.get(GOOGLE)
    waiting = isinstance(consent, Consent) and consent.thread.is_alive()
    return {
        "used": config.provider == "google",
        "needed": needs_token(config.google.endpoint),
        "connected": token_path(context.home).is_file(),
        "waiting": waiting,
        "outcome": consent.outcome if isinstance(consent, Consent) and not waiting else "",
        "failed": isinstance(consent, Consent) and consent.failed,
    }


def connect_google(web: WebApp, request: Request, context: Context) -> Response:
    """Start the consent flow `nurture auth` runs; the page shows how it ends."""
    consent = web.kept.get(GOOGLE)
    if isinstance(consent, Consent) and consent.thread.is_alive():
        return web.done("/setup#google", "Google's consent page is already open: finish it there.")
    config = context.config()
    home = context.home
    holder = Consent(threading.Thread(target=lambda: None))
    holder.thread = threading.Thread(target=_consent, args=(holder, config, home), daemon=True)
    web.kept[GOOGLE] = holder
    holder.thread.start()
    return web.done(
        "/setup#google",
        "Google's consent page opens in a new browser tab: sign in and tick every box. "
        "Reload this page when you are done.",
    )


def _consent(holder: Consent, config: Config, home: Any) -> None:
    from agent.providers.google.auth import authorize, token_path

    try:
        authorize(config.path(config.google.client_secrets), token_path(home))
        holder.outcome = "Connected to Google. The next sync reads your mail and calendar."
    except UserError as error:
        holder.failed = True
        holder.outcome = f"{error.message}. {error.hint}".strip()


def add_suggested(web: WebApp, request: Request, context: Context) -> Response:
    form = request.form
    name = form.get("name", "").strip()
    if not name:
        raise UserError("the account needs a name", "write the company's name and add it again")
    people = [Address(e) for e in form.getlist("person") if e.strip()]
    onboard.add_account(
        find_config(context.config_path),
        name=name,
        domain=form.get("domain", ""),
        tier=_tier(form.get("tier", "")),
        people=people,
    )
    return web.done("/setup#suggested", f"Added {name} to your accounts.")


def _tier(value: str) -> Tier:
    try:
        return Tier(value)
    except ValueError:
        raise UserError("choose a tier", "dream, target or other") from None


def preview_import(web: WebApp, request: Request, context: Context) -> Response:
    companies = request.files.get("companies")
    if companies is None or not companies.filename:
        raise UserError(
            "choose the companies (or accounts) file to import", "export it from your CRM as CSV"
        )
    people = request.files.get("contacts")
    found = read_crm_export(
        companies.read(),
        companies.filename,
        people.read() if people and people.filename else None,
        people.filename if people and people.filename else "",
        config=context.config(),
        tier=_tier(request.form.get("tier", "target")),
    )
    key = secrets.token_hex(8)
    web.kept[key] = found
    return web.done(
        f"/setup?import={key}#import",
        f"Read {len(found.rows)} accounts from {found.kind}: check them below.",
    )


def _preview(found: CrmImport, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "kind": found.kind,
        "rows": [import_row_json(r) for r in found.rows],
        "errors": [str(e) for e in found.errors],
    }


def confirm_import(web: WebApp, request: Request, context: Context) -> Response:
    key = request.form.get("import", "")
    found = web.kept.get(key)
    if not isinstance(found, CrmImport):
        raise UserError("this import is no longer waiting", "choose the files again")
    lines = set(request.form.getlist("line"))
    chosen = [r for r in found.rows if str(r.line) in lines]
    onboard.import_rows(find_config(context.config_path), chosen)
    web.kept.pop(key, None)
    return web.done("/setup#import", f"Imported {len(chosen)} accounts from {found.kind}.")


def confirm_person(web: WebApp, request: Request, context: Context) -> Response:
    form = request.form
    onboard.confirm_person(
        find_config(context.config_path),
        account=form.get("account", ""),
        email=form.get("email", ""),
        name=form.get("name", ""),
        role=form.get("role", ""),
    )
    return web.done(
        "/setup#people",
        f"{form.get('name') or form.get('email')} is now listed at {form.get('account')}.",
    )


def ignore_person(web: WebApp, request: Request, context: Context) -> Response:
    form = request.form
    with context.store() as store:
        onboard.ignore_person(
            store, account=form.get("account", ""), email=form.get("email", ""), now=context.now
        )
    return web.done("/setup#people", f"{form.get('email')} will not be asked about again.")


def never_contact(web: WebApp, request: Request, context: Context) -> Response:
    entries = request.form.get("never", "").replace(",", "\n").splitlines()
    config = onboard.set_never_contact(find_config(context.config_path), entries)
    count = len(config.never_contact)
    return web.done(
        "/setup#never",
        f"Saved your never-contact list: {count} {'entry' if count == 1 else 'entries'}.",
    )


def register(web: WebApp) -> None:
    web.route("/setup", "setup", setup_page, ["GET"])
    web.route("/setup/google", "google", connect_google, ["POST"])
    web.route("/setup/suggested", "suggested", add_suggested, ["POST"])
    web.route("/setup/import", "import", preview_import, ["POST"])
    web.route("/setup/import/confirm", "import_confirm", confirm_import, ["POST"])
    web.route("/setup/person", "person", confirm_person, ["POST"])
    web.route("/setup/person/ignore", "ignore", ignore_person, ["POST"])
    web.route("/setup/never", "never", never_contact, ["POST"])
