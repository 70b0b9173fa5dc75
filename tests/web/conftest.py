"""A demo workspace (one cycle run, drafts written) and the web app over it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest
from werkzeug.test import Client, TestResponse

from agent.app.context import Context
from agent.cli.main import main
from agent.model.tables import DRAFTS
from agent.store.db import Store
from agent.web.app import WebApp
from agent.web.server import build
from tests.conftest import NOW

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
_DEMO_CACHE: dict[str, Path] = {}


@dataclass
class Demo:
    folder: Path
    config: Path
    home: Path

    def context(self) -> Context:
        return Context(self.config, self.home, NOW)

    def records(self) -> dict[str, dict[str, object]]:
        with Store.open(self.home) as store:
            return store.items(DRAFTS)


def _built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`nurture demo` once per session; each test gets its own copy."""
    if "demo" not in _DEMO_CACHE:
        folder = tmp_path_factory.mktemp("demo-built")
        with pytest.raises(SystemExit) as done:
            main(["--now", NOW.isoformat(), "demo", str(folder)])
        assert done.value.code in (0, None)
        _DEMO_CACHE["demo"] = folder
    return _DEMO_CACHE["demo"]


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path / "demo"
    shutil.copytree(_built(tmp_path_factory), folder)
    return Demo(folder, folder / "config.yaml", folder / ".nurture")


@dataclass
class Visitor:
    """A browser-like client that has entered with the token (cookie set)."""

    app: WebApp
    client: Client

    def get(self, path: str) -> TestResponse:
        return self.client.get(BASE + path, headers={"Host": f"127.0.0.1:{PORT}"})

    def post(self, path: str, data: dict[str, object] | None = None, **kw: object) -> TestResponse:
        form = {"csrf": self.app.csrf, **(data or {})}
        return self.client.post(BASE + path, data=form, headers={"Host": f"127.0.0.1:{PORT}"}, **kw)

    def follow(self, response: TestResponse) -> TestResponse:
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return self.get(response.headers["Location"])


@pytest.fixture
def app(demo: Demo) -> WebApp:
    return build(demo.context, PORT)


@pytest.fixture
def visitor(app: WebApp) -> Visitor:
    client = Client(app)
    entered = client.get(f"{BASE}/?token={app.token}", headers={"Host": f"127.0.0.1:{PORT}"})
    assert entered.status_code == 303
    return Visitor(app, client)


def text(response: TestResponse) -> str:
    """The page's words, tags removed and spaces collapsed (what a person reads)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()
