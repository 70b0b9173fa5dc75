"""Command modules; each is a room of related `nurture` subcommands."""
