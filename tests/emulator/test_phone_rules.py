"""Every send endpoint's recipient `phone` rule is the documented one, in the spec, the client and
the emulator alike (upstream-v2.md §5 no. 57: text 10-20 of a character set, send-otp 10-20, media
and CTA 10-15; template, interactive, verify, resend and status no rule but `required`, so no
maximum either)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Api, contact_body
from wacr._checks import BODIES as BODY_CHECKS
from wacr._operations import OPERATIONS
from wacr._validate import validate

# A body each send endpoint takes, but for the phone.
BODIES: dict[str, dict[str, Any]] = {
    "messages_send_text": {"message": "Hello"},
    "messages_send_template": {"template_name": "welcome", "language": "en", "field_1": "Ann"},
    "messages_send_media": {"media_type": "image", "media_url": "https://example.com/a.png"},
    "messages_send_interactive": {
        "type": "button",
        "body_text": "Pick",
        "buttons": [{"id": "a", "title": "A"}],
    },
    "messages_send_cta": {"message": "See", "button_text": "Open", "button_url": "https://example.com/p"},
    "auth_send_otp": {"template_name": "otp_verification", "language": "en"},
    "auth_resend_otp": {"template_name": "otp_verification"},
    "auth_verify_otp": {"code": "123456"},
    "auth_otp_status": {},
}
PHONES = [
    "abcdefghijk",
    "----------",
    "(((((())))))",
    "a",
    "123",
    "1" * 9,
    "1" * 10,
    "1" * 15,
    "1" * 16,
    "1" * 20,
    "1" * 21,
    "+919876543210",
    "+1 (555) 000-1234",
    "+20 100 000 0000",
    "(+20) 100-000-0000",
    "+1 555 123 4567 ext",
    "+20\t1000000000",
    "+91 (999) 999-999-999",
    "1" * 22,
    "+" + "9" * 40,
    "0" * 255,
]
# upstream-v2.md §5 no. 57 (and wacr-groups-...md §7's phone table): (min, max, the send characters),
# None where the docs give no bound; the endpoints without a rule only have `required`.
DOCUMENTED: dict[str, tuple[int, int | None, bool]] = {
    "messages_send_text": (10, 20, True),
    "auth_send_otp": (10, 20, True),
    "messages_send_media": (10, 15, False),
    "messages_send_cta": (10, 15, False),
    "messages_send_template": (1, None, False),
    "messages_send_interactive": (1, None, False),
    "auth_resend_otp": (1, None, False),
    "auth_verify_otp": (1, None, False),
    "auth_otp_status": (1, None, False),
}


def test_every_send_endpoint_with_a_phone_is_in_the_table() -> None:
    sends = {
        op_id for op_id, op in OPERATIONS.items() if op.body and "phone" in op.body.get("properties", {})
    }
    assert sends - {"contacts_create", "contacts_update"} == set(BODIES)


@pytest.mark.parametrize("op_id", sorted(DOCUMENTED))
def test_each_phone_rule_is_the_documented_one(op_id: str) -> None:
    # The spec used to give template, interactive, resend, verify and status a maximum of 20.
    body = OPERATIONS[op_id].body
    assert body is not None
    phone = body["properties"]["phone"]
    low, high, chars = DOCUMENTED[op_id]
    assert (phone.get("minLength"), phone.get("maxLength"), "pattern" in phone) == (low, high, chars)


@pytest.mark.parametrize("op_id", sorted(op for op, rule in DOCUMENTED.items() if rule[1] is None))
async def test_an_endpoint_without_a_phone_rule_takes_a_phone_of_any_length(api: Api, op_id: str) -> None:
    for length in (21, 22, 30, 64, 255):
        phone = ("+20 100 " + "1234567890" * 26)[:length]
        assert _client_sends(op_id, phone), phone
        reply = await api.post(OPERATIONS[op_id].path, {**BODIES[op_id], "phone": phone})
        assert not (reply.status == 422 and "phone" in reply.details), (phone, reply.text[:200])


def _client_sends(op_id: str, phone: str) -> bool:
    body = {**BODIES[op_id], "phone": phone}
    schema = OPERATIONS[op_id].body
    assert schema is not None
    sends = BODY_CHECKS[op_id](body)
    assert sends == (validate(schema, body) == {})
    errors = validate(schema, body)
    assert set(errors) <= {"phone"}, errors  # the rest of the body is valid
    return sends


@pytest.mark.parametrize("op_id", sorted(BODIES))
async def test_the_emulator_refuses_a_phone_exactly_when_the_client_does(api: Api, op_id: str) -> None:
    path = OPERATIONS[op_id].path
    disagree = []
    for phone in PHONES:
        reply = await api.post(path, {**BODIES[op_id], "phone": phone})
        refused = reply.status == 422 and reply.code == "VALIDATION_ERROR" and "phone" in reply.details
        if refused == _client_sends(op_id, phone):
            disagree.append((phone, reply.status, reply.text[:200]))
    assert disagree == []


@pytest.mark.parametrize("op_id", ["messages_send_template", "messages_send_interactive"])
async def test_a_phone_without_digits_has_no_recipient_but_breaks_no_rule(api: Api, op_id: str) -> None:
    # The spec has no rule to refuse it, but it names no WhatsApp number: a 404, nothing stored.
    reply = await api.post(OPERATIONS[op_id].path, {**BODIES[op_id], "phone": "abcdefghijk"})
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
    assert api.emulator.outbox == []
    assert api.emulator.get_contact("abcdefghijk") is None


CONTACT_PHONES = ["1", "12", "5551234", "ext. 12345678", "abc", "(+20) 100", "١٢٣٤٥٦", "1" * 20, " +20 1 "]


@pytest.mark.parametrize("phone", CONTACT_PHONES)
async def test_a_contact_phone_is_only_max_20_on_create_update_and_batch(api: Api, phone: str) -> None:
    # wacr-account-...md §1.9: `max:20`, unique, "no format or regex is documented" (the emulator
    # used to demand 10 characters of the send endpoints' set).
    created = await api.post("/contacts", contact_body(phone=phone))
    assert created.status == 201, created.text
    other = await api.post("/contacts", contact_body(phone="+201000000999"))
    updated = await api.patch(f"/contacts/{other.data['id']}", {"phone": "9" + phone[:19]})
    assert updated.status == 200, updated.text
    batch = await api.post("/contacts/batch", {"contacts": [contact_body(phone="7" + phone[:19])]})
    assert batch.data["summary"]["created"] == 1, batch.text
    again = await api.post("/contacts", contact_body(phone=phone))
    assert (again.status, again.details) == (422, {"phone": ["This phone number already exists"]})


@pytest.mark.parametrize("phone", ["1" * 21, "+20 100 000 0000 ext 99", ""])
async def test_a_contact_phone_over_20_or_blank_is_refused(api: Api, phone: str) -> None:
    reply = await api.post("/contacts", contact_body(phone=phone))
    assert reply.status == 422 and "phone" in reply.details
