"""``wacr sources``: where contacts come from (list, create, get, update, delete)."""

from __future__ import annotations

import click

from wacr.cli._app import Group
from wacr.cli._options import named_table_commands


@click.group(cls=Group)
def sources() -> None:
    """Contact sources: list, create, get, update, delete."""


named_table_commands(sources, "sources", "source")
