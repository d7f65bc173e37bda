"""``client.request(...)``: any call through the pipeline, and the path rule that keeps the token
on the base URL; against loopback servers with request counters."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from tests.pipeline.conftest import TOKEN, Reply, Scripted

OK = {"success": True, "data": {"id": 7, "name": "Ann"}, "meta": {"request_id": "r-1"}}


@pytest.fixture
async def client(api: Scripted) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(TOKEN, base_url=api.url(), max_retries=1) as made:
        yield made


@pytest.fixture
async def elsewhere() -> AsyncIterator[list[str]]:
    """Another loopback server: every request it gets is a token sent where it must not go."""
    seen: list[str] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization", ""))
        return web.json_response(OK)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    server = TestServer(app)
    await server.start_server()
    seen.append(f"{server.host}:{server.port}")  # seen[0]: where it listens
    yield seen
    await server.close()


async def test_a_get_answers_an_api_response(api: Scripted, client: wacr.Client) -> None:
    api.reply(Reply(200, OK, headers={"X-Custom": "1"}))
    answer = await client.request("GET", "/contacts/7", params={"include": "groups", "page": 2, "x": True})
    assert isinstance(answer, wacr.APIResponse)
    assert answer.status == 200 and answer.body == OK and answer.data == OK["data"]
    assert answer.headers["X-Custom"] == "1"
    assert answer.response.request_id == "r-1" and answer.response.attempts == 1
    (seen,) = api.seen
    assert seen.path == "/api/v2/contacts/7"
    assert list(seen.query.items()) == [("include", "groups"), ("page", "2"), ("x", "true")]
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"


async def test_a_post_sends_its_json_and_extra_headers(api: Scripted, client: wacr.Client) -> None:
    api.reply(Reply(201, {"success": True, "data": [1, 2]}))
    answer = await client.request(
        "post", "/contacts", json={"phone": "+20100", "n": [1, None]}, headers={"X-A": "b"}
    )
    assert answer.status == 201 and answer.data == [1, 2]
    (seen,) = api.seen
    assert seen.method == "POST" and orjson.loads(seen.body) == {"phone": "+20100", "n": [1, None]}
    assert seen.headers["Content-Type"] == "application/json" and seen.headers["X-A"] == "b"


async def test_retries_follow_the_method_and_errors_are_typed(api: Scripted, client: wacr.Client) -> None:
    down = {"success": False, "error": {"code": "SERVICE_UNAVAILABLE", "message": "later"}}
    api.reply(Reply(503, down), Reply(200, OK))
    answer = await client.request("GET", "/account", max_retries=1)
    assert answer.response.attempts == 2
    api.replies[:] = [Reply(503, down)]
    with pytest.raises(wacr.ServerError) as caught:
        await client.request("POST", "/messages/text", json={})
    assert caught.value.may_have_been_processed
    api.replies[:] = [Reply(404, {"success": False, "error": {"code": "NOT_FOUND", "message": "no"}})]
    with pytest.raises(wacr.NotFoundError):
        await client.request("DELETE", "/contacts/9")
    assert [s.method for s in api.seen] == ["GET", "GET", "POST", "DELETE"]


async def test_the_response_cap_applies(api: Scripted) -> None:
    api.reply(Reply(200, {"success": True, "data": "x" * 5000}))
    async with wacr.Client(TOKEN, base_url=api.url(), max_response_size=1000) as small:
        with pytest.raises(wacr.ResponseTooLargeError):
            await small.request("GET", "/contacts")


ESCAPES = st.sampled_from(
    [
        "http://{host}/steal",
        "https://{host}/steal",
        "//{host}/steal",
        "/..//{host}/steal",
        "/../../steal",
        "/contacts/../../steal",
        "/%2e%2e/steal",
        "/%2E./steal",
        "/%2e%2e%2f%2e%2e%2fsteal",  # an encoded slash between encoded dots
        "/contacts%2F..%2F..%2Fsteal",
        "/%252e%252e/steal",  # encoded twice
        "/contacts/..%5Csteal",
        "/./contacts",
        "\\\\{host}\\steal",
        "/\\{host}/steal",
        "/contacts?token=1",
        "/contacts#frag",
        "/contacts\r\nHost: {host}",
        "/contacts\x00",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=ESCAPES, tail=st.text(alphabet="abc/", max_size=6))
async def test_a_path_that_could_leave_the_base_url_is_refused_before_sending(
    api: Scripted, client: wacr.Client, elsewhere: list[str], template: str, tail: str
) -> None:
    path = template.format(host=elsewhere[0]) + tail
    before = len(api.seen)
    with pytest.raises(wacr.ValidationError) as caught:
        await client.request("GET", path)
    assert list(caught.value.errors) == ["path"]
    assert len(api.seen) == before and elsewhere[1:] == []


async def test_an_encoded_slash_that_is_not_a_dot_segment_is_sent(api: Scripted, client: wacr.Client) -> None:
    api.reply(Reply(200, {"success": True, "data": {"name": "a/b"}}))
    await client.request("GET", "/templates/a%2Fb")
    assert [seen.path for seen in api.seen] == ["/api/v2/templates/a/b"]  # as the server decodes it


@pytest.mark.parametrize(
    "path",
    # (yarl sends "%41" as "A", but keeps "%2F" encoded: 2,700 of them are 8,100 characters.)
    ["/" + "a" * 8000, "/" + "é" * 1400, "/contacts/" + "%2F" * 2700],
    ids=["long", "long-once-encoded", "percent-escapes"],
)
async def test_a_path_above_the_url_bound_is_refused_before_sending(
    api: Scripted, client: wacr.Client, path: str
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.request("GET", path)
    assert list(caught.value.errors) == ["path"] and "once encoded" in caught.value.errors["path"][0]
    with pytest.raises(wacr.ValidationError) as with_query:
        await client.request("GET", path, params={"page": "1"})
    assert list(with_query.value.errors) == ["path"]
    assert api.seen == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"method": "BREW", "path": "/x"}, "method"),
        ({"method": 1, "path": "/x"}, "method"),
        ({"method": "GET", "path": b"/x"}, "path"),
        ({"method": "GET", "path": "contacts"}, "path"),
        ({"method": "GET", "path": ""}, "path"),
        ({"method": "POST", "path": "/x", "json": {"when": object()}}, "json"),
        ({"method": "GET", "path": "/x", "params": {"a": None}}, "params.a"),
        ({"method": "GET", "path": "/x", "params": {"a": float("nan")}}, "params.a"),
        ({"method": "GET", "path": "/x", "params": "a=1"}, "params"),
        (
            {"method": "GET", "path": "/x", "headers": {"authorization": "Bearer x"}},
            "extra_headers.authorization",
        ),
    ],
)
async def test_bad_arguments_name_the_field_and_send_nothing(
    api: Scripted, client: wacr.Client, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.request(**kwargs)  # type: ignore[arg-type]
    assert field in caught.value.errors
    await asyncio.sleep(0)
    assert api.seen == []
