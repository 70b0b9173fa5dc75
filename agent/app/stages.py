"""Stage changes the rep records by hand (`nurture account NAME --stage S`, the web app).

A recorded stage is dated and wins over the config or CRM export's stage for that account
(``book.stage_changes`` reads them back for every plan and board).
"""

from __future__ import annotations

from datetime import date

from agent.model import Stage
from agent.store.db import Store

TABLE = "stages"


def record_stage(store: Store, account: str, stage: Stage, since: date) -> None:
    """Record that ``account`` is in ``stage`` since ``since``; committed by the caller."""
    store.put(TABLE, account, {"stage": stage.value, "since": since.isoformat()})
