"""Crash-test kit: workspaces that run nurture, processes killed with SIGKILL, and what to compare.

A :class:`Workspace` is a config folder (mail, calendar, outbox) and a state folder. Commands
run either in-process (``run``: fast, for the checks) or as real processes (``spawn``) that a
trial kills. Run as a module this file is ``nurture`` itself with test hooks, read from the
environment so that the command line stays the real one::

    CRASHKIT_READY_FD=R    once imported, write one byte to fd R, then wait for one on fd
    CRASHKIT_GO_FD=G       G before the command starts: the process is started ahead of
                           time, and the killer times its SIGKILL from the start of real work
    CRASHKIT_DIE_AT=K:when SIGKILL ourselves at the K-th ``os.replace`` (``before`` or
                           ``after`` it): every atomic write in the code base ends with one

    python -m tests.kits.crashkit --now ... cycle
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ("cycle", "sync", "blocks", "digest")


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str
    seconds: float

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


@dataclass
class Workspace:
    """A config folder and the state folder its commands use."""

    root: Path
    home: Path

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "NURTURE_HOME": str(self.home),
            "NURTURE_CONFIG": str(self.config),
            "PYTHONPATH": str(ROOT),
        }

    def run(self, now: datetime, *args: str) -> Ran:
        """``nurture ARGS`` in this process: exit code, stdout, stderr."""
        from agent.cli.main import main

        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        code: Any = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(["--now", now.isoformat(), *self._where(), *args])
            except SystemExit as done:
                code = done.code
        return Ran(int(code or 0), out.getvalue(), err.getvalue(), time.perf_counter() - started)

    def _where(self) -> list[str]:
        return ["--config", str(self.config), "--home", str(self.home)]

    def spawn(
        self, now: datetime, *args: str, entry_point: bool = False, **hooks: int | str
    ) -> subprocess.Popen[bytes]:
        """``nurture ARGS`` as a process with NURTURE_HOME and NURTURE_CONFIG set.

        ``entry_point``: the installed ``nurture`` script itself, else this module (the
        same ``agent.cli.main.main`` with the ``hooks`` described at the top: ``die_at``,
        ``ready_fd``, ``go_fd``)."""
        env = self.env()
        env.update({f"CRASHKIT_{k.upper()}": str(v) for k, v in hooks.items() if v != ""})
        program = (
            nurture_command() if entry_point else [sys.executable, "-m", "tests.kits.crashkit"]
        )
        return subprocess.Popen(
            [*program, "--now", now.isoformat(), *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=tuple(v for k, v in hooks.items() if k.endswith("_fd") and isinstance(v, int)),
        )

    def append_mail(self, index: int, sender: str, to: str, at: datetime) -> None:
        """One more message at the end of the mbox, as a mail client would add it."""
        path = self.root / "mail.mbox"
        data = path.read_bytes()
        gap = b"" if data.endswith(b"\n\n") else b"\n" if data.endswith(b"\n") else b"\n\n"
        message = (
            f"From crashkit {at:%a %b %d %H:%M:%S %Y}\n"
            f"From: {sender}\nTo: {to}\nSubject: Crash trial {index}\n"
            f"Date: {format_datetime(at)}\nMessage-ID: <crash-{index}@crashkit.example>\n"
            "Content-Type: text/plain; charset=utf-8\n\n"
            f"Note number {index}, about the pilot.\n\n"
        ).encode()
        with path.open("ab") as out:
            out.write(gap + message)

    def snapshot(self, now: datetime) -> Snapshot:
        """What a rep can see: board, drafts, blocks, and every file in the outbox."""
        drafts = self.run(now, "drafts", "list", "--json").json()
        for draft in drafts:
            draft["link"] = str(draft.get("link", "")).replace(str(self.root), "<root>")
        files = {
            str(p.relative_to(self.outbox)): self._relative(p.read_bytes())
            for p in sorted(self.outbox.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }
        return Snapshot(
            board=self.run(now, "board", "--json").json(),
            drafts=sorted(drafts, key=lambda d: str(d["id"])),
            blocks=self.run(now, "blocks", "--json", "--dry-run").json(),
            outbox=files,
        )

    def _relative(self, data: bytes) -> bytes:
        """File contents with this workspace's folder as ``<root>`` (block notes link drafts
        by path; long .ics lines and quoted-printable lines are unfolded first so that the
        path is whole) and MIME boundaries, random by design, as ``<boundary>``."""
        unbounded = re.sub(rb"={10,}\d+==", b"<boundary>", data)
        unfolded = re.sub(rb"(\r?\n[ \t])|(=\r?\n)", b"", unbounded)
        return unfolded.replace(str(self.root).encode(), b"<root>")

    def temp_files(self) -> list[str]:
        """Hidden temp files an interrupted atomic write may leave, in home and outbox."""
        found = [*self.home.glob(".*"), *self.outbox.rglob(".*")]
        return sorted(str(p) for p in found if p.name.endswith(".tmp"))


@dataclass
class Snapshot:
    board: list[dict[str, Any]]
    drafts: list[dict[str, Any]]
    blocks: list[dict[str, Any]]
    outbox: dict[str, bytes] = field(repr=False)

    def touches(self) -> dict[str, int]:
        return {row["name"]: int(row["touches"]) for row in self.board}


def nurture_command() -> list[str]:
    script = Path(sys.executable).with_name("nurture")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agent"]


# -- invariants ------------------------------------------------------------------------------

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


def no_duplicates(ws: Workspace, snap: Snapshot) -> None:
    """One draft per key, one block per id and per day, in the store and on disk."""
    ids = [d["id"] for d in snap.drafts]
    assert len(ids) == len(set(ids)), ids
    assert not [d["id"] for d in snap.drafts if d["status"] == "pending"]
    # A draft file is named after its record's key; the key is nowhere in the message.
    files = {n[7:-4] for n in snap.outbox if n.startswith("drafts/") and n.endswith(".eml")}
    message_ids: list[bytes] = []
    for name, data in snap.outbox.items():
        if name.startswith("drafts/"):
            head = data.split(b"\n\n", 1)[0]
            assert b"x-nurture" not in head.lower(), name
            (message_id,) = MESSAGE_ID.findall(head)
            message_ids.append(message_id)
    assert len(message_ids) == len(set(message_ids)), message_ids
    assert {d["id"] for d in snap.drafts if d["status"] == "created"} <= files
    blocks = [b for b in snap.blocks if b["status"] != "deleted"]
    assert len({b["id"] for b in blocks}) == len(blocks), blocks
    assert len({b["day"] for b in blocks}) == len(blocks), blocks
    ics = snap.outbox.get("blocks.ics", b"")
    uids = re.findall(rb"^UID:(.+?)\r?$", ics, re.MULTILINE)
    days = re.findall(rb"^X-NURTURE-DAY:(.+?)\r?$", ics, re.MULTILINE)
    assert len(uids) == len(set(uids)), uids
    assert len(days) == len(set(days)), days


# -- killing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    killed: bool
    seconds: float  # from the start of real work (or of the process) to its end


class Launch:
    """One ``nurture ARGS`` run to be killed, started ahead of time when it can be.

    ``mode``: ``timed`` (killed ``delay`` seconds after it starts its real work: imports
    are done while the previous trial is checked), ``entry`` (the installed script, started
    by ``go`` and killed ``delay`` seconds after that) or ``hook`` (it kills itself at the
    ``die_at`` atomic write). Use: ``go(delay)``, work meanwhile, then ``finish()``."""

    def __init__(
        self, ws: Workspace, now: datetime, args: tuple[str, ...], mode: str, die_at: str = ""
    ) -> None:
        self.ws, self.now, self.args, self.mode = ws, now, args, mode
        self.child: subprocess.Popen[bytes] | None = None
        self.ready = self.gate = -1
        self.started = 0.0
        self.thread: threading.Thread | None = None
        if mode != "entry":
            self.ready, ready_w = os.pipe()
            go_r, self.gate = os.pipe()
            hooks = {"ready_fd": ready_w, "go_fd": go_r, "die_at": die_at if mode == "hook" else ""}
            self.child = ws.spawn(now, *args, **hooks)
            os.close(ready_w)
            os.close(go_r)

    def go(self, delay: float) -> None:
        if self.child is None:
            self.child = self.ws.spawn(self.now, *self.args, entry_point=True)
        self.thread = threading.Thread(target=self._kill, args=(self.child, delay), daemon=True)
        self.started = time.perf_counter()
        self.thread.start()

    def _kill(self, child: subprocess.Popen[bytes], delay: float) -> None:
        if self.ready >= 0:
            os.read(self.ready, 1)  # b"" if it died while importing: nothing to start
            os.close(self.ready)
            with contextlib.suppress(BrokenPipeError):
                os.write(self.gate, b"g")
            os.close(self.gate)
            self.started = time.perf_counter()
        if self.mode != "hook":
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)  # a no-op once it has been reaped

    def abandon(self) -> None:
        """Never started (a trial before it failed): let it exit without running."""
        if self.gate >= 0 and self.thread is None:
            os.close(self.gate)
            os.close(self.ready)
            self.gate = self.ready = -1
        if self.child is not None and self.child.returncode is None:
            self.child.kill()
            self.child.wait(timeout=60)

    def finish(self) -> Outcome:
        assert self.child is not None and self.thread is not None
        _, err = self.child.communicate(timeout=120)
        self.thread.join(timeout=60)
        ended = time.perf_counter()
        if self.child.returncode not in (0, -signal.SIGKILL):
            text = err.decode(errors="replace")
            raise AssertionError(f"nurture {' '.join(self.args)} failed: {text}")
        return Outcome(self.child.returncode == -signal.SIGKILL, ended - self.started)


@contextlib.contextmanager
def counting_replaces() -> Iterator[list[int]]:
    """How many ``os.replace`` calls (atomic writes) this process makes in the block."""
    real, count = os.replace, [0]

    def replace(*args: Any, **kwargs: Any) -> None:
        count[0] += 1
        real(*args, **kwargs)

    os.replace = replace  # type: ignore[assignment]
    try:
        yield count
    finally:
        os.replace = real


def _install_hooks() -> None:
    die_at = os.environ.pop("CRASHKIT_DIE_AT", "")
    if die_at:
        number, _, when = die_at.partition(":")
        target, real, seen = int(number), os.replace, [0]

        def replace(*args: Any, **kwargs: Any) -> None:
            seen[0] += 1
            if seen[0] == target and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            real(*args, **kwargs)
            if seen[0] == target:
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace  # type: ignore[assignment]
    ready, go = os.environ.pop("CRASHKIT_READY_FD", ""), os.environ.pop("CRASHKIT_GO_FD", "")
    if ready and go:
        os.write(int(ready), b"r")
        os.close(int(ready))
        if os.read(int(go), 1) != b"g":  # the test gave up on this run
            sys.exit(3)
        os.close(int(go))


if __name__ == "__main__":
    from agent.cli.main import main as nurture_main

    _install_hooks()
    nurture_main(sys.argv[1:])
