"""The commands around the web app: `nurture run --ui`, the demo's last words, and the
setup page starting `nurture auth`'s Google consent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from agent.cli.invocation import nurture_command
from agent.cli.main import main
from tests.conftest import NOW
from tests.web.conftest import Demo, Visitor, text


def test_the_demo_ends_with_the_exact_ui_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["--now", NOW.isoformat(), "demo", str(tmp_path / "d")])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    config, home = tmp_path / "d" / "config.yaml", tmp_path / "d" / ".nurture"
    program = nurture_command()  # `nurture`, or its full path when the venv is not active
    assert last == f"Or in your browser: {program} --config {config} --home {home} ui"


def test_run_with_ui_serves_the_app_next_to_the_daemon(demo: Demo) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from agent.cli.main import main; main()",
            "--config",
            str(demo.config),
            "--home",
            str(demo.home),
            "run",
            "--ui",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BROWSER": "false"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        deadline = time.monotonic() + 120
        while True:  # the daemon's first sync may hold the store a moment
            with browser.open(url.replace("/?", "/review?"), timeout=60) as page:
                body = page.read().decode()
            if page.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert page.status == 200 and "Drafts waiting for you" in body
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_connect_google_starts_the_auth_flow_and_shows_how_it_ended(
    visitor: Visitor, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    text_before = demo.config.read_text()
    demo.config.write_text(text_before.replace("provider: local", "provider: google"))
    calls: list[tuple[Any, ...]] = []

    def authorize(client_secrets: Path, token: Path, **_: Any) -> None:
        calls.append((client_secrets, token))

    monkeypatch.setattr("agent.providers.google.auth.authorize", authorize)
    page = text(visitor.get("/setup"))
    assert "Not connected yet" in page and "tick every box" in page
    assert "with Google they are not available yet" in page  # suggestions need mail files
    started = visitor.follow(visitor.post("/setup/google"))
    assert "Google's consent page opens in a new browser tab" in text(started)
    consent = visitor.app.kept["google-consent"]
    consent.thread.join(timeout=10)
    assert calls == [(demo.folder / "client_secret.json", demo.home / "google-token.json")]
    assert "Connected to Google" in text(visitor.get("/setup"))
