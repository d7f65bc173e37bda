"""What the commands share: option types, common options, and commands declared from an API call.

Most commands are one API call whose options are the call's arguments: :func:`api_command` and
:func:`list_command` build them from the method's dotted name (``"contacts.get"``), the options
and a title, so that each command module is a list of declarations.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import click

from wacr.cli._app import App, Group, pass_app
from wacr.cli._format import nouns

if TYPE_CHECKING:
    import wacr
    from wacr.cli._output import Column

__all__ = [
    "Decorator",
    "IntList",
    "JsonValue",
    "ModelChoice",
    "api_command",
    "contact_id_option",
    "filters_of",
    "id_argument",
    "list_command",
    "named_table_commands",
    "phone_option",
    "split_pairs",
]

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


class IntList(click.ParamType):  # type: ignore[type-arg]
    """``1,2,3`` (and the option repeated) -> a list of ints."""

    name = "ID[,ID...]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> list[int]:
        if isinstance(value, list):
            return value
        try:
            return [int(part) for part in str(value).split(",") if part.strip()]
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of integers", param, ctx)


class JsonValue(click.ParamType):  # type: ignore[type-arg]
    """A JSON document given on the command line."""

    name = "JSON"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import orjson

        if not isinstance(value, str):
            return value
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            self.fail(f"not valid JSON ({exc})", param, ctx)


class ModelChoice(click.Choice):  # type: ignore[type-arg]
    """The documented values of one of :mod:`wacr.models`' literal types (``"MediaTypeLiteral"``),
    read when first needed: defining the option loads no model."""

    def __init__(self, literal: str) -> None:
        self._literal = literal
        super().__init__([])

    @cached_property
    def _values(self) -> list[str]:
        import wacr.models

        return list(typing.get_args(getattr(wacr.models, self._literal)))

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return self._values

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:  # click.Choice.__init__ assigns it
        pass


def filters_of(pairs: Iterable[str]) -> dict[str, Any] | None:
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


def split_pairs(values: Iterable[str], option: str, *, parts: int) -> list[list[str]]:
    """``ID=TITLE`` (or ``ID=TITLE=DESCRIPTION`` with ``parts=3``) split on ``=``."""
    split = []
    for value in values:
        fields = value.split("=", parts - 1)
        if len(fields) < 2 or not fields[0] or not fields[1]:
            shape = "ID=TITLE" if parts == 2 else "ID=TITLE[=DESCRIPTION]"
            raise click.BadParameter(f"{value!r} is not {shape}", param_hint=f"'{option}'")
        split.append(fields)
    return split


def phone_option() -> Decorator:
    return click.option("--phone", required=True, help="Phone number with country code, e.g. +201000000000.")


def contact_id_option() -> Decorator:
    return click.option(
        "--contact-id", type=int, help="An existing contact (skips lookup and auto-creation)."
    )


def id_argument(name: str = "id", type: Any = int) -> Decorator:
    return click.argument(name, type=type)


def _list_options(filters: str | None) -> list[Decorator]:
    """--page, --per-page, --sort, --search, --all, and --filter when the list has ``filters``
    (an example for the help)."""
    options: list[Decorator] = [
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
    return options


def _decorate(command: Callable[..., Any], options: Sequence[Decorator]) -> Callable[..., Any]:
    for option in reversed(options):
        command = option(command)
    return command


def api_command(
    group: Group,
    name: str,
    method: str,
    title: str,
    *options: Decorator,
    help: str,
    short_help: str | None = None,
) -> click.Command:
    """A command that calls ``client.<method>(**options)`` and prints the result.

    The options' names are the method's arguments (``--template-name`` -> ``template_name``);
    ``title`` heads the table and may name them (``"Contact {id}"``).
    """

    def command(app: App, /, **args: Any) -> None:
        app.show(title.format(**args), lambda client: attrgetter(method)(client)(**args))

    return group.command(name, help=help, short_help=short_help)(pass_app(_decorate(command, options)))


def list_command(
    group: Group,
    method: str,
    noun: str,
    columns: Sequence[Column],
    *options: Decorator,
    filters: str | None = None,
    paged: bool = True,
    name: str = "list",
    help: str,
) -> click.Command:
    """``<group> list``: one page of ``client.<method>(...)`` (``--all``: every page) as a table.

    ``paged=False`` for a listing the API answers in one page (no page options).
    """

    def command(
        app: App, /, all_pages: bool = not paged, filter_pairs: Sequence[str] = (), **args: Any
    ) -> None:
        if filter_pairs:
            args["filters"] = filters_of(filter_pairs)

        def pager(client: wacr.Client) -> wacr.Paginator[Any]:
            return attrgetter(method)(client)(**args)  # type: ignore[no-any-return]

        app.show_list(noun, columns, pager, all_pages)

    every = [*(_list_options(filters) if paged else []), *options]
    return group.command(name, help=help)(pass_app(_decorate(command, every)))


def named_table_commands(group: Group, resource: str, noun: str, *fields: Decorator) -> None:
    """``list``, ``get``, ``create``, ``update`` and ``delete`` of a table of named things
    (groups, sources, statuses): ``--name`` and the table's own ``fields``."""
    title = noun.capitalize()
    columns: list[Column] = [("ID", "id"), ("Name", "name"), ("Created", "created_at")]
    name = click.option("--name", required=True, help=f"The {noun}'s name (unique).")
    list_command(
        group,
        f"{resource}.list",
        noun,
        columns,
        filters="created_at.gte=2026-01-01",
        help=f"List {nouns(noun)}.",
    )
    api_command(group, "get", f"{resource}.get", f"{title} {{id}}", id_argument(), help=f"Show one {noun}.")
    api_command(
        group, "create", f"{resource}.create", f"{title} created", name, *fields, help=f"Create a {noun}."
    )
    api_command(
        group,
        "update",
        f"{resource}.update",
        f"{title} {{id}} updated",
        id_argument(),
        name,
        *fields,
        help=f"Rename a {noun} (--name is required by the API).",
    )
    api_command(
        group,
        "delete",
        f"{resource}.delete",
        f"{title} {{id}} deleted",
        id_argument(),
        help=f"Delete a {noun}.",
    )
