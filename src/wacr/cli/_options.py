"""Option types and options several commands share: ids, JSON, filters, phone, lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
import orjson

import wacr
from wacr.cli._app import App, Column

__all__ = [
    "IntList",
    "JsonValue",
    "contact_id_option",
    "filters_of",
    "list_options",
    "phone_option",
    "show_list",
    "split_pairs",
]


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
        if not isinstance(value, str):
            return value
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            self.fail(f"not valid JSON ({exc})", param, ctx)


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


def phone_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--phone", required=True, help="Phone number with country code, e.g. +201000000000.")


def contact_id_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--contact-id", type=int, help="An existing contact (skips lookup and auto-creation)."
    )


def list_options(*, filters: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
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


def show_list(
    app: App,
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
