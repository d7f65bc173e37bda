"""The ``wacr`` command: the common API calls from a shell, and the emulator.

::

    wacr [--token T] [--base-url URL] [--json] COMMAND [OPTIONS]

    wacr send text --phone +201000000000 --message "Hi"
    wacr send cta --phone +201000000000 --message "Your order" --button-text Track \\
        --button-url https://example.com/track/42
    wacr otp send --phone +201000000000 --template-name otp_verification
    wacr contacts import contacts.csv --skip-duplicates
    wacr --json account
    wacr emulator --port 8080 --token test-token

Command options are the API's JSON fields in kebab case (``--template-name``,
``--expiry-minutes``, ``--field-1``). The token and base URL fall back to ``WACR_TOKEN`` and
``WACR_BASE_URL``. Output is human-readable tables, or JSON with the API's field names on
stdout with ``--json``.

Exit status: 0 done; 1 the API answered an error or could not be reached (one line on stderr);
2 a bad argument, caught before anything was sent (one line on stderr); 130 interrupted. A
traceback is never shown (``-vv`` shows one for an unexpected internal error).

click and rich are the ``cli`` extra (``pip install 'wacr[cli]'``); ``import wacr`` never
imports this module.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

import orjson

import wacr
from wacr import _convert
from wacr.models._operations import OPERATIONS

try:  # the cli extra
    import click
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table
    from rich.text import Text
except ImportError as _missing:  # pragma: no cover - a test runs it with click hidden
    # Reached only through the `wacr` script or `python -m wacr`: one line, no traceback.
    print(
        f"wacr: the command line needs the 'cli' extra ({_missing.name or 'click'} is not installed): "
        "pip install 'wacr[cli]'",
        file=sys.stderr,
    )
    raise SystemExit(2) from None

__all__ = ["cli", "main"]

T = TypeVar("T")

#: Exit status of an API or connection error.
EXIT_API_ERROR = 1
#: Exit status of a bad argument (nothing was sent).
EXIT_USAGE = 2
#: Exit status after Ctrl-C.
EXIT_INTERRUPTED = 130


def _batch_item_schema() -> Mapping[str, Any]:
    """What `contacts import` accepts per row: the batch item's schema from the spec, so that a
    row is checked by exactly the rules the SDK applies before sending."""
    body = OPERATIONS["contacts_batch_create"].body
    assert body is not None
    items: Mapping[str, Any] = body["properties"]["contacts"]["items"]
    return items


_BATCH_ITEM = _batch_item_schema()
_CONTACT_FIELDS: tuple[str, ...] = tuple(_BATCH_ITEM["properties"])
_INT_FIELDS = frozenset(
    name for name, schema in _BATCH_ITEM["properties"].items() if schema.get("type") == "integer"
)
_REQUIRED_FIELDS: tuple[str, ...] = tuple(_BATCH_ITEM.get("required", ()))


def _column_key(name: str) -> str:
    """Header names match fields loosely: ``First Name``, ``first-name`` and ``firstname`` alike."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


_FIELD_BY_COLUMN = {_column_key(name): name for name in _CONTACT_FIELDS}


class _InputError(click.ClickException):
    """A bad input file or setting, found before anything was sent (exit 2, no usage hint)."""

    exit_code = EXIT_USAGE


# -- settings and output ---------------------------------------------------------------------


@dataclass
class _App:
    """The global options, shared by every command through the click context."""

    token: str | None
    base_url: str | None
    json: bool
    timeout: float
    max_retries: int
    console: Console = field(default_factory=lambda: _console(stderr=False))
    errors: Console = field(default_factory=lambda: _console(stderr=True))

    def client(self) -> wacr.Client:
        if not self.token:
            raise _InputError("no API token: pass --token or set the WACR_TOKEN environment variable")
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
        data = {**_wire(obj), **(extra or {})}
        if self.json:
            self.emit_json(data)
            return
        table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for key, value in _flatten(data):
            table.add_row(Text(key), Text(_text(value)))
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
        rows = [_wire(item) for item in items]
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
                table.add_row(*(Text(_cell(_get(row, key))) for _, key in columns))
            self.console.print(table)
        self.console.print(Text(_listing_footer(noun, len(rows), page), style="dim"))


def _console(*, stderr: bool) -> Console:
    console = Console(stderr=stderr)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped or redirected: tables at their natural width instead of wrapped at 80 columns.
        console.width = 1000
    return console


#: A table column: its header and the wire field it shows (dotted for nested fields), or a
#: function of the item's wire dict.
Column = tuple[str, str | Callable[[Mapping[str, Any]], Any]]


def _wire(obj: Any) -> Any:
    """A model as JSON-ready data with the API's field names (plain data passes through)."""
    return _convert.unstructure(obj)


def _get(row: Mapping[str, Any], key: str | Callable[[Mapping[str, Any]], Any]) -> Any:
    if callable(key):
        return key(row)
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``{"a": {"b": 1}}`` -> ``("a.b", 1)``; ``None`` values are left out."""
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _text(value: Any) -> str:
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


def _cell(value: Any) -> str:
    """Table cell text: like :func:`_text`, with times to the minute."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return _text(value)


def _listing_footer(noun: str, count: int, page: wacr.Page[Any] | None) -> str:
    text = _count(count, noun.removesuffix("s")) if count else f"no {noun}"
    if page is None:
        return text
    if page.current_page is not None and page.total_pages is not None:
        text += f" on page {page.current_page} of {page.total_pages}"
    if page.total is not None:
        text += f" ({page.total} in all)"
    if page.has_more and page.current_page is not None:
        text += f"; next: --page {page.current_page + 1}, or --all"
    return text


# -- option types ------------------------------------------------------------------------------


class _IntList(click.ParamType):  # type: ignore[type-arg]
    """``1,2,3`` (and the option repeated) -> a list of ints."""

    name = "ID[,ID...]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[int]:
        if isinstance(value, list):
            return value
        try:
            return [int(part) for part in str(value).split(",") if part.strip()]
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of integers", param, ctx)


class _JsonValue(click.ParamType):  # type: ignore[type-arg]
    """A JSON document given on the command line."""

    name = "JSON"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            self.fail(f"not valid JSON ({exc})", param, ctx)


def _filters(pairs: Iterable[str]) -> dict[str, Any] | None:
    """``--filter status_id=3 --filter created_at.gte=2026-01-01`` -> the SDK's ``filters``."""
    filters: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                f"{pair!r} is not FIELD=VALUE or FIELD.OP=VALUE", param_hint="'--filter'"
            )
        field_name, _, operator = name.strip().partition(".")
        if operator:
            operators = filters.get(field_name)
            if not isinstance(operators, dict):
                operators = filters[field_name] = {}
            operators[operator] = value
        else:
            filters[field_name] = value
    return filters or None


def _pairs(values: Iterable[str], option: str, *, parts: int) -> list[list[str]]:
    """``ID=TITLE`` (or ``ID=TITLE=DESCRIPTION`` with ``parts=3``) split on ``=``."""
    split = []
    for value in values:
        fields = value.split("=", parts - 1)
        if len(fields) < 2 or not fields[0] or not fields[1]:
            shape = "ID=TITLE" if parts == 2 else "ID=TITLE[=DESCRIPTION]"
            raise click.BadParameter(f"{value!r} is not {shape}", param_hint=f"'{option}'")
        split.append(fields)
    return split


# -- the command group --------------------------------------------------------------------------

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
    ctx.obj = _App(token=token, base_url=base_url, json=as_json, timeout=timeout, max_retries=max_retries)


_pass_app = click.make_pass_decorator(_App)


def _phone_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--phone", required=True, help="Phone number with country code, e.g. +201000000000.")


def _contact_id_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--contact-id", type=int, help="An existing contact (skips lookup and auto-creation)."
    )


# -- send -----------------------------------------------------------------------------------------


@cli.group(short_help="Send a message: text, template, media, interactive or cta.")
def send() -> None:
    """Send a WhatsApp message: text, template, media, interactive or cta (a URL button)."""


@send.command("text")
@_phone_option()
@click.option("--message", required=True, help="The text; merge fields such as @{contact_first_name} work.")
@_contact_id_option()
@_pass_app
def send_text(app: _App, /, **fields: Any) -> None:
    """Send a text message (inside the 24-hour customer-service window)."""
    result = app.run(lambda client: client.messages.send_text(**fields))
    app.record("Text message sent", result)


def _template_fields(command: Callable[..., Any]) -> Callable[..., Any]:
    """The variable options of a template send: header, body fields 1-10, buttons 0-2."""
    for number in range(2, -1, -1):
        command = click.option(f"--button-{number}", metavar="TEXT", help=f"Dynamic URL button {number}.")(
            command
        )
    for number in range(10, 0, -1):
        command = click.option(f"--field-{number}", metavar="TEXT", help=f"Body variable {{{{{number}}}}}.")(
            command
        )
    for name, text in (
        ("document-name", "File name shown for a document header."),
        ("document-url", "Document header URL."),
        ("video-url", "Video header URL."),
        ("image-url", "Image header URL."),
        ("field-1", "Text header variable {{1}}."),
    ):
        command = click.option(f"--header-{name}", metavar="TEXT", help=text)(command)
    return command


@send.command("template")
@_phone_option()
@click.option("--template-name", required=True, help="An APPROVED template.")
@click.option("--language", required=True, help="The template's language, e.g. en or en_US.")
@_contact_id_option()
@_template_fields
@click.option(
    "--auto-generate-otp/--no-auto-generate-otp",
    default=None,
    help="Fill a body field with a generated one-time code.",
)
@click.option("--otp-field-number", type=int, help="Which body field gets the generated code.")
@_pass_app
def send_template(app: _App, /, **fields: Any) -> None:
    """Send an APPROVED template, at any time; the template decides which fields it needs."""
    result = app.run(lambda client: client.messages.send_template(**fields))
    app.record("Template message sent", result)


@send.command("media")
@_phone_option()
@click.option("--media-type", required=True, type=click.Choice([m.value for m in wacr.models.MediaType]))
@click.option("--media-url", required=True, help="A public URL whose extension suits the media type.")
@click.option("--caption", help="Caption (not for audio).")
@click.option("--filename", help="File name shown for a document.")
@_contact_id_option()
@_pass_app
def send_media(app: _App, /, **fields: Any) -> None:
    """Send an image, document, video or audio file by URL."""
    result = app.run(lambda client: client.messages.send_media(**fields))
    app.record("Media message sent", result)


@send.command("interactive")
@_phone_option()
@click.option(
    "--type",
    "type_",
    required=True,
    type=click.Choice([t.value for t in wacr.models.InteractiveType]),
    help="Reply buttons or a list.",
)
@click.option("--body-text", required=True, help="The message text.")
@click.option("--header-text", help="Header text.")
@click.option("--footer-text", help="Footer text.")
@_contact_id_option()
@click.option(
    "--button", "button_pairs", multiple=True, metavar="ID=TITLE", help="A reply button (repeat for up to 3)."
)
@click.option("--buttons", type=_JsonValue(), help='Buttons as JSON: [{"id": "yes", "title": "Yes"}].')
@click.option("--list-button-text", help="Label of the button that opens a list.")
@click.option(
    "--row",
    "row_triples",
    multiple=True,
    metavar="ID=TITLE[=DESCRIPTION]",
    help="A list row (repeat), in one section titled --section-title.",
)
@click.option("--section-title", default="Options", show_default=True, help="Title of the --row section.")
@click.option(
    "--sections",
    type=_JsonValue(),
    help='Sections as JSON: [{"title": "...", "rows": [{"id": "...", "title": "..."}]}].',
)
@_pass_app
def send_interactive(
    app: _App,
    /,
    type_: str,
    button_pairs: tuple[str, ...],
    buttons: Any,
    row_triples: tuple[str, ...],
    section_title: str,
    sections: Any,
    **fields: Any,
) -> None:
    """Send reply buttons (--type button) or a list (--type list)."""
    if button_pairs:
        buttons = list(buttons or []) + [
            {"id": id_, "title": title} for id_, title in _pairs(button_pairs, "--button", parts=2)
        ]
    if row_triples:
        rows = [
            {"id": row[0], "title": row[1], **({"description": row[2]} if len(row) > 2 else {})}
            for row in _pairs(row_triples, "--row", parts=3)
        ]
        sections = [*(sections or []), {"title": section_title, "rows": rows}]
    result = app.run(
        lambda client: client.messages.send_interactive(
            type=type_, buttons=buttons, sections=sections, **fields
        )
    )
    app.record("Interactive message sent", result)


@send.command("cta")
@_phone_option()
@click.option("--message", required=True, help="The message text.")
@click.option("--button-text", required=True, help="The label of the URL button.")
@click.option("--button-url", required=True, help="Where the button leads (an http(s) URL).")
@click.option("--header-text", help="Header text.")
@click.option("--footer-text", help="Footer text.")
@_contact_id_option()
@_pass_app
def send_cta(app: _App, /, **fields: Any) -> None:
    """Send a call-to-action: a text with one URL button (inside the 24-hour window)."""
    result = app.run(lambda client: client.messages.send_cta(**fields))
    app.record("Call-to-action message sent", result)


# -- otp --------------------------------------------------------------------------------------------


@cli.group(short_help="One-time codes: send (yours or server-generated), verify, resend, status.")
def otp() -> None:
    """One-time codes through an APPROVED AUTHENTICATION template: send, verify, resend, status."""


def _purpose_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--purpose", help="OTP namespace [default: authentication]; verify with the same.")


@otp.command("send")
@_phone_option()
@click.option("--template-name", required=True, help="An APPROVED AUTHENTICATION template.")
@click.option("--code", help="The code to send (6 digits) [default: the server generates one].")
@click.option("--language", help="Template language [default: en].")
@click.option("--expiry-minutes", type=int, help="Minutes the code stays valid [default: 10].")
@_contact_id_option()
@_purpose_option()
@click.option(
    "--additional-params",
    multiple=True,
    metavar="TEXT",
    help="Extra template body parameter after the code and expiry (repeat).",
)
@_pass_app
def otp_send(app: _App, /, code: str | None, additional_params: tuple[str, ...], **fields: Any) -> None:
    """Send a one-time code (replaces the phone's active code for the same purpose).

    Without --code the server generates the code; the output says whether it did
    (code_auto_generated) and shows the code when the server returns it.
    """
    result = app.run(
        lambda client: client.auth.send_otp(
            code=code, additional_params=list(additional_params) or None, **fields
        )
    )
    generated = result.code_auto_generated
    if generated is None and code is not None:
        generated = False  # the caller chose it (the server did not say)
    app.record("Code sent", result, {"code_auto_generated": generated})


@otp.command("verify")
@_phone_option()
@click.option("--code", required=True, help="The code the user typed.")
@_purpose_option()
@_pass_app
def otp_verify(app: _App, /, **fields: Any) -> None:
    """Check a code; a wrong one exits 1 and says how many attempts are left."""
    result = app.run(lambda client: client.auth.verify_otp(**fields))
    app.record("Code verified", result, {"verified": True})


@otp.command("resend")
@_phone_option()
@click.option("--template-name", required=True, help="An APPROVED AUTHENTICATION template.")
@click.option("--language", help="Template language [default: en].")
@click.option("--expiry-minutes", type=int, help="Minutes the code stays valid [default: 10].")
@_purpose_option()
@_pass_app
def otp_resend(app: _App, /, **fields: Any) -> None:
    """Send a new server-generated code, invalidating the old one (3 per 5 minutes)."""
    result = app.run(lambda client: client.auth.resend_otp(**fields))
    app.record("New code sent", result)


@otp.command("status")
@_phone_option()
@_purpose_option()
@_pass_app
def otp_status(app: _App, /, **fields: Any) -> None:
    """The active code's expiry and remaining attempts (does not consume it)."""
    result = app.run(lambda client: client.auth.otp_status(**fields))
    app.record("OTP status", result)


# -- contacts ---------------------------------------------------------------------------------------


def _list_options(*, filters: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The common list options: --page, --per-page, --sort, --search, --all, and --filter when
    the list has ``filters`` (an example for the help)."""
    options = [
        click.option("--page", type=click.IntRange(min=1), help="Page number [default: 1]."),
        click.option("--per-page", type=click.IntRange(min=1), help="Items per page."),
        click.option("--sort", help="Sort field, '-' for descending, e.g. -created_at."),
        click.option("--search", help="Full-text search."),
        click.option("--all", "all_pages", is_flag=True, help="Every page, not just one."),
    ]
    if filters:
        options.append(
            click.option(
                "--filter",
                "filter_pairs",
                multiple=True,
                metavar="FIELD[.OP]=VALUE",
                help=f"Filter (repeat), e.g. {filters}.",
            )
        )

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _show_list(
    app: _App,
    noun: str,
    columns: Sequence[Column],
    pager: Callable[[wacr.Client], wacr.Paginator[Any]],
    all_pages: bool,
) -> None:
    async def fetch(client: wacr.Client) -> tuple[list[Any], wacr.Page[Any] | None]:
        if all_pages:
            return [item async for item in pager(client)], None
        page = await pager(client)
        return page.items, page

    items, page = app.run(fetch)
    app.listing(noun, items, columns, page)


_CONTACT_COLUMNS: list[Column] = [
    ("ID", "id"),
    ("Name", lambda c: " ".join(str(c[k]) for k in ("firstname", "lastname") if c.get(k))),
    ("Phone", "phone"),
    ("Type", "type"),
    ("Email", "email"),
    ("Status", "status_id"),
    ("Source", "source_id"),
    ("Created", "created_at"),
]


@cli.group()
def contacts() -> None:
    """List, show and import contacts."""


@contacts.command("list")
@_list_options(filters="status_id=3 or created_at.gte=2026-01-01")
@click.option("--include", help="Related data to embed: groups, source, status (comma-separated).")
@_pass_app
def contacts_list(app: _App, /, filter_pairs: tuple[str, ...], all_pages: bool, **args: Any) -> None:
    """List contacts, one page (default) or --all."""
    filters = _filters(filter_pairs)
    _show_list(
        app,
        "contacts",
        _CONTACT_COLUMNS,
        lambda client: client.contacts.list(filters=filters, **args),
        all_pages,
    )


@contacts.command("get")
@click.argument("id", type=int)
@click.option("--include", help="Related data to embed: groups, source, status (comma-separated).")
@_pass_app
def contacts_get(app: _App, /, id: int, include: str | None) -> None:
    """Show one contact."""
    result = app.run(lambda client: client.contacts.get(id, include=include))
    app.record(f"Contact {id}", result)


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=100, show_default=True, help="Contacts per request."
)
@click.option(
    "--skip-duplicates", is_flag=True, help="Skip rows whose phone already exists instead of failing them."
)
@click.option(
    "--continue-on-error/--stop-on-error",
    default=True,
    show_default=True,
    help="Keep going past failed rows, or stop at the first one.",
)
@click.option(
    "--type",
    "default_type",
    type=click.Choice([t.value for t in wacr.models.ContactType]),
    help="Type for rows that leave it empty.",
)
@click.option("--source-id", "default_source_id", type=int, help="source_id for rows that leave it empty.")
@click.option("--status-id", "default_status_id", type=int, help="status_id for rows that leave it empty.")
@_pass_app
def contacts_import(
    app: _App,
    /,
    file: str,
    batch_size: int,
    skip_duplicates: bool,
    continue_on_error: bool,
    default_type: str | None,
    default_source_id: int | None,
    default_status_id: int | None,
) -> int:
    """Create contacts from a CSV file, in batches, with a progress bar.

    The header row names the create-contact fields: firstname, lastname, phone, type,
    source_id, status_id, email, company, description, city, state, zip, address, country_id,
    assigned_id. Rows that break the API's rules are reported with their line number and not
    sent; the rest are sent in batches. Exits 0 once every row was tried (failed rows are
    listed), 1 when the import stopped early.
    """
    defaults = {
        key: value
        for key, value in (
            ("type", default_type),
            ("source_id", default_source_id),
            ("status_id", default_status_id),
        )
        if value is not None
    }
    rows = _read_contacts_csv(file, defaults)
    report = _ImportReport(file=file, rows=len(rows))
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=app.errors,
        disable=not app.errors.is_terminal,
        transient=True,
    )
    with progress:
        task = progress.add_task("import", total=len(rows))
        try:
            app.run(
                lambda client: _import_contacts(
                    client,
                    rows,
                    report,
                    batch_size=batch_size,
                    skip_duplicates=skip_duplicates,
                    continue_on_error=continue_on_error,
                    advance=lambda n: progress.advance(task, n),
                )
            )
        except wacr.WacrError:
            # An error every later batch would hit too (401, 403, unreachable): show what was
            # done, then fail with the error's one line.
            _show_import(app, report)
            raise
    _show_import(app, report)
    return EXIT_API_ERROR if report.not_imported else 0


# -- contacts import: reading the CSV and sending the batches -----------------------------------------


@dataclass
class _CsvRow:
    """One data row of the CSV: its first line number, and the contact or why it is invalid."""

    line: int
    contact: dict[str, Any]
    problem: str | None = None


@dataclass
class _ImportReport:
    """What happened to every row of an import, by CSV line number."""

    file: str
    rows: int
    created: int = 0
    skipped: list[tuple[int | None, str]] = field(default_factory=list)
    failed: list[tuple[int | None, str]] = field(default_factory=list)
    #: Lines never created because the import stopped (--stop-on-error, or an error that aborted it).
    not_imported: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (``--json``)."""
        return {
            "file": self.file,
            "summary": {
                "rows": self.rows,
                "created": self.created,
                "skipped": len(self.skipped),
                "failed": len(self.failed),
                "not_imported": len(self.not_imported),
            },
            "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
            "failed": [{"line": line, "reason": reason} for line, reason in self.failed],
            "not_imported": sorted(self.not_imported),
        }


def _field_errors(errors: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())


def _read_contacts_csv(path: str, defaults: Mapping[str, Any]) -> list[_CsvRow]:
    """Parse and check every row of a contacts CSV (``-`` reads stdin).

    Cells are stripped, empty cells left out, integer fields converted; ``defaults`` fill
    fields a row leaves empty. Each row is checked against the batch item's rules from the
    spec. A file that cannot be read as a contacts CSV raises :class:`_InputError`.
    """
    try:
        stream = sys.stdin if path == "-" else open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise _InputError(f"{path}: {exc.strerror or exc}") from None
    try:
        with stream:
            return _parse_csv(path, csv.reader(stream), defaults)
    except UnicodeDecodeError as exc:
        raise _InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise _InputError(f"{path}: not a valid CSV file ({exc})") from None


def _parse_csv(path: str, reader: Any, defaults: Mapping[str, Any]) -> list[_CsvRow]:
    header: list[str] | None = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)  # blank lines before the header
    if header is None:
        raise _InputError(
            f"{path}: the file is empty (expected a header row: {', '.join(_REQUIRED_FIELDS)}, ...)"
        )
    columns = [_FIELD_BY_COLUMN.get(_column_key(cell), "") for cell in header]
    unknown = [cell.strip() for cell, name in zip(header, columns) if not name]  # noqa: B905 - same length
    if unknown:
        raise _InputError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))} "
            f"(the columns are the contact fields: {', '.join(_CONTACT_FIELDS)})"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise _InputError(f"{path}: column(s) {', '.join(repeated)} appear more than once")
    missing = [name for name in _REQUIRED_FIELDS if name not in columns and name not in defaults]
    if missing:
        hint = " or ".join(
            f"--{name.replace('_', '-')}" for name in missing if name in ("type", "source_id", "status_id")
        )
        raise _InputError(
            f"{path}: missing column(s) {', '.join(missing)}" + (f" (or pass {hint})" if hint else "")
        )

    rows: list[_CsvRow] = []
    last_line = reader.line_num
    for cells in reader:
        # A quoted cell may span lines: a row starts on the line after the previous row ended.
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        rows.append(_parse_row(line, columns, cells, defaults))
    return rows


def _parse_row(
    line: int, columns: Sequence[str], cells: Sequence[str], defaults: Mapping[str, Any]
) -> _CsvRow:
    contact: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if len(cells) > len(columns):
        errors["row"] = [f"has {len(cells)} cells but the header has {len(columns)} columns"]
    for name, cell in zip(columns, cells):  # noqa: B905 - short rows leave fields empty
        value = cell.strip()
        if not value:
            continue
        if name in _INT_FIELDS:
            try:
                contact[name] = int(value)
            except ValueError:
                errors.setdefault(name, []).append(f"must be an integer (got {value!r})")
        else:
            contact[name] = value
    for name, value in defaults.items():
        contact.setdefault(name, value)
    # The API's rules are checked by the SDK when the row is sent (see _send_batch).
    return _CsvRow(line, contact, _field_errors(errors) if errors else None)


async def _import_contacts(
    client: wacr.Client,
    rows: Sequence[_CsvRow],
    report: _ImportReport,
    *,
    batch_size: int = 100,
    skip_duplicates: bool = False,
    continue_on_error: bool = True,
    advance: Callable[[int], None] = lambda n: None,
) -> _ImportReport:
    """Send the rows with ``client.contacts.batch_create`` and record every row's fate.

    Rows the CSV reading found broken are failed without being sent; the others are checked by
    the SDK's own argument checks as part of each ``batch_create`` call (the same rules as any
    other call, nothing sent for a refused row). With ``continue_on_error=False`` the import
    stops at the first failed row (the server rolls back the batch it is in). A batch the
    server rejects as a whole (422, or a 5xx after which it may have been processed) fails its
    rows and the import goes on; other errors (401, 403, unreachable...) propagate, after the
    rows not handled yet are added to ``report.not_imported``.
    """
    options = {"continue_on_error": continue_on_error, "skip_duplicates": skip_duplicates}
    done: set[int] = set()  # lines with an outcome in the report

    def stop() -> _ImportReport:
        report.not_imported.extend(row.line for row in rows if row.line not in done)
        return report

    position = 0
    try:
        while position < len(rows):
            row = rows[position]
            if row.problem is not None:
                position += 1
                report.failed.append((row.line, row.problem))
                done.add(row.line)
                advance(1)
                if not continue_on_error:
                    return stop()
                continue
            # A batch of consecutive readable rows: lines are handled in order.
            batch: list[_CsvRow] = []
            while position < len(rows) and len(batch) < batch_size and rows[position].problem is None:
                batch.append(rows[position])
                position += 1
            ok = await _send_batch(client, batch, options, report, done, advance)
            if not ok and not continue_on_error:
                return stop()
    except wacr.WacrError:
        stop()
        raise
    return report


async def _send_batch(
    client: wacr.Client,
    batch: Sequence[_CsvRow],
    options: Mapping[str, bool],
    report: _ImportReport,
    done: set[int],
    advance: Callable[[int], None],
) -> bool:
    """Send one batch; False when one of its rows failed.

    Rows the SDK refuses before sending (its ``ValidationError`` names ``contacts.<index>``) are
    failed and the rest sent again; stopping on error, only the rows before the first refused one
    are sent.
    """
    rows = list(batch)
    all_ok = True
    # Stopping on error: a refused row fails only once the rows before it went through, so that
    # the import stops at the first failure in the file's order.
    held: tuple[_CsvRow, str] | None = None
    while rows:
        try:
            result = await client.contacts.batch_create([row.contact for row in rows], options=options)
        except wacr.ValidationError as exc:
            refused = _refused_rows(exc, len(rows)) if exc.status is None else None
            if refused is None:
                if exc.status is None:
                    raise  # the batch itself breaks a rule, not one of its rows
                _fail_batch(exc, rows, report, done, advance)
                return False
            if options["continue_on_error"]:
                for index in sorted(refused):
                    report.failed.append((rows[index].line, _field_errors(refused[index])))
                    done.add(rows[index].line)
                    advance(1)
                rows = [row for index, row in enumerate(rows) if index not in refused]
                all_ok = False
            else:
                first = min(refused)
                held = (rows[first], _field_errors(refused[first]))
                rows = rows[:first]
            continue
        except (wacr.ServerError, wacr.APIConnectionError) as exc:
            if isinstance(exc, wacr.APIConnectionError) and not exc.may_have_been_processed:
                raise  # the server is unreachable: every later batch would fail the same way
            _fail_batch(exc, rows, report, done, advance)
            return False
        _record_result(result, rows, options, report)
        done.update(row.line for row in rows)
        advance(len(rows))
        if result.errors:
            return False
        break
    if held is not None:
        report.failed.append((held[0].line, held[1]))
        done.add(held[0].line)
        advance(1)
        return False
    return all_ok


def _refused_rows(error: wacr.ValidationError, count: int) -> dict[int, dict[str, list[str]]] | None:
    """The SDK's pre-send errors of a batch by row index (``contacts.3.phone`` -> row 3, ``phone``);
    ``None`` when an error is not about one row."""
    rows: dict[int, dict[str, list[str]]] = {}
    for path, messages in (error.errors or {}).items():
        head, index, field_path = [*path.split(".", 2), "", ""][:3]
        if head != "contacts" or not index.isdigit() or int(index) >= count:
            return None
        rows.setdefault(int(index), {})[field_path or "row"] = list(messages)
    return rows or None


def _fail_batch(
    exc: wacr.WacrError,
    rows: Sequence[_CsvRow],
    report: _ImportReport,
    done: set[int],
    advance: Callable[[int], None],
) -> None:
    """A batch the server refused as a whole, or whose fate is unknown: each of its rows failed."""
    reason = _one_line(exc)
    if getattr(exc, "may_have_been_processed", False):
        reason = f"the batch may have been created (not retried): {reason}"
    report.failed.extend((row.line, reason) for row in rows)
    done.update(row.line for row in rows)
    advance(len(rows))


def _record_result(
    result: wacr.models.BatchCreateResult,
    batch: Sequence[_CsvRow],
    options: Mapping[str, bool],
    report: _ImportReport,
) -> None:
    def line_of(index: int | None) -> int | None:
        return batch[index].line if index is not None and 0 <= index < len(batch) else None

    handled: set[int | None] = set()
    for skipped in result.skipped or []:
        handled.add(line_of(skipped.index))
        report.skipped.append((line_of(skipped.index), skipped.reason or "skipped"))
    for failure in result.errors or []:
        handled.add(line_of(failure.index))
        why = _field_errors(_message_map(failure.errors)) if failure.errors else failure.message
        report.failed.append((line_of(failure.index), why or "failed"))
    if result.summary is not None and result.summary.created is not None:
        report.created += result.summary.created
    else:
        report.created += len(result.created or [])
    if result.errors and not options["continue_on_error"]:
        # Stopping on error: the server rolled the whole batch back.
        report.not_imported.extend(row.line for row in batch if row.line not in handled)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _ranges(numbers: Iterable[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _message_map(errors: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        name: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for name, messages in errors.items()
    }


def _show_import(app: _App, report: _ImportReport) -> None:
    if app.json:
        app.emit_json(report.to_json())
        return
    summary = (
        f"{report.file}: {report.created} created, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed ({_count(report.rows, 'row')})"
    )
    if report.not_imported:
        summary += f"; stopped early, {_count(len(report.not_imported), 'row')} not imported"
    app.console.print(Text(summary, style="bold"))
    if report.not_imported:
        app.console.print(Text(f"not imported: lines {_ranges(report.not_imported)}"))
    problems = [(line, "failed", reason) for line, reason in report.failed]
    problems += [(line, "skipped", reason) for line, reason in report.skipped]
    if problems:
        table = Table(box=None, padding=(0, 2), header_style="bold")
        table.add_column("Line", justify="right")
        table.add_column("Result")
        table.add_column("Reason", overflow="fold")
        for line, outcome, reason in sorted(problems, key=lambda p: (p[0] is None, p[0] or 0)):
            table.add_row(str(line) if line is not None else "?", outcome, Text(reason))
        app.console.print(table)


# -- groups -----------------------------------------------------------------------------------------

_GROUP_COLUMNS: list[Column] = [("ID", "id"), ("Name", "name"), ("Created", "created_at")]


def _contact_ids_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--contact-ids",
        required=True,
        multiple=True,
        type=_IntList(),
        # Repeated options and comma lists flatten into one list of ids.
        callback=lambda ctx, param, chunks: [number for chunk in chunks for number in chunk],
        help="Contact ids (comma-separated or repeated).",
    )


@cli.group()
def groups() -> None:
    """Contact lists: list, show, create, add and remove members."""


@groups.command("list")
@_list_options(filters=None)
@_pass_app
def groups_list(app: _App, /, all_pages: bool, **args: Any) -> None:
    """List groups."""
    _show_list(app, "groups", _GROUP_COLUMNS, lambda client: client.groups.list(**args), all_pages)


@groups.command("get")
@click.argument("id", type=int)
@_pass_app
def groups_get(app: _App, /, id: int) -> None:
    """Show one group."""
    app.record(f"Group {id}", app.run(lambda client: client.groups.get(id)))


@groups.command("create")
@click.option("--name", required=True, help="Unique group name.")
@_pass_app
def groups_create(app: _App, /, name: str) -> None:
    """Create a group."""
    app.record("Group created", app.run(lambda client: client.groups.create(name=name)))


@groups.command("add-contacts")
@click.argument("id", type=int)
@_contact_ids_option()
@_pass_app
def groups_add_contacts(app: _App, /, id: int, contact_ids: list[int]) -> None:
    """Add contacts to a group."""
    app.record("Contacts added", app.run(lambda client: client.groups.add_contacts(id, contact_ids)))


@groups.command("remove-contacts")
@click.argument("id", type=int)
@_contact_ids_option()
@_pass_app
def groups_remove_contacts(app: _App, /, id: int, contact_ids: list[int]) -> None:
    """Remove contacts from a group (non-members are skipped)."""
    app.record("Contacts removed", app.run(lambda client: client.groups.remove_contacts(id, contact_ids)))


# -- templates ----------------------------------------------------------------------------------------

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
@_list_options(filters="status=APPROVED or category=MARKETING")
@_pass_app
def templates_list(app: _App, /, filter_pairs: tuple[str, ...], all_pages: bool, **args: Any) -> None:
    """List templates (filters: status, category, language)."""
    filters = _filters(filter_pairs)
    _show_list(
        app,
        "templates",
        _TEMPLATE_COLUMNS,
        lambda client: client.templates.list(filters=filters, **args),
        all_pages,
    )


@templates.command("sync")
@_pass_app
def templates_sync(app: _App) -> None:
    """Refresh the template table from the WhatsApp Business Account."""
    app.record("Templates synced", app.run(lambda client: client.templates.sync()))


# -- account ------------------------------------------------------------------------------------------


@cli.command("account")
@_pass_app
def account(app: _App) -> None:
    """The account, its usage, the plan's limits and the rate-limit figures."""

    async def fetch(client: wacr.Client) -> tuple[Any, Any, Any]:
        return await asyncio.gather(client.account.get(), client.account.usage(), client.account.limits())

    info, usage, limits = app.run(fetch)
    rate = _rate_limit(info, usage, limits)
    if app.json:
        app.emit_json(
            {"account": _wire(info), "usage": _wire(usage), "limits": _wire(limits), "rate_limit": rate}
        )
        return
    app.record("Account", info)
    table = Table(title="Usage", title_justify="left", box=None, padding=(0, 2), header_style="bold")
    for header in ("Feature", "Used", "Limit", "Remaining"):
        table.add_column(header, justify="left" if header == "Feature" else "right")
    for name, entry in _wire(usage).items():
        if isinstance(entry, Mapping):
            limit = "unlimited" if entry.get("is_unlimited") else _text(entry.get("limit"))
            table.add_row(name, _text(entry.get("current")), limit, _text(entry.get("remaining")))
    app.console.print(table)
    wire_limits = _wire(limits)
    per_minute = _get(wire_limits, "limits.api_calls_per_minute.limit")
    features = wire_limits.get("features") or {}
    on = ", ".join(name for name, enabled in features.items() if enabled) or "none"
    app.console.print(Text(f"API calls per minute: {_text(per_minute) or '?'}; features: {on}"))
    if rate is not None:
        resets = f"; the window resets at {rate['reset']}" if rate["reset"] else ""
        app.console.print(Text(f"Rate limit: {rate['remaining']} of {rate['limit']} requests left{resets}"))


def _rate_limit(*results: Any) -> dict[str, Any] | None:
    """The rate-limit figures of these answers' ``X-RateLimit-*`` headers, as JSON: those of the
    answer with the fewest requests left (the latest state of the window), or ``None``."""
    figures = [
        result.response.rate_limit
        for result in results
        if result.response is not None and result.response.rate_limit is not None
    ]
    if not figures:
        return None
    latest = min(figures, key=lambda figure: figure.remaining)
    reset = latest.reset.isoformat() if latest.reset is not None else None
    return {"limit": latest.limit, "remaining": latest.remaining, "reset": reset}


# -- emulator -----------------------------------------------------------------------------------------


@cli.command(
    "emulator",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def emulator(args: tuple[str, ...]) -> int:
    """Serve the API emulator: --port P --token T [--rate-limit N] (see 'wacr emulator --help')."""
    from wacr.testing import main as emulator_main

    return emulator_main(list(args), prog="wacr emulator")


# -- entry point --------------------------------------------------------------------------------------


def _one_line(error: BaseException) -> str:
    """An error as one line; the SDK's pre-send checks as ``field: message; field: message``."""
    if isinstance(error, wacr.ValidationError) and error.status is None and error.errors:
        text = _field_errors(error.errors)
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def _usage_line(error: click.ClickException) -> str:
    text = " ".join(error.format_message().split()).rstrip(".")
    text = text[:1].lower() + text[1:]  # "Missing option" -> "error: missing option"
    ctx = getattr(error, "ctx", None)
    if isinstance(error, click.UsageError) and ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


def _fail(message: str, status: int) -> int:
    click.echo(f"error: {message}", err=True)
    return status


def main(argv: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """Run the ``wacr`` command; returns the exit status (the console script exits with it).

    Every error becomes one ``error: ...`` line on stderr: 2 for a bad argument (a usage
    error, or an argument the SDK rejects before sending), 1 for an error from the API or the
    network, 130 when interrupted.
    """
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None, prog_name=prog_name, standalone_mode=False
        )
    except click.ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `wacr` or `wacr send` alone (click >= 8.2)
            exc.show()
            return exc.exit_code
        return _fail(_usage_line(exc), exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        return _fail("interrupted", EXIT_INTERRUPTED)
    except (wacr.ConfigurationError, wacr.ValidationError) as exc:
        if isinstance(exc, wacr.ValidationError) and exc.status is not None:
            return _fail(_one_line(exc), EXIT_API_ERROR)
        return _fail(_one_line(exc), EXIT_USAGE)
    except wacr.WacrError as exc:
        return _fail(_one_line(exc), EXIT_API_ERROR)
    except BrokenPipeError:
        # The reader went away (`wacr contacts list --all | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_API_ERROR
    except Exception as exc:
        if logging.getLogger("wacr").isEnabledFor(logging.DEBUG):
            raise
        return _fail(f"unexpected {type(exc).__name__}: {_one_line(exc)} (run with -vv for a traceback)", 1)
    return result if isinstance(result, int) else 0
