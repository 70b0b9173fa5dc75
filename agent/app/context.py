"""What every command needs: config, state dir and the time, resolved lazily."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import click
import platformdirs

from agent.config.schema import Config, find_config, load_config
from agent.config.yamlcache import FILE_NAME as CONFIG_CACHE
from agent.config.yamlcache import YamlCache
from agent.store.db import Store

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What every command needs, resolved lazily so `nurture --help` reads no files."""

    config_path: Path | None
    home_path: Path | None
    now: datetime

    _cache: YamlCache | None = field(default=None, init=False, repr=False)

    def config(self) -> Config:
        """The config; its values come from the state folder's cache while its text is
        the one of the last command that worked (``agent.config.yamlcache``)."""
        self._cache = YamlCache(self.home / CONFIG_CACHE)
        return load_config(find_config(self.config_path), cache=self._cache)

    @property
    def home(self) -> Path:
        if self.home_path is not None:
            return self.home_path
        env = os.environ.get("NURTURE_HOME")
        return Path(env) if env else Path(platformdirs.user_data_dir("nurture"))

    @contextmanager
    def store(self) -> Iterator[Store]:
        with Store.open(self.home) as store:
            yield store
            # Only a command that worked writes to the state folder; under the lock.
            if self._cache is not None:
                self._cache.save()

    @contextmanager
    def reader(self) -> Iterator[Store]:
        """The store for a command that only looks: the last committed state, even while
        another process (a long sync, the daemon) holds the lock."""
        with Store.open(self.home, read_only=True) as store:
            if store.busy:
                log.warning(
                    "another nurture process (a sync, a cycle or the daemon) is working on %s: "
                    "this is the state saved before it",
                    self.home,
                )
            yield store
            # Under the lock, as the store keeps its own caches: a command that worked
            # keeps the config's values; a busy store writes nothing.
            if self._cache is not None and not store.busy:
                self._cache.save()


pass_context = click.make_pass_decorator(Context)
