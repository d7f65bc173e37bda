"""sign / verify_signature: hex HMAC-SHA256 of the raw body, optional `sha256=` prefix."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from wacr import webhooks

BODY = b'{"event": {"id": "evt_1_a", "type": "contact.created"}}'
HEX = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()


def test_sign_is_the_prefixed_hex_hmac_sha256_of_the_body() -> None:
    assert webhooks.sign(BODY, "s3cret") == "sha256=" + HEX
    assert webhooks.sign(BODY.decode(), b"s3cret") == "sha256=" + HEX


@pytest.mark.parametrize(
    "signature",
    [HEX, "sha256=" + HEX, "SHA256=" + HEX, HEX.upper(), f"  sha256={HEX}\t"],
)
def test_valid_signatures_in_every_accepted_form(signature: str) -> None:
    assert webhooks.verify_signature(BODY, signature, "s3cret")
    assert webhooks.verify_signature(BODY, signature, b"s3cret")


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", HEX[:-1], HEX + "0", "sha1=" + HEX, "sha256=" + "0" * 64, "sha256=é" + HEX[1:]],
)
def test_invalid_signatures(signature: str | None) -> None:
    assert not webhooks.verify_signature(BODY, signature, "s3cret")


def test_the_signature_covers_every_byte_of_the_body_and_the_secret() -> None:
    assert not webhooks.verify_signature(BODY + b" ", "sha256=" + HEX, "s3cret")
    assert not webhooks.verify_signature(BODY, "sha256=" + HEX, "s3cret2")
