"""The CSV import engine of ``wacr contacts import``: read a contacts CSV, send it in batches.

Usable without click or rich (only the ``wacr`` command's output needs them)::

    from wacr.cli.csv_import import ImportReport, import_contacts, read_contacts_csv

    rows = read_contacts_csv("contacts.csv", {"type": "lead"})   # raises CsvError for a bad file
    report = ImportReport(file="contacts.csv", rows=len(rows))
    async with wacr.Client(token) as client:
        await import_contacts(client, rows, report, batch_size=100)
    print(report.to_json())

The columns are the fields of :class:`wacr.models.BatchContact`. Reading turns cells into the
fields' types (integers, lists of integers); the API's rules are not repeated here: every row is
checked by the SDK's own argument checks when its batch is sent (a refused row is reported with
its line and never sent).
"""

from __future__ import annotations

import csv
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import attrs

import wacr
from wacr.cli._format import Reason, by_reason, field_errors, message_map, one_line

__all__ = ["CsvError", "CsvRow", "ImportReport", "Reason", "import_contacts", "read_contacts_csv"]


class CsvError(ValueError):
    """A file that cannot be read as a contacts CSV (found before anything was sent)."""


def _kind(hint: Any) -> str:
    """``"int"``, ``"ints"`` (a list of integers) or ``"str"``: how a cell becomes the field's value."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if union else (hint,)
    for option in options:
        if option is int:
            return "int"
        if typing.get_origin(option) is list and typing.get_args(option) == (int,):
            return "ints"
    return "str"


def _fields() -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]:
    """The batch item's fields: their names in order, the kind of each, the required ones."""
    hints = typing.get_type_hints(wacr.models.BatchContact)
    fields = attrs.fields(wacr.models.BatchContact)
    names = tuple(f.name for f in fields)
    return (
        names,
        {f.name: _kind(hints[f.name]) for f in fields},
        tuple(f.name for f in fields if f.default is attrs.NOTHING),
    )


_CONTACT_FIELDS, _KINDS, _REQUIRED_FIELDS = _fields()


def _column_key(name: str) -> str:
    """Header names match fields loosely: ``First Name``, ``first-name`` and ``firstname`` alike."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


_FIELD_BY_COLUMN = {_column_key(name): name for name in _CONTACT_FIELDS}


@dataclass
class CsvRow:
    """One data row of the CSV: its first line number, and the contact or why it is invalid."""

    line: int
    contact: dict[str, Any]
    problem: str | None = None


@dataclass
class ImportReport:
    """What happened to every row of an import, by CSV line number."""

    file: str
    rows: int
    created: int = 0
    skipped: list[tuple[int | None, str]] = field(default_factory=list)
    failed: list[tuple[int | None, str]] = field(default_factory=list)
    #: Lines never created because the import stopped (--stop-on-error, or an error that aborted it).
    not_imported: list[int] = field(default_factory=list)

    def reasons(self) -> list[Reason]:
        """Failed, then skipped rows grouped by reason (the value each row had left out), the
        most common first."""
        return by_reason({"failed": self.failed, "skipped": self.skipped})

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (``--json``): every line, and the lines by reason."""
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
            "reasons": [
                {"result": r.outcome, "reason": r.reason, "rows": r.count, "lines": r.lines}
                for r in self.reasons()
            ],
        }


def read_contacts_csv(path: str, defaults: Mapping[str, Any]) -> list[CsvRow]:
    """Parse every row of a contacts CSV (``-`` reads stdin) into a :class:`CsvRow`.

    Cells are stripped, empty cells left out, integer fields converted (``group_id`` takes ids
    separated by commas); ``defaults`` fill fields a row leaves empty. A row whose cells do not
    convert gets a ``problem``; the API's rules are left to :func:`import_contacts`, which has
    the SDK check each row. A file that cannot be read as a contacts CSV raises :class:`CsvError`.
    """
    try:
        stream = sys.stdin if path == "-" else open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise CsvError(f"{path}: {exc.strerror or exc}") from None
    try:
        with stream:
            return _parse_csv(path, csv.reader(stream), defaults)
    except UnicodeDecodeError as exc:
        raise CsvError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except csv.Error as exc:
        raise CsvError(f"{path}: not a valid CSV file ({exc})") from None


def _parse_csv(path: str, reader: Any, defaults: Mapping[str, Any]) -> list[CsvRow]:
    header: list[str] | None = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)  # blank lines before the header
    if header is None:
        raise CsvError(
            f"{path}: the file is empty (expected a header row: {', '.join(_REQUIRED_FIELDS)}, ...)"
        )
    columns = [_FIELD_BY_COLUMN.get(_column_key(cell), "") for cell in header]
    unknown = [cell.strip() for cell, name in zip(header, columns) if not name]  # noqa: B905 - same length
    if unknown:
        raise CsvError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))} "
            f"(the columns are the contact fields: {', '.join(_CONTACT_FIELDS)})"
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise CsvError(f"{path}: column(s) {', '.join(repeated)} appear more than once")
    missing = [name for name in _REQUIRED_FIELDS if name not in columns and name not in defaults]
    if missing:
        hint = " or ".join(
            f"--{name.replace('_', '-')}" for name in missing if name in ("type", "source_id", "status_id")
        )
        raise CsvError(
            f"{path}: missing column(s) {', '.join(missing)}" + (f" (or pass {hint})" if hint else "")
        )

    rows: list[CsvRow] = []
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
) -> CsvRow:
    contact: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if len(cells) > len(columns):
        errors["row"] = [f"has {len(cells)} cells but the header has {len(columns)} columns"]
    for name, cell in zip(columns, cells):  # noqa: B905 - short rows leave fields empty
        value = cell.strip()
        if not value:
            continue
        kind = _KINDS[name]
        try:
            if kind == "int":
                contact[name] = int(value)
            elif kind == "ints":
                contact[name] = [int(part) for part in re.split(r"[,;\s]+", value) if part]
            else:
                contact[name] = value
        except ValueError:
            what = "an integer" if kind == "int" else "integers separated by commas"
            errors.setdefault(name, []).append(f"must be {what} (got {value!r})")
    for name, value in defaults.items():
        contact.setdefault(name, value)
    # The API's rules are checked by the SDK when the row's batch is sent (see _send_batch).
    return CsvRow(line, contact, field_errors(errors) if errors else None)


async def import_contacts(
    client: wacr.Client,
    rows: Sequence[CsvRow],
    report: ImportReport,
    *,
    batch_size: int = 100,
    skip_duplicates: bool = False,
    continue_on_error: bool = True,
    advance: Callable[[int], None] = lambda n: None,
) -> ImportReport:
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

    def stop() -> ImportReport:
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
            batch: list[CsvRow] = []
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
    batch: Sequence[CsvRow],
    options: Mapping[str, bool],
    report: ImportReport,
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
    held: tuple[CsvRow, str] | None = None
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
                    report.failed.append((rows[index].line, field_errors(refused[index])))
                    done.add(rows[index].line)
                    advance(1)
                rows = [row for index, row in enumerate(rows) if index not in refused]
                all_ok = False
            else:
                first = min(refused)
                held = (rows[first], field_errors(refused[first]))
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
    rows: Sequence[CsvRow],
    report: ImportReport,
    done: set[int],
    advance: Callable[[int], None],
) -> None:
    """A batch the server refused as a whole, or whose fate is unknown: each of its rows failed."""
    reason = one_line(exc)
    if getattr(exc, "may_have_been_processed", False):
        reason = f"the batch may have been created (not retried): {reason}"
    report.failed.extend((row.line, reason) for row in rows)
    done.update(row.line for row in rows)
    advance(len(rows))


def _record_result(
    result: wacr.models.BatchCreateResult,
    batch: Sequence[CsvRow],
    options: Mapping[str, bool],
    report: ImportReport,
) -> None:
    def line_of(index: int | None) -> int | None:
        return batch[index].line if index is not None and 0 <= index < len(batch) else None

    handled: set[int | None] = set()
    for skipped in result.skipped or []:
        handled.add(line_of(skipped.index))
        report.skipped.append((line_of(skipped.index), skipped.reason or "skipped"))
    for failure in result.errors or []:
        handled.add(line_of(failure.index))
        why = field_errors(message_map(failure.errors)) if failure.errors else failure.message
        report.failed.append((line_of(failure.index), why or "failed"))
    if result.summary is not None and result.summary.created is not None:
        report.created += result.summary.created
    else:
        report.created += len(result.created or [])
    if result.errors and not options["continue_on_error"]:
        # Stopping on error: the server rolled the whole batch back.
        report.not_imported.extend(row.line for row in batch if row.line not in handled)
