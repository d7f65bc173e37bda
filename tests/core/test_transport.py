"""The transport against a real loopback server: success, errors, the retry matrix, timeouts,
cancellation, session lifecycle, logging."""

from __future__ import annotations

import asyncio
import datetime
import http.server
import logging
import pickle
import socket
import threading
import traceback
from typing import Any

import aiohttp
import attrs
import orjson
import pytest

from tests.core.conftest import TOKEN, MakeTransport, Reply, Scripted
from wacr._response import PendingInfo, RateLimit, ResponseInfo, new_response_info
from wacr._transport import MAX_URL_LENGTH, Transport
from wacr.errors import (
    IDEMPOTENT_METHODS,
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)

RATE_LIMITED: dict[str, Any] = {
    "success": False,
    "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Too many requests"},
}
UNAVAILABLE = {"success": False, "error": {"code": "SERVICE_UNAVAILABLE", "message": "Try later"}}
OK = {"success": True, "data": {"id": 7}, "message": "Done", "meta": {"request_id": "req-ok"}}


def rate_limited(**body_extra: Any) -> dict[str, Any]:
    return {**RATE_LIMITED, "error": {**RATE_LIMITED["error"], **body_extra}}


# -- success ----------------------------------------------------------------------------------


async def test_success_parses_envelope_and_fills_response_info(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(201, OK, headers={"X-Request-Id": "header-id"}))
    result = await make_transport().request("POST", "/contacts", json=b'{"phone":"+20100"}')
    assert result.status == 201
    assert result.envelope == OK
    assert result.body == orjson.dumps(OK)
    info = result.info
    assert (info.status, info.request_id, info.message, info.meta) == (201, "req-ok", "Done", OK["meta"])
    assert info.method == "POST" and info.url == api.url("/api/v2/contacts")
    assert info.attempts == 1 and info.elapsed >= 0
    assert info.headers["x-request-id"] == "header-id"  # case-insensitive
    with pytest.raises(TypeError):
        info.headers["X-New"] = "x"  # type: ignore[index]


async def test_request_id_falls_back_to_header(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(200, {"success": True, "data": []}, headers={"X-Request-Id": "from-header"}))
    result = await make_transport().request("GET", "/contacts")
    assert result.info.request_id == "from-header"
    assert result.info.meta is None and result.info.message is None


async def test_headers_params_and_body_sent(api: Scripted, make_transport: MakeTransport) -> None:
    transport = make_transport(user_agent="tests/1.0")
    await transport.request("GET", "/contacts", params=[("page", "2"), ("filter[status_id]", "3")])
    await transport.request("DELETE", "/contacts/batch", json=b'{"ids":[1,2]}')
    get, delete = api.seen
    assert get.method == "GET" and get.path == "/api/v2/contacts"
    assert list(get.query.items()) == [("page", "2"), ("filter[status_id]", "3")]
    assert get.headers["Authorization"] == f"Bearer {TOKEN}"
    assert get.headers["Accept"] == "application/json"
    assert get.headers["User-Agent"] == "tests/1.0"
    assert "Content-Type" not in get.headers and get.body == b""
    assert delete.method == "DELETE" and delete.body == b'{"ids":[1,2]}'
    assert delete.headers["Content-Type"] == "application/json"


async def test_empty_2xx_body_gives_no_envelope(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(204, b""))
    result = await make_transport().request("DELETE", "/contacts/1")
    assert result.status == 204 and result.envelope is None


@pytest.mark.parametrize("body", [b"<html>oops</html>", b'{"success": true, "data": {', b"\xff\xfe"])
async def test_2xx_that_is_not_json_raises_invalid_response(
    api: Scripted, make_transport: MakeTransport, body: bytes
) -> None:
    api.reply(Reply(200, body))
    with pytest.raises(InvalidResponseError) as caught:
        await make_transport().request("GET", "/account")
    error = caught.value
    assert "not valid JSON" in str(error) and error.status == 200
    assert not isinstance(error.__cause__, ValueError)  # no JSON decode error leaks
    assert len(api.seen) == 1  # a malformed 2xx is not retried


async def test_2xx_with_success_false_is_an_error(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(200, {"success": False, "error": {"code": "NOT_FOUND", "message": "No such contact"}}))
    with pytest.raises(NotFoundError, match="No such contact"):
        await make_transport().request("GET", "/contacts/9")


# -- errors -----------------------------------------------------------------------------------


async def test_error_status_raises_typed_error_with_everything(
    api: Scripted, make_transport: MakeTransport
) -> None:
    body = {
        "success": False,
        "message": "Validation failed",
        "error": {"code": "VALIDATION_ERROR", "message": "Validation failed", "details": {"phone": ["req"]}},
        "meta": {"request_id": "r-422"},
    }
    api.reply(Reply(422, body))
    with pytest.raises(ValidationError) as caught:
        await make_transport().request("POST", "/contacts", json=b"{}")
    error = caught.value
    assert (error.status, error.code, error.request_id) == (422, "VALIDATION_ERROR", "r-422")
    assert error.errors == {"phone": ["req"]}
    assert error.method == "POST" and error.url == api.url("/api/v2/contacts")
    assert len(api.seen) == 1


async def test_error_body_echoing_the_token_is_redacted(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(401, {"message": f"bad token Bearer {TOKEN}", "code": "UNAUTHORIZED"}))
    with pytest.raises(APIError) as caught:
        await make_transport().request("GET", "/account")
    error = caught.value
    assert TOKEN not in (error.body or "") and TOKEN not in str(error) and TOKEN not in repr(error)


# -- retry matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "PUT"])
async def test_idempotent_methods_retry_server_errors(
    api: Scripted, make_transport: MakeTransport, method: str, status: int
) -> None:
    api.reply(Reply(status, UNAVAILABLE), Reply(200, OK))
    result = await make_transport().request(method, "/contacts/1", json=b"{}" if method != "GET" else None)
    assert result.status == 200 and result.info.attempts == 2
    assert len(api.seen) == 2


async def test_idempotent_retries_stop_after_max_retries(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(503, UNAVAILABLE))
    with pytest.raises(ServerError) as caught:
        await make_transport(max_retries=2).request("GET", "/contacts")
    assert len(api.seen) == 3
    assert caught.value.may_have_been_processed is False


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_post_is_never_repeated_after_a_server_error(
    api: Scripted, make_transport: MakeTransport, status: int
) -> None:
    api.reply(Reply(status, {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Boom"}}))
    with pytest.raises(ServerError) as caught:
        await make_transport(max_retries=3).request("POST", "/messages/text", json=b"{}")
    assert len(api.seen) == 1
    error = caught.value
    assert isinstance(error, InternalServerError)
    assert error.may_have_been_processed is True
    assert "may have been processed" in str(error) and "not retried" in str(error)


async def test_other_statuses_are_not_retried(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(501, {"message": "nope"}))
    with pytest.raises(ServerError):
        await make_transport().request("GET", "/x")
    api.replies = [Reply(404, {"error": {"code": "NOT_FOUND", "message": "gone"}})]
    with pytest.raises(NotFoundError):
        await make_transport().request("GET", "/y")
    assert len(api.seen) == 2


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
async def test_429_is_retried_for_every_method(
    api: Scripted, make_transport: MakeTransport, method: str
) -> None:
    api.reply(Reply(429, RATE_LIMITED, headers={"Retry-After": "0"}), Reply(200, OK))
    result = await make_transport().request(method, "/messages/text", json=b"{}")
    assert result.info.attempts == 2 and len(api.seen) == 2


async def test_429_waits_retry_after_header_before_body(
    api: Scripted, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    # The header (0.02 s) wins over the body's retry_after (99 s, above max_retry_wait).
    api.reply(Reply(429, rate_limited(details={"retry_after": 99}), headers={"Retry-After": "0.02"}), Reply())
    with caplog.at_level(logging.INFO, logger="wacr"):
        result = await make_transport(max_retry_wait=1).request("GET", "/contacts")
    assert result.info.attempts == 2
    assert any("in 0.02 s after 429" in r.getMessage() for r in caplog.records)


async def test_429_waits_body_retry_after_without_header(
    api: Scripted, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(Reply(429, rate_limited(details={"retry_after": 0.03})), Reply())
    with caplog.at_level(logging.INFO, logger="wacr"):
        await make_transport().request("POST", "/auth/otp/verify", json=b"{}")
    assert any("in 0.03 s after 429" in r.getMessage() for r in caplog.records)
    assert len(api.seen) == 2


async def test_429_without_any_wait_uses_jittered_backoff(
    api: Scripted, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(Reply(429, RATE_LIMITED), Reply(429, RATE_LIMITED), Reply())
    with caplog.at_level(logging.INFO, logger="wacr"):
        result = await make_transport(backoff_base=0.004, backoff_cap=0.005).request("GET", "/contacts")
    assert result.info.attempts == 3
    waits = [float(r.args[2]) for r in caplog.records if r.getMessage().startswith("retrying")]  # type: ignore[index,arg-type]
    assert len(waits) == 2
    assert 0 <= waits[0] <= 0.004 and 0 <= waits[1] <= 0.005  # full jitter, capped


async def test_429_asking_longer_than_max_retry_wait_raises_at_once(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(429, RATE_LIMITED, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimitError) as caught:
        await make_transport(max_retry_wait=1).request("GET", "/contacts")
    assert caught.value.retry_after == 120 and len(api.seen) == 1


async def test_429_gives_up_after_max_retries(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(429, rate_limited(retry_after=0)))
    with pytest.raises(RateLimitError):
        await make_transport(max_retries=1).request("POST", "/messages/text", json=b"{}")
    assert len(api.seen) == 2


async def test_max_retries_zero_turns_retries_off(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(503, UNAVAILABLE), Reply())
    with pytest.raises(ServerError):
        await make_transport(max_retries=0).request("GET", "/contacts")
    assert len(api.seen) == 1


async def test_per_call_max_retries_overrides_the_transport(
    api: Scripted, make_transport: MakeTransport
) -> None:
    transport = make_transport(max_retries=0)
    api.reply(Reply(503, UNAVAILABLE), Reply(503, UNAVAILABLE), Reply())
    result = await transport.request("GET", "/contacts", max_retries=2)
    assert result.info.attempts == 3
    api.seen.clear()
    api.replies = [Reply(503, UNAVAILABLE)]
    with pytest.raises(ServerError):
        await make_transport(max_retries=5).request("GET", "/contacts", max_retries=0)
    assert len(api.seen) == 1


# -- network failures -------------------------------------------------------------------------


@pytest.mark.parametrize("drop", ["before", "mid"])
async def test_post_is_not_repeated_after_a_dropped_connection(
    api: Scripted, make_transport: MakeTransport, drop: str
) -> None:
    api.reply(Reply(200, OK, drop=drop))
    if drop == "mid":
        api.release.set()  # let the handler close right after the first bytes
    with pytest.raises(APIConnectionError) as caught:
        await make_transport(max_retries=3).request("POST", "/messages/text", json=b"{}")
    assert len(api.seen) == 1
    error = caught.value
    assert type(error) is APIConnectionError and error.may_have_been_processed is True
    assert "may have been processed" in str(error)
    assert not isinstance(error, aiohttp.ClientError)


@pytest.mark.parametrize("drop", ["before", "mid"])
async def test_get_is_retried_after_a_dropped_connection(
    api: Scripted, make_transport: MakeTransport, drop: str
) -> None:
    api.reply(Reply(200, OK, drop=drop), Reply(200, OK))
    if drop == "mid":
        api.release.set()
    result = await make_transport().request("GET", "/contacts")
    # (For a drop before any response, aiohttp itself re-sends an idempotent request once.)
    assert result.status == 200 and len(api.seen) == 2


async def test_timeout_retried_for_get_and_raised_as_api_timeout(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(200, OK, delay=2))
    with pytest.raises(APITimeoutError) as caught:
        await make_transport(timeout=0.05, max_retries=1).request("GET", "/contacts")
    assert len(api.seen) == 2
    assert caught.value.may_have_been_processed is False
    assert isinstance(caught.value, APIConnectionError)


async def test_timeout_not_retried_for_post(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(200, OK, delay=2))
    with pytest.raises(APITimeoutError) as caught:
        await make_transport(timeout=0.05, max_retries=3).request("POST", "/messages/text", json=b"{}")
    assert len(api.seen) == 1
    assert caught.value.may_have_been_processed is True
    assert "timed out" in str(caught.value) and "not retried" in str(caught.value)


async def test_per_call_timeout_overrides_the_transport(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(200, OK, delay=2))
    with pytest.raises(APITimeoutError, match=r"0\.05 s"):
        await make_transport(timeout=30).request("GET", "/contacts", timeout=0.05, max_retries=0)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("method", "reply", "sends"),
    [
        ("GET", Reply(503, UNAVAILABLE), 3),  # retried to the end
        ("POST", Reply(503, UNAVAILABLE), 1),  # never repeated
        ("POST", Reply(429, rate_limited(), {"Retry-After": "0"}), 3),
        ("DELETE", Reply(200, OK, drop="mid"), 3),
        ("POST", Reply(200, OK, drop="mid"), 1),
        ("GET", Reply(404, {"success": False, "error": {"code": "NOT_FOUND"}}), 1),
    ],
)
async def test_the_last_failure_reaches_the_caller_as_itself_whatever_the_retries(
    api: Scripted, make_transport: MakeTransport, method: str, reply: Reply, sends: int
) -> None:
    """What backoff passed around stays inside: the caller gets the typed error, chained only to
    the network error under it, and nothing in the chain or the traceback holds the token."""
    api.reply(reply)
    api.release.set()
    with pytest.raises((APIError, APIConnectionError)) as caught:
        await make_transport(max_retries=2).request(method, "/contacts/1")
    error = caught.value
    assert len(api.seen) == sends
    assert error.__context__ is None or error.__context__ is error.__cause__
    chain, link = [], error.__cause__
    while link is not None:
        chain.append(link)
        link = link.__cause__ or link.__context__
    assert all(type(link).__module__.split(".")[0] in ("aiohttp", "builtins") for link in chain), chain
    assert (chain != []) is (reply.drop is not None)
    shown = "".join(traceback.format_exception(error)) + repr(vars(error))
    assert TOKEN not in shown and "Bearer" not in shown


async def test_connection_refused_is_retried_then_raised(caplog: pytest.LogCaptureFixture) -> None:
    transport = Transport(
        token=TOKEN, base_url=f"http://127.0.0.1:{_closed_port()}/api/v2", backoff_base=0.001, max_retries=2
    )
    with caplog.at_level(logging.DEBUG, logger="wacr"), pytest.raises(APIConnectionError) as caught:
        await transport.request("POST", "/messages/text", json=b"{}")
    await transport.aclose()
    error = caught.value
    assert type(error) is APIConnectionError and error.may_have_been_processed is False
    assert not isinstance(error, aiohttp.ClientError) and isinstance(error.__cause__, aiohttp.ClientError)
    attempts = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert len(attempts) == 3 and "attempt 3/3" in attempts[-1]


class FlakyResolver(aiohttp.abc.AbstractResolver):
    """Fails the first ``failures`` lookups (a DNS outage), then resolves to loopback."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError("temporary failure in name resolution")
        return [
            {"hostname": host, "host": "127.0.0.1", "port": port, "family": family, "proto": 0, "flags": 0}
        ]

    async def close(self) -> None:
        pass


async def test_post_is_retried_when_the_connection_failed_before_sending(api: Scripted) -> None:
    resolver = FlakyResolver(failures=1)
    port = api.server.port if api.server else 0
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
    ) as session:
        transport = Transport(
            token=TOKEN, base_url=f"http://api.test:{port}/api/v2", session=session, backoff_base=0.001
        )
        result = await transport.request("POST", "/messages/text", json=b"{}")
    assert resolver.calls == 2 and result.info.attempts == 2
    assert len(api.seen) == 1  # sent once: the first attempt never left


# -- cancellation -----------------------------------------------------------------------------


async def test_cancelled_call_releases_its_connection(api: Scripted, make_transport: MakeTransport) -> None:
    # One connection in the pool: a leaked one would make the next call wait forever.
    transport = make_transport(connection_limit=1, timeout=2)
    api.reply(Reply(200, OK, drop="mid"), Reply(200, OK))
    task = asyncio.create_task(transport.request("GET", "/contacts"))
    await asyncio.wait_for(api.streaming.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    session = transport.session
    assert session is not None and session.connector is not None
    assert session.connector._acquired == set()  # nothing held by the cancelled call
    result = await transport.request("GET", "/contacts", max_retries=0)
    assert result.status == 200


async def test_cancelled_during_backoff_sleep_propagates(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(429, RATE_LIMITED, headers={"Retry-After": "5"}))
    task = asyncio.create_task(make_transport(max_retry_wait=10).request("GET", "/contacts"))
    while not api.seen:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(api.seen) == 1


# -- session lifecycle ------------------------------------------------------------------------


def test_constructing_needs_no_event_loop() -> None:
    transport = Transport(token=TOKEN, base_url="https://app.wa.cr/api/v2")
    assert transport.session is None


async def test_owned_session_is_created_lazily_and_closed(api: Scripted) -> None:
    transport = Transport(token=TOKEN, base_url=api.url())
    assert transport.session is None
    await transport.request("GET", "/account")
    session = transport.session
    assert session is not None and not session.closed
    await transport.request("GET", "/account")
    assert transport.session is session  # one pooled session
    await transport.aclose()
    assert session.closed and transport.session is None
    await transport.aclose()  # twice is fine


async def test_a_closed_transport_stays_closed(api: Scripted) -> None:
    transport = Transport(token=TOKEN, base_url=api.url())
    await transport.request("GET", "/account")
    await transport.aclose()
    for method in ("GET", "POST"):
        with pytest.raises(ConfigurationError, match=r"the client is closed \(aclose\(\) was called\)"):
            await transport.request(method, "/account")
    assert len(api.seen) == 1 and transport.session is None  # nothing sent, no session reopened


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_closing_during_a_call_ends_it_without_another_send_or_session(
    api: Scripted, method: str
) -> None:
    api.reply(Reply(200, delay=30))  # held until the client closes
    transport = Transport(token=TOKEN, base_url=api.url(), max_retries=2)
    call = asyncio.ensure_future(transport.request(method, "/account"))
    while not api.seen:
        await asyncio.sleep(0.01)
    session = transport.session
    await transport.aclose()
    with pytest.raises(
        APIConnectionError, match=r"closed \(aclose\(\) was called\) while this call was in flight"
    ):
        await call
    caught = call.exception()
    assert isinstance(caught, APIConnectionError)
    assert caught.may_have_been_processed is (method not in IDEMPOTENT_METHODS)  # it had been written
    assert caught.__cause__ is not None  # what aiohttp said when the pool closed
    assert len(api.seen) == 1  # not retried on a session of its own
    assert transport.session is None and session is not None and session.closed
    assert TOKEN not in str(caught) and TOKEN not in repr(caught)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_closing_while_a_call_waits_to_retry_ends_it_without_another_send(
    api: Scripted, method: str
) -> None:
    api.reply(Reply(429, headers={"Retry-After": "0.5"}))  # the close comes during the wait
    transport = Transport(token=TOKEN, base_url=api.url(), max_retries=2, max_retry_wait=60)
    call = asyncio.ensure_future(transport.request(method, "/account"))
    while not api.seen:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # now in backoff's wait
    await transport.aclose()
    with pytest.raises(
        APIConnectionError, match="while this call waited to be retried; it was not sent again"
    ):
        await asyncio.wait_for(call, 30)  # the wait runs out, and the retry finds the client closed
    assert len(api.seen) == 1


async def test_borrowed_session_is_used_and_never_closed(api: Scripted) -> None:
    async with aiohttp.ClientSession() as session:
        transport = Transport(token=TOKEN, base_url=api.url(), session=session)
        assert transport.session is session
        await transport.request("GET", "/account")
        await transport.aclose()
        assert not session.closed
        await transport.request("GET", "/account")  # still usable: its owner decides
    with pytest.raises(ConfigurationError, match="closed"):
        await transport.request("GET", "/account")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"token": ""}, "token"),
        ({"token": "abc\ndef"}, "control character"),
        ({"base_url": "app.wa.cr/api/v2"}, "absolute"),
        ({"base_url": "ftp://app.wa.cr"}, "absolute"),
        ({"base_url": "https://app.wa.cr/api/v2?x=1"}, "query"),
        ({"timeout": 0}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_bad_configuration_is_rejected(kwargs: dict[str, Any], message: str) -> None:
    options: dict[str, Any] = {"token": TOKEN, "base_url": "https://app.wa.cr/api/v2", **kwargs}
    with pytest.raises(ConfigurationError, match=message):
        Transport(**options)


def test_base_url_trailing_slash_is_ignored() -> None:
    assert (
        Transport(token=TOKEN, base_url="https://getrasl.io/api/v2/").base_url == "https://getrasl.io/api/v2"
    )


# -- the token never shows ----------------------------------------------------------------------


async def test_token_never_in_repr_errors_or_logs(
    api: Scripted, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    transport = make_transport()
    assert TOKEN not in repr(transport) and TOKEN not in str(transport)
    api.reply(
        Reply(200, OK),
        Reply(503, UNAVAILABLE),
        Reply(422, {"error": {"code": "VALIDATION_ERROR", "message": "bad", "details": {"x": ["y"]}}}),
    )
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        result = await transport.request("GET", "/account")
        for _ in range(2):
            try:
                await transport.request("POST", "/contacts", json=b"{}")
            except APIError as exc:
                errors.append(exc)
        bad = Transport(token=TOKEN, base_url=f"http://127.0.0.1:{_closed_port()}", max_retries=0)
        try:
            await bad.request("GET", "/x")
        except APIConnectionError as exc:
            errors.append(exc)
        await bad.aclose()
    assert len(errors) == 3
    for error in errors:
        for text in (str(error), repr(error), repr(error.args), str(pickle.loads(pickle.dumps(error)))):
            assert TOKEN not in text
    assert TOKEN not in repr(result) and TOKEN not in repr(result.info)
    logged = [r.getMessage() for r in caplog.records]
    assert any("GET /account -> 200" in line for line in logged)
    assert all(TOKEN not in line for line in logged)


async def test_one_debug_line_per_attempt_and_no_warnings(
    api: Scripted, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(Reply(503, UNAVAILABLE), Reply(200, OK))
    with caplog.at_level(logging.DEBUG, logger="wacr"):
        await make_transport().request("GET", "/contacts", params={"search": "secret search"})
    records = [r for r in caplog.records if r.name == "wacr"]
    debug = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    assert debug[0].startswith("GET /contacts -> 503 in ") and "attempt 1/3" in debug[0]
    assert debug[1].startswith("GET /contacts -> 200 in ") and "attempt 2/3, request_id=req-ok" in debug[1]
    assert all(r.levelno < logging.WARNING for r in records)
    assert all("Done" not in r.getMessage() and "secret search" not in r.getMessage() for r in records)


class _JSONHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = orjson.dumps(OK)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_owned_session_is_replaced_when_used_from_a_new_event_loop() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _JSONHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        transport = Transport(token=TOKEN, base_url=f"http://127.0.0.1:{server.server_address[1]}/api/v2")

        async def call() -> aiohttp.ClientSession | None:
            await transport.request("GET", "/account")
            return transport.session

        first = asyncio.run(call())  # e.g. two asyncio.run() calls sharing one client
        second = asyncio.run(call())
        assert first is not None and second is not None and first is not second
        assert first.closed  # detached, so it does not warn when collected
        asyncio.run(transport.aclose())
        assert second.closed
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- answers reach the caller unchanged; what the pipeline refuses --------------------------------


async def test_php_escaped_body_decodes_and_reaches_the_caller_unchanged(
    api: Scripted, make_transport: MakeTransport
) -> None:
    # PHP's json_encode writes "/" as "\/" and non-ASCII as \uXXXX.
    body = (
        b'{"success":true,"data":{"media_url":"https:\\/\\/cdn.example\\/a\\/b.jpg",'
        b'"name":"Caf\\u00e9 \\ud83d\\ude00"},'
        b'"message":"Sent \\/ queued","meta":{"request_id":"r-\\/1"}}'
    )
    api.reply(Reply(200, body))
    result = await make_transport().request("GET", "/messages/1")
    assert result.body == body
    assert result.envelope == {
        "success": True,
        "data": {"media_url": "https://cdn.example/a/b.jpg", "name": "Café 😀"},
        "message": "Sent / queued",
        "meta": {"request_id": "r-/1"},
    }
    assert (result.info.message, result.info.request_id) == ("Sent / queued", "r-/1")


async def test_an_answer_holding_the_token_is_not_altered(
    api: Scripted, make_transport: MakeTransport
) -> None:
    body = orjson.dumps({"success": True, "data": {"note": f"copy of {TOKEN}", "token": TOKEN}})
    api.reply(Reply(200, body))
    result = await make_transport().request("GET", "/contacts/1")
    assert result.body == body and result.envelope["data"]["token"] == TOKEN  # type: ignore[call-overload,index]


@pytest.mark.parametrize(
    ("location", "shown", "hint"),
    [
        ("https://api.example/api/v2/account", "https://api.example/api/v2/account", "should use https://"),
        ("/login", "/login", "check the base URL"),
        (
            f"https://api.example/?token={TOKEN}",
            "https://api.example/?token=[REDACTED]",
            "should use https://",
        ),
    ],
)
async def test_a_redirect_says_where_it_points_and_is_not_followed(
    api: Scripted, make_transport: MakeTransport, location: str, shown: str, hint: str
) -> None:
    api.reply(Reply(301, b"", headers={"Location": location}))
    with pytest.raises(APIError) as caught:
        await make_transport().request("POST", "/messages/text", json=b"{}")
    error = caught.value
    assert error.status == 301 and shown in str(error) and hint in str(error)
    assert "redirects to" in str(error) and "Moved Permanently" in str(error)
    assert TOKEN not in str(error) and TOKEN not in repr(error.headers)
    assert error.may_have_been_processed is False
    assert [seen.method for seen in api.seen] == ["POST"]  # not followed (a POST would turn into a GET)


async def test_a_redirect_without_location_still_explains(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(302, b""))
    with pytest.raises(APIError, match="redirected without a Location"):
        await make_transport().request("GET", "/account")


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        (
            [("search", "x" * (MAX_URL_LENGTH - 24))],
            False,
        ),  # /api/v2/contacts?search=... is exactly the limit
        ([("search", "x" * (MAX_URL_LENGTH - 23))], True),
        ([("page", "1"), ("fields", "é" * 1400)], True),  # 1,400 characters, 8,400 once encoded
        ([("page", "1"), ("fields", "x" * 10_000_000)], True),  # 10 MB
        ([("a", "1" * 3000), ("fields", "x" * 3000), ("b", "y" * 2990)], True),
    ],
)
async def test_a_url_above_the_bound_is_refused_before_sending(
    api: Scripted, make_transport: MakeTransport, query: list[tuple[str, str]], refused: bool
) -> None:
    transport = make_transport()
    if not refused:
        await transport.request("GET", "/contacts", params=query)
        assert len(api.seen) == 1 and api.seen[0].query["search"] == query[0][1]
        return
    with pytest.raises(ValidationError) as caught:
        await transport.request("GET", "/contacts", params=query)
    error = caught.value
    assert error.status is None and list(error.errors) == ["fields" if len(query) > 1 else "search"]
    assert str(MAX_URL_LENGTH) in str(error)
    assert api.seen == []


async def test_a_mapping_query_is_bounded_too(api: Scripted, make_transport: MakeTransport) -> None:
    with pytest.raises(ValidationError, match="include"):
        await make_transport().request("GET", "/contacts", params={"include": "g" * 9000})
    assert api.seen == []


# -- may_have_been_processed on every ambiguous answer -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "status", "code", "cls", "processed"),
    [
        ("POST", 200, "INTERNAL_ERROR", InternalServerError, True),
        ("POST", 201, "MESSAGE_SEND_FAILED", ServerError, True),
        ("POST", 200, "SOMETHING_NEW", APIError, True),  # an unknown failure: it may have been done
        ("POST", 200, "VALIDATION_ERROR", ValidationError, False),  # refused: nothing was done
        ("POST", 200, "NOT_FOUND", NotFoundError, False),
        ("GET", 200, "INTERNAL_ERROR", InternalServerError, False),  # a GET can be sent again
        ("POST", 503, "VALIDATION_ERROR", ValidationError, True),  # any 5xx is ambiguous
        ("PATCH", 500, "INTERNAL_ERROR", InternalServerError, False),
    ],
)
async def test_an_ambiguous_answer_to_a_post_says_it_may_have_been_processed(
    api: Scripted,
    make_transport: MakeTransport,
    method: str,
    status: int,
    code: str,
    cls: type[APIError],
    processed: bool,
) -> None:
    api.reply(Reply(status, {"success": False, "error": {"code": code, "message": "Failed"}}))
    with pytest.raises(APIError) as caught:
        await make_transport(max_retries=0).request(method, "/messages/text", json=b"{}")
    error = caught.value
    assert isinstance(error, cls) and error.may_have_been_processed is processed
    assert ("may have been processed" in str(error)) is processed
    assert len(api.seen) == 1


@pytest.mark.parametrize("body", [b"", b"<html>ok</html>", b'{"success": true, "data": {'])
async def test_an_unreadable_2xx_to_a_post_may_have_been_processed(
    api: Scripted, make_transport: MakeTransport, body: bytes
) -> None:
    api.reply(Reply(200, body))
    transport = make_transport()
    if body:
        with pytest.raises(InvalidResponseError) as caught:
            await transport.request("POST", "/messages/text", json=b"{}")
        assert caught.value.may_have_been_processed is True
        with pytest.raises(InvalidResponseError) as caught:
            await transport.request("GET", "/messages/1")
        assert caught.value.may_have_been_processed is False
    assert len(api.seen) == (2 if body else 0)


# -- issue 11: conflicts, new codes, the upstream error envelope, rate limits ------------------------


async def test_a_409_is_a_conflict_with_its_contact_count(
    api: Scripted, make_transport: MakeTransport
) -> None:
    # The upstream error envelope: no top-level message.
    body = {
        "success": False,
        "error": {
            "code": "RESOURCE_CONFLICT",
            "message": "Cannot delete source: 3 contacts use it",
            "details": {"contacts_count": 3},
        },
        "meta": {"request_id": "req-409", "timestamp": "2026-01-01T00:00:00Z"},
    }
    api.reply(Reply(409, body))
    with pytest.raises(ConflictError) as caught:
        await make_transport().request("DELETE", "/sources/4")
    error = caught.value
    assert isinstance(error, APIError) and error.contacts_count == 3
    assert (error.status, error.code, error.request_id) == (409, "RESOURCE_CONFLICT", "req-409")
    assert error.message == "Cannot delete source: 3 contacts use it" and error.details == {
        "contacts_count": 3
    }
    assert "(3 contacts use it)" in str(error)
    assert len(api.seen) == 1  # a 409 is not retried


async def test_rate_limit_headers_are_parsed_on_results_and_errors(
    api: Scripted, make_transport: MakeTransport
) -> None:
    limits = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1767225600"}
    api.reply(Reply(200, OK, headers=limits), Reply(200, OK), Reply(429, RATE_LIMITED, headers=limits))
    transport = make_transport(max_retries=0)
    first = await transport.request("GET", "/account")
    reset = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    assert first.info.rate_limit == RateLimit(limit=60, remaining=0, reset=reset)
    assert first.info.rate_limit.reset.utcoffset() == datetime.timedelta(0)  # type: ignore[union-attr]
    assert (await transport.request("GET", "/account")).info.rate_limit is None  # no headers
    with pytest.raises(RateLimitError) as caught:
        await transport.request("GET", "/account")
    assert caught.value.rate_limit == RateLimit(60, 0, reset)


LIMITS = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "5"}
NO_RESET = RateLimit(60, 5, None)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"X-RateLimit-Limit": "60"}, None),  # half a figure is no figure
        ({"X-RateLimit-Remaining": "5"}, None),
        (LIMITS, NO_RESET),  # Laravel's throttle sends the reset with a 429 only
        ({"x-ratelimit-limit": " 60 ", "x-ratelimit-remaining": "5", "x-ratelimit-reset": "1767225600.5"},
         RateLimit(60, 5, datetime.datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=datetime.timezone.utc))),
        ({"X-RateLimit-Limit": "sixty", "X-RateLimit-Remaining": "5"}, None),
        ({"X-RateLimit-Limit": "-1", "X-RateLimit-Remaining": "5"}, None),
        ({"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "5.5"}, None),
        ({"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "\u0665"}, None),  # a non-ASCII digit
        ({"X-RateLimit-Limit": "9" * 40, "X-RateLimit-Remaining": "5"}, None),
        ({**LIMITS, "X-RateLimit-Reset": "soon"}, NO_RESET),
        ({**LIMITS, "X-RateLimit-Reset": "1e300"}, NO_RESET),
        ({**LIMITS, "X-RateLimit-Reset": "nan"}, NO_RESET),
        ({**LIMITS, "X-RateLimit-Reset": "-inf"}, NO_RESET),
    ],
)  # fmt: skip
def test_rate_limit_headers_are_read_tolerantly(headers: dict[str, str], expected: RateLimit | None) -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    assert RateLimit.from_headers(CIMultiDictProxy(CIMultiDict(headers))) == expected
    assert RateLimit.from_headers(headers) == expected  # a plain dict of the same headers


def test_the_fast_response_info_equals_the_constructor() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    values = (201, CIMultiDictProxy(CIMultiDict(a="1")), "r", "m", {"k": 1}, "POST", "https://x/y", 0.25, 2)
    fast, real = new_response_info(*values), ResponseInfo(*values)
    assert fast == real and repr(fast) == repr(real) and hash(fast.url) == hash(real.url)
    assert [getattr(fast, a.name) for a in attrs.fields(ResponseInfo)] == list(values)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.status = 500  # type: ignore[misc]


async def test_a_results_response_info_is_made_when_first_read_and_once(wacr_client: Any) -> None:
    """The transport hands a result the parts of its ResponseInfo (a PendingInfo); the first read
    of ``result.response`` makes the ResponseInfo, equal to one built from the same parts."""
    sent = await wacr_client.messages.send_text(phone="+15550001111", message="hi")
    pending = sent._response
    assert isinstance(pending, PendingInfo) and repr(pending) == "PendingInfo(...)"
    info = sent.response
    assert isinstance(info, ResponseInfo) and sent.response is info and sent._response is info
    assert info == pending.realize() and pickle.loads(pickle.dumps(pending)) == info
    assert (info.status, info.method, info.attempts) == (200, "POST", 1)
    assert info.url.endswith("/messages/text") and info.request_id
    assert info.headers is not None and info.elapsed > 0
