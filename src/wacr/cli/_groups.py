"""``wacr groups``: contact groups (list, create, get, update, delete) and their members."""

from __future__ import annotations

import click

from wacr.cli._app import Group
from wacr.cli._options import IntList, api_command, id_argument, named_table_commands


@click.group(cls=Group)
def groups() -> None:
    """Contact groups: list, create, get, update, delete, add and remove members."""


named_table_commands(groups, "groups", "group")

_CONTACT_IDS = click.option(
    "--contact-ids",
    required=True,
    multiple=True,
    type=IntList(),
    # Repeated options and comma lists flatten into one list of ids.
    callback=lambda ctx, param, chunks: [number for chunk in chunks for number in chunk],
    help="Contact ids (comma-separated or repeated).",
)
api_command(
    groups,
    "add-contacts",
    "groups.add_contacts",
    "Contacts added",
    id_argument(),
    _CONTACT_IDS,
    help="Add contacts to a group.",
)
api_command(
    groups,
    "remove-contacts",
    "groups.remove_contacts",
    "Contacts removed",
    id_argument(),
    _CONTACT_IDS,
    help="Remove contacts from a group (non-members are skipped).",
)
