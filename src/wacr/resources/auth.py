"""``client.auth``: one-time codes sent through WhatsApp AUTHENTICATION templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource, _seq

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import AuthTemplate, OtpSendResult, OtpStatus, OtpVerifyResult
    from wacr.resources._options import BodyOptions, RequestOptions

__all__ = ["Auth"]


class Auth(Resource):
    """OTP verification (scope ``messages:send``; ``list_templates`` needs ``templates:read``).

    Sending, resending and verifying are POSTs that are never retried after an ambiguous
    failure: a retry could text the user a second code or burn one of their five attempts.
    """

    __slots__ = ()

    async def send_otp(
        self,
        *,
        phone: str,
        template_name: str,
        code: str | None = None,
        language: str | None = None,
        expiry_minutes: int | None = None,
        contact_id: int | None = None,
        purpose: str | None = None,
        additional_params: Sequence[str] | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> OtpSendResult:
        """Send a code to ``phone`` through an APPROVED AUTHENTICATION template (``POST /auth/send-otp``).

        ``code`` is your own code (exactly 6 digits); leave it out and the server generates one,
        which the result then carries (``code_auto_generated`` is true and ``code`` is the
        code). A code you chose is not echoed back. Replaces any active code for the same phone
        and ``purpose`` (default ``authentication``); the contact is created when unknown. An
        unknown or unapproved template raises :class:`wacr.NotFoundError`.
        """
        body = {
            "phone": phone,
            "template_name": template_name,
            "code": code,
            "language": language,
            "expiry_minutes": expiry_minutes,
            "contact_id": contact_id,
            "purpose": purpose,
            "additional_params": _seq(additional_params),
        }
        return await self._request("auth_send_otp", models.OtpSendResult, body=body, options=request_options)

    async def resend_otp(
        self,
        *,
        phone: str,
        template_name: str,
        language: str | None = None,
        expiry_minutes: int | None = None,
        purpose: str | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> OtpSendResult:
        """Send a new server-generated 6-digit code, invalidating the old one (``POST /auth/resend``).

        Limited to 3 per 5 minutes per phone: over it, :class:`wacr.RateLimitError` carries
        ``retry_after``.
        """
        body = {
            "phone": phone,
            "template_name": template_name,
            "language": language,
            "expiry_minutes": expiry_minutes,
            "purpose": purpose,
        }
        return await self._request(
            "auth_resend_otp", models.OtpSendResult, body=body, options=request_options
        )

    async def verify_otp(
        self,
        *,
        phone: str,
        code: str,
        purpose: str | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> OtpVerifyResult:
        """Check a code the user typed (``POST /auth/verify``); a correct code is consumed.

        Raises :class:`wacr.InvalidCodeError` (with ``attempts_remaining``),
        :class:`wacr.OTPExpiredError`, :class:`wacr.OTPNotFoundError` or
        :class:`wacr.MaxAttemptsExceededError` (after 5 wrong codes).
        """
        body = {"phone": phone, "code": code, "purpose": purpose}
        return await self._request(
            "auth_verify_otp", models.OtpVerifyResult, body=body, options=request_options
        )

    async def otp_status(
        self,
        *,
        phone: str,
        purpose: str | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> OtpStatus:
        """The active code's expiry and attempts, without consuming it (``POST /auth/status``).

        Without an active code the result has ``has_active_otp=False`` and ``message``.
        """
        body = {"phone": phone, "purpose": purpose}
        status = await self._request("auth_otp_status", models.OtpStatus, body=body, options=request_options)
        if not status.has_active_otp and status.message is None and status.response is not None:
            # The docs leave open whether "No active OTP found" sits in `data` or the envelope.
            return self._with(status, message=status.response.message)
        return status

    def list_templates(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        sort: str | Sequence[str] | None = None,
        search: str | None = None,
        q: str | None = None,
        filters: Mapping[str, Any] | None = None,
        **request_options: Unpack[RequestOptions],
    ) -> Paginator[AuthTemplate]:
        """APPROVED AUTHENTICATION templates to use with :meth:`send_otp` (``GET /auth/templates``).

        ``await`` it for one page, or ``async for`` over it for every template. Filters:
        ``language``, ``template_name``.
        """
        args = {
            "page": page,
            "per_page": per_page,
            "sort": sort,
            "search": search,
            "q": q,
            "filters": filters,
        }
        return self._list("auth_list_templates", models.AuthTemplate, args, options=request_options)
