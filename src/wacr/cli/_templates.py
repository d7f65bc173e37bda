"""``wacr templates``: list, get and sync the WhatsApp message templates."""

from __future__ import annotations

import click

from wacr.cli._app import Group
from wacr.cli._options import api_command, id_argument, list_command


@click.group(cls=Group)
def templates() -> None:
    """WhatsApp message templates: list, get and sync."""


list_command(
    templates,
    "templates.list",
    "template",
    [
        ("ID", "id"),
        ("Template ID", "template_id"),
        ("Name", "template_name"),
        ("Language", "language"),
        ("Category", "category"),
        ("Status", "status"),
    ],
    filters="status=APPROVED or category=MARKETING",
    help="List templates (filters: status, category, language).",
)
api_command(
    templates,
    "get",
    "templates.get",
    "Template {template_id}",
    id_argument("template_id", str),
    help="Show one template by its WhatsApp template id.",
)
api_command(
    templates,
    "sync",
    "templates.sync",
    "Templates synced",
    help="Refresh the template table from the WhatsApp Business Account.",
)
