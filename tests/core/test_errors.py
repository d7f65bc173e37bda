"""The error tree and error_from_response: every documented code, tolerant parsing, str()."""

from __future__ import annotations

import asyncio
import email.utils
import pickle
import time
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

import wacr.errors as errors_module
from wacr._envelope import error_from_response
from wacr.errors import (
    MASK,
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
    Redactor,
    ServerError,
    ValidationError,
    WacrError,
    WebhookError,
    WebhookSignatureError,
    WhatsAppNotConfiguredError,
)

URL = "https://app.wa.cr/api/v2/contacts"


def envelope(code: str | None, message: str = "Something failed", **error: Any) -> bytes:
    err: dict[str, Any] = {"message": message, **error}
    if code is not None:
        err["code"] = code
    return orjson.dumps(
        {
            "success": False,
            "message": message,
            "error": err,
            "meta": {"request_id": "req-123", "timestamp": "2026-01-01T00:00:00Z"},
        }
    )


def parse(status: int, body: bytes, headers: dict[str, str] | None = None) -> APIError:
    return error_from_response(status, headers or {}, body, method="POST", url=URL)


def test_hierarchy() -> None:
    assert issubclass(ConfigurationError, WacrError) and issubclass(InvalidResponseError, WacrError)
    assert issubclass(APITimeoutError, APIConnectionError) and issubclass(APIConnectionError, WacrError)
    for denied in (InsufficientScopeError, FeatureLimitExceededError, FeatureNotAvailableError):
        assert issubclass(denied, PermissionDeniedError)
    assert issubclass(ContactOptedOutError, PermissionDeniedError)
    assert issubclass(WhatsAppNotConfiguredError, ValidationError)
    for otp in (OTPNotFoundError, OTPExpiredError, MaxAttemptsExceededError, InvalidCodeError):
        assert issubclass(otp, OTPVerificationError) and issubclass(otp, ValidationError)
    assert issubclass(MessageSendFailedError, ServerError) and issubclass(InternalServerError, ServerError)
    for api in (AuthenticationError, PermissionDeniedError, NotFoundError, ValidationError, RateLimitError):
        assert issubclass(api, APIError)
    assert issubclass(WebhookSignatureError, WebhookError) and issubclass(WebhookError, WacrError)
    assert not issubclass(WebhookError, APIError)
    for name in errors_module.__all__:
        assert getattr(errors_module, name).__doc__


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "UNAUTHORIZED", AuthenticationError),
        (403, "INSUFFICIENT_SCOPE", InsufficientScopeError),
        (403, "FEATURE_LIMIT_EXCEEDED", FeatureLimitExceededError),
        (403, "FEATURE_NOT_AVAILABLE", FeatureNotAvailableError),
        (403, "CONTACT_OPTED_OUT", ContactOptedOutError),
        (404, "NOT_FOUND", NotFoundError),
        (404, "RESOURCE_NOT_FOUND", NotFoundError),
        (409, "RESOURCE_CONFLICT", ConflictError),
        (422, "VALIDATION_ERROR", ValidationError),
        (422, "INVALID_MEDIA_TYPE", ValidationError),
        (422, "WHATSAPP_NOT_CONFIGURED", WhatsAppNotConfiguredError),
        (422, "OTP_NOT_FOUND", OTPNotFoundError),
        (422, "OTP_EXPIRED", OTPExpiredError),
        (422, "MAX_ATTEMPTS_EXCEEDED", MaxAttemptsExceededError),
        (422, "INVALID_CODE", InvalidCodeError),
        (429, "RATE_LIMIT_EXCEEDED", RateLimitError),
        (500, "MESSAGE_SEND_FAILED", MessageSendFailedError),
        (500, "INTERNAL_ERROR", InternalServerError),
    ],
)
def test_every_documented_code(status: int, code: str, cls: type[APIError]) -> None:
    error = parse(status, envelope(code, "Nope", details={"x": 1}), {"X-Request-Id": "hdr"})
    assert type(error) is cls
    assert (error.status, error.code, error.message, error.request_id) == (status, code, "Nope", "req-123")
    assert error.details == {"x": 1}
    assert error.method == "POST" and error.url == URL
    assert error.body is not None and '"req-123"' in error.body
    assert str(error).startswith(f"{status} {code}: Nope") and str(error).endswith("[request_id=req-123]")


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, APIError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
        (418, APIError),
    ],
)
def test_unknown_code_maps_by_status_and_keeps_the_code(status: int, cls: type[APIError]) -> None:
    error = parse(status, envelope("SOMETHING_NEW", "Odd"))
    assert type(error) is cls and error.code == "SOMETHING_NEW" and error.status == status


def test_known_code_wins_over_status() -> None:
    assert type(parse(400, envelope("NOT_FOUND"))) is NotFoundError


def test_top_level_code_message_and_laravel_errors() -> None:
    body = orjson.dumps(
        {"message": "The given data was invalid.", "code": "VALIDATION_ERROR", "errors": {"email": ["Taken"]}}
    )
    error = parse(422, body, {"X-Request-Id": "hdr-1"})
    assert isinstance(error, ValidationError)
    assert error.message == "The given data was invalid." and error.errors == {"email": ["Taken"]}
    assert error.request_id == "hdr-1"


def test_error_object_wins_over_top_level() -> None:
    body = orjson.dumps(
        {
            "message": "outer",
            "code": "NOT_FOUND",
            "errors": {"b": ["outer"]},
            "error": {"code": "VALIDATION_ERROR", "message": "inner", "details": {"a": ["inner"]}},
        }
    )
    error = parse(422, body)
    assert isinstance(error, ValidationError)
    assert (error.code, error.message, error.errors) == ("VALIDATION_ERROR", "inner", {"a": ["inner"]})


def test_validation_errors_and_str() -> None:
    body = envelope(
        "VALIDATION_ERROR",
        "Validation failed",
        details={"phone": ["Phone number is required"], "email": ["Bad", "Taken"]},
    )
    error = parse(422, body)
    assert isinstance(error, ValidationError)
    assert error.errors == {"phone": ["Phone number is required"], "email": ["Bad", "Taken"]}
    assert str(error) == (
        "422 VALIDATION_ERROR: Validation failed (phone: Phone number is required, email: Bad; Taken)"
        " [request_id=req-123]"
    )


def test_details_that_are_not_field_errors_are_not_taken_as_such() -> None:
    error = parse(422, envelope("VALIDATION_ERROR", details={"limit": 5, "note": "x"}))
    assert isinstance(error, ValidationError) and error.errors == {}
    assert error.details == {"limit": 5, "note": "x"}


def test_feature_limit_details() -> None:
    error = parse(
        403,
        envelope(
            "FEATURE_LIMIT_EXCEEDED", "Limit", details={"feature": "contacts", "current": 10, "maximum": 10}
        ),
    )
    assert isinstance(error, FeatureLimitExceededError)
    assert (error.feature, error.current, error.maximum) == ("contacts", 10, 10)
    assert "(contacts: 10/10)" in str(error)


@pytest.mark.parametrize(
    "where",
    ["details", "error", "top"],
)
def test_rate_limit_retry_after_from_details_error_or_top(where: str) -> None:
    body: dict[str, Any] = {"error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Slow down"}}
    if where == "details":
        body["error"]["details"] = {"retry_after": 42}
    elif where == "error":
        body["error"]["retry_after"] = "42"
    else:
        body["retry_after"] = 42.0
    error = parse(429, orjson.dumps(body))
    assert isinstance(error, RateLimitError) and error.retry_after == 42.0
    assert "(retry after 42 s)" in str(error)


def test_retry_after_header_wins_seconds_and_http_date() -> None:
    body = envelope("RATE_LIMIT_EXCEEDED", details={"retry_after": 42})
    error = parse(429, body, {"Retry-After": "7"})
    assert isinstance(error, RateLimitError) and error.retry_after == 7.0
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    error = parse(429, body, {"retry-after": date})
    assert isinstance(error, RateLimitError) and error.retry_after is not None
    assert 25 <= error.retry_after <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    error = parse(429, body, {"Retry-After": past})
    assert isinstance(error, RateLimitError) and error.retry_after == 0.0
    error = parse(429, body, {"Retry-After": "soon"})  # unreadable header: body value
    assert isinstance(error, RateLimitError) and error.retry_after == 42.0


def test_rate_limit_without_any_wait() -> None:
    error = parse(429, b"")
    assert isinstance(error, RateLimitError) and error.retry_after is None


# -- OTP outcomes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("OTP_NOT_FOUND", OTPNotFoundError),
        ("OTP_EXPIRED", OTPExpiredError),
        ("MAX_ATTEMPTS_EXCEEDED", MaxAttemptsExceededError),
        ("INVALID_CODE", InvalidCodeError),
    ],
)
@pytest.mark.parametrize(
    "details",
    [
        lambda code: {"code": code, "attempts_remaining": 2},
        lambda code: {"error_code": code, "attempts_remaining": 2},
        lambda code: {code: "The code is wrong.", "attempts_remaining": 2},
        lambda code: {"code": [code], "attempts_remaining": "2"},
    ],
)
def test_otp_outcome_inside_details_of_a_validation_error(
    code: str, cls: type[APIError], details: Any
) -> None:
    error = parse(422, envelope("VALIDATION_ERROR", "OTP verification failed", details=details(code)))
    assert type(error) is cls and error.code == code
    if isinstance(error, InvalidCodeError):
        assert error.attempts_remaining == 2
        assert "(2 attempts remaining)" in str(error)


def test_otp_outcome_as_error_code_with_attempts_at_top_level() -> None:
    body = orjson.dumps({"error": {"code": "INVALID_CODE", "message": "Wrong code"}, "attempts_remaining": 3})
    error = parse(422, body)
    assert isinstance(error, InvalidCodeError) and error.attempts_remaining == 3


def test_a_field_named_code_is_not_an_otp_outcome() -> None:
    body = envelope("VALIDATION_ERROR", details={"code": ["The code field is required."]})
    error = parse(422, body)
    assert type(error) is ValidationError and error.errors == {"code": ["The code field is required."]}


# -- bodies that are not JSON objects -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (502, b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", ServerError),
        (503, b"", ServerError),
        (401, b"", AuthenticationError),
        (422, b'{"success": false, "error": {"code": "VALIDATION_ERR', ValidationError),
        (404, b'["not", "an", "object"]', NotFoundError),
        (429, b"null", RateLimitError),
        (500, b'"just a string"', ServerError),
        (400, b"\xff\xfe\x00garbage", APIError),
        (403, b"   \n", PermissionDeniedError),
    ],
)
def test_non_json_bodies_still_become_typed_errors(status: int, body: bytes, cls: type[APIError]) -> None:
    error = parse(status, body)
    assert type(error) is cls and error.status == status
    assert error.code is None and error.request_id is None
    assert error.body == body.decode("utf-8", errors="replace")
    assert str(error).startswith(f"{status}: ")


def test_html_body_is_shown_truncated_in_str() -> None:
    html = b"<html><body>" + b"x" * 5000 + b"</body></html>"
    error = parse(502, html)
    text = str(error)
    assert text.startswith("502: Bad Gateway (body: '<html><body>xxx")
    assert len(text) < 300 and text.endswith("xxx'... (5026 chars))")
    assert error.body is not None and len(error.body) == len(html)


def test_request_id_from_header_when_body_has_none() -> None:
    error = parse(502, b"bad gateway", {"X-Request-Id": "edge-1"})
    assert error.request_id == "edge-1" and "[request_id=edge-1]" in str(error)


def test_string_error_field() -> None:
    assert parse(401, orjson.dumps({"error": "UNAUTHORIZED"})).code == "UNAUTHORIZED"
    assert parse(401, orjson.dumps({"error": "Unauthenticated."})).message == "Unauthenticated."


def test_redact_masks_secrets_in_the_body() -> None:
    error = error_from_response(401, {}, b'{"message": "token abc123 is bad"}', redact=("abc123",))
    assert "abc123" not in (error.body or "") and "abc123" not in str(error)


# -- constructing errors ------------------------------------------------------------------------


def test_validation_error_before_sending() -> None:
    error = ValidationError(errors={"phone": ["must start with +"], "filters.x": "unknown"})
    assert error.status is None and error.code == "VALIDATION_ERROR"
    assert error.errors == {"phone": ["must start with +"], "filters.x": ["unknown"]}
    assert str(error) == "VALIDATION_ERROR: Invalid arguments (phone: must start with +, filters.x: unknown)"
    assert ValidationError("Bad phone", errors={}).message == "Bad phone"


def test_many_field_errors_are_summarised() -> None:
    error = ValidationError(errors={f"f{i}": ["bad"] for i in range(6)})
    assert str(error).endswith("f2: bad, and 3 more)")


def test_connection_error_str() -> None:
    error = APIConnectionError("ServerDisconnectedError: Server disconnected", method="POST", url=URL)
    assert str(error) == f"ServerDisconnectedError: Server disconnected [POST {URL}]"
    error.may_have_been_processed = True
    assert "may have been processed by the server and was not retried" in str(error)


def test_invalid_response_error_str() -> None:
    problems = ["data.id: expected integer, got '1'"]
    error = InvalidResponseError("bad data", problems=problems, status=200, method="GET", url=URL)
    assert str(error) == f"200: bad data: data.id: expected integer, got '1' [GET {URL}]"
    assert error.may_have_been_processed is False  # a GET can be sent again


@pytest.mark.parametrize(
    ("status", "method", "processed"),
    [
        (200, "POST", True),  # a 2xx: the server did the work, a second send would do it again
        (201, "post", True),
        (200, None, True),  # the method is not known: assume the worst
        (200, "GET", False),
        (204, "DELETE", False),
        (200, "PATCH", False),
        (503, "POST", True),
        (503, "GET", False),
        (None, "POST", False),  # no answer at all was read: nothing says it was done
        (404, "POST", False),
    ],
)
def test_invalid_response_may_have_been_processed_follows_status_and_method(
    status: int | None, method: str | None, processed: bool
) -> None:
    error = InvalidResponseError("bad data", status=status, method=method)
    assert error.may_have_been_processed is processed
    assert ("may have been processed" in str(error)) is processed
    # Modules that build the error from a ResponseInfo set status and method afterwards.
    late = InvalidResponseError("bad data")
    late.status, late.method = status, method
    assert late.may_have_been_processed is processed
    error.may_have_been_processed = not processed  # an explicit value wins
    assert pickle.loads(pickle.dumps(error)).may_have_been_processed is (not processed)


@pytest.mark.parametrize(
    "error",
    [
        parse(422, envelope("INVALID_CODE", details={"attempts_remaining": 1}), {"X-Request-Id": "x"}),
        parse(429, envelope("RATE_LIMIT_EXCEEDED"), {"Retry-After": "3"}),
        ServerError("Boom", status=500, may_have_been_processed=True),
        APITimeoutError("timed out", method="GET", url=URL),
        InvalidResponseError("bad", problems=["data.x: y"]),
        ConfigurationError("no token"),
    ],
)
def test_errors_pickle(error: WacrError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error) and copy.args == error.args


def test_repr_is_compact() -> None:
    error = parse(404, envelope("NOT_FOUND", "No contact"))
    assert (
        repr(error)
        == "NotFoundError(status=404, code='NOT_FOUND', message='No contact', request_id='req-123')"
    )


# -- the redactor: every form a server may echo the token in ----------------------------------------

_SHORT = {"/": "\\/", '"': '\\"', "\\": "\\\\"}
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def _written(ch: str, form: int) -> str:
    """One character as a server may write it (``form`` picks the encoding)."""
    code = ord(ch)
    utf16 = ch.encode("utf-16-be")
    units = [utf16[n] << 8 | utf16[n + 1] for n in range(0, len(utf16), 2)]
    forms = [
        ch,
        "".join(f"\\u{unit:04x}" for unit in units),
        "".join(f"\\u{unit:04X}" for unit in units),
        _SHORT.get(ch, ch),
        "\\\\\\" + _SHORT[ch][1] if ch in _SHORT else "\\\\" + ch,  # JSON nested in a JSON string
        "".join(f"%{byte:02X}" for byte in ch.encode()),
        "".join(f"%{byte:02x}" for byte in ch.encode()),
        f"&#{code};",
        f"&#x{code:x};",
        _ENTITY.get(ch, ch),
        "+" if ch == " " else ch,  # form-encoded
    ]
    return forms[form % len(forms)]


def _strings(value: Any) -> list[str]:
    """Every string inside ``value`` (keys too)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in (*_strings(key), *_strings(item))]
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _strings(item)]
    return []


TOKEN_CHARS = st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0x1FFFF)


@pytest.mark.parametrize("token", ["0\\", "ab\\\\", "\\a", "x\\y", "\\", "tok_\\"])
@pytest.mark.parametrize("sep", ["", "\\", "\\\\", " ", "x"])
@pytest.mark.parametrize("copies", [2, 3])
def test_a_token_with_a_backslash_is_masked_every_time_it_is_written(
    token: str, sep: str, copies: int
) -> None:
    # The first character may follow a backslash: the end of the copy before it (a token ending in
    # one, written twice in a row, left its second copy unmasked).
    redactor = Redactor(token)
    masked = redactor.text(sep.join([token] * copies))
    assert token not in masked.replace(MASK, "\0") and not redactor.found(masked.replace(MASK, "\0"))


@settings(max_examples=200, deadline=None, database=None)
@given(
    token=st.text(TOKEN_CHARS, min_size=1, max_size=12),
    forms=st.lists(st.integers(0, 10), min_size=12, max_size=12),
    copies=st.integers(2, 4),
    sep=st.text(st.sampled_from(["\\", " ", "x", "%", "&"]), max_size=3),
)
def test_every_copy_of_the_token_is_masked(token: str, forms: list[int], copies: int, sep: str) -> None:
    written = "".join(_written(ch, form) for ch, form in zip(token, forms, strict=False))
    masked = Redactor(token).text(sep.join([written] * copies))
    assert written not in masked.replace(MASK, "\0")


@settings(max_examples=300, deadline=None, database=None)
@given(
    token=st.text(TOKEN_CHARS, min_size=1, max_size=24),
    forms=st.lists(st.integers(0, 10), min_size=24, max_size=24),
    before=st.text(max_size=20),
    backslashes=st.integers(0, 4),
    after=st.text(max_size=20),
)
def test_the_redactor_finds_every_escaped_form_of_the_token(
    token: str, forms: list[int], before: str, backslashes: int, after: str
) -> None:
    written = "".join(_written(ch, form) for ch, form in zip(token, forms, strict=False))
    redactor = Redactor(token)
    before += "\\" * backslashes  # a run of backslashes right before it (nested JSON, or noise)
    text = f"{before}{written}{after}"
    assert redactor.found(text)
    masked = redactor.text(text)
    assert MASK in masked and written not in masked.replace(MASK, "\0")
    assert not redactor.found(masked.replace(MASK, "\0")) or redactor.found(f"{before}\0{after}")
    # Nested in what an error stores: details, field errors, headers.
    value = redactor.value({"a": [text, {"b": (text, 1)}], text: None})
    assert [written in leaf.replace(MASK, "\0") for leaf in _strings(value)] == [False] * 5
    headers = redactor.headers(CIMultiDictProxy(CIMultiDict({"X-Echo": text, "X-Other": "-"})))
    echoed, other = headers.values()  # (a header name may hold the token's characters too)
    assert MASK in echoed and written not in echoed.replace(MASK, "\0") and other == redactor.text("-")


@pytest.mark.parametrize(
    "noise",
    [
        "\\" * 2_000_000,  # a form that starts with a backslash run could start anywhere in it
        "\\u" * 700_000,
        "%" * 2_000_000,
        "&#" + "0" * 2_000_000,
        ("1" + "\\" * 50) * 40_000,  # the secret's first character, then a run, over and over
        ("1|" + "\\" * 50) * 40_000,
    ],
    ids=["backslashes", "backslash-u", "percents", "entity-zeros", "first-char-runs", "prefix-runs"],
)
async def test_the_redactor_takes_linear_time_on_hostile_text(noise: str) -> None:
    # Liveness, not speed: each text is masked in milliseconds; a search that backtracks over
    # every position of a run would take hours (an error body of that size freezes the loop).
    redactor = Redactor("1|sanctum-token/x")
    text = await asyncio.wait_for(asyncio.to_thread(redactor.text, noise + "1|sanctum-token\\/x"), 60)
    # (A run of backslashes right before the token is masked with it, as nested JSON would be.)
    assert text.endswith(MASK) and noise.startswith(text[: -len(MASK)])
    assert not await asyncio.wait_for(asyncio.to_thread(redactor.found, noise), 60)


def test_a_token_with_a_space_is_masked_form_encoded() -> None:
    redactor = Redactor("my secret token")
    assert redactor.text("invalid token my+secret+token") == f"invalid token {MASK}"
    assert redactor.headers(CIMultiDictProxy(CIMultiDict({"X-Echo": "my+secret+token"})))["X-Echo"] == MASK


def test_the_redactor_leaves_clean_text_and_headers_alone() -> None:
    redactor = Redactor("tok/abc+def=")
    headers = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json", "X-Q": "a%20b\\c&d"}))
    assert redactor.headers(headers) is headers  # no copy on the hot path
    assert redactor.text("tok/abc+deF= tok%2Fabc") == "tok/abc+deF= tok%2Fabc"  # case matters
    assert redactor.text("x tok%2fabc%2Bdef%3d y") == f"x {MASK} y"
    assert "tok" not in repr(redactor)
    with pytest.raises(TypeError):
        pickle.dumps(redactor)


def test_error_from_response_masks_every_field_it_fills() -> None:
    token = "ab/cd+ef=="
    escaped = token.replace("/", "\\/")
    body = orjson.dumps(
        {
            "success": False,
            "error": {
                "code": "VALIDATION_ERROR",
                "message": f"bad {token}",
                "details": {"auth": [f"Bearer {token}"], "deep": {"x": [token]}},
            },
            "meta": {"request_id": token},
        }
    ).replace(b"/", b"\\/")
    headers = CIMultiDictProxy(CIMultiDict({"X-Echo": token, "Location": "/x?t=ab%2Fcd%2Bef%3D%3D"}))
    for redact in ((token,), Redactor(token)):
        error = error_from_response(422, headers, body, redact=redact)
        assert isinstance(error, ValidationError)
        shown = f"{error}{error!r}{vars(error)!r}{error.args!r}{pickle.loads(pickle.dumps(error))!r}"
        assert token not in shown and escaped not in shown and "ab%2Fcd" not in shown
        assert error.errors == {"auth": [f"Bearer {MASK}"]} and error.request_id == MASK
        assert error.details == {"auth": [f"Bearer {MASK}"], "deep": {"x": [MASK]}}
        assert error.headers["X-Echo"] == MASK
