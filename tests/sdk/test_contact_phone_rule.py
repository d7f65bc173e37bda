"""One phone rule for every way a contact is stored, and it is the rule the sends apply.

The CSV import used to accept ``12`` (the batch item's rule was only ``max 20``), storing
contacts that no send can reach. Now create, update, batch items and the text send share one
rule, checked before anything is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wacr
from wacr._operations import OPERATIONS
from wacr._validate import validate
from wacr.cli.csv_import import ImportReport, import_contacts, read_contacts_csv
from wacr.testing import Emulator

ITEM = {"firstname": "A", "lastname": "B", "type": "lead", "source_id": 1, "status_id": 1}


def _phone_refused(op_id: str, phone: str) -> bool:
    body = OPERATIONS[op_id].body
    assert body is not None
    if op_id == "contacts_batch_create":
        return "contacts.0.phone" in validate(body, {"contacts": [{**ITEM, "phone": phone}]})
    if op_id == "messages_send_text":
        return "phone" in validate(body, {"phone": phone, "message": "hi"})
    if op_id == "contacts_update":
        return "phone" in validate(body, {"phone": phone})
    return "phone" in validate(body, {**ITEM, "phone": phone})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+- ()x.\t", max_size=24) | st.from_regex(r"\A\+?[0-9]{0,22}\Z"))
def test_create_update_batch_and_send_agree_on_every_phone(phone: str) -> None:
    verdicts = {
        op_id: _phone_refused(op_id, phone)
        for op_id in ("contacts_create", "contacts_update", "contacts_batch_create", "messages_send_text")
    }
    assert len(set(verdicts.values())) == 1, (phone, verdicts)


@pytest.fixture
async def client(wacr_emulator: Emulator) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url, max_retries=0) as c:
        yield c


async def test_the_csv_import_refuses_a_phone_no_send_accepts(
    client: wacr.Client, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    csv = tmp_path / "contacts.csv"
    csv.write_text(
        "firstname,lastname,phone,type,source_id,status_id\n"
        "Jane,Doe,+201000000001,lead,1,1\n"
        "Short,Number,12,lead,1,1\n"
        "Jo,Ng,+201000000002,lead,1,1\n"
    )
    rows = read_contacts_csv(str(csv), {})
    report = await import_contacts(client, rows, ImportReport(file=str(csv), rows=len(rows)), batch_size=10)
    phones = [c.phone async for c in client.contacts.list()]
    assert "12" not in phones  # nothing unreachable was stored
    failed: dict[Any, str] = dict(report.failed)
    assert 3 in failed and "phone" in failed[3], report  # line 3 is the `12` row, named with its rule
    assert "at least 10 characters" in failed[3]
    assert sorted(phones) == ["+201000000001", "+201000000002"] and report.created == 2  # the rest went in
