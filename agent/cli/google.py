"""Commands about the Google account: auth."""

from __future__ import annotations

import click

from agent.app.context import Context, pass_context
from agent.errors import UserError
from agent.untrusted.terminal import echo


@click.command()
@click.option(
    "--console",
    "use_console",
    is_flag=True,
    help="No browser here (SSH, a server): open the link anywhere and paste back the address.",
)
@pass_context
def auth(context: Context, use_console: bool) -> None:
    """Connect nurture to your Gmail and Google Calendar (OAuth).

    Opens Google's consent page; nurture asks to read mail headers, write drafts and send
    your digest to you, and read your calendar and place its own blocks in it: tick every
    box. The token is saved in the state folder, readable only by you. Run it again when a
    sync says the token was refused. Example: nurture auth --console
    """
    from agent.providers.google.auth import authorize, needs_token, token_path
    from agent.providers.google.identity import mismatch
    from agent.providers.google.provider import GoogleProvider

    config = context.config()
    if not needs_token(config.google.endpoint):
        echo(f"google.endpoint {config.google.endpoint} is on this machine: no token needed")
        return
    ask = _paste_back if use_console else None
    token = token_path(context.home)
    credentials = authorize(config.path(config.google.client_secrets), token, ask=ask)
    try:
        address = GoogleProvider.connect(config, credentials).whoami()
    except UserError as error:  # connected all the same; `nurture doctor` checks again
        echo(f"Connected to Google; the token is in {token} (readable only by you).")
        echo(f"warning: could not ask Google which account this is ({error.message})")
        return
    echo(f"Connected to Google as {address}; the token is in {token} (readable only by you).")
    problem = mismatch(address, config.me)
    if problem:
        echo(f"warning: {problem}")


def _paste_back(url: str) -> str:
    echo("Open this link in a browser, sign in and allow access (tick every box):\n")
    echo(f"  {url}\n")
    echo("The browser then ends on a page that does not load (http://127.0.0.1:...); that is fine.")
    return str(click.prompt("Paste the full address of that page"))
