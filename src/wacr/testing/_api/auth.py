"""Authentication (OTP): send, resend, verify, status, and the authentication-template list."""

from __future__ import annotations

import hmac
import math
from datetime import timedelta
from operator import itemgetter
from typing import Any, Final

from wacr.testing._api._sending import deliver, prepare, random_code, require_templates, validate_phone
from wacr.testing._clock import isoformat
from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Result, rate_limited
from wacr.testing._listing import project, run_list
from wacr.testing._query import ListSpec, parse_list_query
from wacr.testing._records import Otp
from wacr.testing._template_data import fill_placeholders
from wacr.testing._validation import Validator

__all__ = ["MAX_ATTEMPTS", "ROUTES"]

#: Wrong codes allowed per OTP before MAX_ATTEMPTS_EXCEEDED.
MAX_ATTEMPTS: Final = 5
DEFAULT_PURPOSE: Final = "authentication"

_MESSAGES: Final = {
    "phone.required": "Phone number is required",
    "template_name.required": "Template name is required",
    "code.required": "Verification code is required",
}


def _common(v: Validator, *, send: bool) -> tuple[str, str | None, str, int, str]:
    """phone (digits), template_name, language, expiry_minutes, purpose."""
    digits = validate_phone(v, min=10 if send else None, max=20 if send else None, chars=send)
    template_name = v.string("template_name", required=True)
    language = v.string("language", max=10) or "en"
    expiry = v.integer("expiry_minutes", min=1, max=60)
    purpose = v.string("purpose", max=50) or DEFAULT_PURPOSE
    return digits, template_name, language, expiry or 10, purpose


def _send(
    ctx: Ctx,
    *,
    digits: str,
    template_name: str,
    language: str,
    code: str,
    expiry: int,
    purpose: str,
    contact_id: int | None = None,
    additional: list[str] | None = None,
) -> dict[str, Any]:
    tenant = ctx.tenant
    require_templates(tenant)
    template = tenant.find_template(template_name, language)
    # Upstream: a template that is missing, not AUTHENTICATION or not APPROVED is a 404
    # RESOURCE_NOT_FOUND (send template says NOT_FOUND for the same case).
    if template is None or template.category != "AUTHENTICATION" or template.status != "APPROVED":
        raise ApiError(
            404,
            "RESOURCE_NOT_FOUND",
            f"No APPROVED AUTHENTICATION template `{template_name}` in language `{language}`.",
            {"template_name": template_name, "language": language},
        )

    target = prepare(ctx, digits, contact_id)
    # Body {{1}} is the code, {{2}} the expiry in minutes, {{3}}... the additional params.
    values = {1: code, 2: str(expiry)}
    for index, param in enumerate(additional or (), start=3):
        values[index] = param
    text = fill_placeholders(template.body, values)
    expires_at = ctx.now + timedelta(minutes=expiry)
    # One active OTP per (phone, purpose): a new one replaces the old.
    tenant.otps[(digits, purpose)] = Otp(code, purpose, ctx.now, expires_at)
    sent = deliver(
        ctx,
        target,
        kind="otp",
        type="template",
        text=text,
        template_name=template.name,
        language=template.language,
        code=code,
        purpose=purpose,
    )
    return {
        "message_id": sent["message_id"],
        "contact_id": sent["contact_id"],
        "phone": digits,
        "template_name": template.name,
        "language": template.language,
        "code_sent": True,
        "expiry_minutes": expiry,
        "expires_at": isoformat(expires_at),
        "status": "sent",
        "sent_at": sent["sent_at"],
    }


def send_otp(ctx: Ctx) -> Result:
    """Send an OTP. ``code`` is optional (exactly 6 digits when sent); without it a random code is
    made and the answer carries ``code_auto_generated: true`` and the ``code``. A ``contact_id``
    is looked up only when sent (404 ``NOT_FOUND`` when unknown)."""
    v = Validator(ctx.body, _MESSAGES)
    digits, template_name, language, expiry, purpose = _common(v, send=True)
    code = v.string("code", digits=6)
    contact_id = v.integer("contact_id")
    params = v.array("additional_params")
    additional = [
        value
        for index, item in enumerate(params or ())
        if (value := v.string(f"additional_params.{index}", required=True, value=item)) is not None
    ]
    generated = code is None and not v.has("code")
    v.check()
    assert template_name is not None
    if code is None:
        code = random_code()
    data = _send(
        ctx,
        digits=digits,
        template_name=template_name,
        language=language,
        code=code,
        expiry=expiry,
        purpose=purpose,
        contact_id=contact_id,
        additional=additional,
    )
    data["code_auto_generated"] = generated
    if generated:
        data["code"] = code
    return Result(data, "OTP sent successfully")


def resend_otp(ctx: Ctx) -> Result:
    v = Validator(ctx.body, _MESSAGES)
    digits, template_name, language, expiry, purpose = _common(v, send=False)
    v.check()
    assert template_name is not None
    limiter = ctx.state.resend_limiter
    key = (ctx.tenant.id, digits)
    retry = limiter.retry_after(key, ctx.now)
    if retry is not None:
        raise rate_limited(
            retry, f"Too many resend attempts (3 per 5 minutes). Try again in {retry} seconds."
        )
    limiter.hit(key, ctx.now)
    data = _send(
        ctx,
        digits=digits,
        template_name=template_name,
        language=language,
        code=random_code(),
        expiry=expiry,
        purpose=purpose,
    )
    # Resend makes the code and hands it to the send-otp logic, so that logic did not generate
    # it: the answer says false and never shows the code (a test reads it in the outbox).
    data["code_auto_generated"] = False
    return Result(data, "OTP resent successfully")


def verify_otp(ctx: Ctx) -> Result:
    v = Validator(ctx.body, _MESSAGES)
    digits = validate_phone(v)
    code = v.string("code", required=True)
    purpose = v.string("purpose", max=50) or DEFAULT_PURPOSE
    v.check()
    assert code is not None
    tenant, now = ctx.tenant, ctx.now
    limiter = ctx.state.verify_limiter
    key = (tenant.id, digits)
    retry = limiter.retry_after(key, now)
    if retry is not None:
        raise rate_limited(retry, f"Too many verification attempts. Try again in {retry} seconds.")
    limiter.hit(key, now)

    # The documented order: existence, expiry, attempts, correctness.
    otp = tenant.otps.get((digits, purpose))
    if otp is None:
        raise ApiError(422, "OTP_NOT_FOUND", "No active OTP found for this phone number. Request a new code.")
    if now > otp.expires_at:
        raise ApiError(422, "OTP_EXPIRED", "The OTP has expired. Request a new code.")
    if otp.attempts >= MAX_ATTEMPTS:
        raise ApiError(
            422,
            "MAX_ATTEMPTS_EXCEEDED",
            "Too many failed verification attempts. Request a new code.",
            {"max_attempts": MAX_ATTEMPTS},
        )
    if not hmac.compare_digest(otp.code.encode(), code.encode()):
        otp.attempts += 1
        remaining = MAX_ATTEMPTS - otp.attempts
        raise ApiError(422, "INVALID_CODE", "Invalid verification code.", {"attempts_remaining": remaining})
    del tenant.otps[(digits, purpose)]
    limiter.clear(key)
    return Result(
        {"phone": digits, "purpose": purpose, "verified_at": ctx.stamp}, "OTP verified successfully"
    )


def otp_status(ctx: Ctx) -> Result:
    v = Validator(ctx.body, _MESSAGES)
    digits = validate_phone(v)
    purpose = v.string("purpose", max=50) or DEFAULT_PURPOSE
    v.check()
    otp = ctx.tenant.otps.get((digits, purpose))
    if otp is None:
        return Result({"has_active_otp": False, "message": "No active OTP found"}, "No active OTP found")
    now = ctx.now
    data = {
        "has_active_otp": True,
        "expires_at": isoformat(otp.expires_at),
        # Negative once expired: status never consumes or hides the OTP.
        "expires_in_seconds": math.floor((otp.expires_at - now).total_seconds()),
        "is_expired": now > otp.expires_at,
        "verification_attempts": otp.attempts,
        "max_attempts": MAX_ATTEMPTS,
        "attempts_remaining": max(0, MAX_ATTEMPTS - otp.attempts),
        "created_at": isoformat(otp.created_at),
    }
    return Result(data, "OTP status retrieved successfully")


_AUTH_FIELDS: Final = (
    "id",
    "template_name",
    "language",
    "body_text",
    "body_params_count",
    "header_format",
    "header_text",
    "footer_text",
    "status",
    "created_at",
)
AUTH_TEMPLATES_SPEC: Final = ListSpec(
    sorts={name: itemgetter(name) for name in ("template_name", "created_at", "language")},
    search=(itemgetter("template_name"), itemgetter("body_text")),
    filters={
        "language": ("str", itemgetter("language")),
        "template_name": ("str", itemgetter("template_name")),
    },
    fields=_AUTH_FIELDS,
)


def list_auth_templates(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, AUTH_TEMPLATES_SPEC)
    items = [
        template.auth_item()
        for template in ctx.tenant.iter_templates()
        if template.category == "AUTHENTICATION" and template.status == "APPROVED"
    ]
    page = run_list(items, query, AUTH_TEMPLATES_SPEC)
    data = [project(item, query.fields) for item in page.items]
    return Result(data, "Authentication templates retrieved successfully", pagination=page.pagination)


ROUTES = [
    Route("POST", "/auth/send-otp", "messages:send", send_otp),
    Route("POST", "/auth/resend", "messages:send", resend_otp),
    Route("POST", "/auth/verify", "messages:send", verify_otp),
    Route("POST", "/auth/status", "messages:send", otp_status),
    Route("GET", "/auth/templates", "templates:read", list_auth_templates),
]
