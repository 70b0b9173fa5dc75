"""Render every play's template against sample data: `nurture templates check` and doctor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.config.schema import Config
from agent.core.drafts import compose, sample_actions
from agent.core.plays.registry import plays
from agent.errors import UserError
from agent.render.jinja import play_template


@dataclass(frozen=True)
class TemplateResult:
    play: str
    source: str = ""  # the file the play renders with
    yours: bool = False  # the rep's override, not the bundled one
    error: str = ""  # what is broken and where (file, line, variable), or ""


def check_templates(config: Config, folder: Path | None) -> list[TemplateResult]:
    """One result per play; ``folder`` holds the rep's overrides (None: bundled only)."""
    results = []
    for play in plays():
        try:
            source = play_template(play, folder).filename
            for action in sample_actions(play):
                compose(action, config)
        except UserError as error:
            results.append(TemplateResult(play, error=error.message))
            continue
        yours = folder is not None and Path(source).resolve().parent == folder.resolve()
        results.append(TemplateResult(play, source, yours))
    return results
