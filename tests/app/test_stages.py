"""Stage changes: one rule for `nurture account --stage` and the web page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.app.stages import find_account, set_stage
from agent.errors import UserError
from agent.model import Stage
from agent.model.tables import STAGES
from agent.store.db import Store
from tests.conftest import NOW
from tests.kits.engine_kit import account, config


def test_set_stage_records_today_in_the_reps_zone_by_default(tmp_path: Path) -> None:
    cfg = config(account("Acme"))
    with Store.open(tmp_path) as store:
        day = set_stage(cfg, store, find_account(cfg, "acm"), Stage.LOST, since=None, now=NOW)
    assert day == NOW.astimezone(cfg.tz).date()
    with Store.open(tmp_path) as store:
        assert store.get(STAGES, "Acme") == {"stage": "lost", "since": day.isoformat()}


def test_a_day_in_the_future_is_refused(tmp_path: Path) -> None:
    cfg = config(account("Acme"))
    tomorrow = NOW.astimezone(cfg.tz).date() + timedelta(days=1)
    with Store.open(tmp_path) as store, pytest.raises(UserError, match="in the future"):
        set_stage(cfg, store, find_account(cfg, "Acme"), Stage.HOT, since=tomorrow, now=NOW)
    with Store.open(tmp_path) as store:
        assert store.get(STAGES, "Acme") is None


def test_find_account_names_the_close_ones() -> None:
    cfg = config(account("Acme"), account("Acme Two"))
    assert find_account(cfg, "ACME").name == "Acme"
    with pytest.raises(UserError, match="matches several"):
        find_account(cfg, "acm")
    assert set_stage.__module__ == find_account.__module__ == "agent.app.stages"
