"""Hypothesis properties run twice: a few examples always, many under the `slow` marker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def runs(normal: int, long: int) -> list[Any]:
    """Parameters for ``runs``: ``normal`` examples, and ``long`` with NURTURE_LONG_TESTS=1."""
    return [normal, pytest.param(long, marks=pytest.mark.slow, id="long")]


def check(prop: Callable[..., None], *strategies: st.SearchStrategy[Any], runs: int) -> None:
    """Run ``prop`` as a Hypothesis test with ``runs`` examples (no deadline: CI is slow)."""
    settings(
        max_examples=runs,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(*strategies)(prop))()
