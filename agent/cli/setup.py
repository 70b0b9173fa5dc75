"""`nurture init` and `nurture templates check`: a workspace of your own, and its templates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from shlex import quote
from typing import get_args

import click

from agent.app.context import Context, pass_context
from agent.app.starter import content_item, parse_item, write_library
from agent.app.templates import check_templates
from agent.cli.invocation import nurture_command
from agent.config.playbook import ContentItem, ContentKind
from agent.config.schema import Config, find_config
from agent.core.drafts import templates_dir
from agent.errors import UserError
from agent.render.jinja import DIGEST_HTML, DIGEST_TEXT, bundled_templates, play_template_name
from agent.untrusted.terminal import echo

EXAMPLE = "config.example.yaml"
MAX_STARTER_ITEMS = 5
CONTENT_KINDS = list(get_args(ContentKind))  # the example config.yaml, as installed in the wheel


def example_config() -> Path:
    """The commented example config: in the installed package, else the repository's."""
    package = Path(__file__).resolve().parents[1]
    installed = package / EXAMPLE
    return installed if installed.is_file() else package.parent / "config.yaml"


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@click.option("--no-input", is_flag=True, help="Ask nothing (scripts); use --content instead.")
@click.option(
    "--content",
    "content",
    multiple=True,
    metavar="TITLE|URL|TAGS|KIND",
    help="An item you already share, e.g. 'Freight outlook|https://x.com/f|freight,logistics|news'.",
)
def init(directory: Path, force: bool, no_input: bool, content: tuple[str, ...]) -> None:
    """Start a workspace in DIRECTORY: a commented config.yaml and the templates.

    Edit config.yaml (your addresses, your accounts, your content), then run `nurture
    sync`. The templates/ folder holds one draft template per play and the weekly
    digest's two; yours win over the bundled ones, so change the words freely. Existing
    files are kept unless --force. It then asks for 3 to 5 things you already share (title,
    link, tags, kind) to start content.yaml: an empty title skips; --no-input asks nothing.
    Example: nurture init ~/nurture --no-input --content 'Outlook|https://x.com/o|freight|news'
    """
    targets = {directory / "config.yaml": example_config()}
    from agent.core.plays.registry import plays

    for name in [*(play_template_name(play) for play in plays()), DIGEST_HTML, DIGEST_TEXT]:
        targets[directory / "templates" / name] = bundled_templates() / name
    there = [str(path) for path in targets if path.exists()]
    if there and not force:
        raise UserError(f"{', '.join(there)} exist already", "add --force to overwrite them")
    try:
        (directory / "templates").mkdir(parents=True, exist_ok=True)
        for target, source in targets.items():
            shutil.copyfile(source, target)
    except OSError as error:
        raise UserError(
            f"cannot write into {directory}: {error.strerror or error}",
            "choose a folder you can write to",
        ) from None
    echo(f"Wrote {directory / 'config.yaml'} and {len(targets) - 1} templates.")
    items = [parse_item(text) for text in content]
    if not no_input:
        items += _ask_for_content()
    if items:
        library = write_library(directory, items)
        echo(f"Wrote {len(items)} item{'s' * (len(items) != 1)} to {library}.")
    else:
        echo(
            "No content of your own yet: until there is, `nurture plan` names the accounts "
            "that have nothing to be sent and the tags to add content for."
        )
    config = quote(str(directory / "config.yaml"))
    echo(f"Next: edit the config, then `{nurture_command()} --config {config} sync`.")


def _ask_for_content() -> list[ContentItem]:
    echo(
        "Something worth sending on day one: name 3 to 5 things you already share with "
        "clients (an article, a case study, a report). Leave the title empty to stop."
    )
    items: list[ContentItem] = []
    try:
        _ask_items(items)
    except (click.Abort, OSError):  # no input to read (a script, a closed terminal)
        echo()
    return items


def _ask_items(items: list[ContentItem]) -> None:
    while len(items) < MAX_STARTER_ITEMS:
        title = click.prompt(f"Item {len(items) + 1} title", default="", show_default=False)
        if not title.strip():
            break
        url = click.prompt("  link (https://...)")
        tags = click.prompt("  tags, comma-separated (match account tags)", default="")
        kind = click.prompt("  kind", default="article", type=click.Choice(CONTENT_KINDS))
        try:
            items.append(content_item(title, url, tags, kind))
        except UserError as error:
            echo(f"  skipped: {error.message}")


@click.group()
def templates() -> None:
    """The draft templates: one per play, yours (templates/ next to config.yaml) or bundled.

    Example: nurture templates check
    """


@templates.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one row a template.")
@pass_context
def check(context: Context, as_json: bool) -> int:
    """Render every play's template with sample data and report what is broken, and where.

    Without a config file the bundled templates are checked. Exit code 1 when any fails.
    Example: nurture templates check
    """
    path = find_config(context.config_path)
    config = context.config() if path.exists() else Config(me=("you@example.com",))
    results = check_templates(config, templates_dir(config) if path.exists() else None)
    failed = sum(1 for result in results if result.error)
    if as_json:
        from agent.views.reports import template_json

        rows = [template_json(r.play, r.source, r.yours, r.error) for r in results]
        echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return 1 if failed else 0
    for result in results:
        if result.error:
            echo(f"✗ {result.play}: {result.error}")
        else:
            echo(f"✓ {result.play}: {result.source}{' (yours)' if result.yours else ''}")
    echo(f"{len(results) - failed} of {len(results)} templates render.")
    return 1 if failed else 0
