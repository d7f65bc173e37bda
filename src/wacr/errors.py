"""The exceptions wacr raises, and the parser that turns an error response into one.

Every exception derives from :class:`WacrError`. Errors the server answered derive from
:class:`APIError` and carry the HTTP status, the API's error ``code``, its ``message``, the
``request_id`` and the raw ``body``; :func:`error_from_response` picks the most specific class
from the code (then from the HTTP status when the code is unknown or missing).

No exception ever holds the API token: the transport never hands it to this module, and a
response body that echoes it back is redacted before it is stored.
"""

from __future__ import annotations

import email.utils
import http
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import orjson
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigurationError",
    "ContactOptedOutError",
    "FeatureLimitExceededError",
    "FeatureNotAvailableError",
    "InsufficientScopeError",
    "InternalServerError",
    "InvalidCodeError",
    "InvalidResponseError",
    "MaxAttemptsExceededError",
    "MessageSendFailedError",
    "NotFoundError",
    "OTPExpiredError",
    "OTPNotFoundError",
    "OTPVerificationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "ValidationError",
    "WacrError",
    "WebhookError",
    "WebhookSignatureError",
    "WhatsAppNotConfiguredError",
    "error_from_response",
]

# How much of a raw body ``str(error)`` shows; the full text stays in ``error.body``.
_BODY_EXCERPT = 200
# How many field errors ``str(error)`` lists before "and N more".
_FIELDS_SHOWN = 3
_NOT_RETRIED = "the request may have been processed by the server and was not retried"


def _rebuild(cls: type[WacrError], args: tuple[Any, ...], state: dict[str, Any]) -> WacrError:
    """Unpickle an exception without calling its keyword-only ``__init__``."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class WacrError(Exception):
    """Base class of every exception raised by wacr."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors break Exception's default pickling; keep the state as is
        # (aiohttp's read-only header proxy does not pickle: copy it).
        state = dict(self.__dict__)
        if isinstance(state.get("headers"), CIMultiDictProxy):
            state["headers"] = CIMultiDict(state["headers"])
        return (_rebuild, (type(self), self.args, state))


class ConfigurationError(WacrError):
    """The client was configured wrongly (no token, a bad base URL, a closed session...)."""


class InvalidResponseError(WacrError):
    """A 2xx response broke the API contract: not JSON, no ``data``, or a field of the wrong type.

    ``problems`` lists each fault as ``"<wire path>: <what was expected>"``.
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[str] = list(problems)
        self.status = status
        self.request_id = request_id
        self.body = body
        self.method = method
        self.url = url

    def __str__(self) -> str:
        text = self.message
        if self.problems:
            more = len(self.problems) - _FIELDS_SHOWN
            text = f"{text}: {'; '.join(self.problems[:_FIELDS_SHOWN])}"
            text += f"; and {more} more" if more > 0 else ""
        if self.status is not None:
            text = f"{self.status}: {text}"
        return text + _suffix(self.method, self.url, self.request_id)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, problems={self.problems!r}, "
            f"status={self.status!r}, request_id={self.request_id!r})"
        )


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
        text = self.message
        if self.may_have_been_processed:
            text = f"{text}; {_NOT_RETRIED}"
        return text + _suffix(self.method, self.url, None)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, method={self.method!r}, "
            f"url={self.url!r}, may_have_been_processed={self.may_have_been_processed!r})"
        )


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout."""


class APIError(WacrError):
    """The server answered with an error.

    Attributes: ``status`` (HTTP status; ``None`` for a check made before sending), ``code``
    (the API's error code, e.g. ``"NOT_FOUND"``, kept even when wacr does not know it),
    ``message``, ``request_id``, ``details`` (the envelope's ``error.details`` as sent),
    ``body`` (the raw response text), ``headers``, ``method`` and ``url``.
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
    ) -> None:
        if message is None:
            message = _status_phrase(status) or type(self).__name__
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

    def _detail_text(self) -> str:
        """Extra text for ``str()`` (field errors, retry hints); subclasses add to it."""
        return ""

    def __str__(self) -> str:
        head = " ".join(str(part) for part in (self.status, self.code) if part is not None)
        text = f"{head}: {self.message}" if head else self.message
        text += self._detail_text()
        if self._show_body and self.body:
            text += f" (body: {_excerpt(self.body)})"
        if self.request_id:
            text += f" [request_id={self.request_id}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


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
        if self.feature is None and self.current is None and self.maximum is None:
            return ""
        return f" ({self.feature or 'limit'}: {self.current}/{self.maximum})"


class FeatureNotAvailableError(PermissionDeniedError):
    """403 ``FEATURE_NOT_AVAILABLE``: the tenant's plan does not include the feature."""


class ContactOptedOutError(PermissionDeniedError):
    """403 ``CONTACT_OPTED_OUT``: the contact opted out of messages."""


class NotFoundError(APIError):
    """404: the resource does not exist (or this deployment lacks the API section)."""


class ValidationError(APIError):
    """422: the request broke a validation rule; ``errors`` maps each field to its messages.

    Also raised before anything is sent when arguments break the spec's rules; then
    ``status`` is ``None``::

        raise ValidationError(errors={"phone": ["must start with +"]})
    """

    _extras: ClassVar[tuple[str, ...]] = ("errors",)

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
        **kwargs: Any,
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
        if not self.errors:
            return ""
        parts = [f"{field}: {'; '.join(msgs)}" for field, msgs in self.errors.items()]
        more = len(parts) - _FIELDS_SHOWN
        text = ", ".join(parts[:_FIELDS_SHOWN]) + (f", and {more} more" if more > 0 else "")
        return f" ({text})"


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
        text = super()._detail_text()
        if self.attempts_remaining is not None:
            text += f" ({self.attempts_remaining} attempts remaining)"
        return text


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
    """5xx: the server failed.

    ``may_have_been_processed`` is ``True`` for a non-idempotent request (a POST): the server
    may have acted before failing, so wacr did not retry it.
    """

    def __init__(
        self, message: str | None = None, *, may_have_been_processed: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.may_have_been_processed = may_have_been_processed

    def _detail_text(self) -> str:
        return f"; {_NOT_RETRIED}" if self.may_have_been_processed else ""


class MessageSendFailedError(ServerError):
    """500 ``MESSAGE_SEND_FAILED``: WhatsApp refused or failed the send."""


class InternalServerError(ServerError):
    """500 ``INTERNAL_ERROR``."""


class WebhookError(WacrError):
    """A webhook body could not be decoded."""


class WebhookSignatureError(WebhookError):
    """A webhook's signature is missing or does not match the configured secret."""


_BY_CODE: dict[str, type[APIError]] = {
    "UNAUTHORIZED": AuthenticationError,
    "INSUFFICIENT_SCOPE": InsufficientScopeError,
    "FEATURE_LIMIT_EXCEEDED": FeatureLimitExceededError,
    "FEATURE_NOT_AVAILABLE": FeatureNotAvailableError,
    "CONTACT_OPTED_OUT": ContactOptedOutError,
    "NOT_FOUND": NotFoundError,
    "VALIDATION_ERROR": ValidationError,
    "WHATSAPP_NOT_CONFIGURED": WhatsAppNotConfiguredError,
    "OTP_NOT_FOUND": OTPNotFoundError,
    "OTP_EXPIRED": OTPExpiredError,
    "MAX_ATTEMPTS_EXCEEDED": MaxAttemptsExceededError,
    "INVALID_CODE": InvalidCodeError,
    "RATE_LIMIT_EXCEEDED": RateLimitError,
    "MESSAGE_SEND_FAILED": MessageSendFailedError,
    "INTERNAL_ERROR": InternalServerError,
}
_BY_STATUS: dict[int, type[APIError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
}
_OTP_CODES = frozenset(("OTP_NOT_FOUND", "OTP_EXPIRED", "MAX_ATTEMPTS_EXCEEDED", "INVALID_CODE"))
# Keys of ``error.details`` that may name the OTP outcome when ``error.code`` is generic.
_OTP_CODE_KEYS = ("code", "error_code", "error", "reason", "type", "status")


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str | None = None,
    url: str | None = None,
    redact: Iterable[str] = (),
) -> APIError:
    """Build the typed error for a non-2xx response; never raises, whatever the body.

    Reads the envelope tolerantly (see ``decisions.md``): code from ``error.code`` then
    ``code``; message from ``error.message`` then ``message``; field errors from
    ``error.details`` when it maps fields to lists of messages, then ``errors``;
    ``retry_after`` and ``attempts_remaining`` from ``error.details``, ``error``, then the top
    level, with a ``Retry-After`` header winning. A body that is not a JSON object still
    gives an error typed by status, with the raw text kept in ``body``. Every string in
    ``redact`` (the token) is masked in the stored body.
    """
    for secret in redact:
        if secret:
            body = body.replace(secret.encode(), b"[REDACTED]")
    text = body.decode("utf-8", errors="replace")
    envelope: Any = None
    if body.strip():
        try:
            envelope = orjson.loads(body)
        except orjson.JSONDecodeError:
            envelope = None
    top: dict[str, Any] = envelope if isinstance(envelope, dict) else {}
    error_obj = top.get("error")
    err: dict[str, Any] = error_obj if isinstance(error_obj, dict) else {}
    details = err.get("details")
    detail_map: dict[str, Any] = details if isinstance(details, dict) else {}

    code = _first_str(err.get("code"), top.get("code"))
    message = _first_str(err.get("message"), top.get("message"))
    if isinstance(error_obj, str):
        # Some stacks answer {"error": "UNAUTHORIZED"} or {"error": "Unauthenticated."}.
        if code is None and error_obj.isupper():
            code = error_obj
        elif message is None:
            message = error_obj

    if status == 422 and code not in _OTP_CODES:
        otp_code = _otp_code_in(detail_map)
        if otp_code is not None:
            code = otp_code

    meta = top.get("meta")
    request_id = _first_str(
        meta.get("request_id") if isinstance(meta, dict) else None,
        top.get("request_id"),
        err.get("request_id"),
    ) or _header(headers, "X-Request-Id")

    cls = _BY_CODE.get(code) if code is not None else None
    if cls is None:
        cls = _BY_STATUS.get(status) or (ServerError if 500 <= status <= 599 else APIError)

    kwargs: dict[str, Any] = {}
    scopes = (detail_map, err, top)
    for name in cls._extras:
        if name == "errors":
            kwargs[name] = _field_errors(detail_map) or _field_errors(top.get("errors")) or None
        elif name == "retry_after":
            kwargs[name] = _retry_after_header(headers)
            if kwargs[name] is None:
                kwargs[name] = _number(_lookup(scopes, "retry_after"))
        elif name == "attempts_remaining":
            kwargs[name] = _integer(_lookup(scopes, name))
        elif name == "feature":
            kwargs[name] = _first_str(_lookup(scopes, name))
        else:  # current / maximum
            kwargs[name] = _integer(_lookup(scopes, name))

    error = cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        details=details,
        body=text,
        headers=headers,
        method=method,
        url=url,
        **kwargs,
    )
    error._show_body = not top
    return error


def _suffix(method: str | None, url: str | None, request_id: str | None) -> str:
    parts = [" ".join(p for p in (method, url) if p)]
    if request_id:
        parts.append(f"request_id={request_id}")
    inner = ", ".join(p for p in parts if p)
    return f" [{inner}]" if inner else ""


def _status_phrase(status: int | None) -> str | None:
    if status is None:
        return None
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _BODY_EXCERPT:
        return repr(flat)
    return f"{flat[:_BODY_EXCERPT]!r}... ({len(text)} chars)"


def _first_str(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return None


def _lookup(scopes: Iterable[Mapping[str, Any]], key: str) -> Any:
    for scope in scopes:
        value = scope.get(key)
        if value is not None:
            return value
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return max(number, 0.0) if math.isfinite(number) else None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # aiohttp's headers are case-insensitive; a plain dict from a test may not be.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value or None


def _retry_after_header(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header, either delta-seconds or an HTTP date."""
    raw = _header(headers, "Retry-After")
    if raw is None:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _field_errors(value: Any) -> dict[str, list[str]]:
    """The ``{field: [messages]}`` entries of a mapping (other entries are not field errors)."""
    if not isinstance(value, dict):
        return {}
    return {
        str(field): [str(m) for m in msgs]
        for field, msgs in value.items()
        if isinstance(msgs, list) and msgs and all(isinstance(m, str) for m in msgs)
    }


def _otp_code_in(details: Mapping[str, Any]) -> str | None:
    """The OTP outcome code carried in ``error.details`` when ``error.code`` is generic."""
    for key in _OTP_CODE_KEYS:
        value = details.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value.upper() in _OTP_CODES:
            return value.upper()
    for key in details:
        if isinstance(key, str) and key.upper() in _OTP_CODES:
            return key.upper()
    return None
