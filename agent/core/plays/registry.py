"""The plays nurture knows: found by scanning ``agent.core.plays.catalog``, one module each.

Nothing else lists the plays: the play table's order and rules, ``templates check``, the
templates ``nurture init`` copies and doctor all ask here. A play's row of the table is its
module's defaults with what ``plays:`` in config.yaml changes (``config.playbook``), so
the config knows no play by name and a new play needs no config change.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from agent.config.playbook import PlayRule
from agent.config.schema import Config
from agent.core.plays.builders import Play
from agent.errors import ConfigError

CATALOG = "agent.core.plays.catalog"


@cache
def plays() -> dict[str, Play]:
    """Every play by id, in the table's default order (then by id): each module of the
    catalog holds one ``PLAY``."""
    package = importlib.import_module(CATALOG)
    found: dict[str, Play] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        play = getattr(importlib.import_module(f"{CATALOG}.{info.name}"), "PLAY", None)
        if not isinstance(play, Play) or play.id != info.name:
            raise TypeError(f"{CATALOG}.{info.name} must define PLAY = Play(id={info.name!r}, ...)")
        found[play.id] = play
    return dict(sorted(found.items(), key=lambda item: (item[1].defaults.priority, item[0])))


def defaults_key() -> list[Any]:
    """What a kept plan depends on of the plays themselves (ids, defaults, cadence), so a
    new play or a changed default is a new key (``agent.app.derived.plan_key``)."""
    return [(p.id, p.defaults.model_dump(mode="json"), p.follows_cadence) for p in plays().values()]


def rule(config: Config, play: str) -> PlayRule:
    """The play's row of the table: its defaults, changed by ``plays:`` in config.yaml."""
    defaults = plays()[play].defaults
    change = config.plays.get(play)
    return defaults if change is None else change.over(defaults)


def in_order(config: Config) -> list[tuple[Play, PlayRule]]:
    """Enabled plays, highest priority (lowest number) first; ties by id."""
    check(config)
    rows = [(play, rule(config, play.id)) for play in plays().values()]
    return sorted(
        ((p, r) for p, r in rows if r.enabled), key=lambda row: (row[1].priority, row[0].id)
    )


def check(config: Config) -> None:
    """A play named under ``plays:`` that does not exist is a typo the rep must see."""
    unknown = sorted(set(config.plays) - set(plays()))
    if unknown:
        raise ConfigError(
            f"plays.{unknown[0]} in config.yaml: no play is called {unknown[0]!r}",
            f"the plays are {', '.join(plays())}; fix the name under `plays:`",
        )
