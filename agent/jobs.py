"""Every scheduled job is a command: the functions both `nurture run` and the CLI call.

Each takes the command context and returns a one-line summary for the log.
"""

from __future__ import annotations

from collections.abc import Callable

from agent import cycle
from agent.context import Context

Job = Callable[[Context], str]


def sync_job(context: Context) -> str:
    """Pull mail and calendars into the store."""
    config = context.config()
    provider = cycle.make_provider(config)
    with context.store() as store:
        report = cycle.sync(config, store, provider, context.now)
        store.commit()
    return report.summary()


JOBS: dict[str, Job] = {"sync": sync_job}
