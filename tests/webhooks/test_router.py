"""Router over a real aiohttp server on loopback: routing, de-duplication, rejections, handler tasks."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from wacr import webhooks

from .conftest import event_body

AiohttpClient = Callable[..., Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]
JSON = {"Content-Type": "application/json"}


async def serve(aiohttp_client: AiohttpClient, router: webhooks.Router) -> Client:
    app = web.Application()
    router.setup(app, "/hooks")
    return await aiohttp_client(app)


async def post(
    client: Client, body: bytes | Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    async with client.post("/hooks", data=data, headers={**JSON, **(headers or {})}) as response:
        return response.status, await response.json()


class Recorder:
    """Handlers that note (handler name, event id) when called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.events: list[webhooks.WebhookPayload] = []

    def handler(self, name: str) -> Callable[[webhooks.WebhookPayload], Awaitable[None]]:
        async def record(event: webhooks.WebhookPayload) -> None:
            self.calls.append((name, event.event.id))
            self.events.append(event)

        return record


async def test_routes_by_type_by_resource_wildcard_and_star(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router()
    seen = Recorder()
    for pattern in ("contact.created", "contact.*", "*", "*.deleted", "source.*"):
        router.on(pattern)(seen.handler(pattern))
    client = await serve(aiohttp_client, router)

    assert await post(client, event_body("contact.created", "e1")) == (
        200,
        {"received": True, "duplicate": False},
    )
    assert (await post(client, event_body("status.deleted", "e2")))[0] == 200
    assert (await post(client, event_body("contact.merged", "e3")))[0] == 200  # not documented
    assert await router.drain()

    assert sorted(seen.calls) == sorted(
        [
            ("contact.created", "e1"),
            ("contact.*", "e1"),
            ("*", "e1"),
            ("*", "e2"),
            ("*.deleted", "e2"),
            ("contact.*", "e3"),
            ("*", "e3"),
        ]
    )
    by_id = {e.event.id: e for e in seen.events}
    assert type(by_id["e1"]) is webhooks.ContactCreatedEvent
    assert type(by_id["e2"]) is webhooks.StatusDeletedEvent
    assert type(by_id["e3"]) is webhooks.WebhookPayload and by_id["e3"].event.type == "contact.merged"


async def test_one_handler_may_take_several_patterns(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router()
    seen = Recorder()
    router.add_handler(seen.handler("crm"), "contact.created", "contact.updated")
    client = await serve(aiohttp_client, router)
    for n, kind in enumerate(("contact.created", "contact.updated", "contact.deleted")):
        await post(client, event_body(kind, f"e{n}"))
    assert await router.drain()
    assert sorted(seen.calls) == [("crm", "e0"), ("crm", "e1")]


async def test_the_answer_does_not_wait_for_the_handlers(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router()
    gate = asyncio.Event()
    finished: list[str] = []

    @router.on("*")
    async def slow(event: webhooks.WebhookPayload) -> None:
        await gate.wait()
        finished.append(event.event.id)

    client = await serve(aiohttp_client, router)
    assert (await post(client, event_body(event_id="e1")))[0] == 200
    assert router.pending == 1 and finished == []  # answered while the handler is still waiting
    assert not await router.drain(timeout=0.01)
    gate.set()
    assert await router.drain(timeout=5)
    assert finished == ["e1"] and router.pending == 0


async def test_a_repeated_event_id_is_dispatched_once(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router()
    seen = Recorder()
    router.on("*")(seen.handler("all"))
    client = await serve(aiohttp_client, router)

    first = await post(client, event_body(event_id="e1"))
    again = await post(client, event_body(event_id="e1"))
    assert first == (200, {"received": True, "duplicate": False})
    assert again == (200, {"received": True, "duplicate": True})  # 2xx: the sender must not retry

    # Concurrent deliveries of one new event: one dispatch.
    replies = await asyncio.gather(*(post(client, event_body(event_id="e2")) for _ in range(20)))
    assert [status for status, _ in replies] == [200] * 20
    assert sum(not reply["duplicate"] for _, reply in replies) == 1
    assert await router.drain()
    assert sorted(seen.calls) == [("all", "e1"), ("all", "e2")]


async def test_the_memory_of_event_ids_is_bounded(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router(max_event_ids=3)
    seen = Recorder()
    router.on("*")(seen.handler("all"))
    client = await serve(aiohttp_client, router)
    for event_id in ("e1", "e2", "e3", "e4"):  # e1 falls out of the memory
        await post(client, event_body(event_id=event_id))
    assert (await post(client, event_body(event_id="e4")))[1]["duplicate"] is True
    assert (await post(client, event_body(event_id="e2")))[1]["duplicate"] is True  # refreshed: e3 is oldest
    assert (await post(client, event_body(event_id="e1")))[1]["duplicate"] is False  # forgotten, dispatched
    assert (await post(client, event_body(event_id="e3")))[1]["duplicate"] is False  # evicted by e1
    assert await router.drain()
    assert [event_id for _, event_id in seen.calls].count("e1") == 2


async def test_signatures_are_checked_when_a_secret_is_set(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router(secret="s3cret")
    seen = Recorder()
    router.on("*")(seen.handler("all"))
    client = await serve(aiohttp_client, router)
    raw = orjson.dumps(event_body(event_id="e1"))
    signature = webhooks.sign(raw, "s3cret")

    assert (await post(client, raw))[0] == 401  # missing
    assert (await post(client, raw, {"X-Signature": ""}))[0] == 401
    assert (await post(client, raw, {"X-Signature": webhooks.sign(raw, "wrong")}))[0] == 401
    assert (await post(client, raw + b" ", {"X-Signature": signature}))[0] == 401  # another body
    status, reply = await post(client, raw, {"X-Signature": signature.removeprefix("sha256=")})
    assert status == 200 and reply["duplicate"] is False
    assert (await post(client, raw, {"x-signature": signature}))[1]["duplicate"] is True
    assert await router.drain()
    assert seen.calls == [("all", "e1")]  # rejected requests never reached a handler


async def test_the_signature_header_is_configurable(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router(secret=b"s3cret", signature_header="X-Wacr-Signature")
    client = await serve(aiohttp_client, router)
    raw = orjson.dumps(event_body())
    signature = webhooks.sign(raw, "s3cret")
    assert (await post(client, raw, {"X-Signature": signature}))[0] == 401
    assert (await post(client, raw, {"X-Wacr-Signature": signature}))[0] == 200


async def test_without_a_secret_any_signature_header_is_ignored(aiohttp_client: AiohttpClient) -> None:
    client = await serve(aiohttp_client, webhooks.Router())
    assert (await post(client, event_body(), {"X-Signature": "sha256=bogus"}))[0] == 200


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"event": {}}',
        orjson.dumps({**event_body(), "data": None}),  # a documented type without its data
    ],
)
async def test_undecodable_bodies_get_400_and_no_handler_runs(
    aiohttp_client: AiohttpClient, body: bytes
) -> None:
    router = webhooks.Router()
    seen = Recorder()
    router.on("*")(seen.handler("all"))
    client = await serve(aiohttp_client, router)
    status, reply = await post(client, body)
    assert status == 400 and reply["received"] is False and reply["error"]
    assert await router.drain()
    assert seen.calls == []


async def test_a_bad_signature_is_refused_before_the_body_is_read_as_json(
    aiohttp_client: AiohttpClient,
) -> None:
    client = await serve(aiohttp_client, webhooks.Router(secret="s3cret"))
    assert (await post(client, b"not json", {"X-Signature": "sha256=00"}))[0] == 401
    assert (await post(client, b"not json", {"X-Signature": webhooks.sign(b"not json", "s3cret")}))[0] == 400


async def test_bodies_over_the_limit_get_413(aiohttp_client: AiohttpClient) -> None:
    raw = orjson.dumps(event_body())
    router = webhooks.Router(max_body_size=len(raw))
    seen = Recorder()
    router.on("*")(seen.handler("all"))
    client = await serve(aiohttp_client, router)
    assert (await post(client, raw))[0] == 200
    assert (await post(client, raw + b" "))[0] == 413

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit still holds
        yield raw
        yield b" "

    async with client.post("/hooks", data=chunks(), headers=JSON) as response:
        assert response.status == 413
    assert await router.drain()
    assert len(seen.calls) == 1


async def test_the_default_limit_is_one_mebibyte(aiohttp_client: AiohttpClient) -> None:
    router = webhooks.Router()
    client = await serve(aiohttp_client, router)
    body: dict[str, Any] = {**event_body(), "padding": ""}
    body["padding"] = "x" * (webhooks.DEFAULT_MAX_BODY_SIZE - len(orjson.dumps(body)))
    assert len(orjson.dumps(body)) == 1024 * 1024
    assert (await post(client, body))[0] == 200
    body["padding"] += "x"
    # A file-like body: aiohttp warns about raw bytes over 1 MiB.
    async with client.post("/hooks", data=io.BytesIO(orjson.dumps(body)), headers=JSON) as response:
        assert response.status == 413


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_the_content_type_does_not_matter_when_the_body_parses(
    aiohttp_client: AiohttpClient, content_type: str | None
) -> None:
    client = await serve(aiohttp_client, webhooks.Router())
    headers = {} if content_type is None else {"Content-Type": content_type}
    async with client.post("/hooks", data=orjson.dumps(event_body()), headers=headers) as response:
        assert response.status == 200


async def test_a_failing_handler_is_logged_with_the_event_not_the_body(
    aiohttp_client: AiohttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="wacr.webhooks")
    router = webhooks.Router()
    seen = Recorder()

    @router.on("contact.*")
    async def broken(event: webhooks.WebhookPayload) -> None:
        raise RuntimeError("crm is down")

    router.on("*")(seen.handler("other"))  # the other handlers still run
    client = await serve(aiohttp_client, router)
    body = event_body(event_id="evt_1_secretive")
    body["data"]["resource"]["attributes"]["phone"] = "+15550001234"
    assert (await post(client, body))[0] == 200
    assert (await post(client, b'{"event": {"id": "x", "phone": "+15550001234"'))[0] == 400
    assert await router.drain()

    assert seen.calls == [("other", "evt_1_secretive")]
    [failure] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failure.name == "wacr.webhooks"
    assert "broken" in failure.getMessage()
    assert "evt_1_secretive" in failure.getMessage() and "contact.created" in failure.getMessage()
    assert failure.exc_info is not None and "crm is down" in str(failure.exc_info[1])
    # The rejected body's content is in no record, at any level (its rejection is logged).
    assert not any("+15550001234" in r.getMessage() for r in caplog.records)
    assert any("rejected with 400" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_registration_rejects_mistakes() -> None:
    router = webhooks.Router()

    async def handler(event: webhooks.WebhookPayload) -> None: ...

    with pytest.raises(TypeError, match="callable"):
        router.add_handler("not a function", "*")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="when="):
        router.on("*", when=True)(handler)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="at least one"):
        router.on()(handler)
    with pytest.raises(TypeError, match="non-empty"):
        router.on("")(handler)
    with pytest.raises(ValueError, match="empty"):
        webhooks.Router(secret="")
    with pytest.raises(ValueError, match="positive"):
        webhooks.Router(max_event_ids=0)
    for timeout in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="read_timeout"):
            webhooks.Router(read_timeout=timeout)


async def test_app_shutdown_waits_briefly_then_cancels_running_handlers() -> None:
    router = webhooks.Router()
    started, finished = asyncio.Event(), asyncio.Event()
    outcome: list[str] = []

    @router.on("contact.created")
    async def quick(event: webhooks.WebhookPayload) -> None:
        await asyncio.sleep(0)
        outcome.append("quick done")
        finished.set()

    @router.on("contact.created")
    async def stuck(event: webhooks.WebhookPayload) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.append("stuck cancelled")
            raise

    app = web.Application()
    router.setup(app, "/hooks", shutdown_timeout=0.05)
    async with TestClient(TestServer(app)) as client:
        assert (await post(client, event_body()))[0] == 200
        await asyncio.wait_for(started.wait(), 5)
        await asyncio.wait_for(finished.wait(), 5)
    assert sorted(outcome) == ["quick done", "stuck cancelled"]
    assert router.pending == 0


async def test_dispatch_serves_other_frameworks() -> None:
    router = webhooks.Router()
    seen = Recorder()
    router.on("source.*")(seen.handler("sources"))
    raw = orjson.dumps(event_body("source.updated", "e1"))
    event = webhooks.parse_event(raw, secret="k", signature=webhooks.sign(raw, "k"))
    assert router.dispatch(event) is True
    assert router.dispatch(event) is False
    assert await router.drain()
    assert seen.calls == [("sources", "e1")]
