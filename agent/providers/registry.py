"""One place that knows which providers exist: ``connect(config, home, clock)``.

A provider is a package under ``agent/providers/`` with a ``connect`` function that returns
a :class:`Connection`: where observations come from, where drafts go, where nurture
blocks are placed. Use cases ask for a connection and never test for a concrete provider.
Each provider is imported only when it is used, so `nurture cycle` on local files never
loads the Google client.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.config.schema import Config
from agent.errors import UserError
from agent.providers.base import BlockCalendar, Mailbox, Provider

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Connection:
    """One connection to the rep's mail and calendar, shared by every step of a cycle."""

    source: Provider  # observations: messages and meetings
    mailbox: Mailbox  # drafts, the rep's approved sends, the digest to the rep
    calendar: BlockCalendar  # busy time and the nurture blocks


Connector = Callable[[Config, "Path | None", Clock], Connection]

# name in `provider:` → "module:function" (imported on first use)
PROVIDERS: dict[str, str] = {
    "local": "agent.providers.local.provider:connect",
    "google": "agent.providers.google.provider:connect",
}


def connect(config: Config, home: Path | None, clock: Clock | None = None) -> Connection:
    """The configured provider, connected. ``home`` holds tokens; ``clock`` dates what a
    file-based mailbox writes (the command's ``now``, which tests may fix)."""
    target = PROVIDERS.get(config.provider)
    if target is None:
        raise UserError(
            f"provider {config.provider!r} is not available in this version",
            f"set `provider:` to one of {', '.join(sorted(PROVIDERS))} in the config",
        )
    module, _, function = target.partition(":")
    connector: Connector = getattr(importlib.import_module(module), function)
    return connector(config, home, clock or (lambda: datetime.now(UTC)))
