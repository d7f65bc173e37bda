"""wacr: the async Python SDK for the WhatsApp Business messaging API v2 (WA.cr, RASL).

::

    import wacr

    async with wacr.Client(token="...") as client:
        sent = await client.messages.send_text(phone="+201000000000", message="Hi")
"""

from typing import TYPE_CHECKING

from wacr import models
from wacr._pagination import AsyncPager, Page, Paginator
from wacr._response import RateLimit, ResponseInfo
from wacr._version import __version__
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
from wacr.models import Deleted

if TYPE_CHECKING:
    from wacr._client import RASL, WACR, Client
else:
    # The client (transport, resources, the converter and the models they use) is imported on
    # first use of `wacr.Client`, so that `import wacr` stays cheap for code that only needs
    # the errors, the webhook parser or the emulator.
    _LAZY = frozenset({"Client", "RASL", "WACR"})

    def __getattr__(name: str) -> object:
        if name not in _LAZY:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import wacr._client

        value = getattr(wacr._client, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_LAZY})


__all__ = [
    "RASL",
    "WACR",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncPager",
    "AuthenticationError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "ContactOptedOutError",
    "Deleted",
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
    "Page",
    "Paginator",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
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
