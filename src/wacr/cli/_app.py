"""The ``wacr`` command's root: the global options, the settings and output every command shares."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import click
import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

import wacr
from wacr.cli._format import plural
from wacr.cli._library import wire

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "App",
    "Column",
    "InputError",
    "cell_text",
    "cli",
    "get_field",
    "pass_app",
    "text_of",
    "wire",
]

T = TypeVar("T")

#: Exit status of an API or connection error.
EXIT_API_ERROR = 1
#: Exit status of a bad argument (nothing was sent).
EXIT_USAGE = 2
#: Exit status after Ctrl-C.
EXIT_INTERRUPTED = 130


class InputError(click.ClickException):
    """A bad input file or setting, found before anything was sent (exit 2, no usage hint)."""

    exit_code = EXIT_USAGE


# -- settings and output ---------------------------------------------------------------------


@dataclass
class App:
    """The global options, shared by every command through the click context."""

    token: str | None
    base_url: str | None
    json: bool
    timeout: float
    max_retries: int
    console: Console = field(default_factory=lambda: make_console(stderr=False))
    errors: Console = field(default_factory=lambda: make_console(stderr=True))

    def client(self) -> wacr.Client:
        if not self.token:
            raise InputError("no API token: pass --token or set the WACR_TOKEN environment variable")
        base_url = {"wacr": wacr.WACR, "rasl": wacr.RASL}.get((self.base_url or "").lower(), self.base_url)
        return wacr.Client(self.token, base_url=base_url, timeout=self.timeout, max_retries=self.max_retries)

    def run(self, call: Callable[[wacr.Client], Awaitable[T]]) -> T:
        """Open a client, await ``call(client)`` in a new event loop, close the client."""
        client = self.client()

        async def go() -> T:
            async with client:
                return await call(client)

        return asyncio.run(go())

    # -- printing ----------------------------------------------------------------------------

    def emit_json(self, data: Any) -> None:
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())

    def record(self, title: str, obj: Any, extra: Mapping[str, Any] | None = None) -> None:
        """One result: its fields as JSON, or a two-column table."""
        data = {**wire(obj), **(extra or {})}
        if self.json:
            self.emit_json(data)
            return
        table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in flatten(data):
            table.add_row(Text(key), Text(text_of(value)))
        self.console.print(table)

    def listing(
        self,
        noun: str,
        items: Sequence[Any],
        columns: Sequence[Column],
        page: wacr.Page[Any] | None = None,
    ) -> None:
        """A list of results: ``{"data": [...], "pagination": {...}}`` as JSON, or a table.

        ``page`` is given when one page was fetched, for the pagination data.
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
        if self.json:
            self.emit_json({"data": rows, **({"pagination": pagination} if pagination else {})})
            return
        if rows:
            table = Table(box=None, padding=(0, 2), header_style="bold")
            for header, _ in columns:
                table.add_column(header, overflow="fold")
            for row in rows:
                table.add_row(*(Text(cell_text(get_field(row, key))) for _, key in columns))
            self.console.print(table)
        self.console.print(Text(listing_footer(noun, len(rows), page), style="dim"))


def make_console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: tables at their natural width instead of wrapped at 80 columns.
        console.width = 1000
    return console


#: A table column: its header and the wire field it shows (dotted for nested fields), or a
#: function of the item's wire dict.
Column = tuple[str, str | Callable[[Mapping[str, Any]], Any]]


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
    """A value as table text: ISO dates, enum values, compact JSON for lists and objects."""
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
    """Table cell text: like :func:`_text`, with times to the minute."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return text_of(value)


def listing_footer(noun: str, count: int, page: wacr.Page[Any] | None) -> str:
    text = plural(count, noun.removesuffix("s")) if count else f"no {noun}"
    if page is None:
        return text
    if page.current_page is not None and page.total_pages is not None:
        text += f" on page {page.current_page} of {page.total_pages}"
    if page.total is not None:
        text += f" ({page.total} in all)"
    if page.has_more and page.current_page is not None:
        text += f"; next: --page {page.current_page + 1}, or --all"
    return text


# -- the root group ---------------------------------------------------------------------------

_VERBOSITY = {1: logging.INFO, 2: logging.DEBUG}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--token",
    envvar="WACR_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="API token.",
)
@click.option(
    "--base-url",
    envvar="WACR_BASE_URL",
    show_envvar=True,
    metavar="URL",
    help=f"API base URL, or 'wacr' / 'rasl' [default: {wacr.WACR}].",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON (the API's field names).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds per attempt.",
)
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Retries of 429s and safe failures (0: none).",
)
@click.option("-v", "--verbose", count=True, help="Log retries (-v) and every request (-vv) on stderr.")
@click.version_option(wacr.__version__, "-V", "--version", prog_name="wacr")
@click.pass_context
def cli(
    ctx: click.Context,
    token: str | None,
    base_url: str | None,
    as_json: bool,
    timeout: float,
    max_retries: int,
    verbose: int,
) -> None:
    """Send WhatsApp messages and OTPs, and manage contacts, through the WA.cr / RASL API v2.

    The token and base URL come from --token / --base-url, else WACR_TOKEN / WACR_BASE_URL.
    Exit status: 0 done, 1 API or connection error, 2 bad argument (nothing sent).
    """
    if verbose:
        logging.basicConfig(
            level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
        )
        logging.getLogger("wacr").setLevel(_VERBOSITY[min(verbose, 2)])
    ctx.obj = App(token=token, base_url=base_url, json=as_json, timeout=timeout, max_retries=max_retries)


pass_app = click.make_pass_decorator(App)
