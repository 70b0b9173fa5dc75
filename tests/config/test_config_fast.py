"""config.yaml read fast: libyaml's values equal ruamel's, the cache, and unchanged errors.

``agent.yamlfast`` must give exactly what the line-numbering reader gives, or say it is
not sure; ``agent.yamlcache`` must give the last good load's values back only for the
same text; and a wrong config must read as it did before either existed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import resolver as ruamel_resolver

from agent.cli.main import main
from agent.config import yamlfast
from agent.config.schema import load_config
from agent.config.yamlcache import FILE_NAME, YamlCache
from agent.config.yamlfile import parse_with_lines, read_values
from agent.errors import ConfigError
from bench.book_inline import InlineSize, write_inline_book
from tests.cli import test_bad_input
from tests.config import test_config

ROOT = Path(__file__).resolve().parents[2]


def ruamel_values(text: str) -> Any:
    return parse_with_lines(Path("x.yaml"), text, what="config")[0]


def same_or_unsure(text: str) -> bool:
    """The fast reader's values are ruamel's, or it leaves the text to ruamel. True when
    it was sure."""
    try:
        fast = yamlfast.load(text)
    except yamlfast.Unsure:
        return False
    slow = ruamel_values(text)  # raises (failing the test) when ruamel refuses the text
    assert fast == slow, text
    assert _types(fast) == _types(slow), text
    return True


def _types(value: Any) -> Any:
    """The shape with each scalar's base type (bool is not int, date is not str)."""
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind
    return type(value)


# --- the resolvers are ruamel's -------------------------------------------------------------


def test_the_copied_resolvers_are_ruamels_for_yaml_1_2() -> None:
    theirs = [
        (tag.rpartition(":")[2], pattern.pattern, "".join(first))
        for versions, tag, pattern, first in ruamel_resolver.implicit_resolvers
        if (1, 2) in versions
    ]
    ours = list(yamlfast.RESOLVERS_1_2)
    assert [(t, p) for t, p, _ in ours] == [(t, p) for t, p, _ in theirs]
    for (_, _, mine), (_, _, their) in zip(ours, theirs, strict=True):
        assert set(mine) == set(their) - {""}  # "" (the empty scalar) is handled apart


# --- the same values as ruamel ----------------------------------------------------------------

TRICKY = [
    "a: yes\nb: no\nc: on\nd: off\ne: y\n",  # YAML 1.1 booleans: strings in 1.2
    "a: 010\nb: 0o10\nc: 0x1F\nd: 1_000\ne: +5\nf: -0\ng: 0\n",
    "a: 9:00\nb: '9:00'\nc: 1:30:00\n",  # sexagesimal in 1.1, strings in 1.2
    "a: 1e3\nb: 1.\nc: .5\nd: 1.5\ne: -2.25\nf: .inf\ng: .NaN\n",
    "a: 2026-01-01\nb: 2026-1-1\nc: 2026-01-01 10:00:00\nd: 2026-02-30\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: ''\n",
    "a: true\nb: True\nc: TRUE\nd: tRUE\n",
    "1: a\ntrue: b\n~: c\n2026-01-01: d\n",
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "a: !!str 1\nb: !custom x\n",
    "a: 1\na: 2\n",
    "%YAML 1.1\n---\na: yes\n",
    "---\na: 1\n---\nb: 2\n",
    "? [a, b]\n: c\n",
    "a: |\n  two\n  lines\nb: >\n  folded\n  text\n",
    "a: \"esc\\taped \\u00e9\"\nb: 'it''s'\n",
    "a: [http://x.com/a, {b: c}, [d]]\n",
    "a: x # comment\n# only a comment\n",
    "- a\n- b: c\n  d: e\n",
    "",
    "# nothing\n",
    "just a string\n",
    "a: b\u2028c\n",
    "\ufeffa: 1\n",
    "a: 1.5: 2\n",
    "a:\n  - b\n  -\n  - c\n",
    "a: !!int '12'\n",
    "a: <<\n",
    "a: =\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_read_as_ruamel_reads_them_or_are_left_to_it(text: str) -> None:
    try:
        ruamel_values(text)
    except Exception:  # ruamel refuses it (or fails: a ValueError on 30 February)
        with pytest.raises(yamlfast.Unsure):
            yamlfast.load(text)  # whatever ruamel refuses, the fast reader is not sure of
        return
    same_or_unsure(text)


def test_plain_configs_are_read_fast(tmp_path: Path) -> None:
    """The fast reader is sure of the example config and of an inline book: the point."""
    assert same_or_unsure((ROOT / "config.yaml").read_text())
    write_inline_book(tmp_path / "s", InlineSize(30, 3, 10), contacts=True)
    assert same_or_unsure((tmp_path / "s" / "config.yaml").read_text())


def test_every_config_the_tests_use_reads_the_same(tmp_path: Path) -> None:
    texts = [text for text, *_ in test_config.BAD_CONFIGS.values()]
    texts += [text for text, *_ in test_bad_input.BAD_CONFIGS.values()]
    for text in texts:
        try:
            ruamel_values(text)
        except ConfigError:  # a repeated key, a tab, an alias to nothing
            with pytest.raises(yamlfast.Unsure):
                yamlfast.load(text)
            continue
        assert same_or_unsure(text), text  # sure of every text ruamel reads


SCALARS = st.sampled_from(
    [
        "a", "yes", "No", "on", "true", "False", "~", "null", "", "0", "07", "010", "0o7",
        "0x1f", "1_0", "12", "-3", "+4", "1.5", "1.", ".5", "1e3", "-1.5e-3", ".inf", "9:30",
        "1:2:3", "2026-03-04", "2026-3-4", "2026-03-04T10:00:00Z", "x y", "a: b", "'q'",
        '"dq"', "<<", "=", "http://x", "- a", "#c", "é", "a#b", "[]", "{}",
    ]
)  # fmt: skip
KEYS = st.sampled_from(["a", "b", "1", "true", "~", "2026-01-01", "yes", "on", "x y", "1.5"])


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def _block(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(value, dict) and value:
        return "".join(
            f"{pad}{k}:\n{_block(v, indent + 2)}" if isinstance(v, dict | list) and v
            else f"{pad}{k}: {_flow(v)}\n"
            for k, v in value.items()
        )  # fmt: skip
    if isinstance(value, list) and value:
        return "".join(f"{pad}- {_flow(v)}\n" for v in value)
    return f"{pad}{_flow(value)}\n"


DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(DOCUMENTS, st.booleans())
def test_generated_documents_read_as_ruamel_reads_them_or_are_left_to_it(
    document: Any, block: bool
) -> None:
    text = _block(document) if block else _flow(document) + "\n"
    try:
        ruamel_values(text)
    except Exception:
        with pytest.raises(yamlfast.Unsure):
            yamlfast.load(text)
        return
    same_or_unsure(text)


# --- the cache ------------------------------------------------------------------------------


def _no_yaml_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("a YAML reader ran although the cache holds the values")

    monkeypatch.setattr(yamlfast, "load", refuse)
    monkeypatch.setattr("agent.config.yamlfile.parse_with_lines", refuse)


def test_a_second_load_of_the_same_text_reads_no_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_inline_book(tmp_path / "b", InlineSize(20, 2, 10), contacts=True)
    path = tmp_path / "b" / "config.yaml"
    cache = YamlCache(tmp_path / FILE_NAME)
    first = load_config(path, cache=cache)
    cache.save()

    _no_yaml_reader(monkeypatch)
    again = load_config(path, cache=YamlCache(tmp_path / FILE_NAME))
    assert again == first
    assert again.accounts[0].stage_since == first.accounts[0].stage_since  # a date again


def test_a_changed_text_is_read_again(tmp_path: Path) -> None:
    path = test_config.write(tmp_path / "c.yaml", test_config.ME + "lookback_days: 30\n")
    cache = YamlCache(tmp_path / FILE_NAME)
    assert load_config(path, cache=cache).lookback_days == 30
    cache.save()
    path.write_text(test_config.ME + "lookback_days: 31\n")
    assert load_config(path, cache=YamlCache(tmp_path / FILE_NAME)).lookback_days == 31


@pytest.mark.parametrize("damage", [b"", b"{", b"[1, 2]", b'{"format": 1, "files": 3}'])
def test_an_unreadable_cache_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    path = test_config.write(tmp_path / "c.yaml", test_config.ME + "lookback_days: 30\n")
    (tmp_path / FILE_NAME).write_bytes(damage)
    assert load_config(path, cache=YamlCache(tmp_path / FILE_NAME)).lookback_days == 30


def test_a_cache_that_lies_cannot_hide_an_error(tmp_path: Path) -> None:
    """Values cached for this very text but wrong (edited by hand): the error is the one
    the text itself gives, with its line."""
    path = test_config.write(tmp_path / "c.yaml", test_config.ME + "lookback_days: lots\n")
    cache = YamlCache(tmp_path / FILE_NAME)
    cache.put(path, path.read_text(), {"me": ["riley@x.com"], "lookback_days": "lots"})
    cache.save()
    with pytest.raises(ConfigError) as caught:
        load_config(path, cache=YamlCache(tmp_path / FILE_NAME))
    assert "c.yaml:2: lookback_days: " in str(caught.value)


def test_the_cli_keeps_the_values_of_a_command_that_worked_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    path = test_config.write(tmp_path / "c.yaml", test_config.ME + "lookback_days: 30\n")
    for _ in range(2):
        with pytest.raises(SystemExit) as done:
            main(["--config", str(path), "--home", str(home), "board", "--json"])
        assert done.value.code in (0, None), capsys.readouterr().err
    kept = json.loads((home / FILE_NAME).read_text())
    assert list(kept["files"]) == [str(path.resolve())]

    path.write_text(test_config.ME + "lookback_days: lots\n")
    before = (home / FILE_NAME).read_bytes()
    with pytest.raises(SystemExit):
        main(["--config", str(path), "--home", str(home), "board", "--json"])
    assert (home / FILE_NAME).read_bytes() == before


# --- errors are what they were --------------------------------------------------------------


def _slow_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def unsure(_: str) -> Any:
        raise yamlfast.Unsure("forced")

    monkeypatch.setattr(yamlfast, "load", unsure)


ALL_BAD = {
    **{f"config-{k}": v[0] for k, v in test_config.BAD_CONFIGS.items()},
    **{f"input-{k}": v[0] for k, v in test_bad_input.BAD_CONFIGS.items()},
    "not_yaml": test_config.ME + "accounts: [\n  - name: A\n",
    "not_a_mapping": "- a\n- b\n",
    "empty": "",
    "templates": test_config.ME + "drafts:\n  templates: nowhere\n",
    "content_file": test_config.ME + "content_file: lib.yaml\n",
}


@pytest.mark.parametrize("text", ALL_BAD.values(), ids=ALL_BAD)
def test_a_wrong_config_gives_the_error_it_gave_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    path = test_config.write(tmp_path / "bad.yaml", text)
    test_config.write(tmp_path / "lib.yaml", "- {title: A, url: https://a.co}\n- {title: B}\n")

    def error(**kwargs: Any) -> str:
        try:
            load_config(path, **kwargs)
        except ConfigError as caught:
            return str(caught)
        return "no error"

    fast, cached = error(), error(cache=YamlCache(tmp_path / FILE_NAME))
    with monkeypatch.context() as patch:
        _slow_only(patch)
        slow = error()
    assert fast == cached == slow


def test_values_read_with_lines_after_a_fast_read_are_ruamels(tmp_path: Path) -> None:
    path = test_config.write(tmp_path / "c.yaml", "a: 1\nb: [x, 2026-01-01]\n")
    document = read_values(path, what="config")
    assert not document.has_lines
    assert document.lines() == {("a",): 1, ("b",): 2, ("b", 0): 2, ("b", 1): 2}
    assert document.data == ruamel_values(path.read_text())


# --- an accounts CSV: its rows kept too ----------------------------------------------------


def test_an_unchanged_accounts_csv_is_only_validated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_inline_book(tmp_path / "b", InlineSize(20, 2, 10), accounts_in="csv", contacts=True)
    path = tmp_path / "b" / "config.yaml"
    cache = YamlCache(tmp_path / FILE_NAME)
    first = load_config(path, cache=cache)
    cache.save()

    def refuse(*_: Any) -> Any:
        raise AssertionError("the CSV was read although the cache holds its rows")

    monkeypatch.setattr("agent.config.accounts_csv._columns", refuse)
    assert load_config(path, cache=YamlCache(tmp_path / FILE_NAME)) == first
    assert len(first.accounts) == 20 and first.accounts[0].contacts


def test_a_changed_or_lying_csv_cache_gives_the_csv_error(tmp_path: Path) -> None:
    csv_path = test_config.write(tmp_path / "a.csv", "name,domains,tier\nA,a.com,dream\n")
    path = test_config.write(tmp_path / "c.yaml", test_config.ME + "accounts_file: a.csv\n")
    cache = YamlCache(tmp_path / FILE_NAME)
    assert load_config(path, cache=cache).accounts[0].tier.value == "dream"
    cache.save()
    csv_path.write_text("name,domains,tier\nA,a.com,dreamy\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, cache=YamlCache(tmp_path / FILE_NAME))
    assert "a.csv:2: column 'tier'" in str(caught.value)

    lying = YamlCache(tmp_path / FILE_NAME)  # rows for this very text, but wrong
    lying.put(csv_path, csv_path.read_text(), [{"name": "A", "domains": ["a.com"], "tier": "x"}])
    lying.save()
    held = json.loads((tmp_path / FILE_NAME).read_text())["files"][str(csv_path.resolve())]
    assert held["data"][0]["tier"] == "x"  # the lie is what a load finds for this text
    with pytest.raises(ConfigError) as again:
        load_config(path, cache=YamlCache(tmp_path / FILE_NAME))
    assert str(again.value) == str(caught.value)


# --- issue 15's YAML guards hold on every way in ----------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefghi", "bcdefghij", strict=True)
)
HOSTILE = {
    "alias_bomb": (test_config.ME + BOMB, "expands to more than"),
    "deep_nesting": (test_config.ME + "x: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    "deep_mapping": (test_config.ME + "x: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "nested"),
}


def _huge(path: Path) -> Path:
    with path.open("w") as handle:
        handle.write(test_config.ME)
        handle.truncate(9 * 1024 * 1024)
    return path


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_config_gets_the_guards_error_fast_cached_and_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    text, says = HOSTILE[name]
    path = test_config.write(tmp_path / "c.yaml", test_config.ME + "lookback_days: 30\n")
    primed = YamlCache(tmp_path / FILE_NAME)
    load_config(path, cache=primed)  # the cache holds a good text for this very file
    primed.save()
    path.write_text(text)

    def error(**kwargs: Any) -> str:
        with pytest.raises(ConfigError) as caught:
            load_config(path, **kwargs)
        return str(caught.value)

    before = (tmp_path / FILE_NAME).read_bytes()
    cache = YamlCache(tmp_path / FILE_NAME)
    fast, cached = error(), error(cache=cache)
    cache.save()
    with monkeypatch.context() as patch:
        _slow_only(patch)
        slow = error()
    assert fast == cached == slow
    assert says in fast
    assert (tmp_path / FILE_NAME).read_bytes() == before  # nothing of it was kept


def test_a_huge_config_is_refused_before_the_cache_or_a_parser_sees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = test_config.write(tmp_path / "c.yaml", test_config.ME)
    cache = YamlCache(tmp_path / FILE_NAME)
    load_config(path, cache=cache)
    cache.save()
    _huge(path)
    _no_yaml_reader(monkeypatch)
    for kwargs in ({}, {"cache": YamlCache(tmp_path / FILE_NAME)}):
        with pytest.raises(ConfigError, match="more than the 8,388,608 nurture reads"):
            load_config(path, **kwargs)  # type: ignore[arg-type]


def test_the_fast_reader_leaves_deep_nesting_to_ruamel() -> None:
    deep = "x: " + "[" * (yamlfast.MAX_DEPTH + 1) + "]" * (yamlfast.MAX_DEPTH + 1) + "\n"
    with pytest.raises(yamlfast.Unsure):
        yamlfast.load(deep)
    shallow = "x: " + "[" * (yamlfast.MAX_DEPTH - 1) + "]" * (yamlfast.MAX_DEPTH - 1) + "\n"
    assert same_or_unsure(shallow)
