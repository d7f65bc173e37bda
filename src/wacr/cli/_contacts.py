"""``wacr contacts``: create, get, update, delete, list, and import a CSV (:mod:`wacr.cli.csv_import`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from wacr.cli._app import EXIT_API_ERROR, App, Group, InputError, pass_app
from wacr.cli._format import plural, printable, ranges
from wacr.cli._options import Decorator, IntList, ModelChoice, api_command, id_argument, list_command

if TYPE_CHECKING:
    from wacr.cli._output import Column  # rich: only once a result is printed

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
_INCLUDE = click.option("--include", help="Related data to embed: groups, source, status (comma-separated).")


@click.group(cls=Group)
def contacts() -> None:
    """Contacts: create, get, update, delete, list, and import a CSV file."""


def _fields(*, create: bool) -> list[Decorator]:
    """The contact's fields as options: the six the API requires are required to create."""
    options: list[Decorator] = [
        click.option("--firstname", required=create, help="First name."),
        click.option("--lastname", required=create, help="Last name."),
        click.option("--phone", required=create, help="Phone with country code (unique per account)."),
        click.option("--type", required=create, type=ModelChoice("ContactTypeLiteral"), help="Contact type."),
        click.option("--source-id", required=create, type=int, help="An existing source's id."),
        click.option("--status-id", required=create, type=int, help="An existing status's id."),
        click.option("--email", help="Email (unique per account)."),
    ]
    options += [
        click.option(f"--{name}", help=f"{name.capitalize()}.") for name in ("company", "description")
    ]
    options += [click.option(f"--{name}", help=f"{name.capitalize()}.") for name in ("city", "state", "zip")]
    options += [
        click.option("--address", help="Street address."),
        click.option("--country-id", type=int, help="Country id."),
        click.option("--assigned-id", type=int, help="The user the contact is assigned to."),
        click.option(
            "--groups",
            type=IntList(),
            help="Group ids, comma-separated" + ("." if create else " (REPLACES every membership)."),
        ),
    ]
    return options


list_command(
    contacts,
    "contacts.list",
    "contact",
    _CONTACT_COLUMNS,
    _INCLUDE,
    filters="status_id=3 or created_at.gte=2026-01-01",
    help="List contacts, one page (default) or --all.",
)
api_command(
    contacts, "get", "contacts.get", "Contact {id}", id_argument(), _INCLUDE, help="Show one contact."
)
api_command(
    contacts, "create", "contacts.create", "Contact created", *_fields(create=True), help="Create a contact."
)
api_command(
    contacts,
    "update",
    "contacts.update",
    "Contact {id} updated",
    id_argument(),
    *_fields(create=False),
    help="Change some fields of a contact; only the options given are sent.",
)
api_command(
    contacts, "delete", "contacts.delete", "Contact {id} deleted", id_argument(), help="Delete a contact."
)


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
    type=ModelChoice("ContactTypeLiteral"),
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
    in batches. Failed and skipped rows are summed up by reason, with a few of their line
    numbers (--json lists every line). Exits 0 once every row was tried, 1 when the import
    stopped early.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    import wacr
    from wacr.cli.csv_import import CsvError, ImportReport, import_contacts, read_contacts_csv

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


def _show_import(app: App, report: Any) -> None:
    from rich.text import Text

    from wacr.cli._output import table

    if app.json:
        app.emit_json(report.to_json())
        return
    summary = (
        f"{report.file}: {report.created} created, {len(report.skipped)} skipped, "
        f"{len(report.failed)} failed ({plural(report.rows, 'row')})"
    )
    if report.not_imported:
        summary += f"; stopped early, {plural(len(report.not_imported), 'row')} not imported"
    app.console.print(Text(printable(summary), style="bold"))  # the file's name
    if report.not_imported:
        app.console.print(Text(f"not imported: lines {ranges(report.not_imported)}"))
    reasons = report.reasons()
    if reasons:
        rows = [(r.outcome, r.count, r.reason, r.example_lines()) for r in reasons]
        table(app, ["Result", "Rows", "Reason", "Lines"], rows, right=["Rows"])
