"""A contact's phone is documented as `max:20` and unique per tenant, with no minimum and no format
(wacr-account-auth-comments-contacts.md §1.9 and §5.2, upstream-v2.md §3.1.2). Create, update and
batch items share that rule: the SDK refuses exactly a phone over 20 characters before sending,
the emulator takes every other phone (a blank one is `required`'s, a repeated one uniqueness's),
and the CSV import stores what the API takes.

The spec used to add a minimum of 10 and the send endpoints' characters, so ``5551234`` or
``ext. 12345678`` were refused by the SDK, and one such item refused a whole batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from wacr._operations import OPERATIONS
from wacr._validate import validate
from wacr.cli.csv_import import ImportReport, import_contacts, read_contacts_csv
from wacr.testing import Emulator

ITEM = {"firstname": "A", "lastname": "B", "type": "lead", "source_id": 1, "status_id": 1}
CONTACT_OPS = ("contacts_create", "contacts_update", "contacts_batch_create")
# Phones of every kind: any text, the characters phone numbers are written with, and digit runs.
PHONES = (
    st.text(st.characters(codec="utf-8"), max_size=30)
    | st.text(alphabet="0123456789+- ().xext", max_size=30)
    | st.from_regex(r"\A\+?[0-9]{0,30}\Z")
)


def _phone_refused(op_id: str, phone: str) -> bool:
    body = OPERATIONS[op_id].body
    assert body is not None
    if op_id == "contacts_batch_create":
        return "contacts.0.phone" in validate(body, {"contacts": [{**ITEM, "phone": phone}]})
    if op_id == "contacts_update":
        return "phone" in validate(body, {"phone": phone})
    return "phone" in validate(body, {**ITEM, "phone": phone})


@settings(max_examples=300, deadline=None)
@given(PHONES)
def test_create_update_and_batch_refuse_exactly_a_phone_over_20(phone: str) -> None:
    verdicts = {op_id: _phone_refused(op_id, phone) for op_id in CONTACT_OPS}
    assert verdicts == dict.fromkeys(CONTACT_OPS, len(phone) > 20), phone


@pytest.fixture(scope="module")
def threaded() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


async def _batch(emulator: Emulator, phones: list[str]) -> Any:
    async with wacr.Client(emulator.token, base_url=emulator.base_url, max_retries=0) as client:
        return await client.contacts.batch_create([{**ITEM, "phone": phone} for phone in phones])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(PHONES.filter(lambda phone: len(phone) <= 20), min_size=1, max_size=12))
def test_the_emulator_stores_every_phone_the_sdk_sends(threaded: Emulator, phones: list[str]) -> None:
    threaded.reset()
    result = asyncio.run(_batch(threaded, phones))  # the SDK sent it: no phone broke its rule
    failed = {item.index: item.errors for item in result.errors}
    created = len(result.created)
    assert created + len(failed) == len(phones)
    seen: set[str] = set()
    for index, phone in enumerate(phones):
        if not phone.strip():  # Laravel's `required` after TrimStrings
            assert failed[index] == {"phone": ["Phone number is required"]}, phone
        elif index in failed:  # only uniqueness refuses a phone within 20 characters
            assert failed[index] == {"phone": ["This phone number already exists"]}, phone
        if phone.strip() and phone.strip() in seen:
            assert index in failed, phone  # the same text twice is the same phone
        if phone.strip() and not seen:
            assert index not in failed, phone  # the first phone of a fresh tenant is stored
        if phone.strip():
            seen.add(phone.strip())
    assert threaded.received[-1].path == "/contacts/batch"


@pytest.fixture
async def client(wacr_emulator: Emulator) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url, max_retries=0) as c:
        yield c


async def test_the_csv_import_stores_what_the_api_takes(
    client: wacr.Client, wacr_emulator: Emulator, tmp_path: Path
) -> None:
    csv = tmp_path / "contacts.csv"
    csv.write_text(
        "firstname,lastname,phone,type,source_id,status_id\n"
        "Jane,Doe,+201000000001,lead,1,1\n"
        "Short,Number,5551234,lead,1,1\n"
        "Long,Number,+2010000000000000000001,lead,1,1\n"
        "Jo,Ng,ext. 12345678,lead,1,1\n"
    )
    rows = read_contacts_csv(str(csv), {})
    report = await import_contacts(client, rows, ImportReport(file=str(csv), rows=len(rows)), batch_size=10)
    phones = [c.phone async for c in client.contacts.list()]
    assert sorted(phones) == ["+201000000001", "5551234", "ext. 12345678"] and report.created == 3
    failed: dict[Any, str] = dict(report.failed)
    assert failed == {4: "phone: must be at most 20 characters (got 23)"}, report  # named with its rule
