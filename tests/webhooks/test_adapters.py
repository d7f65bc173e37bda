"""The aiohttp handler and the ASGI app give the same answers to the same deliveries.

Two routers with the same settings, one served by aiohttp's test server and one by uvicorn, get
the same sequence of requests (valid events, duplicates, bad and missing signatures, garbage,
oversize and streamed bodies, other content types and encodings, empty bodies); every answer
(status, ``received``, ``duplicate``, ``Allow``, ``Retry-After``) must match, and the handlers
must have seen the same ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wacr import webhooks

from .conftest import event_body, uvicorn_serving

SECRET = "s3cret"
LIMIT = 2048
READ_TIMEOUT = 0.5


@dataclass(frozen=True)
class Delivery:
    """One request: the body the sender means, and how it sends it."""

    body: bytes
    signature: str  # good, bare, upper, wrong, missing, empty
    header: str = "X-Signature"
    content_type: str | None = "application/json"
    #: gzip, deflate; gzip2 / deflate2: two members; raw-deflate: no zlib header; fake-gzip: the
    #: header says gzip, the body is not.
    encoding: str | None = None
    streamed: bool = False
    method: str = "POST"

    def headers(self) -> dict[str, str]:
        good = webhooks.sign(self.body, SECRET)
        value = {
            "good": good,
            "bare": good.removeprefix("sha256="),
            "upper": "sha256=" + good.removeprefix("sha256=").upper(),
            "wrong": webhooks.sign(self.body + b"x", SECRET),
            "empty": "",
        }.get(self.signature)
        headers = {} if value is None else {self.header: value}
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        if self.encoding is not None:
            headers["Content-Encoding"] = "gzip" if "gzip" in self.encoding else "deflate"
        return headers

    def data(self) -> bytes:
        half = len(self.body) // 2
        return {
            "gzip": lambda b: gzip.compress(b),
            "gzip2": lambda b: gzip.compress(b[:half]) + gzip.compress(b[half:]),
            "deflate": lambda b: zlib.compress(b),
            "deflate2": lambda b: zlib.compress(b[:half]) + zlib.compress(b[half:]),
            "raw-deflate": lambda b: zlib.compress(b)[2:-4],
        }.get(self.encoding or "", lambda b: b)(self.body)


class Pair:
    """The same router settings behind both adapters, recording the ids their handlers see."""

    def __init__(self, session: aiohttp.ClientSession, **settings: int) -> None:
        self.session = session
        self.seen: dict[str, list[str]] = {"aiohttp": [], "asgi": []}
        #: Handlers of ids starting with "hold" wait for it.
        self.gate = asyncio.Event()
        self.routers = {name: self._router(name, settings) for name in self.seen}
        self.urls: dict[str, str] = {}

    def _router(self, name: str, settings: dict[str, int]) -> webhooks.Router:
        router = webhooks.Router(secret=SECRET, max_body_size=LIMIT, read_timeout=READ_TIMEOUT, **settings)

        @router.on("*")
        async def record(event: webhooks.WebhookPayload) -> None:
            self.seen[name].append(event.event.id)
            if event.event.id.startswith("hold"):
                await self.gate.wait()

        return router

    async def post(self, url: str, delivery: Delivery) -> tuple[int, object, str | None, str | None]:
        payload = delivery.data()

        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(payload), 700):
                yield payload[start : start + 700]

        data = stream() if delivery.streamed else payload
        async with self.session.request(
            delivery.method, url, data=data, headers=delivery.headers(), allow_redirects=False
        ) as response:
            body = await response.read()
            reply = orjson.loads(body)
            assert isinstance(reply, dict)
            return (
                response.status,
                (reply.get("received"), reply.get("duplicate")),
                response.headers.get("Allow"),
                response.headers.get("Retry-After"),
            )

    async def both(
        self, delivery: Delivery, *, drain: bool = True
    ) -> tuple[int, object, str | None, str | None]:
        first = await self.post(self.urls["aiohttp"], delivery)
        second = await self.post(self.urls["asgi"], delivery)
        assert first == second, delivery
        if drain:
            for router in self.routers.values():
                assert await router.drain(5)
        assert self.seen["aiohttp"] == self.seen["asgi"]
        return first


@contextlib.asynccontextmanager
async def serving(**settings: int) -> AsyncIterator[Pair]:
    async with aiohttp.ClientSession() as session:
        pair = Pair(session, **settings)
        app = web.Application()
        pair.routers["aiohttp"].setup(app, "/hooks/wacr")
        async with TestServer(app) as server, uvicorn_serving(pair.routers["asgi"].asgi) as base:
            pair.urls = {"aiohttp": str(server.make_url("/hooks/wacr")), "asgi": base + "/hooks/wacr"}
            try:
                yield pair
            finally:
                pair.gate.set()


@pytest.fixture
async def pair() -> AsyncIterator[Pair]:
    async with serving() as pair:
        yield pair


def _event(event_id: str, event_type: str = "contact.created") -> bytes:
    return orjson.dumps(event_body(event_type, event_id))


TABLE = [
    (Delivery(_event("t1"), "good"), 200, (True, False)),
    (Delivery(_event("t1"), "good"), 200, (True, True)),  # the duplicate
    (Delivery(_event("t2"), "bare", header="x-signature"), 200, (True, False)),
    (Delivery(_event("t3"), "upper", content_type="text/plain"), 200, (True, False)),
    (Delivery(_event("t4"), "good", content_type=None, streamed=True), 200, (True, False)),
    (Delivery(_event("t5"), "good", encoding="gzip"), 200, (True, False)),
    (Delivery(_event("t6"), "good", encoding="deflate", streamed=True), 200, (True, False)),
    (Delivery(_event("t7"), "wrong"), 401, (False, None)),
    (Delivery(_event("t7"), "missing"), 401, (False, None)),
    (Delivery(_event("t7"), "empty"), 401, (False, None)),
    (Delivery(b"", "good"), 400, (False, None)),
    (Delivery(b"not json", "good"), 400, (False, None)),
    (Delivery(b"[1, 2]", "good"), 400, (False, None)),
    (Delivery(b'{"event": {}}', "good"), 400, (False, None)),
    (Delivery(b"\xff\xfe garbage", "good", content_type="application/octet-stream"), 400, (False, None)),
    (Delivery(_event("t8") + b" " * LIMIT, "good"), 413, (False, None)),
    (Delivery(_event("t8") + b" " * LIMIT, "good", streamed=True), 413, (False, None)),
    (Delivery(_event("t8") + b" " * 50 * LIMIT, "good", encoding="gzip"), 413, (False, None)),
    (Delivery(_event("t8"), "good", encoding="fake-gzip"), 400, (False, None)),
    (Delivery(_event(""), "good"), 400, (False, None)),  # an empty id: nothing to de-duplicate on
    (Delivery(_event("t9"), "good", method="PUT"), 405, (False, None)),
    (Delivery(_event("t10"), "good", encoding="gzip2"), 200, (True, False)),
    (Delivery(_event("t11"), "good", encoding="gzip2", streamed=True), 200, (True, False)),
    (Delivery(_event("t12"), "good", encoding="deflate2"), 200, (True, False)),
    (Delivery(_event("t13"), "good", encoding="raw-deflate"), 200, (True, False)),
    (Delivery(_event("t14"), "good", encoding="raw-deflate", streamed=True), 200, (True, False)),
    (Delivery(_event("t8") + b" " * 50 * LIMIT, "good", encoding="gzip2"), 413, (False, None)),
    (Delivery(_event("t8") + b" " * 50 * LIMIT, "good", encoding="raw-deflate"), 413, (False, None)),
]


async def test_the_same_table_of_deliveries_gets_the_same_answers(pair: Pair) -> None:
    for delivery, status, reply in TABLE:
        answer = await pair.both(delivery)
        assert answer[:2] == (status, reply), delivery
        assert answer[2:] == ("POST" if status == 405 else None, None)
    assert pair.seen["asgi"] == ["t1", "t2", "t3", "t4", "t5", "t6", "t10", "t11", "t12", "t13", "t14"]


async def test_both_answer_503_with_retry_after_once_max_pending_events_run() -> None:
    async with serving(max_pending=2) as pair:
        for event_id in ("hold1", "hold2"):
            assert (await pair.both(Delivery(_event(event_id), "good"), drain=False))[:2] == (
                200,
                (True, False),
            )
        busy = await pair.both(Delivery(_event("n3"), "good"), drain=False)
        assert busy == (503, (False, None), None, "10")
        # A redelivery of a running id is a duplicate, busy or not: it never runs twice at once.
        again = await pair.both(Delivery(_event("hold1"), "good"), drain=False)
        assert again[:2] == (200, (True, True))
        assert all(router.pending == 2 for router in pair.routers.values())
        pair.gate.set()
        for router in pair.routers.values():
            assert await router.drain(5)
        assert (await pair.both(Delivery(_event("n3"), "good")))[:2] == (200, (True, False))
        assert pair.seen["asgi"] == ["hold1", "hold2", "n3"]


async def test_a_body_that_never_arrives_gets_408_from_both(pair: Pair) -> None:
    async def drip(name: str, url: str) -> bytes:
        host, port = url.split("//")[1].split("/")[0].split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(b"POST /hooks/wacr HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            await writer.drain()
            return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT * 6)
        finally:
            writer.close()
            await writer.wait_closed()

    heads = await asyncio.gather(*(drip(name, url) for name, url in pair.urls.items()))
    for head in heads:
        assert head.startswith(b"HTTP/1.1 408"), head
        assert b"connection: close" in head.lower(), head
    assert pair.seen == {"aiohttp": [], "asgi": []}


_IDS = st.sampled_from(["p1", "p2", "p3"]) | st.text(min_size=1, max_size=12)
_TYPES = st.sampled_from([*webhooks.EVENT_TYPES, "contact.merged"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_BODIES = st.one_of(
    st.builds(_event, _IDS, _TYPES),
    st.builds(lambda b, pad: b + b" " * pad, st.builds(_event, _IDS), st.integers(LIMIT - 200, LIMIT + 200)),
    st.binary(max_size=40),
    _JSON.map(orjson.dumps),
    st.builds(lambda ev: orjson.dumps({"event": ev}), _JSON),
)
_DELIVERIES = st.builds(
    Delivery,
    body=_BODIES,
    signature=st.sampled_from(["good", "good", "bare", "upper", "wrong", "missing", "empty"]),
    header=st.sampled_from(["X-Signature", "x-signature", "X-SIGNATURE"]),
    content_type=st.sampled_from([None, "application/json", "text/plain"]),
    encoding=st.sampled_from(
        [None, None, "gzip", "gzip2", "deflate", "deflate2", "raw-deflate", "fake-gzip"]
    ),
    streamed=st.booleans(),
    method=st.sampled_from(["POST", "POST", "POST", "GET", "DELETE"]),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries=st.lists(_DELIVERIES, min_size=1, max_size=4))
async def test_any_delivery_gets_the_same_answer_from_both_adapters(
    pair: Pair, deliveries: list[Delivery]
) -> None:
    for delivery in deliveries:
        status, _, _, _ = await pair.both(delivery)
        assert status in (200, 400, 401, 405, 413)
