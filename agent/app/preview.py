"""What the next cycle would do, whole: every pipeline step's dry run (`nurture plan`,
`nurture cycle --dry-run`). Reads only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from agent.app import pipeline
from agent.config.schema import Config
from agent.core.planner import NextCycle
from agent.store.db import Store


def preview(config: Config, store: Store, home: Path | None, now: datetime) -> NextCycle:
    return pipeline.preview(pipeline.Run(config, store, home, now))
