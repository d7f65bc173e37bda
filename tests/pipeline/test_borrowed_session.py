"""A session of yours keeps its own settings for your requests, but not those that would change what
wacr's calls mean: an error status still gives wacr's typed error and retry policy, a compressed
body is still decoded (and counted decoded by the size cap), and a session auth that would clash
with the token is refused up front."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import wacr
from tests.pipeline.conftest import TOKEN

SENT = {"success": True, "data": {"message_id": "m-1", "status": "sent"}}


class Server:
    """Answers a send with the scripted statuses in turn (the last repeats), gzipped if asked."""

    def __init__(self) -> None:
        self.statuses: list[int] = [200]
        self.gzip = False
        self.requests = 0
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status == 200:
            body = orjson.dumps(SENT)
        else:
            body = orjson.dumps({"success": False, "error": {"code": "X", "message": f"status {status}"}})
        headers = {"Content-Type": "application/json"}
        if status == 429:
            headers["Retry-After"] = "0.01"
        if self.gzip:
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        return web.Response(status=status, body=body, headers=headers)

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/v2"))


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", srv.handle)
    srv.server = TestServer(app, host="127.0.0.1")
    await srv.server.start_server()
    try:
        yield srv
    finally:
        await srv.server.close()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, wacr.NotFoundError),
        (422, wacr.ValidationError),
        (401, wacr.AuthenticationError),
        (500, wacr.ServerError),
        (503, wacr.ServerError),
    ],
)
async def test_a_raise_for_status_session_still_gives_wacrs_typed_errors(
    server: Server, status: int, error: type[wacr.APIError]
) -> None:
    server.statuses = [status]
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        client = wacr.Client(TOKEN, base_url=server.base_url, session=session, max_retries=0)
        with pytest.raises(error) as caught:
            await client.messages.send_text(phone="+201000000000", message="hi")
    assert caught.value.status == status
    assert server.requests == 1


async def test_a_raise_for_status_session_still_follows_the_retry_policy(server: Server) -> None:
    server.statuses = [429, 429, 200]  # a send is retried after a 429's Retry-After
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        client = wacr.Client(TOKEN, base_url=server.base_url, session=session, max_retries=2)
        sent = await client.messages.send_text(phone="+201000000000", message="hi")
    assert sent.message_id == "m-1" and sent.response.attempts == 3
    assert server.requests == 3

    server.statuses, server.requests = [500], 0  # ... and a POST's 500 is never sent again
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        client = wacr.Client(TOKEN, base_url=server.base_url, session=session, max_retries=2)
        with pytest.raises(wacr.ServerError) as caught:
            await client.messages.send_text(phone="+201000000000", message="hi")
    assert caught.value.may_have_been_processed and server.requests == 1


async def test_a_session_that_leaves_bodies_compressed_still_gets_them_decoded(server: Server) -> None:
    server.gzip = True
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        client = wacr.Client(TOKEN, base_url=server.base_url, session=session)
        sent = await client.messages.send_text(phone="+201000000000", message="hi")
        assert sent.message_id == "m-1"
        # The session's own requests keep its setting.
        async with session.post(server.base_url + "/messages/text") as resp:
            assert gzip.decompress(await resp.read()) == orjson.dumps(SENT)


@pytest.mark.filterwarnings("ignore:.*(BasicAuth|'auth' parameter) is deprecated:DeprecationWarning")
async def test_a_session_with_its_own_auth_is_refused_at_construction(server: Server) -> None:
    async with aiohttp.ClientSession(auth=aiohttp.BasicAuth("user", "hunter2")) as session:
        with pytest.raises(wacr.ConfigurationError, match="the session has its own auth=") as caught:
            wacr.Client(TOKEN, base_url=server.base_url, session=session)
    assert TOKEN not in str(caught.value) and "hunter2" not in str(caught.value)
    assert server.requests == 0
