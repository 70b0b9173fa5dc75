"""The engine's config sections: defaults, the example file, and errors that point at a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config.schema import load_config
from agent.core.plays.registry import in_order, rule
from agent.errors import ConfigError
from agent.model import PlayId, Stage
from tests.conftest import make_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("me: [r@x.com]\n" + text)
    return path


def test_defaults_are_the_playbook_in_numbers() -> None:
    config = make_config()
    order = [play.id for play, _ in in_order(config)]
    assert order[:3] == [PlayId.DO_OVER, PlayId.STALLED_CLOSURE, PlayId.REENGAGE_LOST]
    assert order[-1] is PlayId.SHARE_CONTENT
    assert rule(config, PlayId.REENGAGE_LOST).stages == (Stage.LOST,)
    assert (config.throttle.per_day, config.throttle.per_account_per_week) == (6, 2)
    assert config.do_over_days == 3
    assert "renewal" in config.signals.dissatisfaction_keywords


def test_the_example_config_shows_every_engine_section() -> None:
    config = load_config(EXAMPLE)
    text = EXAMPLE.read_text()
    for key in (
        "plays:",
        "throttle:",
        "holds:",
        "signals:",
        "patterns:",
        "do_over_days:",
        "content_file:",
        "content_max_age_days:",
        "content:",
        "introductions:",
        "invitations:",
    ):
        assert key in text, key
    assert config.content[0].kind == "white_paper"
    assert config.introductions[0].name == "jordan-reyes"
    assert config.invitations[0].kind == "tour"
    assert [p.id for p, _ in in_order(config)] == [p.id for p, _ in in_order(make_config())]


def test_a_disabled_play_leaves_the_table_order() -> None:
    config = make_config(plays={"invitation": {"enabled": False}})
    assert PlayId.INVITATION not in [p.id for p, _ in in_order(config)]


def test_a_typo_in_the_play_table_names_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "plays:\n  share_content:\n    priorty: 3\n")
    with pytest.raises(ConfigError, match=r"config\.yaml:4: plays\.share_content\.priorty"):
        load_config(path)


def test_an_unknown_play_is_an_error(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "plays:\n  cold_call: {priority: 1}\n"))
    with pytest.raises(ConfigError, match=r"plays\.cold_call in config\.yaml: no play"):
        in_order(config)  # the config knows no play: the registry does


def test_a_bad_stage_in_the_play_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "plays:\n  share_content: {stages: [tepid]}\n")
    with pytest.raises(ConfigError, match=r"plays\.share_content\.stages\.0"):
        load_config(path)


def test_offers_need_unique_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "introductions:\n  - {name: a, who: X}\n  - {name: a, who: Y}\n",
    )
    with pytest.raises(ConfigError, match="introduction 'a' is listed twice"):
        load_config(path)


def test_an_inline_content_item_with_a_bad_url_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "content:\n  - title: A\n    url: https://x.com/a\n  - {title: B, url: b}\n"
    )
    with pytest.raises(ConfigError, match=r"config\.yaml:5: content\.1\.url"):
        load_config(path)
