"""Proxies (environment and explicit), default headers and the connect timeout, against a
forward proxy written for the test and a scripted API server, both on loopback."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import urllib.parse
from collections.abc import AsyncIterator

import aiohttp
import attrs
import pytest

import wacr
from tests.pipeline.conftest import TOKEN, MakeTransport, Reply, Scripted
from wacr.errors import APIConnectionError, APITimeoutError, ConfigurationError

OK = {"success": True, "data": {"id": 1}}


@attrs.define
class Seen:
    method: str
    target: str
    headers: dict[str, str]


class ForwardProxy:
    """An HTTP/1.1 forward proxy: absolute-form requests are forwarded to their origin (one
    connection each, ``Connection: close``); CONNECT is counted and refused with 502."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request_line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
                method, target, _ = request_line.split(" ", 2)
                headers = dict(line.split(": ", 1) for line in lines)
                self.seen.append(Seen(method, target, headers))
                if method == "CONNECT":
                    writer.write(
                        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    await writer.drain()
                    return
                size = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                body = await reader.readexactly(size)
                writer.write(await self.forward(method, target, headers, body))
                await writer.drain()
        finally:
            writer.close()

    @staticmethod
    async def forward(method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        url = urllib.parse.urlsplit(target)
        assert url.hostname is not None and url.port is not None
        r, w = await asyncio.open_connection(url.hostname, url.port)
        kept = {k: v for k, v in headers.items() if k.lower() not in ("proxy-authorization", "connection")}
        lines = [f"{method} {url.path}{'?' + url.query if url.query else ''} HTTP/1.1"]
        lines += [f"{k}: {v}" for k, v in kept.items()] + ["Connection: close", "", ""]
        w.write("\r\n".join(lines).encode("latin-1") + body)
        await w.drain()
        answer = await r.read()
        w.close()
        await w.wait_closed()
        return answer

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    made = ForwardProxy()
    await made.start()
    yield made
    await made.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy variables from the machine running the tests."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", "/nonexistent")
    return monkeypatch


async def test_http_proxy_from_the_environment_carries_the_calls(
    api: Scripted, proxy: ForwardProxy, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    api.reply(Reply(200, OK))
    async with wacr.Client(TOKEN, base_url=api.url()) as client:
        await client.request("GET", "/contacts", params={"page": "1"})
        await client.request("POST", "/contacts", json={"phone": "+1"})
    assert [(s.method, s.target) for s in proxy.seen] == [
        ("GET", api.url("/api/v2/contacts?page=1")),
        ("POST", api.url("/api/v2/contacts")),
    ]
    assert [s.method for s in api.seen] == ["GET", "POST"]  # forwarded to the origin
    assert api.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_no_proxy_and_trust_env_false_go_direct(
    api: Scripted, proxy: ForwardProxy, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    async with wacr.Client(TOKEN, base_url=api.url(), trust_env=False) as client:
        await client.request("GET", "/contacts")
    clean_env.setenv("NO_PROXY", "localhost,127.0.0.1")
    async with wacr.Client(TOKEN, base_url=api.url()) as client:
        await client.request("GET", "/contacts")
    assert proxy.seen == [] and len(api.seen) == 2


async def test_https_proxy_gets_a_connect_with_the_credentials_it_was_given_and_shows_none(
    proxy: ForwardProxy, clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clean_env.setenv("HTTPS_PROXY", f"http://agent:pr0xy-s3cret@127.0.0.1:{proxy.port}")
    client = wacr.Client(TOKEN, base_url="https://api.example.test/api/v2", max_retries=0)
    with caplog.at_level(logging.DEBUG, logger="wacr"):
        async with client:
            with pytest.raises(APIConnectionError) as caught:
                await client.request("GET", "/contacts")
    (seen,) = proxy.seen
    assert (seen.method, seen.target) == ("CONNECT", "api.example.test:443")
    assert seen.headers["Proxy-Authorization"] == "Basic " + base64.b64encode(b"agent:pr0xy-s3cret").decode()
    shown = [str(caught.value), repr(caught.value), repr(client), caplog.text]
    assert not any("pr0xy-s3cret" in text or TOKEN in text for text in shown)


async def test_an_explicit_proxy_wins_and_its_credentials_stay_hidden(
    api: Scripted, proxy: ForwardProxy, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("NO_PROXY", "*")  # the environment says direct; the explicit proxy wins
    client = wacr.Client(TOKEN, base_url=api.url(), proxy=f"http://ops:h1dden-pw@127.0.0.1:{proxy.port}")
    async with client:
        await client.request("GET", "/contacts")
    (seen,) = proxy.seen
    assert seen.headers["Proxy-Authorization"] == "Basic " + base64.b64encode(b"ops:h1dden-pw").decode()
    assert "Proxy-Authorization" not in api.seen[0].headers
    assert "h1dden-pw" not in repr(client) and "h1dden-pw" not in repr(client._transport.settings)


@pytest.mark.parametrize(
    "bad", ["ftp://127.0.0.1:21", "not a url", "http://", 3128, "socks5://user:s3cr3t@h:1080"]
)
def test_a_bad_proxy_is_refused_without_showing_it(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="proxy must be") as caught:
        wacr.Client(TOKEN, proxy=bad)  # type: ignore[arg-type]
    assert "s3cr3t" not in str(caught.value)


async def test_default_headers_go_on_every_request_and_never_carry_credentials(api: Scripted) -> None:
    async with wacr.Client(
        TOKEN, base_url=api.url(), default_headers={"X-Team": "ops", "User-Agent": "mine/1"}
    ) as c:
        await c.request("GET", "/contacts")
        await c.request("POST", "/contacts", json={}, headers={"X-Team": "call"})
    first, second = api.seen
    assert first.headers["X-Team"] == "ops" and first.headers["User-Agent"] == "mine/1"
    assert second.headers.getall("X-Team") == ["call"]  # a call's extra header wins
    for name in ("Authorization", "x-api-key", "AUTHORIZATION"):
        with pytest.raises(ConfigurationError, match=f"default_headers.{name} is a credential header"):
            wacr.Client(TOKEN, default_headers={name: "Bearer other"})
    with pytest.raises(ConfigurationError, match=r"default_headers\.X-Bad must not contain CR, LF"):
        wacr.Client(TOKEN, default_headers={"X-Bad": "a\r\nAuthorization: Bearer x"})


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), 10**400, "5", True])
def test_connect_timeout_is_checked(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="connect_timeout must be a positive, finite number"):
        wacr.Client(TOKEN, connect_timeout=bad)  # type: ignore[arg-type]


async def test_a_post_that_never_got_a_pooled_connection_was_not_sent_and_is_retried(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(200, OK, delay=0.6), Reply(200, OK))
    transport = make_transport(connection_limit=1, connect_timeout=0.15, max_retries=0)
    slow = asyncio.ensure_future(transport.request("GET", "/slow"))
    while not api.seen:
        await asyncio.sleep(0.005)
    with pytest.raises(APITimeoutError) as caught:
        await transport.request("POST", "/messages/text", json=b"{}")
    assert caught.value.may_have_been_processed is False and "nothing was sent" in str(caught.value)
    assert [s.path for s in api.seen] == ["/api/v2/slow"]
    # With retries, the same POST waits its turn again and is sent once the pool frees up.
    patient = make_transport(connection_limit=1, connect_timeout=0.15, max_retries=20)
    api.replies[:] = [Reply(200, OK, delay=0.4), Reply(200, OK)]
    slow2 = asyncio.ensure_future(patient.request("GET", "/slow"))
    while len(api.seen) < 2:
        await asyncio.sleep(0.005)
    sent = await patient.request("POST", "/messages/text", json=b"{}")
    assert sent.info.attempts > 1
    assert [s.path for s in api.seen].count("/api/v2/messages/text") == 1
    for task in (slow, slow2):
        with contextlib.suppress(Exception):
            await task


async def test_with_a_session_of_yours_default_headers_hooks_and_the_proxy_apply(
    api: Scripted, proxy: ForwardProxy, clean_env: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    async with aiohttp.ClientSession() as session:
        client = wacr.Client(
            TOKEN,
            base_url=api.url(),
            session=session,
            default_headers={"X-Team": "ops"},
            proxy=f"http://127.0.0.1:{proxy.port}",
            event_hooks={"request": [lambda event: seen.append(event.kind)]},
        )
        async with client:
            await client.request("GET", "/contacts")
        assert not session.closed  # yours: left open
    assert seen == ["request"] and len(proxy.seen) == 1
    assert api.seen[0].headers["X-Team"] == "ops"
