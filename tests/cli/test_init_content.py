"""Issue 20: `nurture init` starts a content library from what the rep already shares."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from agent.cli.main import cli
from agent.config.schema import load_config


def init(tmp_path: Path, *args: str, typed: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "ws"), *args], input=typed)
    return result.exit_code, result.output


def test_the_items_typed_at_init_become_the_library(tmp_path: Path) -> None:
    typed = (
        "Freight outlook\nhttps://x.com/freight\nfreight, logistics\nnews\n"
        "Bad one\nnot-a-link\n\narticle\n"
        "Plant case\nhttps://x.com/plant\nmanufacturing\ncase_study\n"
        "\n"
    )
    code, out = init(tmp_path, typed=typed)
    assert code == 0, out
    assert "skipped: content item 'Bad one'" in out and "Wrote 2 items" in out
    config = load_config(tmp_path / "ws" / "config.yaml")
    mine = [i for i in config.content if "x.com" in i.url]
    assert [(i.title, i.kind, i.tags) for i in mine] == [
        ("Freight outlook", "news", ("freight", "logistics")),
        ("Plant case", "case_study", ("manufacturing",)),
    ]


def test_no_input_asks_nothing_and_takes_content_options(tmp_path: Path) -> None:
    code, out = init(tmp_path, "--no-input", "--content", "Outlook|https://x.com/o|freight|news")
    assert code == 0, out
    assert "title" not in out, "--no-input asks nothing"
    config = load_config(tmp_path / "ws" / "config.yaml")
    assert [i.url for i in config.content if "x.com" in i.url] == ["https://x.com/o"]
    code, out = init(tmp_path, "--no-input", "--force")
    assert code == 0 and "No content of your own yet" in out and "title" not in out


def test_skipping_at_the_first_title_writes_no_library(tmp_path: Path) -> None:
    code, out = init(tmp_path, typed="\n")
    assert code == 0 and "No content of your own yet" in out
    assert not (tmp_path / "ws" / "content.yaml").exists()
