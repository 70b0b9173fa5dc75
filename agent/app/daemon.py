"""`nurture run`: a short loop on the `schedule` library over the same jobs a person runs.

The daemon is an error boundary like the CLI: a failing job is logged with its traceback
and retried with backoff, and the loop goes on. Only one daemon runs per state dir (its
own lock file); each job takes the store lock only while it works, so CLI commands still
work in between. SIGTERM or SIGINT lets the current job finish, then the loop exits 0.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import schedule
from filelock import FileLock, Timeout

from agent.app.context import Context
from agent.app.jobs import Job
from agent.atomic import write_atomically
from agent.config.daemon import JobSchedule
from agent.config.schema import Config
from agent.errors import StoreBusyError

log = logging.getLogger(__name__)

STATUS_FILE = "daemon-status.json"
DAEMON_LOCK = "daemon.lock"
_WEEKDAYS = {
    "mon": "monday",
    "tue": "tuesday",
    "wed": "wednesday",
    "thu": "thursday",
    "fri": "friday",
    "sat": "saturday",
    "sun": "sunday",
}


@dataclass
class JobState:
    last_run: str | None = None
    last_ok: str | None = None
    last_error: str | None = None
    next_run: str | None = None
    runs: int = 0
    failures: int = 0  # consecutive failures; 0 after a success
    summary: str = ""


@dataclass
class Daemon:
    """One scheduler, the jobs it runs, and what it last saw of each."""

    config: Config
    make_context: Callable[[], Context]
    home: Path
    jobs: Mapping[str, Job]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    states: dict[str, JobState] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.scheduler = schedule.Scheduler()
        self._retrying: set[str] = set()
        self._last_status: dict[str, Any] = {}
        self.schedules: dict[str, JobSchedule] = {
            str(name): when for name, when in self.config.daemon.jobs.items()
        }

    def run(self) -> int:
        """Run until stopped; returns the exit code."""
        lock = FileLock(self.home / DAEMON_LOCK, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise StoreBusyError(
                f"a nurture daemon is already running for {self.home}",
                "stop it first (systemctl --user stop nurture, or kill its process)",
            ) from None
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._install_signals()
            self._schedule_all()
            log.info("daemon started for %s with jobs %s", self.home, ", ".join(self.states))
            self._run_periodic_now()
            while not self.stop.is_set():
                self.scheduler.run_pending()
                self._save_status()
                idle = self.scheduler.idle_seconds
                self.stop.wait(timeout=max(0.05, min(1.0, idle if idle is not None else 1.0)))
            log.info("daemon stopped")
            self._save_status()
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            lock.release()

    def _install_signals(self) -> None:
        def request_stop(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s: finishing the current step", signal.Signals(signum).name)
            self.stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

    def _schedule_all(self) -> None:
        for name, when in self.schedules.items():
            if not when.enabled or name not in self.jobs:
                continue
            self.states[name] = JobState()
            self._schedule(name, when).do(self.run_job, name)

    def _schedule(self, name: str, when: JobSchedule) -> schedule.Job:
        job: schedule.Job
        if when.every is not None:
            job = self.scheduler.every(max(1, int(when.every.total_seconds()))).seconds
        else:
            every = self.scheduler.every()
            weekday = None if name == "digest" and self._away_moves_digest() else when.weekday
            every = getattr(every, _WEEKDAYS[weekday]) if weekday else every.day
            job = every.at(when.clock, self.config.timezone)
        tagged: schedule.Job = job.tag(name)
        return tagged

    def _away_moves_digest(self) -> bool:
        """With time away or holidays set the digest may move to another day of its week:
        its job then asks every day at its time, and the step sends only when it is due."""
        return bool(self.config.away or self.config.holidays)

    def _run_periodic_now(self) -> None:
        # Catch up at start: periodic jobs (sync) run once instead of waiting a period.
        for name, when in self.schedules.items():
            if name in self.states and when.every is not None and not self.stop.is_set():
                self.run_job(name)

    def run_job(self, name: str) -> None:
        """Run one job now; never raises (a daemon must outlive any single failure)."""
        if self.stop.is_set() or self._off_hours_skip(name):
            return
        state = self.states[name]
        started, ticks = self.clock(), time.monotonic()
        state.last_run, state.runs = started.isoformat(), state.runs + 1
        try:
            state.summary = self.jobs[name](self.make_context())
        except Exception as error:  # the daemon's error boundary
            state.failures += 1
            state.last_error = f"{started.isoformat()} {type(error).__name__}: {error}"
            log.exception("job %s failed (%d in a row)", name, state.failures)
            self._retry_later(name)
            return
        state.failures, state.last_ok = 0, self.clock().isoformat()
        log.info("job %s ok in %.1fs: %s", name, time.monotonic() - ticks, state.summary)
        if name == "sync":
            self._after_sync()

    def _after_sync(self) -> None:
        for other, when in self.schedules.items():
            if when.after_sync and other in self.states and other != "sync":
                self.run_job(other)

    def _off_hours_skip(self, name: str) -> bool:
        when = self.schedules[name]
        last = self.states[name].last_run
        if when.off_hours_every is None or last is None or self._in_working_hours():
            return False
        return self.clock() - datetime.fromisoformat(last) < when.off_hours_every

    def _in_working_hours(self) -> bool:
        local = self.clock().astimezone(self.config.tz)
        hours = self.config.working_hours
        return (
            local.weekday() in hours.weekday_numbers() and hours.start <= local.time() < hours.end
        )

    def _retry_later(self, name: str) -> None:
        if name in self._retrying:
            return
        wait = next_wait(self.states[name].failures, self.config.daemon.retry_backoff)
        self._retrying.add(name)

        def retry() -> type[schedule.CancelJob]:
            self._retrying.discard(name)
            self.run_job(name)
            return schedule.CancelJob

        self.scheduler.every(max(1, int(wait.total_seconds()))).seconds.do(retry).tag(name)
        log.info("job %s will be retried in %s", name, wait)

    def _save_status(self) -> None:
        for name, state in self.states.items():
            runs = [j.next_run for j in self.scheduler.get_jobs(name) if j.next_run]
            state.next_run = min(runs).astimezone(UTC).isoformat() if runs else None
        status: dict[str, Any] = {
            "pid": os.getpid(),
            "running": not self.stop.is_set(),
            "jobs": {name: vars(state) for name, state in self.states.items()},
        }
        if status != self._last_status:  # the loop ticks every second; write on change only
            self._last_status = json.loads(json.dumps(status))
            write_atomically(self.home / STATUS_FILE, json.dumps(status, indent=1).encode())


def read_status(home: Path) -> dict[str, Any] | None:
    """What the daemon last wrote about its jobs, or None if it never ran here."""
    try:
        data: dict[str, Any] = json.loads((home / STATUS_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return data


def daemon_running(home: Path) -> bool:
    """Whether a daemon holds this state dir now (its lock, not its last word: a daemon
    killed outright leaves a status file that still says it runs)."""
    if not (home / DAEMON_LOCK).exists():
        return False
    lock = FileLock(home / DAEMON_LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return True
    except OSError:  # a state dir we may read but not lock: we cannot tell, say not
        return False
    lock.release()
    return False


def next_wait(failures: int, backoff: tuple[timedelta, ...]) -> timedelta:
    """The wait before retry number ``failures`` (1-based); the last wait repeats."""
    return backoff[min(failures, len(backoff)) - 1]
