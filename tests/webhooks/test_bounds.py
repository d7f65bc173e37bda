"""What a hostile sender can make the receiver hold: memory (ids, bodies), time, and log records.

Each test drives a real aiohttp server on loopback, most with a raw asyncio socket client that
writes HTTP/1.1 by hand, so that a body can be dripped, declared and never sent, or streamed in
chunks while the client watches for the answer.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import tracemalloc
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given, settings
from hypothesis import strategies as st

from wacr import webhooks

from .conftest import event_body

PATH = "/hooks"
MiB = 1024 * 1024


class Served:
    """A router served on loopback, recording (the start of) the ids its handler is given."""

    def __init__(self, router: webhooks.Router, server: TestServer) -> None:
        self.router = router
        self.server = server
        self.handled: list[str] = []

        @router.on("*")
        async def record(event: webhooks.WebhookPayload) -> None:
            self.handled.append(event.event.id[:40])  # a copy: the event itself is not kept

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        assert self.server.port is not None
        return await asyncio.open_connection("127.0.0.1", self.server.port)

    async def post(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One well-formed POST with a Content-Length, on its own connection."""
        reader, writer = await self.connect()
        try:
            head = _head({"Content-Length": str(len(body)), **(headers or {})})
            writer.write(head + body)
            await writer.drain()
            status, _, answer = await asyncio.wait_for(_answer(reader), 5)
        finally:
            writer.close()
            await writer.wait_closed()
        await self.router.drain(5)
        return status, answer


@pytest.fixture
async def serve() -> AsyncIterator[Any]:
    """``await serve(router, client_max_size=...)`` -> :class:`Served`; closed after the test."""
    servers: list[TestServer] = []

    async def start(router: webhooks.Router, *, client_max_size: int = 1024**2) -> Served:
        app = web.Application(client_max_size=client_max_size)
        router.setup(app, PATH)
        server = TestServer(app, host="127.0.0.1")
        served = Served(router, server)
        await server.start_server()
        servers.append(server)
        return served

    yield start
    for server in servers:
        await server.close()


def _head(headers: dict[str, str]) -> bytes:
    lines = [f"POST {PATH} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """The status, headers and body of one HTTP/1.1 answer with a Content-Length."""
    status_line = await reader.readuntil(b"\r\n")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """Whether the server closes the connection within ``seconds`` (what it sends is dropped)."""

    async def read_to_end() -> None:
        while await reader.read(65536):
            pass

    try:
        await asyncio.wait_for(read_to_end(), seconds)
    except asyncio.TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


# -- de-duplication: bounded by size ----------------------------------------------------------------


async def test_huge_event_ids_do_not_stay_in_memory(serve: Any) -> None:
    """Ids of 256 KiB each: the router keeps a fixed-size digest of each, not the id."""
    served = await serve(webhooks.Router(max_event_ids=1000), client_max_size=64 * MiB)
    count, id_size = 24, 256 * 1024
    bodies = [orjson.dumps(event_body(event_id=f"{n:04d}" + "x" * id_size)) for n in range(count)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for body in bodies:
            assert (await served.post(body))[0] == 200
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(served.handled) == count
    served.handled.clear()
    # Keeping the ids would hold count * id_size = 6 MiB; digests are a few kilobytes.
    assert held < count * id_size // 8, held
    # And de-duplication still works on them: a redelivery of each is answered, not dispatched.
    for body in bodies[:3]:
        status, answer = await served.post(body)
        assert status == 200 and orjson.loads(answer) == {"received": True, "duplicate": True}
    assert served.handled == []


def test_dedup_memory_per_id_is_small_and_fixed(caplog: pytest.LogCaptureFixture) -> None:
    """The documented figure: about 170 bytes per remembered id, whatever the id's length."""
    # What the router holds, not the debug records pytest would keep if an earlier test left the
    # `wacr` logger at DEBUG (the CLI's -v sets it).
    caplog.set_level(logging.WARNING, logger="wacr")
    ids = 2000
    for id_size in (10, 10_000):
        router = webhooks.Router(max_event_ids=ids)
        events = [webhooks.parse_event(event_body(event_id=f"{n}-" + "i" * id_size)) for n in range(ids)]

        async def dispatch_all(
            router: webhooks.Router = router, events: list[webhooks.WebhookPayload] = events
        ) -> None:
            for event in events:
                assert router.dispatch(event)

        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            asyncio.run(dispatch_all())
            del events
            gc.collect()
            per_id = (tracemalloc.get_traced_memory()[0] - before) / ids
        finally:
            tracemalloc.stop()
        assert per_id < 200, (id_size, per_id)


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(1, 6),
    ids=st.lists(st.text(alphabet="ab\u00e9\U0001f600\ud800", min_size=0, max_size=3), max_size=40),
)
def test_dedup_is_an_lru_of_the_last_distinct_ids(capacity: int, ids: list[str]) -> None:
    """Digests change nothing a caller sees: the router dispatches exactly what an LRU of the ids
    themselves would (a repeat refreshes an id; the oldest of ``max_event_ids`` is forgotten)."""
    router = webhooks.Router(max_event_ids=capacity)
    model: OrderedDict[str, None] = OrderedDict()
    events = [
        webhooks.WebhookPayload(event=webhooks.WebhookEvent(id=event_id, type="contact.created"))
        for event_id in ids
    ]

    async def run() -> None:
        for event in events:
            expected = event.event.id not in model
            if expected:
                model[event.event.id] = None
                if len(model) > capacity:
                    model.popitem(last=False)
            else:
                model.move_to_end(event.event.id)
            assert router.dispatch(event) is expected

    asyncio.run(run())


# -- time: a dripping sender ------------------------------------------------------------------------

DRIPS = {
    "Content-Length, dripped": ({"Content-Length": "4000"}, [b"{"] * 100),
    "Content-Length, never sent": ({"Content-Length": "4000"}, []),
    "chunked, dripped": ({"Transfer-Encoding": "chunked"}, [_chunk(b" ")] * 100),
    "chunked, dripped inside a chunk": ({"Transfer-Encoding": "chunked"}, [b"fa0\r\n", *[b" "] * 100]),
}


@pytest.mark.parametrize("name", list(DRIPS))
async def test_a_dripping_sender_gets_408_within_the_read_timeout(serve: Any, name: str) -> None:
    headers, drips = DRIPS[name]
    timeout = 0.4
    served = await serve(webhooks.Router(read_timeout=timeout))
    reader, writer = await served.connect()
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def drip() -> None:
        writer.write(_head(headers))
        for piece in drips:
            await asyncio.sleep(0.02)
            writer.write(piece)
        await asyncio.sleep(60)  # then hold the connection open

    dripping = asyncio.create_task(drip())
    try:
        status, answer_headers, answer = await asyncio.wait_for(_answer(reader), timeout + 1)
        answered = loop.time() - start
        assert status == 408 and b"not received within" in answer
        assert answer_headers.get("connection") == "close"
        assert await _closed_within(reader, 1)
        closed = loop.time() - start
    finally:
        dripping.cancel()
        await asyncio.gather(dripping, return_exceptions=True)
        writer.close()
        await writer.wait_closed()
    assert timeout <= answered < timeout + 0.5, answered
    assert closed < timeout + 0.5, closed
    assert served.handled == []
    assert (await served.post(orjson.dumps(event_body())))[0] == 200  # still serving


# -- size: refused before it is read -----------------------------------------------------------------


async def test_a_declared_oversize_body_is_refused_before_any_of_it_is_sent(serve: Any) -> None:
    """Content-Length over the router's limit, the app allowing far more: 413 on the headers alone."""
    served = await serve(
        webhooks.Router(max_body_size=64 * 1024, read_timeout=0.5), client_max_size=256 * MiB
    )
    reader, writer = await served.connect()
    try:
        writer.write(_head({"Content-Length": str(200 * MiB)}))
        status, headers, answer = await asyncio.wait_for(_answer(reader), 2)
        assert status == 413 and b"65536 bytes" in answer and headers.get("connection") == "close"
        # Nothing more is read from a body far beyond what could be drained: closed at once.
        assert await _closed_within(reader, 0.3)
    finally:
        writer.close()
        await writer.wait_closed()
    assert served.handled == []


async def test_the_smaller_of_the_router_limit_and_client_max_size_applies(serve: Any) -> None:
    good = orjson.dumps(event_body())
    served = await serve(webhooks.Router(), client_max_size=len(good))
    assert (await served.post(good))[0] == 200
    status, answer = await served.post(good + b" ")
    assert status == 413 and b"client_max_size" in answer


@pytest.mark.parametrize("encoding", ["chunked", "gzip"])
async def test_a_streamed_oversize_body_is_refused_as_it_passes_the_limit(serve: Any, encoding: str) -> None:
    """A chunked body (plain, or gzip that inflates past the limit): the answer comes once the
    limit is passed, while the sender is still sending, and the server never holds the body."""
    import zlib

    limit, piece, total = 64 * 1024, 16 * 1024, 4 * MiB
    served = await serve(webhooks.Router(max_body_size=limit, read_timeout=2), client_max_size=256 * MiB)
    headers = {"Transfer-Encoding": "chunked"}
    compressor = None
    if encoding == "gzip":
        headers["Content-Encoding"] = "gzip"
        compressor = zlib.compressobj(wbits=31)
    reader, writer = await served.connect()
    answer_task = asyncio.create_task(_answer(reader))
    sent = 0  # bytes of the body before any encoding
    gc.collect()
    tracemalloc.start()
    try:
        writer.write(_head(headers))
        data = b" " * piece
        while sent < total and not answer_task.done():
            wire = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH) if compressor else data
            writer.write(_chunk(wire))
            await writer.drain()
            sent += piece
            await asyncio.wait({answer_task}, timeout=0.01)
        peak = tracemalloc.get_traced_memory()[1]
        status, _, answer = await asyncio.wait_for(answer_task, 3)
    finally:
        tracemalloc.stop()
        answer_task.cancel()
        await asyncio.gather(answer_task, return_exceptions=True)
        writer.close()
        await writer.wait_closed()
    assert status == 413 and f"{limit} bytes".encode() in answer
    assert sent <= limit + 8 * piece, sent  # answered while the sender was still at the start
    assert peak < 2 * MiB, peak  # reading the whole body would have held 4 MiB
    assert served.handled == []


async def test_a_slightly_oversize_body_written_whole_still_reads_its_413(serve: Any) -> None:
    """A client that writes its whole (too big) body before reading gets the answer, not a reset."""
    served = await serve(webhooks.Router(max_body_size=64 * 1024), client_max_size=256 * MiB)
    for size in (65 * 1024, 700 * 1024):
        status, answer = await served.post(b" " * size)
        assert status == 413 and b"65536 bytes" in answer, size
    assert served.handled == []


# -- logs: never the body ---------------------------------------------------------------------------

SECRET = "whsec_bounds"
MARKER = "Zelda-Secretname-+15550009876"


def _rejections() -> dict[str, tuple[dict[str, str], list[bytes], int]]:
    """Every rejection path: (headers, what is written after them, expected status).

    Each body carries :data:`MARKER` (a name and phone, as a contact would) somewhere."""
    good = event_body(event_id="evt_logged")
    good["data"]["resource"]["attributes"]["firstname"] = MARKER
    raw = orjson.dumps(good)
    bad_field = event_body(event_id="evt_bad_field")
    bad_field["data"]["resource"]["id"] = MARKER
    bad_time = event_body()
    bad_time["event"]["timestamp"] = MARKER
    big = raw + b" " * (70 * 1024)

    def sized(body: bytes, **extra: str) -> tuple[dict[str, str], list[bytes]]:
        return {"Content-Length": str(len(body)), **extra}, [body]

    cases: dict[str, tuple[dict[str, str], list[bytes], int]] = {
        "not JSON": (*sized(raw[:-3]), 400),
        "not UTF-8": (*sized(b"\xff" + MARKER.encode()), 400),
        "JSON but not an object": (*sized(orjson.dumps([MARKER])), 400),
        "a field of the wrong type": (*sized(orjson.dumps(bad_field)), 400),
        "a bad timestamp": (*sized(orjson.dumps(bad_time)), 400),
        "signature missing": (*sized(raw, **{"X-Test-Signed": "1"}), 401),
        "signature wrong": (*sized(raw, **{"X-Test-Signed": "1", "X-Signature": "sha256=" + "0" * 64}), 401),
        "oversize, declared": (*sized(big), 413),
        "oversize, chunked": ({"Transfer-Encoding": "chunked"}, [_chunk(big), b"0\r\n\r\n"], 413),
        "timed out": ({"Content-Length": str(len(raw) + 10)}, [raw], 408),
    }
    return cases


@pytest.mark.parametrize("name", list(_rejections()))
async def test_no_rejection_logs_the_body(serve: Any, caplog: pytest.LogCaptureFixture, name: str) -> None:
    caplog.set_level(logging.DEBUG)
    headers, pieces, expected = _rejections()[name]
    signed = headers.pop("X-Test-Signed", None) is not None
    router = webhooks.Router(secret=SECRET if signed else None, max_body_size=64 * 1024, read_timeout=0.3)
    served = await serve(router, client_max_size=256 * MiB)
    reader, writer = await served.connect()
    try:
        writer.write(_head(headers) + b"".join(pieces))
        await writer.drain()
        status, _, answer = await asyncio.wait_for(_answer(reader), 3)
    finally:
        writer.close()
        await writer.wait_closed()
    await router.drain(5)
    assert status == expected and orjson.loads(answer)["received"] is False
    assert served.handled == []
    [rejection] = [r for r in caplog.records if "webhook rejected" in r.getMessage()]
    assert rejection.levelno == logging.WARNING and f"with {expected}" in rejection.getMessage()
    assert "bytes read" in rejection.getMessage()
    for record in caplog.records:
        text = record.getMessage() + (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        for fragment in ("Zelda", "Secretname", "15550009876", "+1555"):
            assert fragment not in text, (record.name, text)


async def test_a_gzip_bomb_is_refused_once_it_inflates_past_the_limit(serve: Any) -> None:
    """64 MiB of zeros in a 64 KiB gzip body (under the limit as sent): counted as it inflates."""
    import zlib

    compressor = zlib.compressobj(9, wbits=31)
    zeros = bytes(MiB)
    bomb = b"".join(compressor.compress(zeros) for _ in range(64)) + compressor.flush()
    limit = MiB
    assert len(bomb) < limit // 8
    served = await serve(webhooks.Router(max_body_size=limit), client_max_size=256 * MiB)
    gc.collect()
    tracemalloc.start()
    try:
        status, answer = await served.post(bomb, {"Content-Encoding": "gzip"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 413 and f"{limit} bytes".encode() in answer
    assert peak < 16 * MiB, peak  # inflating it whole would take 64 MiB
    assert served.handled == []
