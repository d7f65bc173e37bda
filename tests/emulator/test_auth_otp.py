"""OTP: send, resend, verify, status and the authentication templates, on a frozen clock."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Api

PHONE = "+91 99999-99999"
DIGITS = "919999999999"


def send_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"phone": PHONE, "template_name": "otp_verification", "code": "482913"}
    body.update(changes)
    return body


async def test_send_otp(api: Api) -> None:
    reply = await api.post("/auth/send-otp", send_body(expiry_minutes=5))
    assert reply.status == 200
    assert reply.json["message"] == "OTP sent successfully"
    data = reply.data
    assert data == {
        "message_id": data["message_id"],
        "contact_id": data["contact_id"],
        "phone": DIGITS,
        "template_name": "otp_verification",
        "language": "en",
        "code_sent": True,
        "code_auto_generated": False,  # the caller's code: not echoed
        "expiry_minutes": 5,
        "expires_at": "2026-01-01T08:05:00+00:00",
        "status": "sent",
        "sent_at": "2026-01-01T08:00:00+00:00",
    }
    assert data["message_id"].startswith("wamid.")
    sent = api.emulator.outbox[-1]
    assert sent.kind == "otp"
    assert sent.code == "482913"
    assert sent.phone == DIGITS
    assert sent.text == "482913 is your verification code. It expires in 5 minutes."
    assert sent.purpose == "authentication"
    assert api.emulator.otp_code(PHONE) == "482913"
    # The OTP message is logged in the history as a template message.
    history = (await api.get("/messages")).data
    assert history[0]["type"] == "template"
    assert history[0]["message_id"] == data["message_id"]


async def test_send_otp_uses_an_existing_contact(api: Api) -> None:
    created = await api.post(
        "/contacts",
        {
            "firstname": "A",
            "lastname": "B",
            "phone": "919999999999",
            "type": "lead",
            "source_id": 1,
            "status_id": 1,
        },
    )
    reply = await api.post("/auth/send-otp", send_body())
    assert reply.data["contact_id"] == created.data["id"]
    by_id = await api.post("/auth/send-otp", send_body(phone="+15550001111", contact_id=created.data["id"]))
    assert by_id.data["contact_id"] == created.data["id"]


async def test_send_otp_additional_params(api: Api) -> None:
    api.emulator.add_template(
        "login_code", category="AUTHENTICATION", body="{{1}} logs you in to {{3}} ({{2}} min)."
    )
    await api.post("/auth/send-otp", send_body(template_name="login_code", additional_params=["Acme"]))
    assert api.emulator.outbox[-1].text == "482913 logs you in to Acme (10 min)."


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"template_name": "otp_verification", "code": "1"}, "phone", "Phone number is required"),
        (send_body(phone="12345"), "phone", "The phone must be at least 10 characters."),
        (send_body(phone="1" * 21), "phone", "The phone may not be greater than 20 characters."),
        (send_body(phone="+1 555 123 4567 x9"), "phone", "The phone format is invalid."),
        (send_body(template_name=None), "template_name", "Template name is required"),
        (send_body(code="12345"), "code", "The code must be 6 digits."),
        (send_body(code="1234567"), "code", "The code must be 6 digits."),
        (send_body(code="12345a"), "code", "The code must be 6 digits."),
        (send_body(code="١٢٣٤٥٦"), "code", "The code must be 6 digits."),  # not ASCII digits
        (send_body(code=123456), "code", "The code must be a string."),
        (
            send_body(language="en_GB_LONGER"),
            "language",
            "The language may not be greater than 10 characters.",
        ),
        (send_body(expiry_minutes=0), "expiry_minutes", "The expiry minutes must be at least 1."),
        (send_body(expiry_minutes=61), "expiry_minutes", "The expiry minutes may not be greater than 60."),
        (send_body(purpose="p" * 51), "purpose", "The purpose may not be greater than 50 characters."),
        (send_body(additional_params="x"), "additional_params", "The additional params must be an array."),
        (
            send_body(additional_params=[1]),
            "additional_params.0",
            "The additional params.0 must be a string.",
        ),
    ],
)
async def test_send_otp_validation(api: Api, body: dict[str, Any], field: str, message: str) -> None:
    reply = await api.post("/auth/send-otp", body)
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert reply.details[field] == [message]
    assert api.emulator.outbox == []


@pytest.mark.parametrize(
    ("template", "language"),
    [
        ("nope", "en"),  # unknown
        ("welcome", "en"),  # not AUTHENTICATION
        ("pending_otp", "en"),  # not APPROVED
        ("otp_verification", "fr"),  # not in this language
    ],
)
async def test_send_otp_unknown_or_unapproved_template_is_resource_not_found(
    api: Api, template: str, language: str
) -> None:
    api.emulator.add_template("pending_otp", category="AUTHENTICATION", status="PENDING", body="{{1}}")
    for body in (
        send_body(template_name=template, language=language),
        {"phone": PHONE, "template_name": template, "language": language},
    ):
        reply = await api.post("/auth/send-otp", body)
        assert reply.status == 404
        assert reply.code == "RESOURCE_NOT_FOUND"
        assert reply.details == {"template_name": template, "language": language}
    assert api.emulator.outbox == []


async def test_send_otp_unknown_contact_is_not_found(api: Api) -> None:
    # The contact is looked up only when `contact_id` is sent; a phone alone auto-creates.
    reply = await api.post("/auth/send-otp", send_body(contact_id=999))
    assert reply.status == 404
    assert reply.code == "NOT_FOUND"
    assert reply.json["error"]["message"] == "Contact not found"
    assert api.emulator.outbox == []


async def test_send_otp_generates_a_code_when_none_is_given(api: Api) -> None:
    codes = set()
    for _ in range(5):
        reply = await api.post("/auth/send-otp", {"phone": PHONE, "template_name": "otp_verification"})
        assert reply.status == 200
        data = reply.data
        assert data["code_auto_generated"] is True
        assert re.fullmatch(r"[0-9]{6}", data["code"])
        sent = api.emulator.outbox[-1]
        assert sent.code == data["code"]
        assert sent.text == f"{data['code']} is your verification code. It expires in 10 minutes."
        assert api.emulator.otp_code(PHONE) == data["code"]
        codes.add(data["code"])
    assert len(codes) > 1  # random, not a constant
    # An empty code counts as absent (Laravel's ConvertEmptyStringsToNull).
    empty = await api.post("/auth/send-otp", send_body(code=""))
    assert empty.data["code_auto_generated"] is True
    verified = await api.post("/auth/verify", {"phone": PHONE, "code": empty.data["code"]})
    assert verified.status == 200
    # The outbox over the control API shows the generated code too.
    outbox = await api.get("/_emulator/outbox", params={"phone": PHONE})
    assert outbox.json["messages"][-1]["code"] == empty.data["code"]


async def test_send_otp_plan_without_templates(api: Api) -> None:
    api.emulator.set_plan(features={"whatsapp_templates": False})
    reply = await api.post("/auth/send-otp", send_body())
    assert reply.status == 403
    assert reply.code == "FEATURE_NOT_AVAILABLE"
    assert reply.details == {"feature": "whatsapp_templates"}


async def test_send_otp_contact_rules(api: Api) -> None:
    emulator = api.emulator
    emulator.opt_out(PHONE)
    opted_out = await api.post("/auth/send-otp", send_body())
    assert opted_out.status == 403
    assert opted_out.code == "CONTACT_OPTED_OUT"
    emulator.set_plan(contacts=1)
    full = await api.post("/auth/send-otp", send_body(phone="+15550001111"))
    assert full.status == 403
    assert full.code == "FEATURE_LIMIT_EXCEEDED"
    assert full.details == {"feature": "contacts", "current": 1, "maximum": 1}
    emulator.set_whatsapp_configured(False)
    unconfigured = await api.post("/auth/send-otp", send_body(phone="+15550001111"))
    assert unconfigured.status == 422
    assert unconfigured.code == "WHATSAPP_NOT_CONFIGURED"
    assert emulator.outbox == []


async def test_verify_success_consumes_the_otp(api: Api) -> None:
    await api.post("/auth/send-otp", send_body())
    api.emulator.clock.advance(90)
    reply = await api.post("/auth/verify", {"phone": PHONE, "code": "482913"})
    assert reply.status == 200
    assert reply.json["message"] == "OTP verified successfully"
    assert reply.data == {
        "phone": DIGITS,
        "purpose": "authentication",
        "verified_at": "2026-01-01T08:01:30+00:00",
    }
    again = await api.post("/auth/verify", {"phone": PHONE, "code": "482913"})
    assert again.status == 422
    assert again.code == "OTP_NOT_FOUND"


async def test_verify_matches_on_digits_and_purpose(api: Api) -> None:
    await api.post("/auth/send-otp", send_body(purpose="login"))
    none = await api.post("/auth/verify", {"phone": DIGITS, "code": "482913"})
    assert none.code == "OTP_NOT_FOUND"
    ok = await api.post("/auth/verify", {"phone": DIGITS, "code": "482913", "purpose": "login"})
    assert ok.status == 200


async def test_verify_wrong_codes_then_max_attempts(api: Api) -> None:
    await api.post("/auth/send-otp", send_body())
    for remaining in (4, 3, 2, 1, 0):
        reply = await api.post("/auth/verify", {"phone": PHONE, "code": "000000"})
        assert reply.status == 422
        assert reply.code == "INVALID_CODE"
        assert reply.details == {"attempts_remaining": remaining}
    locked = await api.post("/auth/verify", {"phone": PHONE, "code": "482913"})
    assert locked.status == 422
    assert locked.code == "MAX_ATTEMPTS_EXCEEDED"
    # A new OTP starts over.
    await api.post("/auth/send-otp", send_body(code="111111"))
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": "111111"})).status == 200


async def test_verify_expired(api: Api) -> None:
    await api.post("/auth/send-otp", send_body(expiry_minutes=1))
    api.emulator.clock.advance(60)
    status = (await api.post("/auth/status", {"phone": PHONE})).data
    assert status["is_expired"] is False
    assert status["expires_in_seconds"] == 0
    api.emulator.clock.advance(1)
    reply = await api.post("/auth/verify", {"phone": PHONE, "code": "482913"})
    assert reply.status == 422
    assert reply.code == "OTP_EXPIRED"
    # Expiry is checked before attempts and correctness, and the OTP stays visible to status.
    status = (await api.post("/auth/status", {"phone": PHONE})).data
    assert status["is_expired"] is True
    assert status["expires_in_seconds"] == -1


async def test_verify_validation(api: Api) -> None:
    reply = await api.post("/auth/verify", {})
    assert reply.status == 422
    assert reply.details == {"phone": ["Phone number is required"], "code": ["Verification code is required"]}


async def test_verify_rate_limit_is_cleared_on_success(api: Api) -> None:
    await api.post("/auth/send-otp", send_body())
    for _ in range(4):
        await api.post("/auth/verify", {"phone": PHONE, "code": "000000"})
    # Four wrong codes used four of the ten verifications per minute; a success clears the count.
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": "482913"})).status == 200
    for _ in range(10):
        reply = await api.post("/auth/verify", {"phone": PHONE, "code": "1"})
        assert reply.code == "OTP_NOT_FOUND"
    limited = await api.post("/auth/verify", {"phone": PHONE, "code": "1"})
    assert limited.status == 429
    assert limited.code == "RATE_LIMIT_EXCEEDED"
    assert limited.details == {"retry_after": 60}
    assert limited.headers["Retry-After"] == "60"
    api.emulator.clock.advance(45)
    later = await api.post("/auth/verify", {"phone": PHONE, "code": "1"})
    assert later.details == {"retry_after": 15}
    api.emulator.clock.advance(15)
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": "1"})).code == "OTP_NOT_FOUND"
    # Another phone has its own limiter.
    assert (await api.post("/auth/verify", {"phone": "+15550001111", "code": "1"})).status == 422


async def test_resend_generates_a_new_code(api: Api) -> None:
    await api.post("/auth/send-otp", send_body())
    reply = await api.post("/auth/resend", {"phone": PHONE, "template_name": "otp_verification"})
    assert reply.status == 200
    assert reply.json["message"] == "OTP resent successfully"
    assert reply.data["code_sent"] is True
    assert reply.data["code_auto_generated"] is False  # resend makes the code: never echoed
    assert "code" not in reply.data
    assert reply.data["expiry_minutes"] == 10
    code = api.emulator.otp_code(PHONE)
    assert code is not None and re.fullmatch(r"\d{6}", code)
    assert api.emulator.outbox[-1].kind == "otp"
    old = await api.post("/auth/verify", {"phone": PHONE, "code": "482913"})
    if code != "482913":
        assert old.code == "INVALID_CODE"
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": code})).status == 200


async def test_resend_limit_three_per_five_minutes(api: Api) -> None:
    body = {"phone": PHONE, "template_name": "otp_verification"}
    for _ in range(3):
        assert (await api.post("/auth/resend", body)).status == 200
    api.emulator.clock.advance(100)
    limited = await api.post("/auth/resend", body)
    assert limited.status == 429
    assert limited.code == "RATE_LIMIT_EXCEEDED"
    assert limited.details == {"retry_after": 200}
    assert limited.headers["Retry-After"] == "200"
    assert len(api.emulator.outbox) == 3
    api.emulator.clock.advance(200)
    assert (await api.post("/auth/resend", body)).status == 200


async def test_resend_validation(api: Api) -> None:
    reply = await api.post("/auth/resend", {})
    assert reply.details == {
        "phone": ["Phone number is required"],
        "template_name": ["Template name is required"],
    }
    bad = await api.post("/auth/resend", {"phone": PHONE, "template_name": "welcome"})
    assert bad.status == 404
    assert bad.code == "RESOURCE_NOT_FOUND"


async def test_status_is_non_destructive(api: Api) -> None:
    none = await api.post("/auth/status", {"phone": PHONE})
    assert none.status == 200
    assert none.data == {"has_active_otp": False, "message": "No active OTP found"}
    assert none.json["message"] == "No active OTP found"
    await api.post("/auth/send-otp", send_body())
    await api.post("/auth/verify", {"phone": PHONE, "code": "1"})
    api.emulator.clock.advance(125)
    for _ in range(2):
        reply = await api.post("/auth/status", {"phone": PHONE})
        assert reply.json["message"] == "OTP status retrieved successfully"
        assert reply.data == {
            "has_active_otp": True,
            "expires_at": "2026-01-01T08:10:00+00:00",
            "expires_in_seconds": 475,
            "is_expired": False,
            "verification_attempts": 1,
            "max_attempts": 5,
            "attempts_remaining": 4,
            "created_at": "2026-01-01T08:00:00+00:00",
        }
    assert (await api.post("/auth/status", {})).details == {"phone": ["Phone number is required"]}


async def test_send_replaces_the_active_otp(api: Api) -> None:
    await api.post("/auth/send-otp", send_body(code="111111"))
    await api.post("/auth/verify", {"phone": PHONE, "code": "0"})
    await api.post("/auth/send-otp", send_body(code="222222"))
    status = (await api.post("/auth/status", {"phone": PHONE})).data
    assert status["verification_attempts"] == 0
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": "111111"})).code == "INVALID_CODE"
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": "222222"})).status == 200


async def test_list_authentication_templates(api: Api) -> None:
    api.emulator.add_template(
        "login_code", category="AUTHENTICATION", language="es", body="{{1}} es tu código."
    )
    api.emulator.add_template("draft_code", category="AUTHENTICATION", status="PENDING", body="{{1}}")
    reply = await api.get("/auth/templates")
    assert reply.status == 200
    names = [item["template_name"] for item in reply.data]
    assert names == ["otp_verification", "login_code"]
    first = reply.data[0]
    assert first == {
        "id": first["id"],
        "template_name": "otp_verification",
        "language": "en",
        "body_text": "{{1}} is your verification code. It expires in {{2}} minutes.",
        "body_params_count": 2,
        "header_format": "NONE",
        "header_text": None,
        "footer_text": None,
        "status": "APPROVED",
        "created_at": "2026-01-01T08:00:00+00:00",
    }
    assert reply.json["meta"]["pagination"] == {
        "total": 2,
        "count": 2,
        "per_page": 15,
        "current_page": 1,
        "total_pages": 1,
        "has_more": False,
    }
    spanish = await api.get("/auth/templates", params={"filter[language]": "es"})
    assert [item["template_name"] for item in spanish.data] == ["login_code"]
    by_body = await api.get("/auth/templates", params={"q": "código"})
    assert [item["template_name"] for item in by_body.data] == ["login_code"]
    by_name = await api.get("/auth/templates", params={"filter[template_name]": "otp_verification"})
    assert len(by_name.data) == 1
    ordered = await api.get("/auth/templates", params={"sort": "-language"})
    assert [item["language"] for item in ordered.data] == ["es", "en"]
    bad = await api.get("/auth/templates", params={"filter[category]": "x"})
    assert bad.status == 422
