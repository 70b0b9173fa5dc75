"""Shared test helpers: small configs and observations built in code."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from agent.config.schema import Config

pytest_plugins = ["tests.kits.fakegoogle.plugin"]

# Hypothesis: the normal run draws the same examples every time (a red CI is a change, not
# the dice) and has no deadline (CI machines are slow); the long variant explores afresh.
settings.register_profile(
    "nurture", derandomize=os.environ.get("NURTURE_LONG_TESTS") != "1", deadline=None
)
settings.load_profile("nurture")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (long variants) run only with NURTURE_LONG_TESTS=1."""
    if os.environ.get("NURTURE_LONG_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="long variant: run with NURTURE_LONG_TESTS=1")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def make_config(**overrides: Any) -> Config:
    data: dict[str, Any] = {
        "me": ["rep@seller.com"],
        "internal_domains": ["seller.com"],
        "timezone": "UTC",
        "accounts": [
            {"name": "Acme", "domains": ["acme.com"], "tier": "dream", "stage": "cold"},
            {"name": "Globex", "domains": ["globex.io"], "tier": "target", "stage": "hot"},
        ],
    }
    data.update(overrides)
    return Config.model_validate(data)


@pytest.fixture
def config() -> Config:
    return make_config()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the real user data folder or config."""
    monkeypatch.setenv("NURTURE_HOME", str(tmp_path / "nurture-home"))
    monkeypatch.delenv("NURTURE_CONFIG", raising=False)
