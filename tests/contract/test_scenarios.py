"""Business rules end to end through the SDK: OTP rules on the emulator's clock, plan limits, opt-out,
group membership counts and the general rate limit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import yaml

import wacr

from .conftest import Contract

PHONE = "+201000000003"
OTP = {"phone": PHONE, "template_name": "otp_verification"}
SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"


async def test_otp_expires_on_the_clock(contract: Contract) -> None:
    client, clock = contract.client, contract.emulator.clock
    clock.set(clock.now())  # frozen: only advance() moves it
    await client.auth.send_otp(**OTP, code="111111", expiry_minutes=2)
    clock.advance(119)
    status = await client.auth.otp_status(phone=PHONE)
    assert status.is_expired is False and status.expires_in_seconds == 1
    clock.advance(2)
    status = await client.auth.otp_status(phone=PHONE)
    assert (
        status.is_expired is True and status.expires_in_seconds is not None and status.expires_in_seconds < 0
    )
    with pytest.raises(wacr.OTPExpiredError) as caught:
        await client.auth.verify_otp(phone=PHONE, code="111111")
    assert caught.value.status == 422 and caught.value.code == "OTP_EXPIRED"


async def test_five_wrong_codes_then_max_attempts(contract: Contract) -> None:
    client = contract.client
    await client.auth.send_otp(**OTP, code="222222")
    remaining = []
    for _ in range(5):
        with pytest.raises(wacr.InvalidCodeError) as wrong:
            await client.auth.verify_otp(phone=PHONE, code="000000")
        remaining.append(wrong.value.attempts_remaining)
    assert remaining == [4, 3, 2, 1, 0]
    with pytest.raises(wacr.MaxAttemptsExceededError):
        await client.auth.verify_otp(phone=PHONE, code="222222")  # even the right code: request a new one
    status = await client.auth.otp_status(phone=PHONE)
    assert status.verification_attempts == 5 and status.attempts_remaining == 0


async def test_status_is_not_destructive_and_send_replaces(contract: Contract) -> None:
    client = contract.client
    await client.auth.send_otp(**OTP, code="333333")
    for _ in range(3):
        status = await client.auth.otp_status(phone=PHONE)
        assert status.attempts_remaining == 5
    await client.auth.send_otp(**OTP, code="444444")  # one active OTP per phone and purpose
    with pytest.raises(wacr.InvalidCodeError):
        await client.auth.verify_otp(phone=PHONE, code="333333")
    assert (await client.auth.verify_otp(phone=PHONE, code="444444")).phone == "201000000003"
    with pytest.raises(wacr.OTPNotFoundError):  # consumed
        await client.auth.verify_otp(phone=PHONE, code="444444")


async def test_purposes_are_separate(contract: Contract) -> None:
    client = contract.client
    await client.auth.send_otp(**OTP, code="555555", purpose="login")
    with pytest.raises(wacr.OTPNotFoundError):
        await client.auth.verify_otp(phone=PHONE, code="555555")  # default purpose: authentication
    assert (await client.auth.verify_otp(phone=PHONE, code="555555", purpose="login")).purpose == "login"


async def test_resend_limit_three_per_five_minutes(contract: Contract) -> None:
    client, clock = contract.client, contract.emulator.clock
    for _ in range(3):
        await client.auth.resend_otp(**OTP)
    with pytest.raises(wacr.RateLimitError) as limited:
        await client.auth.resend_otp(**OTP, max_retries=0)
    assert limited.value.status == 429 and limited.value.retry_after is not None
    assert 0 < limited.value.retry_after <= 300
    clock.advance(301)
    await client.auth.resend_otp(**OTP)


async def test_verify_limit_ten_per_minute_cleared_on_success(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    for round_ in range(2):
        for _ in range(2):  # two sends of 5 wrong codes each: 10 verifications this minute
            await client.auth.send_otp(**OTP, code=f"66666{round_}")
            for _ in range(5):
                with pytest.raises(wacr.InvalidCodeError):
                    await client.auth.verify_otp(phone=PHONE, code="000000")
        await client.auth.send_otp(**OTP, code="777777")
        with pytest.raises(wacr.RateLimitError) as limited:
            await client.auth.verify_otp(phone=PHONE, code="777777", max_retries=0)
        assert limited.value.retry_after is not None and limited.value.retry_after <= 60
        emu.clock.advance(61)
        await client.auth.verify_otp(phone=PHONE, code="777777")  # success clears the limiter


async def test_auth_templates_only_approved_authentication(contract: Contract) -> None:
    contract.emulator.add_template("otp_pending", body="{{1}}", category="AUTHENTICATION", status="PENDING")
    contract.emulator.add_template("promo", body="Hi {{1}}", category="MARKETING")
    names = [t.template_name async for t in contract.client.auth.list_templates(per_page=1)]
    assert names == ["otp_verification"]
    for name in (
        "promo",
        "otp_pending",
    ):  # not AUTHENTICATION / not APPROVED: 404 RESOURCE_NOT_FOUND (upstream)
        with pytest.raises(wacr.NotFoundError) as caught:
            await contract.client.auth.send_otp(phone=PHONE, template_name=name, code="123456")
        assert caught.value.code == "RESOURCE_NOT_FOUND"


async def test_plan_contact_limit(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    emu.set_plan(contacts=2)
    await client.messages.send_text(phone="+201000000010", message="one")  # auto-created: 1 of 2
    await client.contacts.create(
        firstname="A", lastname="B", phone="+914000000001", type="lead", source_id=1, status_id=1
    )
    with pytest.raises(wacr.FeatureLimitExceededError) as full:
        await client.contacts.create(
            firstname="C", lastname="D", phone="+915000000001", type="lead", source_id=1, status_id=1
        )
    assert (full.value.feature, full.value.current, full.value.maximum) == ("contacts", 2, 2)
    with pytest.raises(wacr.FeatureLimitExceededError):
        await client.messages.send_text(phone="+201000000011", message="new contact")
    with pytest.raises(wacr.FeatureLimitExceededError):
        await client.auth.send_otp(phone="+201000000012", template_name="otp_verification", code="123456")
    await client.messages.send_text(phone="+201000000010", message="existing contact still works")
    usage = await client.account.usage()
    assert usage.contacts is not None and (usage.contacts.current, usage.contacts.limit) == (2, 2)


# Every operation that documents 403 FEATURE_NOT_AVAILABLE (the spec's x-error-codes; upstream-v2.md
# §3.2.2 and §4: send template and send-otp, resend running send-otp's logic), with a valid call.
TEMPLATE_SENDS: dict[str, Callable[[wacr.Client], Awaitable[object]]] = {
    "messages_send_template": lambda c: c.messages.send_template(
        phone=PHONE, template_name="welcome", language="en", field_1="Ann"
    ),
    "auth_send_otp": lambda c: c.auth.send_otp(**OTP, code="123456"),
    "auth_resend_otp": lambda c: c.auth.resend_otp(**OTP),
}


def test_every_operation_that_documents_feature_not_available_is_in_the_table() -> None:
    spec = yaml.safe_load(SPEC_PATH.read_text())
    documented = {
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "FEATURE_NOT_AVAILABLE" in str(op.get("x-error-codes"))
    }
    assert documented == set(TEMPLATE_SENDS)


@pytest.mark.parametrize("op_id", sorted(TEMPLATE_SENDS))
async def test_plan_without_templates(contract: Contract, op_id: str) -> None:
    # Send template used to go out on a plan without templates; send-otp was refused (F3).
    contract.emulator.set_plan(features={"whatsapp_templates": False})
    with pytest.raises(wacr.FeatureNotAvailableError) as caught:
        await TEMPLATE_SENDS[op_id](contract.client)
    assert caught.value.status == 403 and caught.value.code == "FEATURE_NOT_AVAILABLE"
    assert caught.value.details == {"feature": "whatsapp_templates"}
    assert contract.emulator.outbox == []  # nothing was sent
    contract.emulator.set_plan(features={"whatsapp_templates": True})
    await TEMPLATE_SENDS[op_id](contract.client)
    assert len(contract.emulator.outbox) == 1


async def test_opted_out_contacts_get_nothing(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    sent = await client.messages.send_text(phone=PHONE, message="before")
    emu.opt_out(PHONE)
    assert (await client.contacts.get(sent.contact_id or 0)).is_opted_out is True
    emu.clear_outbox()
    for call in (
        client.messages.send_text(phone=PHONE, message="after"),
        client.messages.send_template(phone=PHONE, template_name="welcome", language="en", field_1="x"),
        client.auth.send_otp(**OTP, code="123456"),
    ):
        with pytest.raises(wacr.ContactOptedOutError) as caught:
            await call
        assert caught.value.status == 403
    assert emu.outbox == []


async def test_group_membership_counts(contract: Contract) -> None:
    client = contract.client
    ids = []
    for i in range(4):
        contact = await client.contacts.create(
            firstname=f"C{i}", lastname="X", phone=f"+9160000000{i}", type="lead", source_id=1, status_id=1
        )
        ids.append(contact.id)
    group = await client.groups.create(name="Members")
    assert (await client.groups.add_contacts(group.id, ids[:3])).contacts_added == 3
    assert (await client.groups.add_contacts(group.id, ids)).contacts_added == 1  # three were members already
    members = [c.id async for c in client.contacts.list(filters={"group_id": group.id}, per_page=2)]
    assert sorted(members) == ids
    assert (await client.groups.remove_contacts(group.id, [ids[0], ids[0]])).contacts_removed == 1
    with pytest.raises(wacr.ValidationError):
        await client.groups.add_contacts(group.id, [999_999])  # must be the tenant's contacts
    await client.groups.delete(group.id)
    assert (await client.contacts.get(ids[1])).group_id == []  # contacts stay, membership goes


async def test_general_rate_limit_is_waited_out_by_reads(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    emu.set_rate_limit(3)
    for _ in range(3):
        await client.account.get()
    with pytest.raises(wacr.RateLimitError) as limited:
        await client.account.get()  # the fixture's client has max_retries=0
    assert limited.value.retry_after is not None and 0 < limited.value.retry_after <= 60
    headers = limited.value.headers
    assert headers is not None and "Retry-After" in headers
    emu.clock.advance(61)
    assert (await client.account.get()).id == 1
