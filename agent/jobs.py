"""Every scheduled job is a command: the functions both `nurture run` and the CLI call.

Each takes the command context and returns a one-line summary for the log.
"""

from __future__ import annotations

from collections.abc import Callable

from agent import blocks_cycle, cycle, digest_send, drafts_apply, drafts_cycle
from agent.context import Context

Job = Callable[[Context], str]


def sync_job(context: Context) -> str:
    """Pull mail and calendars into the store; learn what became of the drafts."""
    config = context.config()
    provider = cycle.make_provider(config, context.home)
    mailbox = drafts_apply.make_mailbox(config, context.home, context.now, provider)
    with context.store() as store:
        report, learned = drafts_cycle.sync_and_learn(config, store, provider, mailbox, context.now)
        store.commit()
    return f"{report.summary()}; {learned.summary()}"


def plan_job(context: Context) -> str:
    """The day's plays: learn, plan with the engine, put the drafts in the mailbox."""
    config = context.config()
    mailbox = drafts_apply.make_mailbox(config, context.home, context.now)
    with context.store() as store:
        _, _, applied = drafts_cycle.plan_and_apply(config, store, mailbox, context.now)
        store.commit()
    return applied.summary()


def blocks_job(context: Context) -> str:
    """Place, defend and annotate this week's nurture blocks."""
    config = context.config()
    with context.store() as store:
        report = blocks_cycle.run(
            config, store, blocks_cycle.make_block_calendar(config, context.home), context.now
        )
        store.commit()
    return report.summary()


def digest_job(context: Context) -> str:
    """Send this week's digest to the rep, unless it already went out."""
    config = context.config()
    with context.store() as store:
        return digest_send.send_once(config, store, context.now)


JOBS: dict[str, Job] = {
    "sync": sync_job,
    "plan": plan_job,
    "blocks": blocks_job,
    "digest": digest_job,
}
