"""The CLI's pace for the cycle collector: less often during a command, as before after."""

from __future__ import annotations

import gc
from typing import Any

import click
import pytest

from agent import cli


def test_a_command_runs_with_the_collector_slowed_and_startup_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    @click.command(name="probe")
    def probe() -> None:
        seen["threshold"] = gc.get_threshold()
        seen["frozen"] = gc.get_freeze_count()

    group: Any = cli.cli  # a LazyGroup: the probe is put in, and taken out after the test
    monkeypatch.setattr(group, "_lazy", {**group._lazy, "probe": "tests.test_cli_gc:PROBE"})
    monkeypatch.setattr(group, "_loaded", dict(group._loaded))
    monkeypatch.setitem(globals(), "PROBE", probe)
    before = gc.get_threshold()
    with pytest.raises(SystemExit) as done:
        cli.main(["probe"])
    assert done.value.code == 0
    assert seen["threshold"] == (50_000, 20, 20)
    assert seen["frozen"] > 0  # what was imported is not scanned again
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
