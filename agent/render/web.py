"""The web app's pages: bundled ``templates/web/*.html.j2`` through the one Jinja2 module.

Only the bundled templates are used (a rep's ``templates/`` folder overrides drafts and the
digest, not the app). Values come in as the ``views.json`` shapes; the filters here turn
their ISO times into short words in the rep's zone and counts into a small SVG sparkline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from agent.render.jinja import environment, render_template


def when(value: str | None) -> str:
    """``2026-11-20T09:05:00-06:00`` → ``Fri 20 Nov, 09:05``; "never" for nothing."""
    if not value:
        return "never"
    return f"{datetime.fromisoformat(value):%a %d %b, %H:%M}"


def day(value: str | date | None) -> str:
    if not value:
        return "—"
    found = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{found:%a %d %b %Y}"


def clock(value: str) -> str:
    return f"{datetime.fromisoformat(value):%H:%M}"


def sparkline(values: Sequence[int], width: int = 96, height: int = 22) -> Markup:
    """Touches per week as a small line with a dot on this week; its words in a title."""
    if not values:
        return Markup("")
    top = max(*values, 1)
    step = width / max(len(values) - 1, 1)
    points = [
        (round(i * step, 1), round(height - 2 - (v / top) * (height - 4), 1))
        for i, v in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    last_x, last_y = points[-1]
    words = f"{sum(values)} touches in {len(values)} weeks, {values[-1]} this week"
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(words)}"><title>{escape(words)}</title>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{line}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.2" fill="currentColor"/></svg>'
    )


@cache
def _environment() -> Any:  # a SandboxedEnvironment; only jinja.py may name Jinja2
    env = environment(None)
    env.filters.update(when=when, day=day, clock=clock, sparkline=sparkline)
    return env


def render_page(name: str, context: Mapping[str, Any]) -> str:
    """``templates/web/<name>.html.j2`` with ``context``, autoescaped."""
    return render_template(_environment(), f"web/{name}.html.j2", context)
