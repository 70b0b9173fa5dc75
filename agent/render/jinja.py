"""Templates → text and HTML. The only module that imports Jinja2 (ruff TID251).

Templates run in Jinja's sandbox with ``StrictUndefined`` (a misspelt name is an error,
never an empty string) and HTML autoescaping for ``*.html.j2``. They are looked up by file
name, first in the rep's own ``templates/`` folder next to their config.yaml, then in the
bundled ones, so a rep overrides one template by copying it there and editing it.

Sections: the shared environment, then one section per kind of output (the weekly
digest, the drafts' plays). Each section keeps its helpers and template names to itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.core.digest.build import Digest

# --- shared: where templates live, one sandboxed environment ----------------------------


def bundled_templates() -> Path:
    """``agent/templates`` in an installed wheel, else the repository's ``templates/``."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


def template_dirs(overrides: Path | None) -> list[Path]:
    """Search order: the rep's folder (when it exists), then the bundled templates."""
    dirs = [overrides] if overrides is not None and overrides.is_dir() else []
    return [*dirs, bundled_templates()]


def environment(overrides: Path | None) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=_PartLoader(_files(overrides)),
        undefined=StrictUndefined,
        autoescape=_is_html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(env: SandboxedEnvironment, name: str, context: Mapping[str, Any]) -> str:
    """Render ``name``; a broken template (often a rep's override) becomes a UserError."""
    filename = name
    try:
        template = env.get_template(name)
        filename = template.filename or name
        return template.render(context)
    except TemplateError as error:
        where = getattr(error, "filename", None) or filename
        # An undefined variable carries no line: the traceback Jinja rewrote has it.
        line = getattr(error, "lineno", None) or _line_in(error, where)
        raise UserError(
            f"template {where}{f':{line}' if line else ''} cannot be rendered: {error}",
            "fix it, or remove your copy from the templates/ folder to use the bundled one",
        ) from None


def _files(overrides: Path | None) -> FileSystemLoader:
    return FileSystemLoader([str(d) for d in template_dirs(overrides)])


def _line_in(error: BaseException, filename: str) -> int | None:
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _not_utf8(files: FileSystemLoader, name: str, error: UnicodeDecodeError) -> UserError:
    found = next((Path(d, name) for d in files.searchpath if Path(d, name).is_file()), name)
    line = error.object[: error.start].count(b"\n") + 1  # the line of the first bad byte
    return UserError(f"template {found}:{line}: not UTF-8 text", "save it as UTF-8")


def _is_html(name: str | None) -> bool:
    """Autoescape HTML: ``*.html.j2`` files and the HTML part of a play template."""
    return bool(name) and str(name).endswith(("#html", ".html", ".html.j2"))


class _PartLoader(BaseLoader):
    """``NAME#subject``, ``NAME#text`` and ``NAME#html`` are the parts of a play template,
    padded with blank lines so that an error's line number is the line in the file."""

    def __init__(self, files: FileSystemLoader) -> None:
        self.files = files

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        name, _, part = template.partition("#")
        try:
            source, filename, uptodate = self.files.get_source(environment, name)
        except UnicodeDecodeError as error:  # FileSystemLoader reads UTF-8 only
            raise _not_utf8(self.files, name, error) from None
        if not part:
            return source, filename, uptodate
        found = split_play_template(source, filename).part(part)
        if found is None:
            raise TemplateNotFound(template)
        line, body = found
        return "\n" * (line - 1) + body, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.files.list_templates()


# --- the weekly digest (issue 7) ----------------------------------------------------------

DIGEST_HTML = "digest.html.j2"
DIGEST_TEXT = "digest.txt.j2"
GMAIL = "https://mail.google.com/"


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def bar(value: float, scale: float, size: int) -> int:
    """Pixels for a chart bar: proportional, and at least 2 when there is anything."""
    if value <= 0 or scale <= 0:
        return 0
    return max(2, round(size * min(value, scale) / scale))


def hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0") + " h"


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else ("\u00b10" if value == 0 else f"\u2212{-value}")


def text_bar(value: float, scale: float, size: int = 20) -> str:
    """The plain-text version of a bar: full blocks, proportional."""
    return "\u2588" * bar(value, scale, size) if value > 0 else "\u00b7"


def meter(value: float, scale: float) -> str:
    """A plain-text gauge of ``scale`` cells, e.g. ``██░`` for 2 of 3."""
    cells = max(0, round(scale))
    full = min(cells, max(0, round(value)))
    return "\u2588" * full + "\u2591" * (cells - full)


def gmail_link(link: str) -> bool:
    """Only links into the rep's own Gmail become clickable in the digest."""
    return link.startswith(GMAIL)


def render_digest(
    digest: Digest, *, subject: str, rep: str, provider: str, overrides: Path | None
) -> RenderedDigest:
    env = environment(overrides)
    env.globals.update(bar=bar, text_bar=text_bar, meter=meter, gmail_link=gmail_link)
    env.filters.update(hours=hours, signed=signed)
    context = {"digest": digest, "subject": subject, "rep": rep, "provider": provider}
    return RenderedDigest(
        subject=subject,
        text=render_template(env, DIGEST_TEXT, context),
        html=render_template(env, DIGEST_HTML, context),
    )


# --- drafts: one template per play (issue 5) ----------------------------------------------
#
# A play template is front matter, the text part and, optionally, an HTML part:
#
#     ---
#     play: share_content
#     subject: {{ offer.title }}
#     ---
#     Hi {{ contact.first_name }}, ...
#     --- html ---
#     <p>Hi {{ contact.first_name }}, ...</p>
#
# Front matter is plain ``key: value`` lines (no YAML quoting needed around ``{{ }}``).

FRONT = "---"
HTML_SEPARATOR = "--- html ---"
FRONT_KEYS = frozenset({"play", "subject"})


@dataclass(frozen=True)
class PlayTemplate:
    filename: str
    play: str
    subject: tuple[int, str]  # (line in the file, source)
    text: tuple[int, str]
    html: tuple[int, str] | None

    def part(self, name: str) -> tuple[int, str] | None:
        parts = {"subject": self.subject, "text": self.text, "html": self.html}
        return parts.get(name)


def split_play_template(source: str, filename: str) -> PlayTemplate:
    """Front matter, text and HTML of a play template; UserError names file and line."""
    lines = source.splitlines()

    def bad(line: int, problem: str) -> UserError:
        return UserError(f"template {filename}:{line}: {problem}", PLAY_TEMPLATE_HINT)

    if not lines or lines[0].strip() != FRONT:
        raise bad(1, "must start with front matter: a line `---`, `play:`, `subject:`, `---`")
    front: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == FRONT:
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in FRONT_KEYS:
            raise bad(number, f"unknown front matter {line.strip()!r} (keys: play, subject)")
        front[key.strip()] = (number, _unquote(value.strip()))
    else:
        raise bad(1, "the front matter has no closing `---` line")
    missing = sorted(FRONT_KEYS - set(front))
    if missing:
        raise bad(1, f"the front matter lacks `{missing[0]}:`")
    body = lines[number:]
    cut = next((i for i, line in enumerate(body) if line.strip() == HTML_SEPARATOR), None)
    text = "\n".join(body if cut is None else body[:cut])
    html = None if cut is None else (number + cut + 2, "\n".join(body[cut + 1 :]))
    return PlayTemplate(filename, front["play"][1], front["subject"], (number + 1, text), html)


PLAY_TEMPLATE_HINT = "see templates/share_content.j2 for the layout of a play template"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


@dataclass(frozen=True)
class RenderedDraft:
    subject: str
    text: str
    html: str  # "" when the template has no HTML part


def play_template_name(play: str) -> str:
    return f"{play}.j2"


def play_template(play: str, overrides: Path | None) -> PlayTemplate:
    """The template a play renders with: the rep's copy when there is one, else bundled."""
    name = play_template_name(play)
    env = environment(overrides)
    try:
        source, filename, _ = _PartLoader(_files(overrides)).get_source(env, name)
    except TemplateNotFound:
        dirs = ", ".join(str(d) for d in template_dirs(overrides))
        raise UserError(
            f"no template {name} for the play {play} (looked in {dirs})",
            "run `nurture init --force` in your config folder to get the bundled templates",
        ) from None
    parsed = split_play_template(source, filename)
    if parsed.play != play:
        raise UserError(
            f"template {filename}:2: says `play: {parsed.play}` but is the template of {play}",
            "set `play:` to the file's name without .j2",
        )
    return parsed


def html_lines(value: str) -> Markup:
    """Plain text for the HTML part: escaped, one ``<br>`` per line break."""
    return Markup("<br>\n").join(escape(line) for line in str(value).splitlines())


def render_draft(play: str, context: Mapping[str, Any], overrides: Path | None) -> RenderedDraft:
    parsed = play_template(play, overrides)
    env = environment(overrides)
    env.filters.update(html_lines=html_lines)
    name = play_template_name(play)
    return RenderedDraft(
        subject=render_template(env, f"{name}#subject", context),
        text=render_template(env, f"{name}#text", context),
        html=render_template(env, f"{name}#html", context) if parsed.html else "",
    )
