"""Secrets: the token never shows (reprs, errors, their causes, tracebacks, logs); TLS is verified."""

from __future__ import annotations

import asyncio
import logging
import ssl
import subprocess
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer

import wacr
from wacr.testing import Emulator

from .conftest import TOKEN, closed_port, eventually, texts_of


def assert_no_token(error: BaseException) -> None:
    leaks = [where for where, text in texts_of(error).items() if TOKEN in text]
    assert not leaks, f"the token shows in {leaks} of {error!r}"


async def _garbage_http_server() -> tuple[asyncio.Server, int]:
    """A server answering a malformed status line (aiohttp keeps the request's headers in its error)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 OK-ISH\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_the_token_never_shows(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level: wacr, aiohttp, asyncio, the emulator
    errors: dict[str, wacr.WacrError] = {}

    async def expect_error(name: str, call: Any) -> None:
        try:
            await call
        except wacr.WacrError as error:
            errors[name] = error
        else:
            pytest.fail(f"{name}: no error")

    client = wacr.Client(TOKEN, base_url=emulator.base_url, max_retry_wait=0.05)
    assert TOKEN not in f"{client!r}{client}{client.messages!r}{client.contacts!r}"

    # Successes, one of them after a retry: results and their response info.
    account = await client.account.get()
    emulator.inject("POST /messages/text", status=429)
    sent = await client.messages.send_text(phone="+15551234567", message="Hi")
    assert sent.response is not None and sent.response.attempts == 2
    for shown in (account, account.response, sent, sent.response):
        assert TOKEN not in f"{shown!r}{shown}"

    # Errors the server answered, some of them echoing the token back.
    emulator.inject("POST /messages/text", status=500, run_handler=True)
    await expect_error("500 on a send", client.messages.send_text(phone="+15551234567", message="Hi"))
    emulator.inject("GET /account", status=503, times=None)
    await expect_error("lasting 503, retried", client.account.get())
    emulator.clear_faults()
    echo = {
        "success": False,
        "error": {
            "code": "VALIDATION_ERROR",
            "message": f"Bad token {TOKEN}",
            "details": {"authorization": [f"Bearer {TOKEN}"]},
        },
    }
    emulator.inject("PATCH /contacts/*", status=422, json=echo)
    await expect_error("422 echoing the token", client.contacts.update(1, city="Giza"))
    page = f"<html><pre>Authorization: Bearer {TOKEN}</pre></html>"
    emulator.inject("GET /contacts/*", status=502, body=page)
    await expect_error("502 page echoing the token", client.contacts.get(1, max_retries=0))
    emulator.inject("GET /account", status=200, body=f"debug: token={TOKEN}", content_type="text/plain")
    await expect_error("2xx text echoing the token", client.account.get())
    emulator.inject("GET /account", status=200, body='{"success": true, "data": {"id": 1, "na')
    await expect_error("truncated JSON", client.account.get())
    emulator.inject("GET /account", json={"success": True})
    await expect_error("no data", client.account.get())

    # Network failures: dropped, too slow, refused, and a malformed answer.
    emulator.inject("POST /contacts", drop="after")
    await expect_error(
        "dropped",
        client.contacts.create(
            firstname="A", lastname="B", phone="+15550001111", type="lead", source_id=1, status_id=1
        ),
    )
    emulator.inject("GET /account/usage", delay=1.0, times=None)
    await expect_error("timeout", client.account.usage(timeout=0.2, max_retries=1))
    emulator.clear_faults()
    refused = wacr.Client(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/api/v2", max_retry_wait=0.05)
    await expect_error("refused, retried", refused.account.get())
    await refused.aclose()
    server, port = await _garbage_http_server()
    garbage = wacr.Client(TOKEN, base_url=f"http://127.0.0.1:{port}/api/v2", max_retries=0)
    await expect_error("malformed status line", garbage.account.get())
    await garbage.aclose()
    server.close()
    await server.wait_closed()

    # The token was revoked: 401.
    emulator.remove_token(TOKEN)
    await expect_error("401", client.account.get())
    await client.aclose()
    await eventually(
        lambda: all(r.status is not None for r in emulator.received if r.path == "/account/usage")
    )

    assert {type(e).__name__ for e in errors.values()} >= {
        "InternalServerError",
        "ServerError",
        "ValidationError",
        "InvalidResponseError",
        "APIConnectionError",
        "APITimeoutError",
        "AuthenticationError",
    }
    for error in errors.values():
        assert_no_token(error)
    # The echoes were there to leak, and were masked where the body is kept.
    for name in ("422 echoing the token", "502 page echoing the token", "2xx text echoing the token"):
        assert "[REDACTED]" in (getattr(errors[name], "body", None) or ""), name
    assert isinstance(errors["malformed status line"].__cause__, aiohttp.ClientResponseError)

    # Logs: retries (INFO) and every attempt (DEBUG) were logged, never with the token.
    records = caplog.records
    assert any(r.levelno == logging.INFO and "retrying" in r.getMessage() for r in records)
    assert any(r.levelno == logging.DEBUG and r.name == "wacr" for r in records)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s %(args)r")
    for record in records:
        assert TOKEN not in formatter.format(record), record.name
    assert TOKEN not in caplog.text


# -- TLS --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
    command += " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
    subprocess.run(
        [*command.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
async def https_api(self_signed: tuple[Path, Path]) -> AsyncIterator[tuple[str, list[str]]]:
    """An https loopback API with a self-signed certificate; yields its base URL and request log."""
    seen: list[str] = []

    async def handle(request: web.BaseRequest) -> web.Response:
        seen.append(request.path)
        body = b'{"success": true, "data": {"id": 1, "name": "Acme"}}'
        return web.Response(body=body, content_type="application/json")

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*self_signed)
    server = RawTestServer(handle, host="127.0.0.1")
    await server.start_server(ssl=context)
    yield str(server.make_url("/api/v2")), seen
    await server.close()


async def test_a_short_token_echoed_into_a_field_of_the_wrong_type_is_masked(emulator: Emulator) -> None:
    """Errors quote a bad value (up to ~40 characters): a short token must not be quoted."""
    short = "s3cr3t-t0k3n-16c"
    emulator.add_token(short)
    emulator.inject("GET /account", json={"success": True, "data": {"id": short, "name": [short]}})
    async with wacr.Client(short, base_url=emulator.base_url) as client:
        with pytest.raises(wacr.InvalidResponseError) as caught:
            await client.account.get()
    error = caught.value
    assert error.problems  # the bad field is still named...
    shown = [str(error), repr(error), *map(str, error.args), *error.problems]
    shown += traceback.format_exception(error)
    cause = error.__cause__
    while cause is not None:
        shown += [repr(cause), str(cause)]
        cause = cause.__cause__
    assert all(short not in text for text in shown)  # ...but never with the token in it


async def test_tls_is_verified_unless_the_caller_brings_a_session(https_api: tuple[str, list[str]]) -> None:
    base_url, seen = https_api
    assert base_url.startswith("https://")
    async with wacr.Client(TOKEN, base_url=base_url, max_retries=0) as client:
        with pytest.raises(wacr.APIConnectionError) as caught:
            await client.account.get()
    error = caught.value
    assert "certificate verify failed" in str(error)
    assert isinstance(error.__cause__, aiohttp.ClientConnectorCertificateError)
    assert error.may_have_been_processed is False
    assert seen == []  # the handshake failed: the request (and its token) never left
    assert_no_token(error)

    # A session of the caller's, with the caller's TLS settings, is used as it is.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as session:
        client = wacr.Client(TOKEN, base_url=base_url, session=session)
        assert (await client.account.get()).name == "Acme"
        await client.aclose()
        assert not session.closed
    assert seen == ["/api/v2/account"]
