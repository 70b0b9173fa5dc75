"""The row shapes module is shared by the CLI and the web app: it must stay light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["agent.views.json", "agent.views.reports"])
def test_importing_the_row_shapes_loads_no_rich_store_or_jinja(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted({m.split('.')[0] if not m.startswith('agent.') else m "
        "for m in sys.modules if m.startswith(('rich', 'jinja2', 'tinydb', 'agent.store'))}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_cli_uses_the_shared_shapes() -> None:
    from agent.cli import blocks, book, drafts, engine
    from agent.views import json as shapes

    # `board` imports its shape when it prints JSON (a sync never needs the views).
    tree = ast.parse(Path(book.__file__).read_text())
    imported = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert ("agent.views.json", "board_json") in imported
    assert not any(
        isinstance(n, ast.FunctionDef) and n.name == "board_json" for n in ast.walk(tree)
    )
    assert drafts.draft_json is shapes.draft_json
    assert blocks.blocks_json is shapes.blocks_json
    assert engine.account_json is shapes.account_json
    assert engine.next_cycle_json is shapes.next_cycle_json
