"""A wrong setting or argument of the webhook tools is refused where it is given, naming it.

Before, ``Router(secret=5)`` answered every delivery 401, ``signature_header=5`` raised an
``AttributeError`` on the first delivery (a 500), ``max_pending="5"`` a ``TypeError`` that named
nothing, and ``verify_signature(5, ...)`` a buffer-protocol ``TypeError``.
"""

from __future__ import annotations

from typing import Any

import pytest

from wacr import webhooks

BODY = b'{"event": {"id": "evt_1", "type": "contact.merged"}}'  # an undocumented type: the generic payload


@pytest.mark.parametrize("secret", [5, 1.5, ["s"], {"s": 1}, object()])
def test_a_secret_that_is_not_text_or_bytes_is_refused(secret: Any) -> None:
    with pytest.raises(TypeError, match="secret must be str, bytes or None"):
        webhooks.Router(secret=secret)


@pytest.mark.parametrize(
    "header", [5, None, b"X-Signature", "", "X Signature", "X-Sig:", "X-Sig\r\nA: b", "é"]
)
def test_a_signature_header_that_is_no_header_name_is_refused(header: Any) -> None:
    with pytest.raises(ValueError, match="signature_header must be an HTTP header name"):
        webhooks.Router(secret="s", signature_header=header)


@pytest.mark.parametrize("name", ["max_body_size", "max_event_ids", "max_pending"])
@pytest.mark.parametrize("value", ["5", 5.0, True, 0, -1, None])
def test_counts_must_be_positive_integers(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"{name} must be a positive integer"):
        webhooks.Router(**{name: value})


@pytest.mark.parametrize("value", ["10", True, 0, -1.0, float("inf"), float("nan"), None])
def test_read_timeout_must_be_a_positive_finite_number(value: Any) -> None:
    with pytest.raises(ValueError, match="read_timeout must be a positive, finite number"):
        webhooks.Router(read_timeout=value)


def test_good_settings_are_kept() -> None:
    router = webhooks.Router(
        secret=b"s", signature_header="X-Hub-Signature-256", max_body_size=10, max_pending=2, read_timeout=1
    )
    assert (router.signature_header, router.max_body_size, router.max_pending) == (
        "X-Hub-Signature-256",
        10,
        2,
    )
    assert router.read_timeout == 1.0


async def test_a_custom_header_signs_deliveries() -> None:
    router = webhooks.Router(secret="s", signature_header="X-Hub-Signature-256")
    assert await router.handle(BODY, {"X-Hub-Signature-256": webhooks.sign(BODY, "s")}) == 200
    assert (
        await router.handle(BODY.replace(b"evt_1", b"evt_2"), {"X-Signature": webhooks.sign(BODY, "s")})
        == 401
    )


@pytest.mark.parametrize("body", [5, None, ["{}"], {"a": 1}])
def test_signing_or_verifying_a_body_that_is_not_raw_is_a_clear_type_error(body: Any) -> None:
    with pytest.raises(TypeError, match="must be bytes or str"):
        webhooks.sign(body, "s")
    with pytest.raises(TypeError, match="must be bytes or str"):
        webhooks.verify_signature(body, "sha256=00", "s")
    with pytest.raises(TypeError, match="must be bytes or str"):
        webhooks.verify_signature(body, None, "s")


@pytest.mark.parametrize("secret", [5, None, ["s"]])
def test_signing_with_a_secret_that_is_not_text_or_bytes_is_a_clear_type_error(secret: Any) -> None:
    with pytest.raises(TypeError, match="secret must be str or bytes"):
        webhooks.sign(b"{}", secret)
    with pytest.raises(TypeError, match="secret must be str or bytes"):
        webhooks.verify_signature(b"{}", "", secret)


@pytest.mark.parametrize("signature", [5, b"sha256=00", ["sha256=00"]])
def test_a_signature_that_is_not_text_is_a_clear_type_error(signature: Any) -> None:
    with pytest.raises(TypeError, match=r"signature is the header's text \(str\)"):
        webhooks.verify_signature(b"{}", signature, "s")


def test_raw_bodies_of_every_buffer_kind_verify_alike() -> None:
    signature = webhooks.sign(BODY, "s")
    for raw in (BODY, bytearray(BODY), memoryview(BODY), BODY.decode()):
        assert webhooks.verify_signature(raw, signature, "s")  # type: ignore[arg-type]
        assert webhooks.sign(raw, b"s") == signature  # type: ignore[arg-type]
