"""The exceptions wacr raises (the tree, with what each class means, is in
``docs/guides/errors.md``), and the table from the API's error codes to them.

Every exception derives from :class:`WacrError`. Errors the server answered derive from
:class:`APIError` and carry the HTTP status, the API's error ``code``, its ``message``, the
``request_id`` and the raw ``body``; the most specific class is picked from the code (then from
the HTTP status when the code is unknown or missing) when ``wacr._envelope`` reads an error body.
How each one words itself is in ``wacr._error_text``. No exception ever holds the API token: the
transport masks it (echoed as is or escaped) with a :class:`Redactor` in all an error stores or shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from wacr._constants import IDEMPOTENT_METHODS as IDEMPOTENT_METHODS  # its home until the split
from wacr._error_text import (
    ambiguous,
    api_text,
    connection_text,
    field_errors_text,
    invalid_text,
    limit_text,
    reduce_error,
    short_repr,
    status_phrase,
)
from wacr._redact import MASK as MASK  # re-exported: where the mask has always been importable
from wacr._redact import Redactor

if TYPE_CHECKING:
    from wacr._response import RateLimit

# fmt: off
__all__ = [
    "APIConnectionError", "APIError", "APITimeoutError", "AuthenticationError", "ConfigurationError",
    "ConflictError", "ContactOptedOutError", "FeatureLimitExceededError", "FeatureNotAvailableError",
    "InsufficientScopeError", "InternalServerError", "InvalidCodeError", "InvalidResponseError",
    "MaxAttemptsExceededError", "MessageSendFailedError", "NotFoundError", "OTPExpiredError",
    "OTPNotFoundError", "OTPVerificationError", "PermissionDeniedError", "RateLimitError", "Redactor",
    "ResponseTooLargeError", "ServerError", "ValidationError", "WacrError", "WebhookError",
    "WebhookSignatureError", "WhatsAppNotConfiguredError",
]
# fmt: on


class WacrError(Exception):
    """Base class of every exception raised by wacr."""

    def __reduce__(self) -> tuple[Any, ...]:
        return reduce_error(self)


class ConfigurationError(WacrError):
    """The client was configured wrongly (no token, a bad base URL, a closed session...)."""


class InvalidResponseError(WacrError):
    """A 2xx response broke the API contract: not JSON, no ``data``, or a field of the wrong type;
    ``problems`` lists each fault as ``"<wire path>: <what was expected>"``.

    ``may_have_been_processed`` is ``True`` when the answer was a 2xx (the server did the work)
    to a call that is not idempotent (a POST; or one whose method the error does not know): do
    not send it again blindly, a send would go out twice. Unless given, it follows from
    ``status`` and ``method``.
    """

    def __init__(
        self,
        message: str,
        *,
        problems: Sequence[str] = (),
        status: int | None = None,
        request_id: str | None = None,
        body: str | None = None,
        method: str | None = None,
        url: str | None = None,
        may_have_been_processed: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[str] = list(problems)
        self.status = status
        self.request_id = request_id
        self.body = body
        self.method = method
        self.url = url
        self._processed = may_have_been_processed

    @property
    def may_have_been_processed(self) -> bool:
        """Whether the server may have acted on the request (see the class docstring)."""
        done = self._processed
        return ambiguous(self.status, self.method) if done is None else done

    @may_have_been_processed.setter
    def may_have_been_processed(self, value: bool) -> None:
        self._processed = value

    def __str__(self) -> str:
        return invalid_text(self)

    def __repr__(self) -> str:
        return short_repr(self, "message", "problems", "status", "request_id")


class ResponseTooLargeError(InvalidResponseError):
    """The response body is larger than the client's ``max_response_size`` (counted after
    decompression); wacr stopped reading it. ``limit`` is that size in bytes. Raised for an error
    status too (then ``status`` is that status)."""

    def __init__(self, message: str, *, limit: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


class APIConnectionError(WacrError):
    """wacr could not get an answer from the server (connection refused, DNS, TLS, dropped).

    ``may_have_been_processed`` is ``True`` when a non-idempotent request (a POST) had been
    written before the failure: the server may have acted on it, so it was not retried.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        may_have_been_processed: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.may_have_been_processed = may_have_been_processed

    def __str__(self) -> str:
        return connection_text(self)

    def __repr__(self) -> str:
        return short_repr(self, "message", "method", "url", "may_have_been_processed")


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout."""


class APIError(WacrError):
    """The server answered with an error.

    Attributes: ``status`` (HTTP status; ``None`` for a check made before sending), ``code``
    (the API's error code, e.g. ``"NOT_FOUND"``, kept even when wacr does not know it),
    ``message``, ``request_id``, ``details`` (the envelope's ``error.details`` as sent),
    ``body`` (the raw response text), ``headers``, ``method``, ``url``, :attr:`rate_limit`, and
    ``may_have_been_processed``: ``True`` when a call that is not idempotent (a POST) got an
    answer that does not rule out that the server did the work (a 5xx, or a 2xx saying
    ``success: false`` with a server-side or unknown code), so wacr did not send it again.
    """

    # Keyword arguments of the constructor that error_from_response fills from the body.
    _extras: ClassVar[tuple[str, ...]] = ()
    # Set by error_from_response when the body was not a JSON object (HTML from a proxy...),
    # so that str() shows an excerpt of it.
    _show_body: bool = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        details: Any = None,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
        method: str | None = None,
        url: str | None = None,
        may_have_been_processed: bool = False,
    ) -> None:
        if message is None:
            message = status_phrase(status) or type(self).__name__
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details
        self.body = body
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.method = method
        self.url = url
        self.may_have_been_processed = may_have_been_processed

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``X-RateLimit-*`` headers of the answer, parsed (``None`` when it had none)."""
        from wacr._response import RateLimit

        return RateLimit.from_headers(self.headers)

    def _detail_text(self) -> str:
        """Extra text for ``str()`` (field errors, retry hints); subclasses add to it."""
        return ""

    def __str__(self) -> str:
        return api_text(self, self._detail_text())

    def __repr__(self) -> str:
        return short_repr(self, "status", "code", "message", "request_id")


class AuthenticationError(APIError):
    """401: the token is missing, wrong, expired or revoked."""


class PermissionDeniedError(APIError):
    """403: the token may not do this."""


class InsufficientScopeError(PermissionDeniedError):
    """403 ``INSUFFICIENT_SCOPE``: the token lacks the ability the operation needs."""


class FeatureLimitExceededError(PermissionDeniedError):
    """403 ``FEATURE_LIMIT_EXCEEDED``: a plan limit was hit (``feature``, ``current``, ``maximum``)."""

    _extras: ClassVar[tuple[str, ...]] = ("feature", "current", "maximum")

    def __init__(
        self,
        message: str | None = None,
        *,
        feature: str | None = None,
        current: int | None = None,
        maximum: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.feature = feature
        self.current = current
        self.maximum = maximum

    def _detail_text(self) -> str:
        return limit_text(self.feature, self.current, self.maximum)


class FeatureNotAvailableError(PermissionDeniedError):
    """403 ``FEATURE_NOT_AVAILABLE``: the tenant's plan does not include the feature."""


class ContactOptedOutError(PermissionDeniedError):
    """403 ``CONTACT_OPTED_OUT``: the contact opted out of messages."""


class NotFoundError(APIError):
    """404 (``NOT_FOUND``, ``RESOURCE_NOT_FOUND``): the resource does not exist (an unknown or
    unapproved template, for instance), or this deployment lacks the API section."""


class ConflictError(APIError):
    """409 (``RESOURCE_CONFLICT``): the resource is still in use, e.g. a source or a status that
    contacts still have; ``contacts_count`` is how many (``error.details.contacts_count``)."""

    _extras: ClassVar[tuple[str, ...]] = ("contacts_count",)

    def __init__(
        self, message: str | None = None, *, contacts_count: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.contacts_count = contacts_count

    def _detail_text(self) -> str:
        return "" if self.contacts_count is None else f" ({self.contacts_count} contacts use it)"


class ValidationError(APIError):
    """422 (``VALIDATION_ERROR``, ``INVALID_MEDIA_TYPE``): the request broke a validation rule;
    ``errors`` maps each field to its messages.

    Also raised before anything is sent when arguments break the spec's rules; then
    ``status`` is ``None``::

        raise ValidationError(errors={"phone": ["must start with +"]})
    """

    _extras: ClassVar[tuple[str, ...]] = ("errors",)

    def __init__(
        self, message: str | None = None, *, errors: Mapping[str, Sequence[str]] | None = None, **kwargs: Any
    ) -> None:
        self.errors: dict[str, list[str]] = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in (errors or {}).items()
        }
        if kwargs.get("status") is None:
            # A check made before sending: no response, so say what kind of error it is.
            message = message or "Invalid arguments"
            kwargs["code"] = kwargs.get("code") or "VALIDATION_ERROR"
        super().__init__(message, **kwargs)

    def _detail_text(self) -> str:
        return field_errors_text(self.errors)


class WhatsAppNotConfiguredError(ValidationError):
    """422 ``WHATSAPP_NOT_CONFIGURED``: the tenant has no WhatsApp number set up."""


class OTPVerificationError(ValidationError):
    """422: an OTP could not be verified (base of the four OTP outcomes)."""


class OTPNotFoundError(OTPVerificationError):
    """``OTP_NOT_FOUND``: no active OTP for this phone and purpose."""


class OTPExpiredError(OTPVerificationError):
    """``OTP_EXPIRED``: the OTP expired; send a new one."""


class MaxAttemptsExceededError(OTPVerificationError):
    """``MAX_ATTEMPTS_EXCEEDED``: too many wrong codes for this OTP."""


class InvalidCodeError(OTPVerificationError):
    """``INVALID_CODE``: the code is wrong; ``attempts_remaining`` says how many tries are left."""

    _extras: ClassVar[tuple[str, ...]] = ("errors", "attempts_remaining")

    def __init__(
        self, message: str | None = None, *, attempts_remaining: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.attempts_remaining = attempts_remaining

    def _detail_text(self) -> str:
        left = self.attempts_remaining
        return super()._detail_text() + ("" if left is None else f" ({left} attempts remaining)")


class RateLimitError(APIError):
    """429: too many requests; ``retry_after`` is the wait in seconds the server asked for."""

    _extras: ClassVar[tuple[str, ...]] = ("retry_after",)

    def __init__(
        self, message: str | None = None, *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def _detail_text(self) -> str:
        return "" if self.retry_after is None else f" (retry after {self.retry_after:g} s)"


class ServerError(APIError):
    """5xx: the server failed; ``may_have_been_processed`` is ``True`` for a POST (the server may
    have acted before failing, so wacr did not retry it)."""


class MessageSendFailedError(ServerError):
    """500 ``MESSAGE_SEND_FAILED``: WhatsApp refused or failed the send."""


class InternalServerError(ServerError):
    """500 ``INTERNAL_ERROR``."""


class WebhookError(WacrError):
    """A webhook body could not be decoded."""


class WebhookSignatureError(WebhookError):
    """A webhook's signature is missing or does not match the configured secret."""


# fmt: off
_BY_CODE: dict[str, type[APIError]] = {
    "UNAUTHORIZED": AuthenticationError, "INSUFFICIENT_SCOPE": InsufficientScopeError,
    "FEATURE_LIMIT_EXCEEDED": FeatureLimitExceededError, "FEATURE_NOT_AVAILABLE": FeatureNotAvailableError,
    "CONTACT_OPTED_OUT": ContactOptedOutError, "NOT_FOUND": NotFoundError,
    "RESOURCE_NOT_FOUND": NotFoundError, "RESOURCE_CONFLICT": ConflictError,
    "VALIDATION_ERROR": ValidationError, "INVALID_MEDIA_TYPE": ValidationError,
    "WHATSAPP_NOT_CONFIGURED": WhatsAppNotConfiguredError, "OTP_NOT_FOUND": OTPNotFoundError,
    "OTP_EXPIRED": OTPExpiredError, "MAX_ATTEMPTS_EXCEEDED": MaxAttemptsExceededError,
    "INVALID_CODE": InvalidCodeError, "RATE_LIMIT_EXCEEDED": RateLimitError,
    "MESSAGE_SEND_FAILED": MessageSendFailedError, "INTERNAL_ERROR": InternalServerError,
}
_BY_STATUS: dict[int, type[APIError]] = {
    401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError, 409: ConflictError,
    422: ValidationError, 429: RateLimitError,
}
# fmt: on
