"""Per-call extra headers and the operation id through ``Transport.request``, on a loopback server."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pipeline.conftest import TOKEN, MakeTransport, Scripted
from wacr.errors import ValidationError

pytestmark = pytest.mark.usefixtures("api")


async def test_extra_headers_reach_the_wire_over_the_defaults(
    api: Scripted, make_transport: MakeTransport
) -> None:
    transport = make_transport()
    await transport.request(
        "POST",
        "/messages/text",
        json=b"{}",
        headers={"X-Trace": "abc", "accept": "application/vnd.test+json", "Content-Type": "application/x"},
        operation="messages_send_text",
    )
    await transport.request("GET", "/contacts")
    first, second = api.seen
    assert first.headers["X-Trace"] == "abc"
    assert first.headers.getall("Accept") == ["application/vnd.test+json"]  # replaced, not added
    assert first.headers.getall("Content-Type") == ["application/x"]
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    # The defaults themselves are untouched by a call's extras.
    assert "X-Trace" not in second.headers
    assert second.headers["Accept"] == "application/json"


def _case_variants(name: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda flips: "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=True))
    )


CREDENTIALS = st.sampled_from(["Authorization", "X-API-Key"]).flatmap(_case_variants)
BAD_VALUES = st.one_of(
    st.tuples(st.text(max_size=5), st.sampled_from(["\r", "\n", "\r\n", "\0"]), st.text(max_size=5)).map(
        "".join
    ),
    st.text(min_size=1, max_size=8).filter(lambda v: any(ord(c) > 255 for c in v)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=CREDENTIALS, value=st.sampled_from(["Bearer other", "k", ""]))
async def test_no_extra_header_can_set_a_credential(
    api: Scripted, make_transport: MakeTransport, name: str, value: str
) -> None:
    transport = make_transport()
    with pytest.raises(ValidationError) as caught:
        transport.request("GET", "/contacts", headers={name: value})
    assert list(caught.value.errors) == [f"extra_headers.{name}"]
    assert "credential" in caught.value.errors[f"extra_headers.{name}"][0]
    assert api.seen == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=BAD_VALUES)
async def test_a_value_with_a_line_break_or_outside_latin1_is_refused_unquoted(
    api: Scripted, make_transport: MakeTransport, value: str
) -> None:
    transport = make_transport()
    with pytest.raises(ValidationError) as caught:
        transport.request("GET", "/contacts", headers={"X-Ok": "fine", "X-Bad": value})
    assert list(caught.value.errors) == ["extra_headers.X-Bad"]
    if value.strip():
        assert repr(value) not in str(caught.value)
    assert api.seen == []


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("X Bad", "valid header name"),
        ("X-Bad\r\nX-Evil", "valid header name"),
        ("", "valid header name"),
        ("Content-Length", "frames the body"),
        ("transfer-encoding", "frames the body"),
        ("Host", "names the server"),
        ("HOST", "names the server"),
    ],
)
async def test_bad_names_and_framing_headers_are_refused(
    api: Scripted, make_transport: MakeTransport, name: str, rule: str
) -> None:
    with pytest.raises(ValidationError, match=rule) as caught:
        make_transport().request("GET", "/contacts", headers={name: "1"})
    assert list(caught.value.errors) == [f"extra_headers.{name}"]
    assert api.seen == []


async def test_a_value_that_is_not_a_string_is_refused(api: Scripted, make_transport: MakeTransport) -> None:
    with pytest.raises(ValidationError, match="must be a string, not int"):
        make_transport().request("GET", "/contacts", headers={"X-N": 1})  # type: ignore[dict-item]
    assert api.seen == []
