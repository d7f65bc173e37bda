"""What the API says is printed with its control characters escaped (``\\x1b``), so that a contact's
name cannot clear the screen, set the title or write the clipboard of whoever looks it up;
``--json`` keeps the exact strings (JSON escapes them itself)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.cli.conftest import Result, environment
from wacr.testing import Emulator, Fault

Run = Callable[..., Result]

#: Every C0 control, DEL, every C1 control and the bidirectional controls.
BIDI = [0x61C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
CONTROLS = [chr(code) for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), *BIDI]]
#: ... and what the tables show for each: newline and tab stay in a cell.
SHOWN = {
    char: char if char in "\t\n" else f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}"
    for char in CONTROLS
}
EVIL = "Eve" + "".join(CONTROLS) + "\x1b[2J\x1b]0;title\x07\x1b]52;c;ZWNobw==\x07\x1b[8mhidden"


def assert_inert(text: str, keep: str = "\n") -> None:
    """No control character in ``text`` but those in ``keep``."""
    assert [c for c in text if c in CONTROLS and c not in keep] == []


@pytest.fixture
def evil_id(wacr_cli: Run) -> int:
    created = wacr_cli(
        "--json", "contacts", "create", "--firstname", EVIL, "--lastname", "X" + "".join(CONTROLS),
        "--phone", "+201000000777", "--type", "lead", "--source-id", "1", "--status-id", "1",
    )  # fmt: skip
    assert created.code == 0, created.err
    assert created.json["firstname"] == EVIL  # --json: the exact string
    return int(created.json["id"])


def test_a_record_and_a_table_escape_every_control_character(wacr_cli: Run, evil_id: int) -> None:
    shown = wacr_cli("contacts", "get", str(evil_id))
    assert shown.code == 0, shown.err
    assert_inert(shown.out, keep="\n")  # rich turns the tab into spaces
    assert "\\x1b[2J\\x1b]0;title\\x07\\x1b]52;c;ZWNobw==\\x07\\x1b[8mhidden" in shown.out
    for char in CONTROLS:
        if char not in "\t\n":
            assert SHOWN[char] in shown.out, repr(char)
    listed = wacr_cli("contacts", "list")
    assert listed.code == 0, listed.err
    assert_inert(listed.out, keep="\n")
    assert "Eve\\x00\\x01" in listed.out and "\\x1b[2J\\x1b]0;title\\x07" in listed.out
    exact = wacr_cli("--json", "contacts", "get", str(evil_id))
    assert exact.json["firstname"] == EVIL and exact.json["lastname"] == "X" + "".join(CONTROLS)


def test_objects_and_error_lines_from_the_server_are_escaped(
    wacr_cli: Run, wacr_emulator: Emulator, evil_id: int
) -> None:
    good = wacr_cli("--json", "contacts", "get", str(evil_id)).json
    group = {"id": 7, "name": "VIP\x1b]0;x\x07\x7f\x9b"}  # an object field is shown as JSON
    data = {**good, "groups": [group]}
    wacr_emulator.inject(Fault("GET /contacts/*", status=200, json={"success": True, "data": data}))
    shown = wacr_cli("contacts", "get", str(evil_id))
    assert shown.code == 0, shown.err
    assert_inert(shown.out)
    assert "VIP\\u001b]0;x\\u0007\\x7f\\x9b" in shown.out, shown.out
    message = "gone" + "".join(CONTROLS)
    error = {"code": "NOT_FOUND", "message": message, "details": None}
    wacr_emulator.inject(Fault("GET /contacts/*", status=404, json={"success": False, "error": error}))
    failed = wacr_cli("contacts", "get", str(evil_id))
    line = failed.assert_one_line_error(1, "404 NOT_FOUND: gone")
    assert_inert(line, keep="")
    # Whitespace controls (tab, newline, \x1c-\x1f, \x85) are folded into spaces on one line.
    assert "\\x00\\x01" in line and "\\x1b" in line and "\\x7f" in line and "\\x9f" in line


def test_a_terminal_gets_no_sequence_from_the_api(
    wacr_emulator: Emulator, wacr_cli: Run, evil_id: int
) -> None:
    """On a real (pseudo) terminal, where rich styles its output: only rich's own SGR sequences."""
    primary, secondary = pty.openpty()
    env = environment(wacr_emulator, COLUMNS="400", TERM="xterm-256color")
    env.pop("NO_COLOR")
    with subprocess.Popen(
        [sys.executable, "-m", "wacr", "contacts", "get", str(evil_id)],
        stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary, env=env,
    ) as process:  # fmt: skip
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=60) == 0
    os.close(primary)
    text = output.decode()
    assert "\\x1b]52;c;" in text and "\\x9b" in text
    without_styles = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert_inert(without_styles, keep="\r\n")
