"""Printing results: JSON with the API's field names, or rich tables (imported on the first result)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click
import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from wacr.cli._format import nouns, plural, printable
from wacr.cli._library import wire

if TYPE_CHECKING:
    import wacr
    from wacr.cli._app import App

__all__ = [
    "Column",
    "cell_text",
    "emit_json",
    "get_field",
    "listing",
    "make_console",
    "record",
    "table",
    "text_of",
]

#: A table column: its header and the wire field it shows (dotted for nested fields), or a
#: function of the item's wire dict.
Column = tuple[str, str | Callable[[Mapping[str, Any]], Any]]


def make_console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: tables at their natural width instead of wrapped at 80 columns.
        console.width = 1000
    return console


def emit_json(data: Any) -> None:
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def table(
    app: App,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
) -> None:
    """A plain table of text cells; ``right`` names the right-aligned columns."""
    title = printable(title) if title is not None else None
    grid = Table(title=title, title_justify="left", box=None, padding=(0, 2), header_style="bold")
    for header in headers:
        grid.add_column(header, justify="right" if header in right else "left", overflow="fold")
    for row in rows:
        grid.add_row(*(Text(cell_text(cell)) for cell in row))
    app.console.print(grid)


def record(app: App, title: str, obj: Any, extra: Mapping[str, Any] | None = None) -> None:
    """One result: its fields as JSON, or a two-column table."""
    data = {**wire(obj), **(extra or {})}
    if app.json:
        emit_json(data)
        return
    grid = Table(title=printable(title), title_justify="left", show_header=False, box=None, padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in flatten(data):
        grid.add_row(Text(printable(key)), Text(text_of(value)))
    app.console.print(grid)


def listing(
    app: App,
    noun: str,
    items: Sequence[Any],
    columns: Sequence[Column],
    page: wacr.Page[Any] | None = None,
) -> None:
    """A list of results: ``{"data": [...], "pagination": {...}}`` as JSON, or a table.

    ``noun`` is singular (``"contact"``); ``page`` is given when one page was fetched, for the
    pagination data.
    """
    rows = [wire(item) for item in items]
    pagination = None
    if page is not None:
        pagination = {
            "current_page": page.current_page,
            "per_page": page.per_page,
            "total": page.total,
            "total_pages": page.total_pages,
            "count": page.count,
            "has_more": page.has_more,
        }
    if app.json:
        emit_json({"data": rows, **({"pagination": pagination} if pagination else {})})
        return
    if rows:
        cells = ([get_field(row, key) for _, key in columns] for row in rows)
        table(app, [header for header, _ in columns], cells)
    app.console.print(Text(listing_footer(noun, len(rows), page), style="dim"))


def get_field(row: Mapping[str, Any], key: str | Callable[[Mapping[str, Any]], Any]) -> Any:
    if callable(key):
        return key(row)
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``{"a": {"b": 1}}`` -> ``("a.b", 1)``; ``None`` values are left out."""
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def text_of(value: Any) -> str:
    """A value as table text: ISO dates, enum values, compact JSON for lists and objects; control
    characters escaped (:func:`wacr.cli._format.printable`), newlines and tabs kept in a cell."""
    return printable(_plain_text(value), keep="\t\n")


def _plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)  # the API's enums print their value
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    return str(value)


def cell_text(value: Any) -> str:
    """Table cell text: like :func:`text_of`, with times to the minute."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return text_of(value)


def listing_footer(noun: str, count: int, page: wacr.Page[Any] | None) -> str:
    text = plural(count, noun) if count else f"no {nouns(noun)}"
    if page is None:
        return text
    if page.current_page is not None and page.total_pages is not None:
        text += f" on page {page.current_page} of {page.total_pages}"
    if page.total is not None:
        text += f" ({page.total} in all)"
    if page.has_more and page.current_page is not None:
        text += f"; next: --page {page.current_page + 1}, or --all"
    return text
