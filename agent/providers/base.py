"""What every provider offers the pipeline, in domain types only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from agent.model import MailMessage, Meeting

# Called with (done, total) while a long pull is under way; total may be None.
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Interest:
    """What could be a touch: mail and meetings involving these domains since ``since``.

    Providers use it to fetch as little as possible (Gmail filters on the server); the
    touch detector still decides what counts.
    """

    domains: frozenset[str]
    me: frozenset[str]
    since: datetime
    until: datetime  # meetings are expanded up to here (future meetings matter to blocks)


@dataclass(frozen=True)
class Pull:
    """The result of one sync, applied to the store in a single write.

    ``cursor`` is opaque to everyone but the provider that made it and is saved only
    together with the observations, so a failed sync never moves it.
    """

    messages: tuple[MailMessage, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    removed_meetings: tuple[str, ...] = ()  # uids of cancelled or deleted occurrences
    reset_calendars: tuple[str, ...] = ()  # drop every stored meeting of these first
    cursor: Mapping[str, Any] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()  # "path: reason" for inputs that were skipped


class Provider(Protocol):
    """A source of observations (and, in later issues, a target for drafts and blocks)."""

    name: str

    def pull(
        self, cursor: Mapping[str, Any], interest: Interest, progress: Progress | None = None
    ) -> Pull:
        """Fetch what changed since ``cursor`` (empty: everything in the interest window)."""
        ...
