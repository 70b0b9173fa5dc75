"""Render every play's template against sample data: `nurture templates check` and doctor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from agent.config.schema import Config
from agent.core.drafts import compose, sample_action
from agent.errors import UserError
from agent.model import Action, PlayId
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
    for play in PlayId:
        try:
            source = play_template(play.value, folder).filename
            for action in _samples(play):
                compose(action, config)
        except UserError as error:
            results.append(TemplateResult(play.value, error=error.message))
            continue
        yours = folder is not None and Path(source).resolve().parent == folder.resolve()
        results.append(TemplateResult(play.value, source, yours))
    return results


def _samples(play: PlayId) -> list[Action]:
    """A full sample, and one without the optional parts (no name, offer or meeting)."""
    full = sample_action(play)
    needs_offer = play in (
        PlayId.SHARE_CONTENT,
        PlayId.INTRODUCTION,
        PlayId.INVITATION,
        PlayId.REENGAGE_LOST,  # never a bare check-in (issue 20)
    )
    sparse = replace(full, contact_name="", offer=full.offer if needs_offer else None, meeting="")
    return [full, sparse]
