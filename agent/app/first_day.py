"""What a cycle should say besides its counts, so nothing fails quietly on a new mailbox:
due accounts that got no play (each is in ``nurture plan`` with why and the fix) and drafts
written without a signature (Gmail does not add it to drafts made through its API)."""

from __future__ import annotations

from collections.abc import Sequence

from agent.app.doctor import SIGNATURE_NOTE
from agent.config.schema import Config
from agent.model import Action, ActionKind


def cycle_notes(config: Config, actions: Sequence[Action], drafts_made: int) -> list[str]:
    notes = []
    silent = [a for a in actions if a.kind is ActionKind.NO_PLAY]
    if silent:
        names = ", ".join(a.account for a in silent[:3]) + (", ..." if len(silent) > 3 else "")
        notes.append(
            f"{len(silent)} due account{'s' * (len(silent) != 1)} got no play ({names}): "
            "`nurture plan` says why and what to add"
        )
    if drafts_made and not config.drafts.signature.strip():
        notes.append(f"drafts.signature is empty: {SIGNATURE_NOTE}; set it in config.yaml")
    return notes
