"""The demo digest seen as a person sees it: laid out by headless Chromium, phone and desktop.

The email itself has no script. A test-only page embeds it twice (``srcdoc`` iframes 400
and 1000 px wide), measures every section and chart with ``getBoundingClientRect`` and
writes the numbers into the DOM, which ``chromium --dump-dom`` prints. Skipped when
Chromium is not installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent.cli.main import main
from agent.core.digest.build import SECTIONS
from tests.conftest import NOW

WIDTHS = (400, 1000)  # a phone, a desktop mail client

MEASURE = """
<script>
window.addEventListener("load", function () {
  var out = {};
  document.querySelectorAll("iframe").forEach(function (frame) {
    var doc = frame.contentDocument, win = frame.contentWindow;
    var seen = {sections: {}, charts: [], overflow: doc.documentElement.scrollWidth};
    SECTIONS.forEach(function (name) {
      var el = doc.querySelector('[data-section="' + name + '"]');
      if (!el) { return; }
      var box = el.getBoundingClientRect(), style = win.getComputedStyle(el);
      var title = el.querySelector("h2");
      seen.sections[name] = {
        width: box.width, height: box.height, top: box.top,
        shown: style.display !== "none" && style.visibility !== "hidden",
        title: title ? title.textContent : "", titleHeight: title ? title.offsetHeight : 0
      };
    });
    doc.querySelectorAll("[data-chart]").forEach(function (chart) {
      var box = chart.getBoundingClientRect(), bars = [];
      chart.querySelectorAll("[data-bar]").forEach(function (bar) {
        var b = bar.getBoundingClientRect();
        bars.push([b.width, b.height]);
      });
      seen.charts.push({name: chart.getAttribute("data-chart"),
                        width: box.width, height: box.height, bars: bars});
    });
    out[frame.getAttribute("data-width")] = seen;
  });
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script>
"""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def wrapper_page(digest_html: str) -> str:
    frames = "".join(
        f'<iframe data-width="{w}" style="width:{w}px;height:9000px;border:0;display:block" '
        f'srcdoc="{html.escape(digest_html, quote=True)}"></iframe>'
        for w in WIDTHS
    )
    sections = f"<script>var SECTIONS = {json.dumps(list(SECTIONS))};</script>"
    return (
        f"<!DOCTYPE html><html><body style='margin:0'>{frames}"
        f"<pre id='result'></pre>{sections}{MEASURE}</body></html>"
    )


def measure(chromium: str, page: Path, profile: Path) -> dict[str, Any]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1100,900",
        "--virtual-time-budget=5000",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found and found.group(1), f"no measurements; chromium said: {done.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


@pytest.fixture(scope="module")
def demo_digest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "demo"
    with pytest.raises(SystemExit) as done:
        main(["--now", NOW.isoformat(), "demo", str(folder)])
    assert done.value.code == 0
    return folder / "digest.html"


def test_every_section_and_chart_is_visible_on_a_phone_and_a_desktop(
    demo_digest: Path, tmp_path: Path
) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = tmp_path / "measure.html"
    page.write_text(wrapper_page(demo_digest.read_text()))
    result = measure(chromium, page, tmp_path / "profile")
    for width in WIDTHS:
        seen = result[str(width)]
        assert seen["overflow"] <= width, f"{width}px: the digest is wider than the screen"
        tops = []
        for name in SECTIONS:
            box = seen["sections"].get(name)
            assert box is not None, f"{width}px: section {name} is missing"
            assert box["shown"] and box["width"] > 0 and box["height"] > 0, (width, name, box)
            assert box["title"] and box["titleHeight"] > 0, (width, name, box)
            assert box["width"] <= width, (width, name, box)
            tops.append(box["top"])
        assert tops == sorted(tops), f"{width}px: sections out of order"
        charts = {c["name"]: c for c in seen["charts"]}
        for name in ("trend", "time-touches", "coverage", "cold"):
            chart = charts.get(name)
            assert chart is not None, f"{width}px: chart {name} is missing"
            assert chart["width"] > 0 and chart["height"] > 0, (width, chart)
        trend = charts["trend"]
        assert trend["bars"] and all(w > 0 and h >= 2 for w, h in trend["bars"]), trend
        assert trend["height"] >= 80, trend
