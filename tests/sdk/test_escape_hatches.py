"""The escape hatches of every method (``extra_query``, ``extra_body``, ``extra_headers``) on the wire.

They are applied after the arguments were checked: the checks still run, the extras are sent as
given, a bad extra is a typed error naming it, and nothing is sent when anything is refused.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from wacr._operations import OPERATIONS

from .conftest import Recorder
from .test_operations import CASES

_EXTRA_QUERY: dict[str, Any] = {"x_new": "v", "flag": True, "off": False, "n": 7, "ratio": 0.5}
_EXTRA_QUERY_TEXT = [("x_new", "v"), ("flag", "true"), ("off", "false"), ("n", "7"), ("ratio", "0.5")]
_EXTRA_BODY: dict[str, Any] = {"future_field": {"nested": [1, "two", None, {"three": 3.5}]}, "flag": False}

HEALTH = [HealthCheck.function_scoped_fixture]


@pytest.mark.parametrize("op_id", sorted(CASES))
async def test_every_method_sends_its_extras_after_its_own_arguments(
    op_id: str, client: wacr.Client, recorder: Recorder
) -> None:
    call, method, path, query, body = CASES[op_id]
    options: dict[str, Any] = {"extra_query": _EXTRA_QUERY, "extra_headers": {"X-Trace-Id": op_id}}
    if OPERATIONS[op_id].body is not None:
        options["extra_body"] = _EXTRA_BODY
    await call(client, **options)
    seen = recorder.last
    assert len(recorder.requests) == 1
    assert (seen.method, seen.path) == (method, "/api/v2" + path)
    assert seen.query == query + _EXTRA_QUERY_TEXT
    assert seen.headers["X-Trace-Id"] == op_id
    assert seen.headers["Authorization"].startswith("Bearer ")
    if OPERATIONS[op_id].body is not None:
        assert seen.body == {**(body or {}), **_EXTRA_BODY}
    else:
        assert seen.body == body


@pytest.mark.parametrize("op_id", sorted(op for op in CASES if OPERATIONS[op].body is None))
async def test_a_method_without_a_body_takes_no_extra_body(
    op_id: str, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'extra_body'"):
        await CASES[op_id][0](client, extra_body={"a": 1})
    assert recorder.requests == []


async def test_an_unknown_option_is_refused_as_an_unexpected_keyword(
    client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(TypeError, match="'extra_header'"):
        await client.messages.send_text(phone="+201000000000", message="hi", extra_header={"a": "b"})  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'retries'"):
        await client.contacts.list(retries=1)  # type: ignore[call-arg]
    assert recorder.requests == []


async def test_the_arguments_are_still_checked_when_extras_are_given(
    client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.messages.send_text(phone="12", message="hi", extra_body={"new": 1}, extra_query={"q": 1})
    assert "phone" in caught.value.errors
    assert recorder.requests == []


async def test_an_extra_replaces_an_argument_of_the_same_name_and_is_sent_as_given(
    client: wacr.Client, recorder: Recorder
) -> None:
    # The checked `message` is replaced by the extra's value, which the spec's rules would refuse
    # (an int): extras are for what the spec does not know, so they are not held to it.
    await client.messages.send_text(phone="+201000000000", message="hi", extra_body={"message": 5})
    assert recorder.last.body == {"phone": "+201000000000", "message": 5}
    await client.contacts.list(per_page=50, sort="id", extra_query={"per_page": 7})
    assert recorder.last.query == [("page", "1"), ("sort", "id"), ("per_page", "7")]


_BAD_BODY: list[tuple[Any, str]] = [
    (object(), "cannot be sent as JSON"),
    ({1, 2}, "cannot be sent as JSON"),
    (math.nan, "NaN or infinity"),
    ([{"deep": math.inf}], "NaN or infinity"),
    ({1: "int key"}, "cannot be sent as JSON"),
    (2**70, "cannot be sent as JSON"),
    ("\ud800", "cannot be sent as JSON"),
]


@pytest.mark.parametrize(("value", "rule"), _BAD_BODY, ids=[rule for _, rule in _BAD_BODY])
async def test_an_extra_body_value_that_is_not_json_is_refused_by_name(
    value: Any, rule: str, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.groups.create(name="g", extra_body={"fine": 1, "bad": value})
    assert caught.value.status is None
    assert list(caught.value.errors) == ["extra_body.bad"]
    assert rule in caught.value.errors["extra_body.bad"][0]
    assert recorder.requests == []


_BAD_QUERY: list[tuple[Any, Any, str]] = [
    ("ids", [1, 2], "must be a str, int, float or bool, not list"),
    ("none", None, "must be a str, int, float or bool, not NoneType"),
    ("deep", {"a": 1}, "must be a str, int, float or bool, not dict"),
    ("nan", math.nan, "must be a finite number"),
    ("text", "\udc00", "lone surrogate"),
    (3, "x", "must be a non-empty string name"),
]


@pytest.mark.parametrize(("key", "value", "rule"), _BAD_QUERY, ids=[r for _, _, r in _BAD_QUERY])
async def test_an_extra_query_value_of_another_kind_is_refused_by_name(
    key: Any, value: Any, rule: str, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.sources.list(extra_query={key: value})
    assert list(caught.value.errors) == [f"extra_query.{key}"]
    assert rule in caught.value.errors[f"extra_query.{key}"][0]
    assert recorder.requests == []


@pytest.mark.parametrize("option", ["extra_query", "extra_body", "extra_headers"])
@pytest.mark.parametrize("value", [[("a", "b")], [], "", "a=b", 0])
async def test_an_extra_that_is_not_a_mapping_is_refused(
    option: str, value: Any, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.groups.create(name="g", **{option: value})
    assert caught.value.errors == {option: [f"must be a mapping, not {type(value).__name__}"]}
    assert recorder.requests == []


async def test_empty_extras_change_nothing(client: wacr.Client, recorder: Recorder) -> None:
    await client.groups.create(name="g", extra_query={}, extra_body={}, extra_headers={}, max_retries=0)
    assert (recorder.last.query, recorder.last.body) == ([], {"name": "g"})


_BAD_HEADERS: list[tuple[Any, Any, str]] = [
    ("Authorization", "Bearer other", "credential"),
    ("x-api-key", "k", "credential"),
    ("X-A", "a\r\nX-Injected: 1", "CR, LF or NUL"),
    ("X-A", 5, "must be a string"),
    ("Bad Name", "v", "valid header name"),
]


@pytest.mark.parametrize(("name", "value", "rule"), _BAD_HEADERS, ids=[r for _, _, r in _BAD_HEADERS])
@pytest.mark.parametrize("call", ["send", "list"])
async def test_a_bad_extra_header_is_refused_by_name_before_any_io(
    name: Any, value: Any, rule: str, call: str, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        if call == "send":
            await client.messages.send_text(phone="+201000000000", message="hi", extra_headers={name: value})
        else:
            client.contacts.list(extra_headers={name: value})  # refused by the call, not the first page
    assert list(caught.value.errors) == [f"extra_headers.{name}"]
    assert rule in caught.value.errors[f"extra_headers.{name}"][0]
    assert recorder.requests == []


async def test_a_list_refuses_an_extra_page(client: wacr.Client, recorder: Recorder) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        client.contacts.list(extra_query={"page": 2})
    assert list(caught.value.errors) == ["extra_query.page"]
    assert recorder.requests == []


_NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)
_SCALARS = (
    st.text(st.characters(codec="utf-8"), max_size=12)
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
_JSON = st.recursive(
    st.none() | _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=HEALTH)
@given(query=st.dictionaries(_NAMES, _SCALARS, min_size=1, max_size=3))
async def test_any_extra_query_pair_reaches_the_server_as_text(
    query: dict[str, Any], client: wacr.Client, recorder: Recorder
) -> None:
    await client.account.get(extra_query=query)
    expected = [(k, ("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in query.items()]
    assert recorder.last.query == expected


@settings(max_examples=40, deadline=None, suppress_health_check=HEALTH)
@given(body=st.dictionaries(_NAMES.filter(lambda k: k != "name"), _JSON, min_size=1, max_size=3))
async def test_any_json_extra_body_reaches_the_server_unchanged(
    body: dict[str, Any], client: wacr.Client, recorder: Recorder
) -> None:
    await client.sources.create(name="Form", extra_body=body)
    assert recorder.last.body == {"name": "Form", **body}


# -- lists: the same extras on every page ----------------------------------------------------------


@pytest.fixture
async def three_pages() -> AsyncIterator[tuple[str, list[web.Request]]]:
    seen: list[web.Request] = []

    async def contacts(request: web.Request) -> web.Response:
        seen.append(request)
        page = int(request.query["page"])
        item = {"id": page, "firstname": "A", "lastname": "B", "phone": f"+20100000000{page}"}
        meta = {"pagination": {"current_page": page, "total_pages": 3, "per_page": 1}}
        return web.json_response({"success": True, "data": [item], "meta": meta})

    app = web.Application()
    app.router.add_get("/api/v2/contacts", contacts)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/api/v2")), seen
    finally:
        await server.close()


async def test_a_list_sends_its_extras_on_every_page(three_pages: tuple[str, list[web.Request]]) -> None:
    base_url, seen = three_pages
    async with wacr.Client("t", base_url=base_url, max_retries=0) as client:
        listing = client.contacts.list(
            per_page=1, extra_query={"with_trashed": True}, extra_headers={"X-Tenant": "t-9"}
        )
        ids = [c.id async for c in listing]
    assert ids == [1, 2, 3]
    assert [r.headers["X-Tenant"] for r in seen] == ["t-9"] * 3
    assert [list(r.query.items()) for r in seen] == [
        [("page", str(n)), ("per_page", "1"), ("with_trashed", "true")] for n in (1, 2, 3)
    ]
