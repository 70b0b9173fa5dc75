"""The `nurture` command: parse, call a use case, print. The one error boundary for people.

Exit codes: 0 ok, 1 failure (the message says what to do), 2 usage or config error.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from agent import __version__
from agent.app.context import Context
from agent.cli.invocation import examples_whole
from agent.errors import UserError
from agent.untrusted.terminal import LOG_FORMAT, CleanFormatter, echo

log = logging.getLogger(__name__)

# name → "module:attribute". A command's module is imported when that command runs (or
# `--help` lists it): `nurture cycle` does not pay for Google, the digest or rich tables.
COMMANDS = {
    "sync": "agent.cli.book:sync",
    "board": "agent.cli.book:board",
    "demo": "agent.cli.book:demo",
    "run": "agent.cli.daemon:run",
    "status": "agent.cli.daemon:status",
    "doctor": "agent.cli.daemon:doctor",
    "plan": "agent.cli.engine:plan",
    "account": "agent.cli.engine:account",
    "digest": "agent.cli.digest:digest",
    "auth": "agent.cli.google:auth",
    "cycle": "agent.cli.cycle:cycle_command",
    "drafts": "agent.cli.drafts:drafts",
    "init": "agent.cli.setup:init",
    "templates": "agent.cli.setup:templates",
    "blocks": "agent.cli.blocks:blocks",
    "ui": "agent.cli.web:ui",
    "away": "agent.cli.away:away",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; ``commands`` imports them all."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        self._lazy = dict(lazy)
        self._loaded: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> dict[str, click.Command]:
        for name in list(self._lazy):
            self._load(name)
        return self._loaded

    @commands.setter
    def commands(self, value: Mapping[str, click.Command] | None) -> None:
        self._loaded.update(value or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._loaded, *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            self._load(cmd_name)
        return self._loaded.get(cmd_name)

    def _load(self, name: str) -> None:
        module, _, attribute = self._lazy.pop(name).partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command) or command.name != name:
            raise TypeError(f"{module}:{attribute} is not the command {name!r}")
        examples_whole(command)
        self._loaded[name] = command


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="config.yaml to use."
)
@click.option("--home", "home_path", type=click.Path(path_type=Path), help="State directory.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--now", "now_text", hidden=True, help="Pretend it is this ISO time (tests).")
@click.version_option(__version__, prog_name="nurture")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    home_path: Path | None,
    verbose: int,
    now_text: str | None,
) -> None:
    """Keep close to your dream clients, inside your own mail and calendar.

    Config comes from --config, else $NURTURE_CONFIG, else ./config.yaml; state lives in
    --home, else $NURTURE_HOME, else your user data folder.
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    handler = logging.StreamHandler()
    handler.setFormatter(CleanFormatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    now = datetime.fromisoformat(now_text) if now_text else datetime.now(UTC)
    if now.tzinfo is None:
        raise click.BadParameter(
            "needs a UTC offset, e.g. 2026-11-22T09:00:00+00:00", param_hint="--now"
        )
    ctx.obj = Context(config_path, home_path, now.astimezone(UTC))


@contextmanager
def collecting_less() -> Iterator[None]:
    """A command builds hundreds of thousands of small objects that form no cycles (the
    config, touches, account states); at its default pace (every 700 allocations) the
    cycle collector scans them again and again, a fifth of `nurture plan` on a large book.
    Collect every 50,000 allocations, and never scan what was imported before."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def run() -> None:
    """The `nurture` program (and ``python -m agent``): :func:`main`, then out of the
    process without freeing, one by one, the objects the command built.

    A read of a large book leaves a million of them (touches, people, account states);
    tearing them down at exit takes a tenth of a second on 2,000 accounts, after the rep
    already has the answer. By then every save is whole and closed (the store commits
    before a command returns), so the exit handlers run (logging's flush among them), the
    output is flushed, and the process ends with the command's exit code, as mypy leaves.
    Anything unusual takes Python's own exit: a code that is not a number, a thread still
    working, a profiler or debugger that reports after the program (``python -m cProfile``),
    output that cannot be flushed (a closed pipe)."""
    try:
        main()
    except SystemExit as done:
        code = done.code
        quiet = not _watched() and _only_thread()
        if (code is None or isinstance(code, int)) and quiet and _flushed():
            os._exit(code or 0)
        raise


def _watched() -> bool:
    """A tracer, profiler, debugger or coverage tool, which may report when Python exits."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12 on: cProfile is a tool here
    return monitoring is not None and any(monitoring.get_tool(tool) for tool in range(6))


def _only_thread() -> bool:
    """No other thread that Python's exit would wait for."""
    main_thread = threading.main_thread()
    return all(t is main_thread or t.daemon for t in threading.enumerate())


def _flushed() -> bool:
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: Python's exit reports it
        return False
    return True


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI and turn errors into a message and an exit code."""
    with collecting_less():
        _main(argv)


def _main(argv: Sequence[str] | None) -> None:
    try:
        result: Any = cli.main(args=argv, prog_name="nurture", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    except click.exceptions.Abort as aborted:
        # click turns Ctrl-C into Abort: "from" it, or (at a prompt) "from None", which
        # still keeps it as the context. EOF at a prompt stays a plain abort.
        if isinstance(aborted.__cause__ or aborted.__context__, KeyboardInterrupt):
            _interrupted()
        echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except UserError as error:
        echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    sys.exit(result if isinstance(result, int) else 0)


def _interrupted() -> NoReturn:
    """Ctrl-C: exit 130 as shells expect. Every save is whole (the store's commits, the
    pending → done marks), so the next run finishes what this one began."""
    echo(
        "stopped (Ctrl-C): what was saved stays saved; run the command again to finish",
        err=True,
    )
    sys.exit(130)
