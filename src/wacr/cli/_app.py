"""The ``wacr`` command's root: global options, the command table, the settings every command shares.

Only click and ``import wacr`` (which loads no client) are imported here: ``wacr --help`` reads
the command table below and imports no command module; a command group's module is imported
when that group is used, the client when a command calls the API, rich when a result is printed.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeVar

import click

import wacr

if TYPE_CHECKING:
    from rich.console import Console

    from wacr.cli._output import Column

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "App",
    "Group",
    "InputError",
    "cli",
    "pass_app",
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


@dataclass
class App:
    """The global options, shared by every command through the click context."""

    token: str | None
    base_url: str | None
    json: bool
    timeout: float
    max_retries: int
    max_retry_wait: float

    @cached_property
    def console(self) -> Console:
        from wacr.cli._output import make_console

        return make_console(stderr=False)

    @cached_property
    def errors(self) -> Console:
        from wacr.cli._output import make_console

        return make_console(stderr=True)

    def client(self) -> wacr.Client:
        if not self.token:
            raise InputError("no API token: pass --token or set the WACR_TOKEN environment variable")
        base_url = {"wacr": wacr.WACR, "rasl": wacr.RASL}.get((self.base_url or "").lower(), self.base_url)
        return wacr.Client(
            self.token,
            base_url=base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            max_retry_wait=self.max_retry_wait,
            event_hooks={"retry": [self.retry_notice]},
        )

    def retry_notice(self, event: wacr.HookEvent) -> None:
        """One line on stderr before the wait of a retry after a 429, or of any retry that waits
        a second or more: the command would seem to hang (a quick reconnect says nothing)."""
        from wacr.cli._format import one_line, printable

        if event.status != 429 and (event.wait or 0) < 1:
            return
        why = "rate limited (429)" if event.status == 429 else (one_line(event.error) if event.error else "")
        click.echo(
            f"notice: {printable(why)}; retrying in {event.wait or 0:.1f} s "
            f"(attempt {event.attempt + 1} of {self.max_retries + 1})",
            err=True,
        )

    def run(self, call: Callable[[wacr.Client], Awaitable[T]]) -> T:
        """Open a client, await ``call(client)`` in a new event loop, close the client."""
        import asyncio  # not for `--help`: asyncio alone costs about as much as click

        client = self.client()

        async def go() -> T:
            async with client:
                return await call(client)

        try:
            return asyncio.run(go())
        except wacr.ValidationError as exc:
            if exc.status is None:  # refused before sending: name the options the user typed
                name_options(exc, click.get_current_context(silent=True))
            raise

    # -- output (rich is loaded by wacr.cli._output, on the first result printed) ------------------

    def emit_json(self, data: Any) -> None:
        from wacr.cli._output import emit_json

        emit_json(data)

    def record(self, title: str, obj: Any, extra: Mapping[str, Any] | None = None) -> None:
        """One result: its fields as JSON, or a two-column table."""
        from wacr.cli._output import record

        record(self, title, obj, extra)

    def show(self, title: str, call: Callable[[wacr.Client], Awaitable[Any]]) -> None:
        """Make one API call and print its result."""
        self.record(title, self.run(call))

    def show_list(
        self,
        noun: str,
        columns: Sequence[Column],
        pager: Callable[[wacr.Client], wacr.Paginator[Any]],
        all_pages: bool,
    ) -> None:
        """One page of a listing (or every page with ``all_pages``), as JSON or a table."""
        from wacr.cli._output import listing

        async def fetch(client: wacr.Client) -> tuple[list[Any], wacr.Page[Any] | None]:
            if all_pages:
                return [item async for item in pager(client)], None
            page = await pager(client)
            return page.items, page

        items, page = self.run(fetch)
        listing(self, noun, items, columns, page)


pass_app = click.make_pass_decorator(App)


def name_options(error: wacr.ValidationError, ctx: click.Context | None) -> None:
    """Key the SDK's field errors by the command's options where a field is one (``phone`` ->
    ``--phone``); a field inside an option's JSON keeps its path (``buttons.0.title``)."""
    if ctx is None:
        return
    options = {
        param.name: max(param.opts, key=len)
        for param in ctx.command.params
        if isinstance(param, click.Option) and param.name
    }
    error.errors = {options.get(field, field): messages for field, messages in error.errors.items()}


def _json_after(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    app = ctx.find_object(App)
    if value and app is not None:  # `wacr contacts list --json`, as well as `wacr --json contacts list`
        app.json = True


def _with_json_option(params: list[click.Parameter]) -> None:
    params.append(
        click.Option(
            ["--json"],
            is_flag=True,
            expose_value=False,
            callback=_json_after,
            help="Print the result as JSON (the API's field names).",
        )
    )


class Command(click.Command):
    """A leaf command: accepts ``--json`` after its name too; its line in a group's help is a whole
    clause of its first sentence, not one cut mid-word."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_json_option(self.params)

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help or not self.help:
            return super().get_short_help_str(limit)
        return short_help(self.help, limit) or super().get_short_help_str(limit)


def short_help(text: str, limit: int) -> str | None:
    """The first sentence of ``text`` if it fits in ``limit`` characters, else its longest
    leading clause that does (ending before " (", "; ", ": " or ", "), else None."""
    sentence = " ".join(text.split("\n\n", 1)[0].split())
    end = sentence.find(". ")
    if end >= 0:
        sentence = sentence[: end + 1]
    if len(sentence) <= limit:
        return sentence
    cuts = [at for mark in (" (", "; ", ": ", ", ") for at in _finds(sentence, mark) if 0 < at <= limit]
    return sentence[: max(cuts)] if cuts else None


def _finds(text: str, mark: str) -> list[int]:
    found, at = [], text.find(mark)
    while at >= 0:
        found.append(at)
        at = text.find(mark, at + 1)
    return found


class Group(click.Group):
    """A command group whose commands (and sub-groups) accept ``--json`` after their name."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.invoke_without_command:  # `wacr account --json`
            _with_json_option(self.params)


Group.group_class = Group

#: The top-level commands: name -> (module under wacr.cli, attribute, short help). The help is
#: written here so that `wacr --help` imports no command module (tests/cli checks it matches).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "send": ("_send", "send", "Send a message: text, template, media, interactive or cta."),
    "otp": ("_otp", "otp", "One-time codes: send (yours or server-generated), verify, resend, status."),
    "contacts": ("_contacts", "contacts", "Contacts: create, get, update, delete, list, import a CSV."),
    "messages": ("_messages", "messages", "The message history: list and get."),
    "templates": ("_templates", "templates", "WhatsApp message templates: list, get and sync."),
    "groups": ("_groups", "groups", "Contact groups: list, create, get, update, delete, members."),
    "sources": ("_sources", "sources", "Contact sources: list, create, get, update, delete."),
    "statuses": ("_statuses", "statuses", "Contact statuses: list, create, get, update, delete."),
    "comments": ("_comments", "comments", "Team notes on a conversation: list and add."),
    "account": ("_account", "account", "The account, its usage and the plan's limits."),
    "emulator": ("_emulator", "emulator", "Serve the API emulator (for tests and demos)."),
    "completion": ("_completion", "completion", "Print the shell completion script: bash, zsh or fish."),
}


class LazyGroup(Group):
    """The root group: a command's module is imported only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _ = entry
        command: click.Command = getattr(import_module(f"wacr.cli.{module}"), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The short help from the table: printing the list imports no command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, entry[2]) for name, entry in COMMANDS.items()])


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--token", envvar="WACR_TOKEN", show_envvar=True, metavar="TOKEN", help="API token.")
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
@click.option(
    "--max-retry-wait",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Longest wait (seconds) for a 429's Retry-After; a longer one fails at once.",
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
    max_retry_wait: float,
    verbose: int,
) -> None:
    """Send WhatsApp messages and OTPs, and manage contacts, through the WA.cr / RASL API v2.

    The token and base URL come from --token / --base-url, else WACR_TOKEN / WACR_BASE_URL.
    --json works before or after the command. Exit status: 0 done, 1 API or connection error,
    2 bad argument (nothing sent), 130 interrupted.
    """
    if verbose:
        import logging

        logging.basicConfig(
            level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
        )
        logging.getLogger("wacr").setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    ctx.obj = App(
        token=token,
        base_url=base_url,
        json=as_json,
        timeout=timeout,
        max_retries=max_retries,
        max_retry_wait=max_retry_wait,
    )
