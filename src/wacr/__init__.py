"""wacr: the async Python SDK for the WhatsApp Business messaging API v2 (WA.cr, RASL).

::

    import wacr

    async with wacr.Client(token="...") as client:
        sent = await client.messages.send_text(phone="+201000000000", message="Hi")
"""

from wacr import models
from wacr._client import RASL, WACR, Client
from wacr._pagination import AsyncPager, Page, Paginator
from wacr._response import ResponseInfo
from wacr._version import __version__
from wacr.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
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
    ServerError,
    ValidationError,
    WacrError,
    WebhookError,
    WebhookSignatureError,
    WhatsAppNotConfiguredError,
)
from wacr.models import Deleted

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
    "RateLimitError",
    "ResponseInfo",
    "ServerError",
    "ValidationError",
    "WacrError",
    "WebhookError",
    "WebhookSignatureError",
    "WhatsAppNotConfiguredError",
    "__version__",
    "models",
]
