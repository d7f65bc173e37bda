"""wacr._envelope: the one reader of the API's envelope, and the one builder of InvalidResponseError."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wacr._envelope import data_list, data_object, error_from_response, invalid, page_meta, summary
from wacr._response import new_response_info
from wacr.errors import (
    _BY_CODE,
    _BY_STATUS,
    APIError,
    InvalidResponseError,
    ValidationError,
    WhatsAppNotConfiguredError,
)

INFO = new_response_info(200, {}, "req-9", None, None, "POST", "https://x.test/api/v2/messages", 0.01, 1)

# Answers that are not what the reader asked for, in every shape a server could send.
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None, database=None)
@given(_JSON)
def test_every_contract_break_names_the_call(envelope: Any) -> None:
    """Whatever reader refuses an answer, the error carries the call's method, URL, status and
    request id, and says the POST may have been processed (it was a 2xx)."""
    for read in (data_object, data_list, summary):
        try:
            read(envelope, INFO)
        except InvalidResponseError as error:
            assert (error.method, error.url, error.status, error.request_id) == (
                "POST",
                INFO.url,
                200,
                "req-9",
            )
            assert error.may_have_been_processed is True


def test_data_shapes() -> None:
    assert data_object({"data": {"id": 1}}, INFO) == {"id": 1}
    assert data_object({"id": 1}, INFO, flat=True) == {"id": 1}
    assert data_list({"data": [1, 2]}, INFO) == [1, 2]
    assert summary({"data": {"summary": {}}}, INFO) == ({"summary": {}}, "data")
    top: dict[str, Any] = {"summary": {}, "data": None}
    assert summary(top, INFO) == (top, "$")
    with pytest.raises(InvalidResponseError, match="no `data` object"):
        data_object({"data": None}, INFO)


def test_page_meta_reads_pagination_then_meta_then_the_top_level() -> None:
    meta = page_meta({"meta": {"pagination": {"current_page": 2}, "total": "7"}, "last_page": 3})
    assert meta == {
        "current_page": 2,
        "total_pages": 3,
        "per_page": None,
        "total": 7,
        "count": None,
        "has_more": None,
    }


def test_invalid_without_info_takes_the_keywords() -> None:
    error = invalid("bad", status=201, method="GET", url="u", request_id="r", body="x")
    assert (error.status, error.method, error.url, error.request_id, error.body) == (
        201,
        "GET",
        "u",
        "r",
        "x",
    )


# A generic code (or none) with a more specific known code in `error.details`: the specific one
# wins, whichever it is, as long as its class refines the status's class.
_SPECIFIC = sorted(
    (code, status)
    for code, cls in _BY_CODE.items()
    for status, base in _BY_STATUS.items()
    if cls is not base and issubclass(cls, base)
)


@pytest.mark.parametrize(("code", "status"), _SPECIFIC)
@pytest.mark.parametrize("key", ["code", "error_code", "reason"])
def test_a_specific_code_in_details_refines_a_generic_one(code: str, status: int, key: str) -> None:
    body = orjson.dumps({"error": {"message": "m", "details": {key: code}}})
    error = error_from_response(status, {}, body)
    assert type(error) is _BY_CODE[code] and error.code == code


def test_details_never_turn_an_error_into_an_unrelated_class() -> None:
    # A 422 whose details name a 404 code stays a validation error.
    body = orjson.dumps({"error": {"code": "VALIDATION_ERROR", "details": {"code": "NOT_FOUND"}}})
    assert type(error_from_response(422, {}, body)) is ValidationError
    # A specific code is not overridden by details.
    body = orjson.dumps({"error": {"code": "WHATSAPP_NOT_CONFIGURED", "details": {"code": "OTP_EXPIRED"}}})
    assert type(error_from_response(422, {}, body)) is WhatsAppNotConfiguredError
    assert isinstance(error_from_response(418, {}, b"{}"), APIError)
