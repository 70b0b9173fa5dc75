"""A 403 from Gmail or Calendar, as a sentence that says which of the rep's problems it is.

Google's 403s mean different things, each with its own fix: a permission the rep left
unticked on the consent page, a Workspace administrator's policy, a daily limit, a
calendar the account may not use, an API the OAuth client's project has not enabled.
(Rate-limit 403s are not here: they pass, and ``failures`` waits them out.)
"""

from __future__ import annotations

import json

from googleapiclient.errors import HttpError

from agent.errors import UserError
from agent.providers.google.consent import TICK_EVERY_BOX, permission_names

_GMAIL_READ = "https://www.googleapis.com/auth/gmail.readonly"
_GMAIL_WRITE = "https://www.googleapis.com/auth/gmail.compose"
_CALENDAR = "https://www.googleapis.com/auth/calendar.events"
_FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"

SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})
ADMIN_REASONS = frozenset({"domainPolicy", "domainCannotUseApis", "adminPolicyEnforced"})
DAILY_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded", "dailyLimitExceededUnreg"})
CALENDAR_REASONS = frozenset(
    {"forbidden", "requiredAccessLevel", "forbiddenForNonOrganizer", "notACalendarUser"}
)
API_OFF_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED"})


def scope_for(api_name: str, what: str) -> str:
    """The scope a call needs (``what``: "messages.get", "drafts.create batch", ...)."""
    if api_name == "calendar":
        return _FREEBUSY if what.startswith("freebusy") else _CALENDAR
    if what.startswith(("drafts.", "messages.send")):
        return _GMAIL_WRITE
    return _GMAIL_READ


def refusal(api_name: str, what: str, reason: str, error: HttpError) -> UserError:
    """The sentence for a 403 that does not pass."""
    service = {"gmail": "Gmail", "calendar": "Google Calendar"}.get(api_name, api_name)
    if reason in API_OFF_REASONS:
        return UserError(
            f"the {service} API is not enabled for your OAuth client's project",
            f"enable the {api_name.title()} API in the Google Cloud console and try again",
        )
    if reason in SCOPE_REASONS:
        return UserError(
            f"{service} refused {what}: the token lacks "
            f"{permission_names([scope_for(api_name, what)])} ({reason})",
            TICK_EVERY_BOX,
        )
    if reason in ADMIN_REASONS:
        return UserError(
            f"{service} refused {what}: your Google Workspace administrator does not let "
            f"apps like nurture use {service} ({reason})",
            "ask your administrator to allow nurture's OAuth client (Admin console → "
            "Security → API controls → App access control)",
        )
    if reason in DAILY_REASONS:
        return UserError(
            f"{service} refused {what}: a daily limit is reached ({reason}: {_message(error)})",
            "nothing was lost; run the command again tomorrow (the limit resets at "
            "midnight Pacific time)",
        )
    if api_name == "calendar" and reason in CALENDAR_REASONS:
        return UserError(
            f"Google Calendar refused {what}: this Google account may not do that with "
            f"that calendar ({reason})",
            "keep in google.calendars only calendars this account owns or may edit "
            "(nurture's blocks always go into primary)",
        )
    return UserError(
        f"{service} refused {what} ({reason or 'forbidden'}: {_message(error)})",
        "run `nurture doctor`; if Google keeps refusing, run `nurture auth` again",
    )


def _message(error: HttpError) -> str:
    """Google's own words (``error.message``), shortened."""
    try:
        text = str(json.loads(error.content)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        text = ""
    return text[:160] or "forbidden"
