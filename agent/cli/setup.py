"""`nurture init` and `nurture templates check`: a workspace of your own, and its templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from agent.app.context import Context, pass_context
from agent.app.templates import check_templates
from agent.config.schema import Config, find_config
from agent.core.drafts import templates_dir
from agent.errors import UserError
from agent.model import PlayId
from agent.render.jinja import DIGEST_HTML, DIGEST_TEXT, bundled_templates, play_template_name
from agent.untrusted.terminal import echo

EXAMPLE = "config.example.yaml"  # the example config.yaml, as installed in the wheel


def example_config() -> Path:
    """The commented example config: in the installed package, else the repository's."""
    package = Path(__file__).resolve().parents[1]
    installed = package / EXAMPLE
    return installed if installed.is_file() else package.parent / "config.yaml"


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
def init(directory: Path, force: bool) -> None:
    """Start a workspace in DIRECTORY: a commented config.yaml and the templates.

    Edit config.yaml (your addresses, your accounts, your content), then run `nurture
    sync`. The templates/ folder holds one draft template per play and the weekly
    digest's two; yours win over the bundled ones, so change the words freely. Existing
    files are kept unless --force.
    Example: nurture init ~/nurture
    """
    targets = {directory / "config.yaml": example_config()}
    for name in [*(play_template_name(play.value) for play in PlayId), DIGEST_HTML, DIGEST_TEXT]:
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
    echo(f"Next: edit the config, then `nurture --config {directory / 'config.yaml'} sync`.")


@click.group()
def templates() -> None:
    """The draft templates: one per play, yours (templates/ next to config.yaml) or bundled.

    Example: nurture templates check
    """


@templates.command()
@pass_context
def check(context: Context) -> int:
    """Render every play's template with sample data and report what is broken, and where.

    Without a config file the bundled templates are checked. Exit code 1 when any fails.
    Example: nurture templates check
    """
    path = find_config(context.config_path)
    config = context.config() if path.exists() else Config(me=("you@example.com",))
    results = check_templates(config, templates_dir(config) if path.exists() else None)
    for result in results:
        if result.error:
            echo(f"✗ {result.play}: {result.error}")
        else:
            echo(f"✓ {result.play}: {result.source}{' (yours)' if result.yours else ''}")
    failed = sum(1 for result in results if result.error)
    echo(f"{len(results) - failed} of {len(results)} templates render.")
    return 1 if failed else 0
