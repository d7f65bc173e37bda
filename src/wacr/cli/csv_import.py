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
its line and never sent). Reading is in :mod:`wacr.cli._csv_read`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import wacr
from wacr.cli._csv_read import CsvError, CsvRow, read_contacts_csv
from wacr.cli._format import Reason, by_reason, field_errors, message_map, one_line

__all__ = ["CsvError", "CsvRow", "ImportReport", "Reason", "import_contacts", "read_contacts_csv"]


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
