"""The CLI's pace for the cycle collector: less often during a command, as before after."""

from __future__ import annotations

import gc
from typing import Any

import click
import pytest

from agent.cli import main as cli


def test_a_command_runs_with_the_collector_slowed_and_startup_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    @click.command(name="probe")
    def probe() -> None:
        seen["threshold"] = gc.get_threshold()
        seen["frozen"] = gc.get_freeze_count()

    group: Any = cli.cli  # a LazyGroup: the probe is put in, and taken out after the test
    monkeypatch.setattr(group, "_lazy", {**group._lazy, "probe": "tests.cli.test_gc:PROBE"})
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


def test_the_roll_ups_run_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent.app import book as cycle

    seen: list[bool] = []
    assert gc.isenabled()
    assert cycle.uncollected(lambda: seen.append(gc.isenabled()) or 7) == 7
    with pytest.raises(ZeroDivisionError):
        cycle.uncollected(lambda: 1 // 0)
    assert seen == [False]
    assert gc.isenabled()  # given back, also after an error
    gc.disable()
    try:
        cycle.uncollected(lambda: None)
        assert not gc.isenabled()  # a caller's pause is the caller's to end
    finally:
        gc.enable()


def test_account_states_and_the_plan_are_computed_uncollected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import agent.core.accounts.state
    import agent.core.planner
    from agent.app import book as cycle
    from agent.store.db import Store
    from tests.conftest import NOW, make_config

    seen: dict[str, bool] = {}
    for module, name in (
        (agent.core.accounts.state, "account_states"),
        (agent.core.planner, "make_plan"),
    ):
        real = getattr(module, name)

        def spying(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            seen[_name] = gc.isenabled()
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spying)
    with Store.open(tmp_path) as store:
        cycle.current_plan(make_config(), store, NOW)
    assert seen == {"account_states": False, "make_plan": False}
    assert gc.isenabled()
