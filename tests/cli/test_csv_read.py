"""Reading a contacts CSV (:mod:`wacr.cli._csv_read`): a file is read whole or refused with the
line (and byte) at fault, from a file and from stdin alike; ``wacr contacts import`` run as a
subprocess against the emulator, nothing sent for a refused file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Result, environment
from wacr.cli.csv_import import CsvError, read_contacts_csv
from wacr.testing import Emulator

HEADER = "firstname,lastname,phone,type,source_id,status_id\n"


def row(n: int) -> str:
    return f"Name{n},Last,+2010{n:08d},lead,1,1\n"


def wacr_import(emulator: Emulator, *args: str, stdin: bytes | None = None, **kwargs: object) -> Result:
    """``python -m wacr [args] contacts import ...`` with ``stdin`` piped in (or ``kwargs`` for it)."""
    process = subprocess.run(
        [sys.executable, "-m", "wacr", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env=environment(emulator),
        **kwargs,  # type: ignore[call-overload]
    )
    return Result(process.returncode, process.stdout.decode(), process.stderr.decode())


def refused(path: Path, *fragments: str) -> str:
    with pytest.raises(CsvError) as caught:
        read_contacts_csv(str(path), {})
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (HEADER + row(2) + '"' + row(3) + row(4) + row(5), 3),  # a stray quote swallows lines 4-5
        (HEADER + row(2) + 'A,"two\nlines",+201000000003,lead,1,1\nB,"never closed\n' + row(6), 5),
        (HEADER + row(2) + 'A,B,+201000000003,lead,1,"1', 3),  # no newline at the end
        ('firstname,"lastname,phone\n' + row(2), 1),  # in the header
        (HEADER + 'A,"say ""hi"" now,+201000000002,lead,1,1\n' + row(3), 2),  # "" is one quote
        (HEADER.replace("\n", "\r") + row(2).replace("\n", "\r") + '"A\rB\r', 3),  # CR line endings
    ],
)
def test_an_unterminated_quote_refuses_the_file_naming_its_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(text, newline="")
    refused(path, f"unterminated quote starting on line {line}")


def test_closed_quotes_and_quotes_inside_cells_are_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        HEADER
        + 'A,"two\nlines",+201000000002,lead,1,1\n'
        + 'B,"say ""hi""",+201000000004,lead,1,1\n'
        + 'C,O"Neil,+201000000005,lead,1,1\n'  # a quote inside a cell is a character
        + 'D,"last",+201000000006,lead,1,"1"'  # closed at the end of the file
    )
    rows = read_contacts_csv(str(path), {})
    assert [(r.line, r.contact["lastname"]) for r in rows] == [
        (2, "two\nlines"),
        (4, 'say "hi"'),
        (5, 'O"Neil'),
        (6, "last"),
    ]


def test_a_bad_byte_is_named_by_its_file_offset_and_line(tmp_path: Path) -> None:
    head = (HEADER + "".join(row(n) for n in range(2, 402))).encode()
    path = tmp_path / "contacts.csv"
    path.write_bytes(head + b"Caf\xe9,X,+201099999999,lead,1,1\n")
    refused(path, "not UTF-8 text", f"at byte {len(head) + 3}, on line 402")
    path.write_bytes(b"\xef\xbb\xbf" + head.replace(b"\n", b"\r\n") + b"\xff\n")  # BOM, CRLF
    refused(path, f"at byte {3 + len(head) + 401}, on line 402")
    path.write_bytes(head.replace(b"\n", b"\r") + b"\xff\r")  # CR-only line endings
    refused(path, f"at byte {len(head)}, on line 402")


def test_a_field_over_the_csv_limit_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + "".join(row(n) for n in range(2, 402)) + "X" * 200_000 + ",Y,+2010,lead,1,1\n")
    refused(path, "field larger than field limit", "on line 402")


def test_a_refused_file_sends_nothing_and_exits_2(wacr_emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(HEADER + row(2) + '"' + row(3) + row(4))
    result = wacr_import(wacr_emulator, "contacts", "import", str(path))
    result.assert_one_line_error(2, f"error: {path}: unterminated quote starting on line 3")
    assert wacr_emulator.received == []


def test_stdin_decodes_as_a_file_does(wacr_emulator: Emulator, tmp_path: Path) -> None:
    latin1 = (HEADER + "Café,B,+201000000401,lead,1,1\n").encode("latin-1")
    path = tmp_path / "latin1.csv"
    path.write_bytes(latin1)
    from_file = wacr_import(wacr_emulator, "contacts", "import", str(path))
    from_stdin = wacr_import(wacr_emulator, "contacts", "import", "-", stdin=latin1)
    reason = "not UTF-8 text (invalid continuation byte at byte 53, on line 2)"
    assert from_file.assert_one_line_error(2, reason) == f"error: {path}: {reason}"
    assert from_stdin.assert_one_line_error(2, reason) == f"error: -: {reason}"
    assert wacr_emulator.received == []
    # UTF-8 with a BOM on stdin, in any locale: read as a file would be.
    utf8 = b"\xef\xbb\xbf" + (HEADER + "Café,B,+201000000402,lead,1,1\n").encode()
    result = wacr_import(wacr_emulator, "--json", "contacts", "import", "-", stdin=utf8)
    assert result.code == 0, result.err
    assert result.json["summary"]["created"] == 1
    contact = wacr_emulator.get_contact("+201000000402")
    assert contact is not None and contact["firstname"] == "Café"


@pytest.mark.parametrize("verbose", [(), ("-vv",)])
def test_input_that_fails_while_read_is_a_bad_file(wacr_emulator: Emulator, verbose: tuple[str, ...]) -> None:
    # /proc/self/mem exists but every read of its first page fails (EIO): no traceback, even with -vv.
    result = wacr_import(wacr_emulator, *verbose, "contacts", "import", "/proc/self/mem")
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err.splitlines()[-1] == "error: /proc/self/mem: cannot be read (Input/output error)"
    closed = wacr_import(
        wacr_emulator, *verbose, "contacts", "import", "-", stdin=None, preexec_fn=lambda: os.close(0)
    )
    assert closed.code == 2, closed.err
    assert "Traceback" not in closed.err
    assert closed.err.splitlines()[-1] == "error: -: there is no standard input to read (it is closed)"
    empty = wacr_import(wacr_emulator, *verbose, "contacts", "import", "-", stdin=b"")
    assert empty.code == 2 and empty.err.splitlines()[-1].startswith("error: -: the file is empty")
    assert wacr_emulator.received == []


def test_an_input_that_never_ends_is_refused_at_the_bound(wacr_emulator: Emulator) -> None:
    # /dev/zero would be read for ever (and the import holds what it reads): refused past the bound.
    result = wacr_import(wacr_emulator, "contacts", "import", "/dev/zero")
    assert result.code == 2, result.err
    assert result.err.splitlines()[-1] == (
        "error: /dev/zero: is larger than 256 MiB; split it into smaller files "
        "(the import holds the whole file in memory)"
    )
    assert wacr_emulator.received == []
