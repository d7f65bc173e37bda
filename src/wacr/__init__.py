"""wacr: the async Python SDK for the WhatsApp Business messaging API v2 (WA.cr, RASL).

::

    import wacr

    async with wacr.Client(token="...") as client:
        sent = await client.messages.send_text(phone="+201000000000", message="Hi")

Every public name is imported on first use (PEP 562 ``__getattr__``): ``import wacr`` loads
neither aiohttp nor cattrs, so code that needs only the errors, the webhook parser or the
emulator does not pay for the client. ``tests/core/test_imports.py`` holds it to that.
"""

from typing import TYPE_CHECKING

from wacr._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs see: the real objects
    from wacr import models
    from wacr._api_response import APIResponse
    from wacr._client import Client
    from wacr._constants import RASL, WACR
    from wacr._hooks import EventHooks, HookEvent
    from wacr._pagination import (
        AsyncPager,
        Page,
        Paginator,
    )
    from wacr._ratelimit import RateLimiter
    from wacr._response import (
        RateLimit,
        ResponseInfo,
    )
    from wacr.errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        ConfigurationError,
        ConflictError,
        ContactOptedOutError,
        FeatureLimitExceededError,
        FeatureNotAvailableError,
        InsufficientScopeError,
        InternalServerError,
        InvalidCodeError,
        InvalidResponseError,
        MaxAttemptsExceededError,
        MessageSendFailedError,
        NotFoundError,
        OTPExpiredError,
        OTPNotFoundError,
        OTPVerificationError,
        PermissionDeniedError,
        RateLimitError,
        ResponseTooLargeError,
        ServerError,
        ValidationError,
        WacrError,
        WebhookError,
        WebhookSignatureError,
        WhatsAppNotConfiguredError,
    )
    from wacr.models import (
        Deleted,
    )

# Where each public name lives; `wacr.models` is a subpackage (imported like the others).
_HOMES: dict[str, str] = {
    "RASL": "wacr._constants",
    "WACR": "wacr._constants",
    "Client": "wacr._client",
    "APIResponse": "wacr._api_response",
    "EventHooks": "wacr._hooks",
    "HookEvent": "wacr._hooks",
    "RateLimiter": "wacr._ratelimit",
    "AsyncPager": "wacr._pagination",
    "Page": "wacr._pagination",
    "Paginator": "wacr._pagination",
    "RateLimit": "wacr._response",
    "ResponseInfo": "wacr._response",
    "APIConnectionError": "wacr.errors",
    "APIError": "wacr.errors",
    "APITimeoutError": "wacr.errors",
    "AuthenticationError": "wacr.errors",
    "ConfigurationError": "wacr.errors",
    "ConflictError": "wacr.errors",
    "ContactOptedOutError": "wacr.errors",
    "FeatureLimitExceededError": "wacr.errors",
    "FeatureNotAvailableError": "wacr.errors",
    "InsufficientScopeError": "wacr.errors",
    "InternalServerError": "wacr.errors",
    "InvalidCodeError": "wacr.errors",
    "InvalidResponseError": "wacr.errors",
    "MaxAttemptsExceededError": "wacr.errors",
    "MessageSendFailedError": "wacr.errors",
    "NotFoundError": "wacr.errors",
    "OTPExpiredError": "wacr.errors",
    "OTPNotFoundError": "wacr.errors",
    "OTPVerificationError": "wacr.errors",
    "PermissionDeniedError": "wacr.errors",
    "RateLimitError": "wacr.errors",
    "ResponseTooLargeError": "wacr.errors",
    "ServerError": "wacr.errors",
    "ValidationError": "wacr.errors",
    "WacrError": "wacr.errors",
    "WebhookError": "wacr.errors",
    "WebhookSignatureError": "wacr.errors",
    "WhatsAppNotConfiguredError": "wacr.errors",
    "Deleted": "wacr.models",
}

__all__ = [
    "RASL",
    "WACR",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APITimeoutError",
    "AsyncPager",
    "AuthenticationError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "ContactOptedOutError",
    "Deleted",
    "EventHooks",
    "FeatureLimitExceededError",
    "FeatureNotAvailableError",
    "HookEvent",
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
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "ResponseInfo",
    "ResponseTooLargeError",
    "ServerError",
    "ValidationError",
    "WacrError",
    "WebhookError",
    "WebhookSignatureError",
    "WhatsAppNotConfiguredError",
    "__version__",
    "models",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use and keep the name here for later lookups."""
    import importlib

    if name == "models":
        value: object = importlib.import_module("wacr.models")
    else:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Every public name, loaded or not (for ``dir(wacr)`` and completion)."""
    return sorted({*globals(), *__all__})
