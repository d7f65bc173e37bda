"""``wacr statuses``: the stages of a contact (list, create, get, update, delete), with a colour."""

from __future__ import annotations

import click

from wacr.cli._app import Group
from wacr.cli._options import named_table_commands


@click.group(cls=Group)
def statuses() -> None:
    """Contact statuses: list, create, get, update, delete."""


named_table_commands(statuses, "statuses", "status", click.option("--color", help="Colour as #RRGGBB."))
