"""The web app in a real browser: Playwright driving Debian's chromium.

Skips (saying why) only when no browser can be launched. Screenshots of the board at
1280 px and at phone width go to tests/artifacts/ (ignored by git); their paths are printed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agent.config.schema import load_config
from agent.model.tables import DRAFTS, STAGES, DraftStatus
from agent.store.db import Store
from agent.web.server import Served, start
from tests.web.conftest import Demo

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DATA = Path(__file__).resolve().parent / "data"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = ["/", "/review", "/plan", "/setup", "/account/Meridian%20Bank"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:  # no browser on this machine: say so, never fail
            reason = str(error).splitlines()[0]
            pytest.skip(f"no browser could be launched ({reason}); apt-get install chromium")
        yield launched
        launched.close()


@dataclass
class Session:
    served: Served
    page: Any
    demo: Demo

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.served.app.port}"

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def note(self) -> str:
        return str(self.page.locator(".note").inner_text())


@pytest.fixture
def session(browser: Any, demo: Demo) -> Iterator[Session]:
    served = start(demo.context, 0)
    served.in_background()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Send this to ... now?"
    page.goto(served.url)
    try:
        yield Session(served, page, demo)
    finally:
        context.close()
        served.stop()


def test_first_visit_without_the_token_is_refused_and_with_it_enters(
    browser: Any, demo: Demo
) -> None:
    served = start(demo.context, 0)
    served.in_background()
    context = browser.new_context()
    try:
        page = context.new_page()
        refused = page.goto(f"http://127.0.0.1:{served.app.port}/")
        assert refused.status == 401
        assert "needs the access key" in page.inner_text("h1")
        entered = page.goto(served.url)
        assert entered.status == 200
        assert page.url == f"http://127.0.0.1:{served.app.port}/"  # the token left the address
        assert "Your accounts on Fri 20 Nov 2026" in page.inner_text("h1")
        page.goto(f"http://127.0.0.1:{served.app.port}/review")  # the cookie carries on
        assert page.inner_text("h1") == "Drafts waiting for you"
    finally:
        context.close()
        served.stop()


def test_the_board_shows_the_demos_accounts(session: Session) -> None:
    names = session.page.locator("table.board tbody th a").all_inner_texts()
    assert len(names) == 10
    assert names[0] == "Atlas Manufacturing"
    assert {"Corvid Health", "Meridian Bank", "Pinecrest Insurance"} <= set(names)
    session.page.select_option("select[name=tier]", "target")  # the script submits on change
    session.page.wait_for_url("**/?tier=target**")
    assert session.page.locator("table.board tbody th a").all_inner_texts() == [
        "Quarry & Finch",
        "Brightline Retail",
    ]


def waiting(demo: Demo) -> list[dict[str, Any]]:
    with Store.open(demo.home) as store:
        return [
            r | {"key": k}
            for k, r in store.items(DRAFTS).items()
            if r["status"] == DraftStatus.CREATED
        ]


def test_approving_a_draft_from_the_page(session: Session) -> None:
    record = waiting(session.demo)[0]
    session.goto("/review")
    card = session.page.locator(f"#d-{record['key']}")
    # The demo is local: approving moves the file to outbox/sent, and the button says so.
    name = f"Approve: move to outbox/sent for {record['contact_name']}"
    card.get_by_role("button", name=name).click()
    assert session.note().endswith(f": send it to {record['contact_name']} from your mail program.")
    assert session.page.locator(f"#d-{record['key']}").count() == 0
    with Store.open(session.demo.home) as store:
        assert store.get(DRAFTS, record["key"])["status"] == "sent"


def test_rejecting_a_draft_from_the_page(session: Session) -> None:
    record = waiting(session.demo)[1]
    session.goto("/review")
    card = session.page.locator(f"#d-{record['key']}")
    card.locator("summary", has_text="Reject").click()
    card.get_by_label("Why not").fill("wrong moment for them")
    card.get_by_role("button", name="Reject: delete the draft").click()
    assert "nothing was sent" in session.note()
    with Store.open(session.demo.home) as store:
        saved = store.get(DRAFTS, record["key"])
    assert (saved["status"], saved["reject_reason"]) == ("rejected", "wrong moment for them")


def tab_to(page: Any, label: str, presses: int = 60) -> None:
    """Press Tab until the control whose text is ``label`` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == label:
            return
    raise AssertionError(f"{label!r} cannot be reached with the Tab key")


def test_a_stage_change_with_the_keyboard_only(session: Session) -> None:
    page = session.page
    session.goto("/?stage=lost")
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to the page"
    tab_to(page, "Corvid Health")  # then on through the page to the account's link
    page.keyboard.press("Enter")
    page.wait_for_url("**/account/Corvid%20Health")
    page.focus("select[name=stage]")
    page.keyboard.press("Home")  # cold, hot, ...: the option "hot" is one down from the top
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("11182026")  # chromium's date field, month day year (en-US)
    tab_to(page, "Save the stage")
    page.keyboard.press("Enter")
    assert session.note() == "Corvid Health is now hot, since Wed 18 Nov 2026."
    with Store.open(session.demo.home) as store:
        assert store.get(STAGES, "Corvid Health") == {"stage": "hot", "since": "2026-11-18"}


def test_suggested_accounts_from_the_demo_mailbox(session: Session) -> None:
    session.goto("/setup")
    suggestions = session.page.locator("form.suggestion h3").all_inner_texts()
    assert suggestions == ["harborcold.com", "vireo-robotics.com"]
    harbor = session.page.locator("form.suggestion", has_text="harborcold.com")
    harbor.get_by_label("Name").fill("Harbor Cold Storage")
    harbor.get_by_label("Tier").select_option("dream")
    harbor.get_by_role("button", name="Add harborcold.com").click()
    assert session.note() == "Added Harbor Cold Storage to your accounts."
    assert session.page.locator("form.suggestion h3").all_inner_texts() == ["vireo-robotics.com"]
    added = next(
        a for a in load_config(session.demo.config).accounts if a.name == "Harbor Cold Storage"
    )
    assert {c.email for c in added.contacts} == {
        "hugo.brandt@harborcold.com",
        "mia.sato@harborcold.com",
    }


def test_a_hubspot_csv_import(session: Session) -> None:
    page = session.page
    session.goto("/setup")
    page.get_by_label("Companies or accounts (CSV)").set_input_files(DATA / "hubspot-companies.csv")
    page.get_by_label("Contacts (CSV, optional)").set_input_files(DATA / "hubspot-contacts.csv")
    page.get_by_role("button", name="Preview the import").click()
    assert "From HubSpot: 3 accounts to import" in page.inner_text("#import")
    errors = page.locator("#import [role=alert] li").all_inner_texts()
    assert (
        len(errors) == 5
        and errors[1] == "hubspot-companies.csv line 5: Meridian Bank is already an account"
    )
    page.get_by_label("Import Vireo Robotics").uncheck()
    page.get_by_role("button", name="Import the ticked accounts").click()
    assert session.note() == "Imported 2 accounts from HubSpot."
    names = {a.name for a in load_config(session.demo.config).accounts}
    assert {"Harbor Cold Storage", "Kestrel Foods"} <= names and "Vireo Robotics" not in names
    session.goto("/")
    assert "Harbor Cold Storage" in page.locator("table.board tbody th a").all_inner_texts()


CONTROLS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .filter(e => e.checkVisibility()).length"""
FOCUSED = """() => { const e = document.activeElement;
    return [e.tagName, e.name || '', e.getAttribute('href') || '', e.textContent.slice(0, 40),
            [...document.querySelectorAll('*')].indexOf(e)].join('|'); }"""


def test_every_control_is_reachable_with_the_tab_key(session: Session) -> None:
    page = session.page
    for path in PAGES:
        session.goto(path)
        wanted = page.evaluate(CONTROLS)
        seen = set()
        for _ in range(wanted + 5):
            page.keyboard.press("Tab")
            seen.add(page.evaluate(FOCUSED))
        reached = len([s for s in seen if not s.startswith("BODY")])
        assert reached >= wanted, f"{path}: {reached} of {wanted} controls reached with Tab"


def test_every_page_fits_a_phone_and_the_board_is_photographed(
    browser: Any, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    session.goto("/")
    wide = ARTIFACTS / "board-1280.png"
    session.page.screenshot(path=str(wide), full_page=True)
    phone = browser.new_context(viewport={"width": 400, "height": 860}, device_scale_factor=1)
    try:
        page = phone.new_page()
        page.goto(session.served.url)
        narrow = ARTIFACTS / "board-400.png"
        page.screenshot(path=str(narrow), full_page=True)
        for path in PAGES:
            page.goto(session.base + path)
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= 400, f"{path} is {width} px wide at 400 px: it scrolls sideways"
    finally:
        phone.close()
    with capsys.disabled():
        print(f"\nscreenshots: {wide} {narrow}")
    assert wide.stat().st_size > 10_000 and narrow.stat().st_size > 10_000
