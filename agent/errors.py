"""The few error types that reach a person.

Code raises :class:`UserError` (or a child) when the fix is in the user's hands; anything
else is a bug and is allowed to raise. Only the CLI and the daemon catch these.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher


class UserError(Exception):
    """Something the user can fix: ``message`` says what is wrong, ``hint`` what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class ConfigError(UserError):
    """Bad configuration or input file; exits with code 2."""

    exit_code = 2


class StoreBusyError(UserError):
    """Another nurture process holds the state directory."""


class StoreCorruptError(UserError):
    """The state file cannot be read and no good copy could be recovered."""


class UnknownName(UserError):
    """An account, draft or key the rep named that does not exist: a usage error (exit 2)."""

    exit_code = 2


def did_you_mean(wanted: str, choices: Iterable[str], *, n: int = 3, quote: bool = True) -> str:
    """ "did you mean 'x' or 'y'?" for the choices close to ``wanted`` (any case; a choice
    may also be close by its beginning or its end, as a company's first word or a draft
    id's last characters are), else ""."""
    text = wanted.strip().lower()
    scored = []
    for choice in dict.fromkeys(choices):
        lower = choice.lower()
        ends = (lower[: len(text)], lower[-len(text) :]) if text else ()
        ratio = max(SequenceMatcher(None, text, part).ratio() for part in (lower, *ends))
        if ratio >= CLOSE:
            scored.append((-ratio, choice))
    close = [repr(choice) if quote else choice for _, choice in sorted(scored)[:n]]
    return f"did you mean {' or '.join(close)}?" if close else ""


CLOSE = 0.75  # difflib's ratio above which a name is taken for a misspelling
