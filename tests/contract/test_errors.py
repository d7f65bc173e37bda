"""Documented error answers of every operation, through the SDK, each answer checked against the spec."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pytest

import wacr
from wacr._operations import OPERATIONS

from ..sdk.test_operations import CASES
from .conftest import Contract

PHONE = "+201000000002"


async def _run(call: Any, client: wacr.Client) -> Any:
    result = call(client)
    return await result if isinstance(result, Awaitable) else result


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
async def test_unknown_token_is_401(op_id: str, contract: Contract) -> None:
    async with contract.client_for("not-a-token") as client:
        with pytest.raises(wacr.AuthenticationError) as caught:
            await _run(CASES[op_id][0], client)
    assert caught.value.status == 401 and caught.value.code == "UNAUTHORIZED"
    assert caught.value.request_id


@pytest.mark.parametrize("op_id", sorted(op for op in OPERATIONS if OPERATIONS[op].scope))
async def test_missing_scope_is_403(op_id: str, contract: Contract) -> None:
    scope = OPERATIONS[op_id].scope
    assert scope is not None
    contract.emulator.add_token(
        "narrow", scopes=["account:read"] if scope != "account:read" else ["contacts:read"]
    )
    async with contract.client_for("narrow") as client:
        with pytest.raises(wacr.InsufficientScopeError) as caught:
            await _run(CASES[op_id][0], client)
    assert caught.value.status == 403
    assert scope in str(caught.value)


async def test_comments_need_no_scope(contract: Contract) -> None:
    contract.emulator.add_token("bare", scopes=[])
    await contract.client.messages.send_text(phone=PHONE, message="hi")
    async with contract.client_for("bare") as client:
        note = await client.comments.add("201000000002", comment="internal")
        assert note.success


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.contacts.get(999), lambda c: c.contacts.update(999, city="X"), lambda c: c.contacts.delete(999),
        lambda c: c.groups.get(999), lambda c: c.groups.update(999, name="X"), lambda c: c.groups.delete(999),
        lambda c: c.groups.add_contacts(999, [1]), lambda c: c.groups.remove_contacts(999, [1]),
        lambda c: c.sources.get(999), lambda c: c.sources.update(999, name="X"), lambda c: c.sources.delete(999),
        lambda c: c.statuses.get(999), lambda c: c.statuses.update(999, name="X"), lambda c: c.statuses.delete(999),
        lambda c: c.messages.get(999), lambda c: c.templates.get("999"), lambda c: c.comments.list("999"),
        lambda c: c.comments.add("999", comment="x"),
        lambda c: c.messages.send_text(phone=PHONE, message="hi", contact_id=999),
    ],
)  # fmt: skip
async def test_unknown_resource_is_404(call: Any, contract: Contract) -> None:
    with pytest.raises(wacr.NotFoundError) as caught:
        await call(contract.client)
    assert caught.value.status == 404 and caught.value.code == "NOT_FOUND"


async def test_unknown_templates_are_404_with_each_operations_code(contract: Contract) -> None:
    client = contract.client
    # Send template: NOT_FOUND (upstream), where the first version assumed a 422.
    with pytest.raises(wacr.NotFoundError) as template:
        await client.messages.send_template(phone=PHONE, template_name="no_such_template", language="en")
    assert (template.value.status, template.value.code) == (404, "NOT_FOUND")
    # Send OTP: RESOURCE_NOT_FOUND for a template that is unknown or not an APPROVED AUTHENTICATION one.
    for name in ("no_such_template", "welcome"):
        with pytest.raises(wacr.NotFoundError) as otp:
            await client.auth.send_otp(phone=PHONE, template_name=name)
        assert (otp.value.status, otp.value.code) == (404, "RESOURCE_NOT_FOUND")
    # Resend runs send-otp's logic, and says so the same way.
    with pytest.raises(wacr.NotFoundError) as resend:
        await client.auth.resend_otp(phone=PHONE, template_name="no_such_template")
    assert (resend.value.status, resend.value.code) == (404, "RESOURCE_NOT_FOUND")
    assert contract.emulator.outbox == []


async def test_server_side_validation_errors(contract: Contract) -> None:
    client = contract.client
    await client.contacts.create(
        firstname="A", lastname="B", phone="+911000000001", type="lead", source_id=1, status_id=1
    )
    with pytest.raises(wacr.ValidationError) as duplicate:
        await client.contacts.create(
            firstname="A", lastname="B", phone="+911000000001", type="lead", source_id=1, status_id=1
        )
    assert duplicate.value.status == 422
    assert duplicate.value.errors["phone"] == ["This phone number already exists"]
    with pytest.raises(wacr.ValidationError) as unknown_source:
        await client.contacts.create(
            firstname="A", lastname="B", phone="+911000000002", type="lead", source_id=99, status_id=1
        )
    assert unknown_source.value.errors["source_id"] == [
        "The selected source does not exist or does not belong to your account"
    ]
    with pytest.raises(wacr.ValidationError) as group_name:
        await client.groups.create(name="VIP")
        await client.groups.create(name="VIP")
    assert group_name.value.errors["name"] == ["A group with this name already exists"]
    with pytest.raises(wacr.ValidationError) as bad_media:
        await client.messages.send_media(phone=PHONE, media_type="image", media_url="https://e.com/file.exe")
    assert "media_url" in bad_media.value.errors


async def test_source_and_status_in_use_are_not_deleted(contract: Contract) -> None:
    client = contract.client
    source = await client.sources.create(name="Fair")
    status = await client.statuses.create(name="Met")
    for n in (1, 2):
        await client.contacts.create(
            firstname="A", lastname="B", phone=f"+91300000000{n}", type="lead", source_id=source.id,
            status_id=status.id,
        )  # fmt: skip
    with pytest.raises(wacr.ConflictError) as source_in_use:
        await client.sources.delete(source.id)
    with pytest.raises(wacr.ConflictError) as status_in_use:
        await client.statuses.delete(status.id)
    for caught in (source_in_use.value, status_in_use.value):
        assert (caught.status, caught.code) == (409, "RESOURCE_CONFLICT")
        assert isinstance(caught.details, dict) and caught.details["contacts_count"] == 2
        assert not isinstance(caught, wacr.ValidationError)
    assert (await client.sources.get(source.id)).name == "Fair"
    assert (await client.statuses.get(status.id)).name == "Met"
    # Unused, they go; the delete needs `*:write` (upstream), not a delete scope.
    contract.emulator.add_token("writer", scopes=["sources:write", "statuses:write"])
    async with contract.client_for("writer") as writer:
        spare_source = await writer.sources.create(name="Spare")
        spare_status = await writer.statuses.create(name="Spare")
        assert (await writer.sources.delete(spare_source.id)).id == spare_source.id
        assert (await writer.statuses.delete(spare_status.id)).id == spare_status.id


async def test_whatsapp_not_configured(contract: Contract) -> None:
    contract.emulator.set_whatsapp_configured(False)
    with pytest.raises(wacr.WhatsAppNotConfiguredError) as caught:
        await contract.client.messages.send_text(phone=PHONE, message="hi")
    assert caught.value.status == 422 and caught.value.code == "WHATSAPP_NOT_CONFIGURED"
    with pytest.raises(wacr.WhatsAppNotConfiguredError):
        await contract.client.templates.sync()
    assert contract.emulator.outbox == []


async def test_a_spec_breaking_answer_is_caught(contract: Contract) -> None:
    """The contract fixture itself: an answer that breaks the spec is reported."""
    contract.emulator.inject("GET /account", status=200, json={"success": True, "data": {"id": "one"}})
    with pytest.raises(wacr.InvalidResponseError):
        await contract.client.account.get()
    assert contract.exchanges[-1].problems  # the validator saw it
    contract.exchanges.clear()  # ...and this test expected it
    await contract.client.account.get()
