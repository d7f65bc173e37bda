"""The CSV import engine (:mod:`wacr.cli.csv_import`) on its own: without click or rich, and its
cell conversions, against the emulator."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

import wacr
from tests.cli.conftest import Result, environment
from wacr.cli.csv_import import CsvError, ImportReport, import_contacts, read_contacts_csv
from wacr.testing import Emulator

Run = Callable[..., Result]

ENGINE_ALONE = """
import asyncio, json, sys
sys.modules["click"] = None  # neither is installed, as far as this process can tell
sys.modules["rich"] = None
import wacr
from wacr.cli.csv_import import ImportReport, import_contacts, read_contacts_csv

async def go() -> None:
    rows = read_contacts_csv(sys.argv[1], {"type": "lead", "source_id": 1, "status_id": 1})
    report = ImportReport(file=sys.argv[1], rows=len(rows))
    async with wacr.Client(sys.argv[2], base_url=sys.argv[3]) as client:
        await import_contacts(client, rows, report, batch_size=2)
    print(json.dumps(report.to_json()))
    print(sorted(name for name in ("click", "rich") if sys.modules.get(name) is not None))

asyncio.run(go())
"""


def test_the_engine_runs_without_click_or_rich(wacr_emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "firstname,lastname,phone\nJane,Doe,+15550000001\nBad,Phone,+123456789012345678901\nJo,Ng,+15550000003\n"
    )
    process = subprocess.run(
        [sys.executable, "-c", ENGINE_ALONE, str(path), wacr_emulator.token, wacr_emulator.base_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(None),
    )
    assert process.returncode == 0, process.stderr
    report_line, modules_line = process.stdout.splitlines()
    report = orjson.loads(report_line)
    assert report["summary"] == {"rows": 3, "created": 2, "skipped": 0, "failed": 1, "not_imported": 0}
    assert report["failed"] == [{"line": 3, "reason": "phone: must be at most 20 characters (got 22)"}]
    assert modules_line == "[]"
    assert wacr_emulator.get_contact("+15550000003") is not None


def test_importing_the_cli_package_loads_no_click() -> None:
    script = (
        "import sys, wacr.cli, wacr.cli.csv_import; "
        "print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
    )
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    assert process.stdout.strip() == "[]"


def test_a_bad_file_is_a_csv_error(tmp_path: Path) -> None:
    for text, fragment in [
        ("", "the file is empty"),
        ("firstname,surname\n", "unknown column(s) 'surname'"),
        ("phone,phone\n", "appear more than once"),
        ("firstname,phone\n", "missing column(s) lastname, type, source_id, status_id"),
    ]:
        path = tmp_path / "bad.csv"
        path.write_text(text)
        with pytest.raises(CsvError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            read_contacts_csv(str(path), {})


async def test_cells_become_the_fields_types(
    wacr_client: wacr.Client, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    vip = await wacr_client.groups.create(name="VIP")
    press = await wacr_client.groups.create(name="Press")
    path = tmp_path / "contacts.csv"
    path.write_text(
        textwrap.dedent(
            f"""\
            firstname,lastname,phone,type,source_id,status_id,country_id,group_id
            Jane,Doe,+15550000001,lead,1,1,20,"{vip.id}, {press.id}"
            Jo,Ng,+15550000002,lead,1,1,,{vip.id}
            Al,Bo,+15550000003,lead,one,1,,
            Cy,Do,+15550000004,lead,1,1,,"{vip.id},x"
            """
        )
    )
    rows = read_contacts_csv(str(path), {})
    assert rows[0].contact["group_id"] == [vip.id, press.id] and rows[0].contact["country_id"] == 20
    assert "country_id" not in rows[1].contact  # an empty cell is left out, not sent as ""
    report = ImportReport(file=str(path), rows=len(rows))
    await import_contacts(wacr_client, rows, report)
    assert dict(report.failed) == {
        4: "source_id: must be an integer (got 'one')",
        5: f"group_id: must be integers separated by commas (got '{vip.id},x')",
    }
    assert report.created == 2
    sent = [r.json for r in wacr_emulator.received if r.path == "/contacts/batch"]
    assert [item["phone"] for body in sent for item in body["contacts"]] == ["+15550000001", "+15550000002"]
    members = await wacr_client.contacts.list(filters={"group_id": vip.id})
    assert sorted(c.phone for c in members.items) == ["+15550000001", "+15550000002"]
