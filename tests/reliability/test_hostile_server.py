"""A hostile or broken server: hidden resends, echoed tokens, huge bodies and gzip bombs.

Every server here is a real loopback server written for the test (raw asyncio sockets or
``aiohttp.web``) with counters of what it received; nothing of wacr is patched.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import pickle
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from wacr._transport import DEFAULT_MAX_RESPONSE_SIZE, Transport

from .conftest import texts_of

MiB = 1024 * 1024


# -- hidden resends: a raw socket server that drops reused connections ------------------------------


@dataclass
class Dropper:
    """HTTP/1.1 on raw sockets. It answers the first request it ever receives (keep-alive, so the
    client pools the connection) and, with ``answer_fresh``, the first request on every new
    connection too; any other request is read in full, counted, and its connection closed without
    an answer (a keep-alive connection dropped under a request)."""

    answer_fresh: bool = False
    requests: list[tuple[str, str]] = field(default_factory=list)
    answered: int = 0
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        on_this_connection = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests.append((method, path))
                on_this_connection += 1
                if self.answered == 0 or (self.answer_fresh and on_this_connection == 1):
                    self.answered += 1
                    body = b'{"success": true, "data": {"id": 1}}'
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n%s" % (len(body), body)
                    )
                    await writer.drain()
                    continue
                break  # read and counted: drop the connection without answering
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def dropper() -> AsyncIterator[Dropper]:
    state = Dropper()
    server = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    yield state
    server.close()
    await server.wait_closed()


def _transport(port: int, max_retries: int, **options: Any) -> Transport:
    return Transport(
        token="tok-hidden-resend-0123456789",
        base_url=f"http://127.0.0.1:{port}/api/v2",
        max_retries=max_retries,
        backoff_base=0.001,
        backoff_cap=0.002,
        timeout=5.0,
        **options,
    )


def _sends(dropper: Dropper, method: str) -> int:
    return sum(1 for m, path in dropper.requests if m == method and path.endswith("/thing"))


async def _call_after_priming(transport: Transport, method: str) -> wacr.WacrError:
    await transport.request("GET", "/prime")  # answered: the connection is now pooled and reused
    body = None if method in ("GET", "DELETE") else b'{"name": "x"}'
    with pytest.raises(wacr.WacrError) as caught:
        await transport.request(method, "/thing", json=body)
    return caught.value


@pytest.mark.parametrize("max_retries", [0, 2])
@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH", "POST"])
async def test_a_dropped_keep_alive_connection_is_resent_only_by_wacr_policy(
    dropper: Dropper, method: str, max_retries: int
) -> None:
    transport = _transport(dropper.port, max_retries)
    try:
        error = await _call_after_priming(transport, method)
    finally:
        await transport.aclose()
    assert isinstance(error, wacr.APIConnectionError)
    if method == "POST":
        # Written, then the connection dropped: the server may have acted on it. Sent once.
        assert _sends(dropper, method) == 1
        assert error.may_have_been_processed is True
    else:
        # aiohttp alone would send GET, DELETE and PUT twice per attempt.
        assert _sends(dropper, method) == max_retries + 1
        assert error.may_have_been_processed is False


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_attempts_count_the_real_sends(dropper: Dropper, max_retries: int) -> None:
    """A reused connection dropped once: wacr's retry (if allowed) opens a new one and succeeds."""
    dropper.answer_fresh = True
    transport = _transport(dropper.port, max_retries)
    try:
        await transport.request("GET", "/prime")
        if max_retries == 0:
            with pytest.raises(wacr.APIConnectionError):
                await transport.request("GET", "/thing")
            assert _sends(dropper, "GET") == 1
        else:
            result = await transport.request("GET", "/thing")
            assert result.info.attempts == _sends(dropper, "GET") == 2
    finally:
        await transport.aclose()


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "POST"])
async def test_a_session_of_yours_gets_no_hidden_resend_and_keeps_its_middlewares(
    dropper: Dropper, method: str
) -> None:
    """Its middlewares run for every send, those aiohttp would resend (DELETE, PUT: wacr adds
    its guard around them) and the others (PATCH, POST: sent with the session's own alone)."""
    seen: list[str] = []

    async def tag(request: aiohttp.ClientRequest, handler: Any) -> aiohttp.ClientResponse:
        seen.append(request.method)
        request.headers["X-Tagged"] = "yes"
        return await handler(request)

    async with aiohttp.ClientSession(middlewares=(tag,)) as session:
        transport = _transport(dropper.port, 1, session=session)
        error = await _call_after_priming(transport, method)
        await transport.aclose()
        assert not session.closed
    assert isinstance(error, wacr.APIConnectionError)
    sends = 1 if method == "POST" else 2  # POST: maybe processed, never resent; else max_retries + 1, not 4
    assert _sends(dropper, method) == sends
    assert seen == ["GET"] + [method] * sends  # the session's middleware ran for every send


# -- a successful answer is never rewritten ---------------------------------------------------------

BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+="
TOKENS = st.one_of(
    st.text(alphabet=BASE64, min_size=1, max_size=48),
    st.text(alphabet="0123456789abcdef", min_size=1, max_size=48),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0x1FFFF),
        min_size=1,
        max_size=16,
    ),
).filter(lambda token: token == token.strip())


def _json_string(text: str, form: str) -> str:
    """``text`` as a JSON string literal: ``plain`` (orjson-like, UTF-8), ``php`` (``\\/`` and
    ``\\uXXXX`` for non-ASCII, as PHP's json_encode writes) or ``unicode`` (every character
    ``\\uXXXX``, surrogate pairs beyond the BMP)."""
    if form == "plain":
        return json.dumps(text, ensure_ascii=False)
    if form == "php":
        return json.dumps(text).replace("/", "\\/")
    units = text.encode("utf-16-be")
    return '"' + "".join(f"\\u{units[n] << 8 | units[n + 1]:04x}" for n in range(0, len(units), 2)) + '"'


@dataclass
class Echo:
    """A loopback API whose next answer the test sets; it records the Authorization it received."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)

    async def handle(self, request: web.BaseRequest) -> web.Response:
        await request.read()
        self.received.append(request.headers.get("Authorization", ""))
        return web.Response(
            status=self.status,
            body=self.body,
            headers={"Content-Type": "application/json", **self.headers},
        )


@pytest.fixture(scope="module")
def echo_server(own_loop: asyncio.AbstractEventLoop) -> Any:
    echo = Echo()
    server = RawTestServer(echo.handle, host="127.0.0.1")
    own_loop.run_until_complete(server.start_server())
    session = own_loop.run_until_complete(_new_session())
    yield echo, str(server.make_url("/api/v2")), session
    own_loop.run_until_complete(session.close())
    own_loop.run_until_complete(server.close())


async def _new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=TOKENS, form=st.sampled_from(["plain", "php", "unicode"]), where=st.integers(0, 2))
def test_an_answer_holding_the_token_arrives_byte_for_byte(
    echo_server: Any, own_loop: asyncio.AbstractEventLoop, token: str, form: str, where: int
) -> None:
    echo, base_url, session = echo_server
    # The token inside the data: alone, in an e-mail address, in a URL (PHP escapes its slashes).
    name = [token, f"{token}@example.com", f"https://example.com/{token}/x"][where]
    name_, sub, ok = (_json_string(text, form) for text in (name, "true/false", "OK"))
    body = (
        f'{{"success": true, "data": {{"id": 1, "name": {name_}, "subdomain": {sub}}}, "message": {ok}, '
        '"meta": {"request_id": "r-1"}}'
    ).encode()
    echo.status, echo.body, echo.headers = 200, body, {}

    async def run() -> None:
        client = wacr.Client(token, base_url=base_url, session=session, max_retries=0)
        account = await client.account.get()
        assert (account.id, account.name, account.subdomain) == (1, name, "true/false")
        assert account.response.message == "OK"
        raw = await Transport(token=token, base_url=base_url, session=session).request("GET", "/account")
        assert raw.body == body  # byte for byte
        assert raw.envelope == json.loads(body)
        await client.aclose()

    own_loop.run_until_complete(run())
    assert echo.received[-1] == f"Bearer {token}"


# -- an echoed token never shows ----------------------------------------------------------------------

# What code, not a server, puts in the texts checked below: the file paths and source lines of
# a traceback's frames. A token that is a piece of them ("/contact", of resources/contacts.py)
# would show there without having been echoed.
_CODE_TEXT = "\n".join(
    f"{path}\n{path.read_text(encoding='utf-8')}"
    for root in (Path(wacr.__file__).parent, Path(__file__).parent, Path(aiohttp.__file__).parent)
    for path in root.rglob("*.py")
)


def _not_in_code(token: str) -> bool:
    return "\\" not in token and all(form not in _CODE_TEXT for form in _forms(token))


LONG_TOKENS = st.one_of(
    st.text(alphabet=BASE64, min_size=12, max_size=48),
    st.text(alphabet="0123456789abcdef", min_size=12, max_size=48),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Z"), max_codepoint=0x1FFFF),
        min_size=8,
        max_size=16,
    ),
).filter(_not_in_code)


def _forms(token: str) -> list[str]:
    """The token as it may appear in raw text: as is, and the inside of each JSON form."""
    return [token, *(_json_string(token, form)[1:-1] for form in ("plain", "php", "unicode"))]


def _assert_hidden(token: str, *shown: str) -> None:
    for text in shown:
        for form in _forms(token):
            assert form not in text, f"the token shows (as {form!r}) in {text[:300]!r}"


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    token=LONG_TOKENS,
    form=st.sampled_from(["plain", "php", "unicode"]),
    status=st.sampled_from([200, 401, 422, 500, 502]),
    in_header=st.booleans(),
)
def test_an_echoed_token_never_shows(
    echo_server: Any,
    own_loop: asyncio.AbstractEventLoop,
    caplog: pytest.LogCaptureFixture,
    token: str,
    form: str,
    status: int,
    in_header: bool,
) -> None:
    echo, base_url, session = echo_server
    quoted = _json_string(f"Bearer {token}", form)
    if status == 502:
        body = f"<html><pre>Authorization: {quoted[1:-1]}</pre></html>".encode()
    else:
        body = (
            f'{{"success": false, "error": {{"code": "VALIDATION_ERROR", "message": {quoted}, '
            f'"details": {{"authorization": [{quoted}], "nested": {{"list": [{{"x": {quoted}}}]}}}}}}, '
            f'"meta": {{"request_id": {quoted}}}}}'
        ).encode()
    headers = {"X-Request-Id": f"id-{quote(token, safe='')}"}
    if in_header:
        headers["X-Debug-Authorization"] = f"Bearer {token}"
        headers["Location"] = f"https://example.com/?t={quote(token, safe='')}"
    echo.status, echo.body, echo.headers = status, body, headers
    caplog.set_level(logging.DEBUG)

    async def run() -> wacr.WacrError:
        async with wacr.Client(token, base_url=base_url, session=session, max_retries=0) as client:
            with pytest.raises(wacr.WacrError) as caught:
                await client.contacts.create(
                    firstname="A", lastname="B", phone="+15550001111", type="lead", source_id=1, status_id=1
                )
        return caught.value

    error = own_loop.run_until_complete(run())
    texts = list(texts_of(error).values())
    texts.append(pickle.dumps(error).decode("utf-8", errors="replace"))
    texts += [f"{k}: {v}" for k, v in getattr(error, "headers", {}).items()]
    texts += [caplog.text, *(r.getMessage() for r in caplog.records)]
    _assert_hidden(token, *texts)
    if isinstance(error, wacr.APIError) and status != 502:
        assert error.code == "VALIDATION_ERROR" and "[REDACTED]" in error.message
        assert isinstance(error, wacr.ValidationError)
        assert error.errors["authorization"] == ["Bearer [REDACTED]"]
    caplog.clear()


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=LONG_TOKENS)
def test_a_token_echoed_in_a_header_of_a_success_is_masked_there_only(
    echo_server: Any, own_loop: asyncio.AbstractEventLoop, token: str
) -> None:
    echo, base_url, session = echo_server
    body = ('{"success": true, "data": {"id": 1, "name": ' + _json_string(token, "php") + "}}").encode()
    echo.status, echo.body = 200, body
    echo.headers = {"X-Echo": f"Bearer {token}", "X-Encoded": quote(token, safe=""), "X-Plain": "kept"}

    async def run() -> Any:
        async with wacr.Client(token, base_url=base_url, session=session) as client:
            return await client.account.get()

    account = own_loop.run_until_complete(run())
    assert account.name == token  # the data is the server's answer, unchanged
    # Before its response is read, the result holds the server's headers as they came
    # (PendingInfo): nothing shows them.
    _assert_hidden(token, repr(account._response), repr(pickle.loads(pickle.dumps(account._response))))
    pickled = pickle.loads(pickle.dumps(account))
    assert pickled == account
    info = account.response
    assert account.response is info  # made once
    assert info.headers["X-Echo"] == "Bearer [REDACTED]" and info.headers["x-encoded"] == "[REDACTED]"
    assert info.headers["X-Plain"] == "kept" and info.headers["Content-Type"] == "application/json"
    copy = pickle.loads(pickle.dumps(info))
    assert copy == info
    _assert_hidden(token, repr(info), repr(dict(info.headers)), repr(dict(copy.headers)))


def test_a_one_character_token_breaks_nothing_and_is_masked_in_errors(
    echo_server: Any, own_loop: asyncio.AbstractEventLoop
) -> None:
    echo, base_url, session = echo_server

    async def run() -> tuple[Any, wacr.APIError]:
        async with wacr.Client("t", base_url=base_url, session=session, max_retries=0) as client:
            echo.status, echo.headers = 200, {}
            echo.body = b'{"success": true, "data": {"id": 1, "name": "test"}}'
            account = await client.account.get()
            echo.status, echo.body = (
                404,
                b'{"success": false, "error": {"code": "NOT_FOUND", "message": "xtx"}}',
            )
            with pytest.raises(wacr.NotFoundError) as caught:
                await client.account.get()
            return account, caught.value

    account, error = own_loop.run_until_complete(run())
    assert account.name == "test"  # was "[REDACTED]es[REDACTED]", and `true` broke every call
    assert error.message == "x[REDACTED]x" and "xtx" not in (error.body or "")


# -- bounded responses: big bodies and gzip bombs -----------------------------------------------------


@dataclass
class Big:
    """Hostile bodies: sizes counted in what the server managed to write."""

    written: int = 0
    bomb: bytes = b""


CHUNK = b"a" * MiB


async def _stream(
    request: web.Request, big: Big, size: int, *, length: bool, status: int = 200
) -> web.StreamResponse:
    resp = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
    if length:
        resp.content_length = size
    await resp.prepare(request)
    try:
        for _ in range(size // MiB):
            await resp.write(CHUNK)
            big.written += MiB
    except (ConnectionError, RuntimeError):
        pass  # the client stopped reading and closed the connection
    return resp


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """256 MiB of zeros as 256 gzip members of 1 MiB each: about 260 KB on the wire."""
    member = gzip.compress(b"0" * MiB, compresslevel=9)
    return member * 256


@pytest.fixture
async def hostile(gzip_bomb: bytes) -> AsyncIterator[tuple[str, Big]]:
    big = Big(bomb=gzip_bomb)

    async def bomb(request: web.Request) -> web.Response:
        return web.Response(
            body=big.bomb, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
        )

    async def small_gzip(request: web.Request) -> web.Response:
        data = b'{"success": true, "data": {"id": 1, "name": "' + b"z" * (2 * MiB) + b'"}}'
        return web.Response(
            body=gzip.compress(data), headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}
        )

    async def exact(request: web.Request) -> web.Response:
        size = int(request.query["size"])
        head, tail = b'{"success": true, "data": {"id": 1, "name": "', b'"}}'
        body = head + b"n" * (size - len(head) - len(tail)) + tail
        if request.query.get("chunked"):
            resp = web.StreamResponse(headers={"Content-Type": "application/json"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            await resp.write(body)
            await resp.write_eof()
            return resp
        return web.Response(body=body, headers={"Content-Type": "application/json"})

    async def length(request: web.Request) -> web.StreamResponse:
        return await _stream(request, big, 200 * MiB, length=True)

    async def chunked(request: web.Request) -> web.StreamResponse:
        return await _stream(request, big, 200 * MiB, length=False)

    async def error(request: web.Request) -> web.StreamResponse:
        return await _stream(request, big, 64 * MiB, length=False, status=503)

    app = web.Application()
    app.router.add_get("/api/v2/length", length)
    app.router.add_get("/api/v2/chunked", chunked)
    app.router.add_post("/api/v2/error", error)
    app.router.add_get("/api/v2/bomb", bomb)
    app.router.add_get("/api/v2/small-gzip", small_gzip)
    app.router.add_get("/api/v2/exact", exact)
    server = TestServer(app)
    await server.start_server()
    yield str(server.make_url("/api/v2")), big
    await server.close()


def _capped(base_url: str, **options: Any) -> Transport:
    return Transport(token="tok-big-bodies-0123456789", base_url=base_url, max_retries=0, **options)


async def _peak(call: Callable[[], Awaitable[Any]]) -> tuple[BaseException | None, int]:
    """Run ``call`` under tracemalloc; return its error (or None) and the peak of traced memory."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        try:
            await call()
            error = None
        except Exception as exc:
            error = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return error, peak


@pytest.mark.parametrize(
    ("path", "bound"),
    [
        # Refused on Content-Length alone, before reading: before, this call peaked at ~420 MiB.
        ("/length", 4 * MiB),
        # No Content-Length: read in chunks up to the cap, then refused (before: ~570 MiB).
        ("/chunked", DEFAULT_MAX_RESPONSE_SIZE + 8 * MiB),
        # 260 KB of gzip inflating to 256 MiB: counted after decompression (before: ~800 MiB).
        ("/bomb", DEFAULT_MAX_RESPONSE_SIZE + 8 * MiB),
    ],
)
async def test_a_huge_body_is_refused_with_bounded_memory(
    hostile: tuple[str, Big], path: str, bound: int
) -> None:
    base_url, big = hostile
    transport = _capped(base_url)
    error, peak = await _peak(lambda: transport.request("GET", path))
    await transport.aclose()
    assert isinstance(error, wacr.ResponseTooLargeError), error
    assert isinstance(error, wacr.InvalidResponseError) and error.limit == DEFAULT_MAX_RESPONSE_SIZE
    assert "max_response_size" in str(error) and str(DEFAULT_MAX_RESPONSE_SIZE) in str(error)
    assert error.status == 200 and error.may_have_been_processed is False  # a GET
    assert peak < bound, f"peak {peak / MiB:.1f} MiB"
    if path != "/bomb":
        assert big.written < 200 * MiB  # the client stopped reading: the server could not finish


async def test_the_cap_is_configurable_and_counts_after_decompression(hostile: tuple[str, Big]) -> None:
    base_url, _ = hostile
    transport = _capped(base_url, max_response_size=MiB)
    error, peak = await _peak(lambda: transport.request("GET", "/bomb"))
    assert isinstance(error, wacr.ResponseTooLargeError) and error.limit == MiB
    assert peak < 6 * MiB, f"peak {peak / MiB:.1f} MiB"
    # 2 MiB once inflated, about 2 KB on the wire: over a 1 MiB cap.
    with pytest.raises(wacr.ResponseTooLargeError):
        await transport.request("GET", "/small-gzip")
    await transport.aclose()
    transport = _capped(base_url, max_response_size=4 * MiB)
    raw = await transport.request("GET", "/small-gzip")
    await transport.aclose()
    assert len(raw.envelope["data"]["name"]) == 2 * MiB  # type: ignore[call-overload,index]


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_of_exactly_the_cap_passes_and_one_byte_more_does_not(
    hostile: tuple[str, Big], chunked: bool
) -> None:
    base_url, _ = hostile
    cap = 64 * 1024
    extra = [("chunked", "1")] if chunked else []
    transport = _capped(base_url, max_response_size=cap)
    try:
        raw = await transport.request("GET", "/exact", params=[("size", str(cap)), *extra])
        assert len(raw.body) == cap and raw.envelope["data"]["name"].startswith("nnn")  # type: ignore[call-overload,index]
        with pytest.raises(wacr.ResponseTooLargeError):
            await transport.request("GET", "/exact", params=[("size", str(cap + 1)), *extra])
        # The connection was closed, not reused half-read: the next call works.
        assert (await transport.request("GET", "/exact", params=[("size", "100"), *extra])).status == 200
    finally:
        await transport.aclose()


async def test_an_error_body_is_capped_too_and_a_post_may_have_been_processed(
    hostile: tuple[str, Big],
) -> None:
    base_url, big = hostile
    transport = _capped(base_url, max_response_size=MiB)
    error, peak = await _peak(lambda: transport.request("POST", "/error", json=b"{}"))
    await transport.aclose()
    assert isinstance(error, wacr.ResponseTooLargeError) and error.status == 503
    assert error.may_have_been_processed is True and "may have been processed" in str(error)
    assert peak < 6 * MiB and big.written < 64 * MiB


def test_the_default_cap_is_far_above_any_answer_and_bounded() -> None:
    assert (
        Transport(token="tok", base_url=wacr.WACR).max_response_size == DEFAULT_MAX_RESPONSE_SIZE == 32 * MiB
    )
    for bad in (0, -1, 1.5, True, "1"):
        with pytest.raises(wacr.ConfigurationError, match="max_response_size"):
            wacr.Client("tok-0123456789", max_response_size=bad)  # type: ignore[arg-type]
