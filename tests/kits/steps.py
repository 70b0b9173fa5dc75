"""Run pipeline steps on a provider a test built itself (a Google provider on the fake)."""

from __future__ import annotations

from datetime import datetime

from agent.app import pipeline
from agent.app.jobs import JOB_STEPS
from agent.config.schema import Config
from agent.providers.google.provider import GoogleProvider
from agent.providers.registry import Connection
from agent.store.db import Store


def run_steps(
    config: Config, store: Store, provider: GoogleProvider, at: datetime, steps: tuple[str, ...]
) -> pipeline.Run:
    connection = Connection(provider, provider.mailbox, provider.block_calendar)
    return pipeline.run_steps(pipeline.Run(config, store, None, at, connection=connection), steps)


def sync_job(config: Config, store: Store, provider: GoogleProvider, at: datetime) -> str:
    """The daemon's sync job (sync, then learn what became of the drafts): what it learnt."""
    learned = run_steps(config, store, provider, at, JOB_STEPS["sync"]).learned
    assert learned is not None
    return learned.summary()


def plan_job(config: Config, store: Store, provider: GoogleProvider, at: datetime) -> str:
    """The daemon's plan job (learn, plan, drafts): what it wrote."""
    applied = run_steps(config, store, provider, at, JOB_STEPS["plan"]).applied
    assert applied is not None
    return applied.summary()
