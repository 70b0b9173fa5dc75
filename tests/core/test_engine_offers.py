"""What a draft can offer: the content library (inline and from a file), introductions and
invitations, matched on tags, fresh, and never twice to one person."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.config.content import read_content_file
from agent.config.schema import load_config
from agent.core.plays.offers import (
    content_offers,
    introduction_offers,
    invitation_offers,
    shared_in_mail,
)
from agent.errors import ConfigError
from tests.kits.engine_kit import TODAY, account, config, touch

LOGISTICS = account(tags=["logistics", "Warehouse"])


def item(title: str, days_old: int | None = 10, **fields: object) -> dict[str, object]:
    published = None if days_old is None else str(TODAY - timedelta(days=days_old))
    return {"title": title, "url": f"https://x.com/{title}", "published": published, **fields}


def titles(offers: list) -> list[str]:
    return [o.title for o in offers]


def test_content_matches_account_tags_best_first_then_newest() -> None:
    cfg = config(
        LOGISTICS,
        content=[
            item("one-tag-old", 50, tags=["logistics"]),
            item("two-tags", 90, tags=["warehouse", "logistics"]),
            item("one-tag-new", 5, tags=["LOGISTICS"]),
            item("untagged", 1),
            item("other-industry", 1, tags=["banking"]),
        ],
    )
    ranked = titles(content_offers(cfg, cfg.accounts[0], TODAY))
    assert ranked == ["two-tags", "one-tag-new", "one-tag-old", "untagged"]


def test_stale_content_is_skipped_unless_evergreen() -> None:
    cfg = config(
        LOGISTICS,
        content_max_age_days=180,
        content=[
            item("stale", 400, tags=["logistics"]),
            item("classic", 400, tags=["logistics"], evergreen=True),
            item("undated", None, tags=["logistics"]),
            item("not-out-yet", -3, tags=["logistics"]),
        ],
    )
    assert titles(content_offers(cfg, cfg.accounts[0], TODAY)) == ["classic", "undated"]


def test_introductions_match_tags_or_named_accounts_and_expire() -> None:
    cfg = config(
        LOGISTICS,
        introductions=[
            {"name": "a", "who": "Tagged", "tags": ["warehouse"]},
            {"name": "b", "who": "Named", "accounts": ["acme"]},
            {"name": "c", "who": "Elsewhere", "accounts": ["Globex"]},
            {
                "name": "d",
                "who": "Expired",
                "tags": ["logistics"],
                "until": str(TODAY - timedelta(1)),
            },
        ],
    )
    offers = introduction_offers(cfg, cfg.accounts[0], TODAY)
    assert titles(offers) == ["Named", "Tagged"]
    assert offers[0].key == "introduction:b"


def test_invitations_skip_past_events_and_put_the_soonest_first() -> None:
    cfg = config(
        LOGISTICS,
        invitations=[
            {"name": "later", "title": "Later", "when": str(TODAY + timedelta(30))},
            {"name": "past", "title": "Past", "when": str(TODAY - timedelta(1))},
            {"name": "today", "title": "Today", "when": str(TODAY)},
            {"name": "soon", "title": "Soon", "when": str(TODAY + timedelta(5))},
            {"name": "lunch", "title": "Lunch", "kind": "lunch"},
        ],
    )
    offers = invitation_offers(cfg, cfg.accounts[0], TODAY)
    assert titles(offers) == ["Soon", "Later", "Lunch"]
    assert offers[-1].kind == "lunch"


def test_sent_mail_with_a_link_or_title_counts_as_shared() -> None:
    cfg = config(content=[item("Grid study"), item("Other")])
    rows = [
        touch("a@acme.com", 5, snippet="have a look: https://x.com/Grid study"),
        touch("b@acme.com", 5, subject="The grid study you asked for"),
        touch("c@acme.com", 5, inbound=True, snippet="https://x.com/Other"),
    ]
    assert shared_in_mail(cfg, rows) == {
        ("a@acme.com", "https://x.com/Grid study"),
        ("b@acme.com", "https://x.com/Grid study"),
    }


# --- the content file ---------------------------------------------------------------------


def test_content_yaml_file_is_read_and_merged_into_config(tmp_path: Path) -> None:
    (tmp_path / "content.yaml").write_text(
        "- title: A paper\n  url: https://x.com/p\n  kind: white_paper\n  tags: [a]\n"
        "  published: 2026-01-05\n"
    )
    (tmp_path / "config.yaml").write_text(
        "me: [r@x.com]\ncontent_file: content.yaml\n"
        "content:\n  - {title: Inline, url: 'https://x.com/i'}\n"
    )
    cfg = load_config(tmp_path / "config.yaml")
    assert [i.title for i in cfg.content] == ["Inline", "A paper"]
    assert cfg.content[1].kind == "white_paper"


def test_content_csv_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "content.csv"
    path.write_text(
        "Title,URL,Kind,Tags,Published,Evergreen\n"
        "Benchmarks,https://x.com/b,Case Study,a; b,2026-02-01,yes\n"
    )
    (paper,) = read_content_file(path)
    assert (paper.kind, paper.tags, paper.evergreen) == ("case_study", ("a", "b"), True)


def test_a_bad_yaml_item_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "content.yaml"
    path.write_text("- title: Good\n  url: https://x.com/g\n- title: Bad\n  url: not-a-url\n")
    with pytest.raises(ConfigError, match=r"content\.yaml:3: url: 'not-a-url' is not a URL"):
        read_content_file(path)


def test_a_bad_csv_row_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("title,url,published\nOk,https://x.com/o,\nBad,https://x.com/b,someday\n")
    with pytest.raises(ConfigError, match=r"c\.csv:3: published"):
        read_content_file(path)


def test_a_csv_without_a_url_column_says_which_columns_exist(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("title,link\nA,https://x.com/a\n")
    with pytest.raises(ConfigError, match=r"c\.csv:1: no 'url' column"):
        read_content_file(path)


def test_a_missing_content_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("me: [r@x.com]\ncontent_file: nope.yaml\n")
    with pytest.raises(ConfigError, match=r"nope\.yaml: content_file not found") as caught:
        load_config(tmp_path / "config.yaml")
    assert "fix content_file" in str(caught.value)
