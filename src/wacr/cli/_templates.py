"""``wacr templates``: list and sync."""

from __future__ import annotations

from typing import Any

from wacr.cli._app import App, Column, cli, pass_app
from wacr.cli._options import filters_of, list_options, show_list

_TEMPLATE_COLUMNS: list[Column] = [
    ("ID", "id"),
    ("Template ID", "template_id"),
    ("Name", "template_name"),
    ("Language", "language"),
    ("Category", "category"),
    ("Status", "status"),
]


@cli.group()
def templates() -> None:
    """WhatsApp message templates: list and sync."""


@templates.command("list")
@list_options(filters="status=APPROVED or category=MARKETING")
@pass_app
def templates_list(app: App, /, filter_pairs: tuple[str, ...], all_pages: bool, **args: Any) -> None:
    """List templates (filters: status, category, language)."""
    filters = filters_of(filter_pairs)
    show_list(
        app,
        "templates",
        _TEMPLATE_COLUMNS,
        lambda client: client.templates.list(filters=filters, **args),
        all_pages,
    )


@templates.command("sync")
@pass_app
def templates_sync(app: App) -> None:
    """Refresh the template table from the WhatsApp Business Account."""
    app.record("Templates synced", app.run(lambda client: client.templates.sync()))
