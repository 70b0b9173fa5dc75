"""Crashes and faults: kill -9 at any moment, a corrupted state file, a full disk.

The kill trials run one workspace through a series of days: before each trial a message
is appended to the mailbox, a command (mostly ``nurture cycle``) is started as a real
process and killed with SIGKILL, then a full ``nurture cycle`` is run to the end. A
reference workspace gets the same mail and a ``cycle`` per trial, never killed. After
every trial both must show the same board, drafts, blocks and outbox files, with no draft
or block twice, and the new message must have been counted exactly once.

Long variants (more trials, and a bench book of 50 accounts and 5,000 touches):

    NURTURE_LONG_TESTS=1 .venv/bin/python -m pytest -m slow tests/store/test_crash.py
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.atomic import write_atomically
from tests.kits.crashkit import (
    COMMANDS,
    ROOT,
    Launch,
    Snapshot,
    Workspace,
    counting_replaces,
    no_duplicates,
    nurture_command,
)

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday: the digest falls due in the series
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
STARTUP = 0.4  # seconds from starting `nurture` to its first real work (imports)


@dataclass(frozen=True)
class Book:
    write: Callable[[Path, datetime], object]
    rep: str
    people: tuple[tuple[str, str], ...]  # (account, address) of whom the new mail is with
    span: timedelta  # how far the trials move the clock (touches must stay in the look-back)


def _demo(directory: Path, now: datetime) -> object:
    from agent.demo.workspace import write_demo

    return write_demo(directory, now)


def _bench(directory: Path, now: datetime) -> object:
    from bench.book import SIZES, write_book

    return write_book(directory, SIZES["S"], now)


DEMO = Book(
    _demo,
    "Riley Quinn <riley@northwind-analytics.com>",
    (
        ("Halvorsen Logistics", "Marcus Bell <marcus.bell@halvorsen-logistics.com>"),
        ("Meridian Bank", "Priya Nair <priya.nair@meridianbank.com>"),
        ("Summit Foods", "Raj Mehta <raj.mehta@summitfoods.com>"),
        ("Atlas Manufacturing", "Dana Whitfield <dana.whitfield@atlas-mfg.com>"),
        ("Oakridge Energy", "Jo Park <jo.park@oakridge.energy>"),
        ("Quarry & Finch", "Will Tanner <will.tanner@quarryfinch.com>"),
    ),
    timedelta(days=14),
)
BENCH = Book(
    _bench,
    "Rep <rep@seller-demo.com>",
    tuple((f"Account {i:05d}", f"P {i} <p0{i % 10}@acct{i:05d}.example.com>") for i in range(50)),
    timedelta(days=4),  # its oldest mail is 1,095 days old, the look-back 1,100 days
)


@dataclass(frozen=True)
class Trial:
    command: str
    mode: str  # timed, entry or hook (see crashkit.run_and_kill)
    fraction: float  # where the kill was aimed, as a share of the command's usual run
    killed: bool


def kill_trials(tmp_path: Path, book: Book, trials: int, seed: int) -> list[Trial]:
    """The series described at the top; returns what each trial did."""
    return Series(tmp_path, book, trials, seed).run()


class Series:
    """A crashed and a reference workspace, given the same mail, compared after each trial."""

    def __init__(self, tmp_path: Path, book: Book, trials: int, seed: int) -> None:
        self.book, self.trials, self.rng = book, trials, random.Random(seed)
        # A kill aimed late may come after the command ended: trials go on until ``trials``
        # of them were killed (at most twice as many), spread over the book's span.
        self.limit = 2 * trials
        source = tmp_path / "source"
        book.write(source, NOW)
        self.crashed = Workspace(tmp_path / "crashed", tmp_path / "crashed-home")
        self.reference = Workspace(tmp_path / "reference", tmp_path / "reference-home")
        for ws in (self.crashed, self.reference):
            shutil.copytree(source, ws.root)
        self.quiet = quiet_accounts(source / "calendar.ics", book.people, book.span)
        self.people = [(a, p) for a, p in book.people if a in self.quiet]
        # How long each command runs once imported, and the atomic writes of a cycle: first
        # guesses, then learnt from the runs, so that kills land early, midway and late.
        self.work = {"cycle": 0.3, "sync": 0.15, "blocks": 0.15, "digest": 0.3}
        self.replaces = 12
        self.done: list[Trial] = []
        self.touches: dict[str, int] | None = None

    def run(self) -> list[Trial]:
        pending = self.launch(0)
        try:
            for index in range(self.limit):
                now = NOW + self.book.span * index / self.limit
                account, person = self.people[index % len(self.people)]
                sender, to = (person, self.book.rep) if index % 2 else (self.book.rep, person)
                for ws in (self.crashed, self.reference):
                    ws.append_mail(index, sender, to, now - HOUR)
                expected = self.kill(*pending, now)
                if index + 1 < self.limit and not self.enough():
                    pending = self.launch(index + 1)  # it imports while this one is checked
                self.check(index, now, expected, account)
                if self.enough():
                    break
        finally:
            pending[0].abandon()
        return self.done

    def enough(self) -> bool:
        return sum(1 for t in self.done if t.killed) >= self.trials

    def launch(self, index: int) -> tuple[Launch, Trial]:
        rng = self.rng
        command = rng.choices(COMMANDS, weights=(5, 2, 2, 2))[0]
        mode = rng.choices(("timed", "entry", "hook"), weights=(55, 20, 25))[0]
        third = index % 3  # early, middle and late in turn
        fraction = rng.uniform(third / 3, (third + 1) / 3) * 1.1
        writes = self.replaces if command == "cycle" else max(2, self.replaces // 3)
        die_at = f"{rng.randint(1, writes)}:{rng.choice(('before', 'after'))}"
        now = NOW + self.book.span * index / self.limit
        launched = Launch(self.crashed, now, (command,), mode, die_at)
        return launched, Trial(command, mode, fraction, False)

    def kill(self, run: Launch, trial: Trial, now: datetime) -> Snapshot:
        """Start the run and kill it, with the reference's cycle meanwhile; its snapshot."""
        run.go(trial.fraction * (self.work[trial.command] + STARTUP * (trial.mode == "entry")))
        with counting_replaces() as count:
            cycle = self.reference.run(now, "cycle")
        assert cycle.code == 0, cycle.err
        settle(self.reference, now)
        expected = self.reference.snapshot(now)
        outcome = run.finish()
        self.done.append(dataclasses.replace(trial, killed=outcome.killed))
        if trial.mode == "timed" and not outcome.killed:
            self.work[trial.command] = (self.work[trial.command] + outcome.seconds) / 2
        elif trial.mode == "timed" and trial.fraction > 0.7:
            self.work[trial.command] *= 1.15  # still running: it takes longer than we think
        self.replaces = max(2, count[0])
        return expected

    def check(self, index: int, now: datetime, expected: Snapshot, account: str) -> None:
        crashed, trial = self.crashed, self.done[-1]
        board = crashed.run(now, "board", "--json")
        assert board.code == 0 and "Traceback" not in board.err, (index, board.err)
        json.loads(board.out)  # the store loads, whatever moment the kill hit
        cycle = crashed.run(now, "cycle")
        assert cycle.code == 0, (index, trial, cycle.err)
        settle(crashed, now)
        snap = crashed.snapshot(now)
        # The store clears its own temp files when it opens, agent.atomic those of killed
        # writers with the next write into their folder: none pile up.
        leftovers = crashed.temp_files()
        assert all(".nurture-" in p for p in leftovers) and len(leftovers) <= 2, leftovers
        no_duplicates(crashed, snap)
        same_as(snap, expected, index, trial)
        touches = snap.touches()
        if self.touches is not None:  # the new message, exactly once: no cursor skipped it
            grew = {name: touches[name] - self.touches[name] for name in self.quiet}
            assert {name: n for name, n in grew.items() if n} == {account: 1}, (index, grew)
        self.touches = touches


def settle(ws: Workspace, now: datetime) -> None:
    """A second ``cycle`` at the same moment writes no new draft: checked on every trial."""
    drafts = sorted(os.listdir(ws.outbox / "drafts")) if (ws.outbox / "drafts").is_dir() else []
    again = ws.run(now, "cycle")
    assert again.code == 0, again.err
    assert sorted(os.listdir(ws.outbox / "drafts")) == drafts, f"new drafts at {now}"


def quiet_accounts(
    calendar: Path, people: tuple[tuple[str, str], ...], span: timedelta
) -> set[str]:
    """The accounts whose touches only the new mail can change: no meeting of theirs ends
    while the trials move the clock (an ended meeting is a touch of its own)."""
    from icalendar import Calendar

    busy = set()
    for event in Calendar.from_ical(calendar.read_bytes()).walk("VEVENT"):
        start = event.decoded("DTSTART")
        if isinstance(start, datetime) and NOW - 2 * DAY < start < NOW + span:
            attendees = event.get("ATTENDEE", [])  # one attendee is not a list of one
            for each in attendees if isinstance(attendees, list) else [attendees]:
                busy.add(str(each).rpartition("@")[2].lower())
    return {a for a, p in people if p.rpartition("@")[2].rstrip(">").lower() not in busy}


def same_as(got: Snapshot, want: Snapshot, index: int, trial: Trial) -> None:
    where = f"trial {index} ({trial})"
    assert got.board == want.board, where
    assert got.drafts == want.drafts, where
    assert got.blocks == want.blocks, where
    assert sorted(got.outbox) == sorted(want.outbox), where
    for name, data in got.outbox.items():
        assert data == want.outbox[name], f"{where}: {name} differs"


def check_coverage(done: list[Trial], trials: int) -> None:
    """At least ``trials`` kills, most of them real SIGKILLs, aimed early, midway and late."""
    killed = [t for t in done if t.killed]
    by_signal = [t for t in killed if t.mode != "hook"]
    assert len(killed) >= trials >= 50, Counter((t.mode, t.killed) for t in done)
    assert len(by_signal) > len(killed) / 2, Counter((t.mode, t.killed) for t in done)
    aimed = Counter(min(2, int(t.fraction * 3 / 1.1)) for t in done if t.mode != "hook")
    assert all(aimed[third] >= 5 for third in range(3)), aimed  # early, middle and late
    assert {t.command for t in done} == set(COMMANDS)
    print(Counter((t.command, t.mode, "killed" if t.killed else "ran to the end") for t in done))


def test_kill_9_during_cycles_loses_and_doubles_nothing(tmp_path: Path) -> None:
    done = kill_trials(tmp_path, DEMO, trials=50, seed=20261120)
    check_coverage(done, 50)


@pytest.mark.slow
def test_kill_9_long_variant_on_the_demo(tmp_path: Path) -> None:
    done = kill_trials(tmp_path, DEMO, trials=200, seed=7)
    check_coverage(done, 200)


@pytest.mark.slow
def test_kill_9_long_variant_on_a_bench_book(tmp_path: Path) -> None:
    done = kill_trials(tmp_path, BENCH, trials=50, seed=11)
    check_coverage(done, 50)


def test_a_second_cycle_at_the_same_moment_writes_no_new_draft(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "book", tmp_path / "home")
    BENCH.write(ws.root, NOW)
    assert ws.run(NOW, "cycle").code == 0
    first = sorted(p.name for p in (ws.outbox / "drafts").glob("*.eml"))
    assert first, "the book gives no play today: the test proves nothing"
    assert ws.run(NOW, "cycle").code == 0
    assert sorted(p.name for p in (ws.outbox / "drafts").glob("*.eml")) == first


# -- a corrupted state file --------------------------------------------------------------------

LATER = NOW + DAY + 2 * HOUR
NOT_THE_STORES = {"daemon-status.json", "google-token.json"}


@pytest.fixture(scope="module")
def lived_in(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo after two cycles a day apart: state, its last good copy, drafts, blocks."""
    root = tmp_path_factory.mktemp("lived-in")
    ws = Workspace(root / "w", root / "home")
    DEMO.write(ws.root, NOW)
    assert ws.run(NOW, "cycle").code == 0
    ws.append_mail(1, DEMO.people[1][1], DEMO.rep, NOW + HOUR)
    assert ws.run(NOW + DAY, "cycle").code == 0
    return ws


def clone(ws: Workspace, to: Path) -> Workspace:
    copy = Workspace(to / "w", to / "home")
    shutil.copytree(ws.root, copy.root)
    shutil.copytree(ws.home, copy.home)
    return copy


def state_files(home: Path) -> list[str]:
    """The store's files, found rather than assumed: every .json in the state folder."""
    names = sorted(p.name for p in home.glob("*.json") if p.name not in NOT_THE_STORES)
    assert names, f"no state files in {home}"
    return names


def nurture(ws: Workspace, now: datetime, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, for its exit code and what a person reads on stderr."""
    return subprocess.run(
        [*nurture_command(), "--now", now.isoformat(), *args],
        env=ws.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "garbled": lambda data: data[: len(data) // 3] + b"\x00\xff\xfe garbage" + data[-50:],
    "emptied": lambda data: b"",
    "zeroed": lambda data: bytes(len(data)),  # what some file systems leave after a crash
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_a_corrupted_state_file_comes_back_from_its_last_good_copy(
    lived_in: Workspace, tmp_path: Path, how: str
) -> None:
    """Each of the store's files in turn: restored from its ``.bak`` (the person is told,
    the bad file kept), or rebuilt (a cache), or a clear error whose advice (move the file
    aside) works. Either way the next cycle ends where it ends without the damage."""
    for name in state_files(lived_in.home):
        ws = clone(lived_in, tmp_path / name)
        backup = ws.home / f"{name}.bak"
        good = clone(lived_in, tmp_path / f"{name}-good")  # what the last good copy holds
        if backup.exists():
            (good.home / name).write_bytes(backup.read_bytes())
        bad = CORRUPTIONS[how]((ws.home / name).read_bytes())
        (ws.home / name).write_bytes(bad)

        done = nurture(ws, LATER, "board", "--json")
        if done.returncode != 0:  # the store would not guess: it says what to do
            assert_clear_error(done, ws.home / name)
            assert "aside" in done.stderr, done.stderr
            (ws.home / name).rename(ws.home / f"{name}.aside")
        else:
            assert "Traceback" not in done.stderr, done.stderr
            assert json.loads(done.stdout) == good.run(LATER, "board", "--json").json()
        if done.returncode == 0 and backup.exists():
            assert name in done.stderr and "unreadable" in done.stderr  # the person is told
            kept = list(ws.home.glob(f"{name}.corrupt-*"))
            assert [p.read_bytes() for p in kept] == [bad]  # the bad file is kept, not lost

        # What the lost commit did is done again, once: the next cycle ends where a cycle
        # on the undamaged workspace ends.
        undamaged = clone(lived_in, tmp_path / f"{name}-undamaged")
        for each in (ws, undamaged):
            assert each.run(LATER, "cycle").code == 0
        snap, want = ws.snapshot(LATER), undamaged.snapshot(LATER)
        no_duplicates(ws, snap)
        same_as(snap, want, 0, Trial("cycle", how, 0.0, False))


def assert_clear_error(done: subprocess.CompletedProcess[str], path: Path) -> None:
    assert done.returncode in (1, 2), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    assert str(path) in done.stderr and "→" in done.stderr, done.stderr  # what, and what to do


@pytest.mark.parametrize("how", ["truncated", "garbled"])
def test_a_corrupted_state_and_backup_is_a_clear_error(
    lived_in: Workspace, tmp_path: Path, how: str
) -> None:
    backed_up = [n for n in state_files(lived_in.home) if (lived_in.home / f"{n}.bak").exists()]
    assert backed_up, "no state file has a last good copy"
    for name in backed_up:
        ws = clone(lived_in, tmp_path / name)
        damaged = [ws.home / name, ws.home / f"{name}.bak"]
        for path in damaged:
            path.write_bytes(CORRUPTIONS[how](path.read_bytes()))
        before = {p: p.read_bytes() for p in damaged}
        for command in (("board", "--json"), ("cycle",)):
            assert_clear_error(nurture(ws, LATER, *command), ws.home / name)
        assert {p: p.read_bytes() for p in damaged} == before  # left for the person to see


# -- a full disk -------------------------------------------------------------------------------


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "nurture.lock"
    }


def disk_full(monkeypatch: pytest.MonkeyPatch, inside: Path, room: int) -> list[str]:
    """os.write into files under ``inside`` fails with ENOSPC once ``room`` bytes are used;
    returns the files it refused (every atomic write in nurture goes through os.write)."""
    real, used, refused = os.write, [0], []

    def write(fd: int, data: Any) -> int:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if not target.startswith(str(inside)):
            return real(fd, data)
        if used[0] + len(data) > room:
            if used[0] < room:  # what still fits is written, as on a real disk
                fits = room - used[0]
                used[0] = room
                return real(fd, bytes(data[:fits]))
            refused.append(target)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        used[0] += len(data)
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)
    return refused


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


@needs_proc
@pytest.mark.parametrize("room", [0, 4096])
def test_a_full_disk_while_saving_the_state_changes_nothing(
    lived_in: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int
) -> None:
    ws = clone(lived_in, tmp_path / "full")
    ws.append_mail(2, DEMO.people[2][1], DEMO.rep, LATER - HOUR)  # so that there is news
    home, outbox = files(ws.home), files(ws.outbox)
    refused = disk_full(monkeypatch, ws.home, room)
    done = ws.run(LATER, "cycle")
    monkeypatch.undo()

    assert refused, "the state was never written"
    assert done.code == 1, done.err
    assert "space" in done.err.lower() and str(ws.home) in done.err, done.err
    assert files(ws.home) == home  # the old state, byte for byte, and no temp file
    assert files(ws.outbox) == outbox  # nothing was done on the strength of unsaved state

    control = clone(lived_in, tmp_path / "control")  # with room again, it all happens once
    control.append_mail(2, DEMO.people[2][1], DEMO.rep, LATER - HOUR)
    for each in (ws, control):
        assert each.run(LATER, "cycle").code == 0
    same_as(ws.snapshot(LATER), control.snapshot(LATER), 0, Trial("cycle", "full", 0, False))


@needs_proc
@pytest.mark.parametrize("command", ["cycle", "blocks"])
def test_a_full_disk_while_writing_drafts_or_blocks_is_a_clear_error(
    lived_in: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    ws = clone(lived_in, tmp_path / "full")
    when = NOW + 4 * DAY  # a new week: new drafts and blocks to write
    outbox = files(ws.outbox)
    refused = disk_full(monkeypatch, ws.outbox, 0)
    done = ws.run(when, command)
    monkeypatch.undo()

    assert refused, "nothing was written to the outbox"
    assert done.code == 1 and "Traceback" not in done.err, done.err
    path = Path(refused[0])
    target = path.parent / path.name[1:].partition(".nurture-")[0]
    assert "space" in done.err.lower() and str(target) in done.err, done.err
    assert files(ws.outbox) == outbox  # every file as it was, and no temp file
    assert ws.run(when, "board", "--json").code == 0  # the store is fine

    control = clone(lived_in, tmp_path / "control")
    for each in (ws, control):
        assert each.run(when, "cycle").code == 0
    snap = ws.snapshot(when)
    no_duplicates(ws, snap)
    same_as(snap, control.snapshot(when), 0, Trial(command, "full", 0, False))


# -- temp files after a kill -------------------------------------------------------------------


KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from agent.atomic import write_atomically
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)
write_atomically(Path(sys.argv[1]), b"new" * 10_000)
"""


def test_a_writer_killed_mid_write_leaves_a_temp_the_next_write_removes(tmp_path: Path) -> None:
    target = tmp_path / "blocks.ics"
    target.write_bytes(b"old")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(target)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"old"
    (left,) = tmp_path.glob(".blocks.ics.nurture-*.tmp")
    busy = tmp_path / f".draft.eml.nurture-{os.getpid()}-abc.tmp"  # a live writer's
    busy.write_bytes(b"half")
    write_atomically(tmp_path / "draft.eml", b"draft")
    assert not left.exists() and busy.exists()
    assert (tmp_path / "draft.eml").read_bytes() == b"draft"


def test_a_save_after_a_kill_mid_save_leaves_no_temp_file(
    lived_in: Workspace, tmp_path: Path
) -> None:
    control = clone(lived_in, tmp_path / "control")
    control.append_mail(3, DEMO.people[3][1], DEMO.rep, LATER - HOUR)
    with counting_replaces() as count:
        assert control.run(LATER, "sync").code == 0
    assert count[0] >= 1
    for at in (f"{n}:{when}" for n in range(1, count[0] + 1) for when in ("before", "after")):
        ws = clone(lived_in, tmp_path / at.replace(":", "-"))
        ws.append_mail(3, DEMO.people[3][1], DEMO.rep, LATER - HOUR)
        killed = Launch(ws, LATER, ("sync",), "hook", at)
        killed.go(0)
        assert killed.finish().killed, at
        ws.append_mail(4, DEMO.people[4][1], DEMO.rep, LATER - HOUR)  # something to save
        assert ws.run(LATER, "sync").code == 0
        assert ws.temp_files() == [], at  # right after a save, before any other open
