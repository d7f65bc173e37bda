"""Every send endpoint's recipient `phone` rule is the spec's, in the client and in the emulator
alike (upstream-v2.md §5 no. 57: text 10-20 of a character set, send-otp 10-20, media and CTA
10-15; template, interactive, verify, resend and status no rule of their own)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Api
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
]


def test_every_send_endpoint_with_a_phone_is_in_the_table() -> None:
    sends = {
        op_id for op_id, op in OPERATIONS.items() if op.body and "phone" in op.body.get("properties", {})
    }
    assert sends - {"contacts_create", "contacts_update"} == set(BODIES)


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
