"""Event hooks against a loopback server: order, once per attempt, headers, secrets, failures."""

from __future__ import annotations

import asyncio
import logging
import socket
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from tests.pipeline.conftest import TOKEN, MakeTransport, Reply, Scripted
from wacr.errors import APIConnectionError, ConfigurationError, ServerError

OK = {"success": True, "data": {"id": 7}, "meta": {"request_id": "req-ok"}}
DOWN = {"success": False, "error": {"code": "SERVICE_UNAVAILABLE", "message": "later"}}


class Recorder:
    """Sync and async hooks that write down what they saw, in one shared list."""

    def __init__(self) -> None:
        self.events: list[wacr.HookEvent] = []

    def sync(self, event: wacr.HookEvent) -> None:
        self.events.append(event)

    async def later(self, event: wacr.HookEvent) -> None:
        await asyncio.sleep(0)
        self.events.append(event)

    def hooks(self) -> dict[str, list[Any]]:
        return {"request": [self.sync], "response": [self.later], "retry": [self.sync]}

    def seen(self) -> list[tuple[str, int, int | None]]:
        return [(e.kind, e.attempt, e.status) for e in self.events]


async def test_hooks_fire_once_per_attempt_in_order(api: Scripted, make_transport: MakeTransport) -> None:
    api.reply(Reply(503, DOWN), Reply(503, DOWN), Reply(200, OK))
    recorder = Recorder()
    transport = make_transport(event_hooks=recorder.hooks())
    result = await transport.request("GET", "/contacts", params={"page": "2"}, operation="contacts_list")
    assert result.info.attempts == 3 and len(api.seen) == 3
    assert recorder.seen() == [
        ("request", 1, None),
        ("response", 1, 503),
        ("retry", 1, 503),
        ("request", 2, None),
        ("response", 2, 503),
        ("retry", 2, 503),
        ("request", 3, None),
        ("response", 3, 200),
    ]
    events = recorder.events
    assert {e.operation for e in events} == {"contacts_list"}
    assert {e.method for e in events} == {"GET"}
    assert {e.url for e in events} == {api.url("/api/v2/contacts?page=2")}
    assert isinstance(events[1].error, ServerError) and events[1].elapsed is not None
    assert events[2].wait is not None and events[2].wait >= 0
    assert events[-1].error is None and events[-1].request_id == "req-ok"
    assert events[-1].elapsed is not None and events[-1].elapsed > 0


async def test_a_post_that_failed_is_not_retried_and_the_hooks_say_so(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(503, DOWN))
    recorder = Recorder()
    with pytest.raises(ServerError):
        await make_transport(event_hooks=recorder.hooks()).request("POST", "/messages/text", json=b"{}")
    assert recorder.seen() == [("request", 1, None), ("response", 1, 503)]
    assert recorder.events[1].error is not None and recorder.events[1].error.may_have_been_processed


async def test_a_network_failure_reaches_the_response_hook_without_a_status() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    recorder = Recorder()
    client = wacr.Client(
        TOKEN, base_url=f"http://127.0.0.1:{port}/api", event_hooks=recorder.hooks(), max_retries=0
    )
    async with client:
        with pytest.raises(APIConnectionError):
            await client.request("GET", "/contacts")
    assert recorder.seen() == [("request", 1, None), ("response", 1, None)]
    assert isinstance(recorder.events[1].error, APIConnectionError)


async def test_a_hook_that_raises_is_logged_without_secrets_and_the_call_goes_on(
    api: Scripted, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
) -> None:
    api.reply(Reply(200, {**OK, "secret_body_marker": "x"}))
    calls: list[str] = []

    def broken(event: wacr.HookEvent) -> None:
        calls.append(event.kind)
        raise RuntimeError(f"boom with {TOKEN} inside")

    async def broken_async(event: wacr.HookEvent) -> None:
        calls.append("async-" + event.kind)
        raise KeyError(TOKEN)

    transport = make_transport(event_hooks={"request": [broken, broken_async], "response": [broken]})
    with caplog.at_level(logging.DEBUG, logger="wacr"):
        result = await transport.request("POST", "/messages/text", json=b'{"message":"hi"}')
    assert result.status == 200 and len(api.seen) == 1  # sent once, answered
    assert calls == ["request", "async-request", "response"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3 and all("hook" in w and "raised" in w for w in warnings)
    assert "RuntimeError" in warnings[0] and "KeyError" in warnings[1]
    text = caplog.text
    assert TOKEN not in text and urllib.parse.quote(TOKEN) not in text
    assert "secret_body_marker" not in text and '"message":"hi"' not in text


async def test_request_hooks_add_headers_to_their_attempt_only(
    api: Scripted, make_transport: MakeTransport
) -> None:
    api.reply(Reply(503, DOWN), Reply(200, OK))

    def trace(event: wacr.HookEvent) -> None:
        event.headers["X-Attempt"] = str(event.attempt)
        if event.attempt == 1:
            event.headers["X-First-Only"] = "yes"

    transport = make_transport(event_hooks={"request": [trace]})
    await transport.request("GET", "/contacts")
    await make_transport().request("GET", "/contacts")
    first, second, plain = api.seen
    assert first.headers["X-Attempt"] == "1" and first.headers["X-First-Only"] == "yes"
    assert second.headers["X-Attempt"] == "2" and "X-First-Only" not in second.headers
    assert "X-Attempt" not in plain.headers
    assert {s.headers["Authorization"] for s in api.seen} == {f"Bearer {TOKEN}"}


def _case_variants(name: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda flips: "".join(c.upper() if f else c.lower() for c, f in zip(name, flips, strict=True))
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["Authorization", "X-API-Key"]).flatmap(_case_variants))
async def test_a_request_hook_can_never_add_a_credential(
    api: Scripted, make_transport: MakeTransport, name: str
) -> None:
    before = len(api.seen)

    def steal(event: wacr.HookEvent) -> None:
        event.headers[name] = "Bearer someone-else"

    transport = make_transport(event_hooks={"request": [steal]})
    with pytest.raises(ConfigurationError, match=f"event_hooks.request.headers.{name} is a credential"):
        await transport.request("GET", "/contacts")
    assert len(api.seen) == before  # nothing was sent


async def test_the_url_a_hook_sees_holds_no_secret(api: Scripted, make_transport: MakeTransport) -> None:
    recorder = Recorder()
    transport = make_transport(event_hooks={"request": [recorder.sync]})
    params = [("search", f"x{TOKEN}y"), ("api_key", "k-123"), ("token", "t-456"), ("page", "1")]
    await transport.request("GET", "/contacts", params=params)
    (event,) = recorder.events
    assert TOKEN not in event.url and urllib.parse.quote(TOKEN) not in event.url
    assert "k-123" not in event.url and "t-456" not in event.url and "page=1" in event.url
    assert TOKEN not in repr(event)
    assert TOKEN in api.seen[0].query["search"]  # the request itself is sent as asked


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        ({"requests": []}, r"event_hooks\['requests'\]: unknown hook kind"),
        ({"request": print}, r"event_hooks\['request'\] must be a list of callables"),
        ({"response": [print, 3]}, r"event_hooks\['response'\]\[1\] must be callable, got int"),
        ({"retry": "print"}, r"event_hooks\['retry'\] must be a list"),
        ([print], "event_hooks must be a mapping"),
    ],
)
def test_bad_hook_settings_name_the_key(hooks: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        wacr.Client(TOKEN, event_hooks=hooks)
