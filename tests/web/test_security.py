"""Who may use the web app: the token (then a cookie), the Host header, CSRF, loopback only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from werkzeug.test import Client

from agent.web.app import WebApp
from agent.web.server import start
from tests.conftest import NOW
from tests.web.conftest import BASE, PORT, Demo, Visitor, text

HOST = {"Host": f"127.0.0.1:{PORT}"}


@pytest.mark.parametrize(
    "path", ["/", "/review", "/plan", "/setup", "/digest", "/static/nurture.css"]
)
def test_without_the_token_every_page_is_refused(app: WebApp, path: str) -> None:
    response = Client(app).get(BASE + path, headers=HOST)
    assert response.status_code == 401
    assert "needs the access key from `nurture ui`" in text(response)
    assert app.token not in response.get_data(as_text=True)


def test_a_wrong_token_or_cookie_is_refused(app: WebApp) -> None:
    client = Client(app)
    assert client.get(f"{BASE}/?token=guess", headers=HOST).status_code == 401
    client.set_cookie(app.cookie, "guess", domain="127.0.0.1")
    assert client.get(f"{BASE}/", headers=HOST).status_code == 401


def test_the_token_is_traded_for_a_strict_cookie_and_leaves_the_address(app: WebApp) -> None:
    client = Client(app)
    first = client.get(f"{BASE}/review?token={app.token}", headers=HOST)
    assert first.status_code == 303 and first.headers["Location"] == "/review"
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get(f"{BASE}/review", headers=HOST)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "host", ["evil.example:8765", "127.0.0.1:9999", "localhost", "10.0.0.5:8765"]
)
def test_another_host_header_is_refused_even_with_the_token(visitor: Visitor, host: str) -> None:
    response = visitor.client.get(f"{BASE}/?token={visitor.app.token}", headers={"Host": host})
    assert response.status_code == 403
    assert visitor.client.get(f"{BASE}/", headers={"Host": host}).status_code == 403


def test_localhost_with_the_port_is_fine(visitor: Visitor) -> None:
    client = Client(visitor.app)
    entered = client.get(
        f"http://localhost:{PORT}/?token={visitor.app.token}", headers={"Host": f"localhost:{PORT}"}
    )
    assert entered.status_code == 303


def test_a_post_needs_the_csrf_token_and_this_origin(visitor: Visitor, demo: Demo) -> None:
    before = demo.config.read_text()
    form = {"never": "pat@acme.com"}
    no_csrf = visitor.client.post(f"{BASE}/setup/never", data=form, headers=HOST)
    assert no_csrf.status_code == 403 and "out of date" in text(no_csrf)
    wrong = visitor.client.post(f"{BASE}/setup/never", data={**form, "csrf": "x"}, headers=HOST)
    assert wrong.status_code == 403
    other_site = visitor.client.post(
        f"{BASE}/setup/never",
        data={**form, "csrf": visitor.app.csrf},
        headers={**HOST, "Origin": "http://evil.example"},
    )
    assert other_site.status_code == 403
    assert demo.config.read_text() == before
    ok = visitor.post("/setup/never", form)
    assert ok.status_code == 303 and "never_contact: [pat@acme.com]" in demo.config.read_text()


def test_every_form_on_every_page_carries_the_csrf_token(visitor: Visitor) -> None:
    for path in ["/", "/review", "/plan", "/setup", "/account/Corvid%20Health"]:
        html = visitor.get(path).get_data(as_text=True)
        posts = html.count('method="post"')
        assert html.count(f'name="csrf" value="{visitor.app.csrf}"') == posts, path


def test_the_server_listens_on_loopback_only(demo: Demo) -> None:
    served = start(demo.context, 0)
    try:
        assert served.server.server_address[0] == "127.0.0.1"
        assert served.url.startswith(f"http://127.0.0.1:{served.app.port}/?token=")
    finally:
        served.stop()


def test_nurture_ui_prints_the_address_first_and_serves_it(demo: Demo) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from agent.cli.main import main; main()",
            "--now",
            NOW.isoformat(),
            "--config",
            str(demo.config),
            "--home",
            str(demo.home),
            "ui",
            "--no-open",
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
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url.partition("?")[0], timeout=10)
        assert refused.value.code == 401
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with browser.open(url, timeout=60) as page:  # the 303 sets the cookie, then the board
            assert page.status == 200 and "Atlas Manufacturing" in page.read().decode()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
