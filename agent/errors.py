"""The few error types that reach a person.

Code raises :class:`UserError` (or a child) when the fix is in the user's hands; anything
else is a bug and is allowed to raise. Only the CLI and the daemon catch these.
"""

from __future__ import annotations


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
