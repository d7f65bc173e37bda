"""Reading a contacts CSV for ``wacr contacts import`` (:mod:`wacr.cli.csv_import` sends it).

The whole input is read, decoded strictly as UTF-8 (a BOM is allowed) and parsed before anything
is sent, so that a file that is not a contacts CSV is refused with its line and byte offset. The
parsed rows stay in memory for the import (about twelve times the file's size, see
docs/guides/contacts.md).
"""

from __future__ import annotations

import codecs
import csv
import re
import sys
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import attrs

import wacr
from wacr.cli._format import field_errors

__all__ = ["CsvError", "CsvRow", "read_contacts_csv"]


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


def read_contacts_csv(path: str, defaults: Mapping[str, Any]) -> list[CsvRow]:
    """Parse every row of a contacts CSV (``-`` reads stdin) into a :class:`CsvRow`.

    Cells are stripped, empty cells left out, integer fields converted (``group_id`` takes ids
    separated by commas); ``defaults`` fill fields a row leaves empty. A row whose cells do not
    convert gets a ``problem``; the API's rules are left to :func:`import_contacts`, which has
    the SDK check each row. A file that cannot be read as a contacts CSV (unreadable, not UTF-8,
    a quote never closed...) raises :class:`CsvError` naming the line.
    """
    text = _decode(path, _read(path))
    return _parse_csv(path, _Records(path, text), defaults)


#: The largest input the import reads: it holds the parsed file in memory (about twelve times its
#: size), and a device such as /dev/zero would never end.
MAX_CSV_BYTES = 256 * 1024 * 1024


def _read(path: str) -> bytes:
    """The input's bytes: stdin is read as bytes too, so that it decodes exactly as a file does."""
    stdin: IO[Any] | None = sys.stdin
    if path == "-" and stdin is None:
        raise CsvError("-: there is no standard input to read (it is closed)")
    try:
        if path != "-" or stdin is None:
            with open(path, "rb") as file:
                data = file.read(MAX_CSV_BYTES + 1)
        else:
            data = getattr(stdin, "buffer", stdin).read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise CsvError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError as exc:  # reading a closed stream
        raise CsvError(f"{path}: cannot be read ({exc})") from None
    if len(data) > MAX_CSV_BYTES:
        raise CsvError(
            f"{path}: is larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB; split it into smaller files "
            "(the import holds the whole file in memory)"
        )
    # A text stdin (replaced by the embedding program) is taken as the text it holds.
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)


def _decode(path: str, data: bytes) -> str:
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = 1 + sum(1 for part in data[:offset].splitlines(keepends=True) if part.endswith((b"\n", b"\r")))
        raise CsvError(f"{path}: not UTF-8 text ({exc.reason} at byte {offset}, on line {line})") from None


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


class _Lines:
    """The text's lines for csv.reader, keeping the lines of the record being read."""

    def __init__(self, text: str) -> None:
        # Lines as a file opened with newline="" gives them, without a second copy of the text.
        self._lines = (match[0] for match in _LINE.finditer(text))
        self.record: list[str] = []
        self.at_end = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.at_end = True
            raise
        self.record.append(line)
        return line


class _Records:
    """``(first line, cells)`` of every record; a csv error or a quote still open at the end of
    the file is a :class:`CsvError` naming the line."""

    def __init__(self, path: str, text: str) -> None:
        self._path = path
        self._lines = _Lines(text)
        self._reader = csv.reader(self._lines)
        self.line_num = 0  # the last line of the last record read

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            first = self.line_num + 1  # a quoted cell may span lines: a record starts after the last
            self._lines.record = []
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CsvError(
                    f"{self._path}: not a valid CSV file ({exc}, in the row starting on line {first})"
                ) from None
            self.line_num = self._reader.line_num
            if self._lines.at_end:
                # Without strict mode csv.reader ends a quoted cell at the end of the file: every
                # line after the quote would become one cell, never tried. Refuse the file.
                opened = _open_quote(self._lines.record, first)
                if opened is not None:
                    raise CsvError(
                        f"{self._path}: unterminated quote starting on line {opened} "
                        "(it is never closed: every later line would be one cell)"
                    )
            yield first, cells


def _open_quote(lines: Sequence[str], first: int) -> int | None:
    """The line whose quote is still open at the end of ``lines`` (one record), as csv.reader
    reads quotes: a quote opens only at the start of a cell, and ``""`` inside is one quote."""
    opened: int | None = None
    quoted, cell_start = False, True
    for number, line in enumerate(lines, first):
        index = 0
        while index < len(line):
            char = line[index]
            if quoted:
                if char == '"':
                    if line.startswith('"', index + 1):
                        index += 1
                    else:
                        quoted = False
            elif char == '"' and cell_start:
                quoted, opened = True, number
            cell_start = not quoted and char in ",\r\n"
            index += 1
    return opened if quoted else None


def _parse_csv(path: str, records: _Records, defaults: Mapping[str, Any]) -> list[CsvRow]:
    rows = iter(records)
    header: list[str] | None = next(rows, (0, None))[1]
    while header is not None and not any(cell.strip() for cell in header):
        header = next(rows, (0, None))[1]  # blank lines before the header
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

    parsed: list[CsvRow] = []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line (or one of empty cells only)
        parsed.append(_parse_row(line, columns, cells, defaults))
    return parsed


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
