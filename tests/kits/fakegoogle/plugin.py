"""pytest fixtures for the fake. Enable with ``pytest_plugins = ["tests.kits.fakegoogle.plugin"]``
(in a test module or the top-level tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .fake import FakeGoogle


@pytest.fixture
def fake_google() -> Iterator[FakeGoogle]:
    """A started FakeGoogle; the test fails at teardown if any request broke the discovery
    document (call ``fake.take_violations()`` in tests that provoke violations on purpose)."""
    with FakeGoogle() as fake:
        yield fake
        if fake.violations:
            pytest.fail(
                "fake Google saw API violations:\n  " + "\n  ".join(fake.violations),
                pytrace=False,
            )
