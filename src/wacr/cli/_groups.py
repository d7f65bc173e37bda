"""``wacr groups``: list, show, create, add and remove members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from wacr.cli._app import App, Column, cli, pass_app
from wacr.cli._options import IntList, list_options, show_list

_GROUP_COLUMNS: list[Column] = [("ID", "id"), ("Name", "name"), ("Created", "created_at")]


def _contact_ids_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--contact-ids",
        required=True,
        multiple=True,
        type=IntList(),
        # Repeated options and comma lists flatten into one list of ids.
        callback=lambda ctx, param, chunks: [number for chunk in chunks for number in chunk],
        help="Contact ids (comma-separated or repeated).",
    )


@cli.group()
def groups() -> None:
    """Contact lists: list, show, create, add and remove members."""


@groups.command("list")
@list_options(filters=None)
@pass_app
def groups_list(app: App, /, all_pages: bool, **args: Any) -> None:
    """List groups."""
    show_list(app, "groups", _GROUP_COLUMNS, lambda client: client.groups.list(**args), all_pages)


@groups.command("get")
@click.argument("id", type=int)
@pass_app
def groups_get(app: App, /, id: int) -> None:
    """Show one group."""
    app.record(f"Group {id}", app.run(lambda client: client.groups.get(id)))


@groups.command("create")
@click.option("--name", required=True, help="Unique group name.")
@pass_app
def groups_create(app: App, /, name: str) -> None:
    """Create a group."""
    app.record("Group created", app.run(lambda client: client.groups.create(name=name)))


@groups.command("add-contacts")
@click.argument("id", type=int)
@_contact_ids_option()
@pass_app
def groups_add_contacts(app: App, /, id: int, contact_ids: list[int]) -> None:
    """Add contacts to a group."""
    app.record("Contacts added", app.run(lambda client: client.groups.add_contacts(id, contact_ids)))


@groups.command("remove-contacts")
@click.argument("id", type=int)
@_contact_ids_option()
@pass_app
def groups_remove_contacts(app: App, /, id: int, contact_ids: list[int]) -> None:
    """Remove contacts from a group (non-members are skipped)."""
    app.record("Contacts removed", app.run(lambda client: client.groups.remove_contacts(id, contact_ids)))
