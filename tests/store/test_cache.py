"""The one keyed cache (``agent.store.cache``): an answer kept with its validity horizon is
handed back only inside it, survives a reopen as the same value, and the cache layer
imports no use case or engine code (it cannot call back into them)."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.store.cache import Dated, dated, holds_at
from agent.store.db import Store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Count:
    n: int


COUNT = dated("count", lambda c: {"n": c.n}, lambda data: Count(int(data["n"])))


def kept_count(home: Path, now: datetime, key: str, computed: list[datetime]) -> Count:
    """The count at ``now``: computed (and recorded) only when no kept one holds."""

    def fresh() -> Dated[Count]:
        computed.append(now)
        return Dated(now, now + HOUR, Count(len(computed)))

    with Store.open(home) as store:
        value = store.derived(COUNT, key, fresh, holds_at(now)).value
        store.commit()
    return value


def test_a_dated_answer_is_kept_until_its_horizon(tmp_path: Path) -> None:
    computed: list[datetime] = []
    first = kept_count(tmp_path, T0, "k", computed)
    assert kept_count(tmp_path, T0 + HOUR / 2, "k", computed) == first  # a new process, a hit
    assert len(computed) == 1
    later = kept_count(tmp_path, T0 + HOUR, "k", computed)  # until is exclusive: a miss
    assert later == Count(2) and computed == [T0, T0 + HOUR]


def test_a_dated_answer_is_no_answer_before_it_was_made(tmp_path: Path) -> None:
    computed: list[datetime] = []
    kept_count(tmp_path, T0, "k", computed)
    kept_count(tmp_path, T0 - timedelta(seconds=1), "k", computed)
    assert len(computed) == 2


def test_another_key_is_a_miss(tmp_path: Path) -> None:
    computed: list[datetime] = []
    kept_count(tmp_path, T0, "k", computed)
    kept_count(tmp_path, T0, "other", computed)
    assert len(computed) == 2


def test_the_horizon_is_saved_with_the_value(tmp_path: Path) -> None:
    entry = Dated(T0, T0 + HOUR, Count(7))
    data: Any = COUNT.encode(entry)
    assert data == {"since": T0.isoformat(), "until": (T0 + HOUR).isoformat(), "value": {"n": 7}}
    assert COUNT.decode(data) == entry


def loaded_after_import(module: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules under ``prefixes`` a fresh interpreter has loaded after ``module``."""
    code = (
        f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith({prefixes!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(ast.literal_eval(out.stdout))


def test_the_cache_imports_no_use_case_and_no_engine() -> None:
    assert loaded_after_import("agent.store.db", ("agent.app", "agent.core")) == []


def test_the_read_models_load_no_store() -> None:
    assert loaded_after_import("agent.core.briefs", ("agent.store", "agent.app")) == []
