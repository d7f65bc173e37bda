"""``wacr contacts``: list, show and import (the import engine is :mod:`wacr.cli.csv_import`)."""

from __future__ import annotations

from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import wacr
from wacr.cli._app import EXIT_API_ERROR, App, Column, InputError, cli, pass_app
from wacr.cli._format import plural, ranges
from wacr.cli._options import filters_of, list_options, show_list
from wacr.cli.csv_import import CsvError, ImportReport, import_contacts, read_contacts_csv

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
@list_options(filters="status_id=3 or created_at.gte=2026-01-01")
@click.option("--include", help="Related data to embed: groups, source, status (comma-separated).")
@pass_app
def contacts_list(app: App, /, filter_pairs: tuple[str, ...], all_pages: bool, **args: Any) -> None:
    """List contacts, one page (default) or --all."""
    filters = filters_of(filter_pairs)
    show_list(
        app,
        "contacts",
        _CONTACT_COLUMNS,
        lambda client: client.contacts.list(filters=filters, **args),
        all_pages,
    )


@contacts.command("get")
@click.argument("id", type=int)
@click.option("--include", help="Related data to embed: groups, source, status (comma-separated).")
@pass_app
def contacts_get(app: App, /, id: int, include: str | None) -> None:
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
@pass_app
def contacts_import(
    app: App,
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
    assigned_id, group_id (ids separated by commas), addedfrom. Rows that break the API's rules
    (the SDK's own checks) are reported with their line number and not sent; the rest are sent
    in batches. Exits 0 once every row was tried (failed rows are
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
    try:
        rows = read_contacts_csv(file, defaults)
    except CsvError as exc:
        raise InputError(str(exc)) from None
    report = ImportReport(file=file, rows=len(rows))
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
                lambda client: import_contacts(
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


def _show_import(app: App, report: ImportReport) -> None:
    if app.json:
        app.emit_json(report.to_json())
        return
    summary = (
        f"{report.file}: {report.created} created, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed ({plural(report.rows, 'row')})"
    )
    if report.not_imported:
        summary += f"; stopped early, {plural(len(report.not_imported), 'row')} not imported"
    app.console.print(Text(summary, style="bold"))
    if report.not_imported:
        app.console.print(Text(f"not imported: lines {ranges(report.not_imported)}"))
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
