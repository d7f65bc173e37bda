"""Webhook signatures: the hex HMAC-SHA256 of the raw body, keyed with the router's secret.

The platform does not document how (or whether) it signs deliveries; this is the scheme
:class:`~wacr.webhooks.Router` and the emulator (:mod:`wacr.testing`) use.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

__all__ = ["SIGNATURE_HEADER", "sign", "verify_signature"]

#: The header :class:`~wacr.webhooks.Router` reads the signature from by default (the scheme is undocumented).
SIGNATURE_HEADER: Final = "X-Signature"

_SIGNATURE_PREFIX: Final = "sha256="


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        return secret.encode()
    if isinstance(secret, (bytes, bytearray)):
        return bytes(secret)
    raise TypeError(f"the webhook secret must be str or bytes, not {type(secret).__name__}")


def _raw(body: bytes | str) -> bytes:
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"a webhook body to sign must be bytes or str (the raw body), not {type(body).__name__}")


def sign(body: bytes | str, secret: str | bytes) -> str:
    """The signature a signed delivery carries: ``"sha256=" + hex HMAC-SHA256(secret, body)``.

    Useful to test a receiver (``headers={"X-Signature": sign(body, secret)}``). The platform's
    own scheme is undocumented; this is the one :class:`~wacr.webhooks.Router` and the emulator use.
    """
    return _SIGNATURE_PREFIX + hmac.new(_key(secret), _raw(body), hashlib.sha256).hexdigest()


def verify_signature(body: bytes | str, signature: str | None, secret: str | bytes) -> bool:
    """Whether ``signature`` is the hex HMAC-SHA256 of the raw ``body`` keyed with ``secret``.

    An optional ``sha256=`` prefix and surrounding spaces are ignored, hex case does not matter,
    and the comparison takes constant time. ``None`` or an empty signature is never valid.

    >>> verify_signature(b"{}", sign(b"{}", "s3cret"), "s3cret")
    True
    """
    if signature is not None and not isinstance(signature, str):
        raise TypeError(f"a webhook signature is the header's text (str), not {type(signature).__name__}")
    if not signature:
        _key(secret)  # a wrong secret is a mistake even when there is nothing to compare
        _raw(body)
        return False
    given = signature.strip()
    if given[: len(_SIGNATURE_PREFIX)].lower() == _SIGNATURE_PREFIX:
        given = given[len(_SIGNATURE_PREFIX) :]
    expected = sign(body, secret)[len(_SIGNATURE_PREFIX) :]
    # Bytes on both sides: compare_digest rejects non-ASCII str, and a forged header may have some,
    # even lone surrogates (a str header given to Router.handle): surrogatepass encodes them all.
    return hmac.compare_digest(expected.encode(), given.lower().encode("utf-8", "surrogatepass"))
