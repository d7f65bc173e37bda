"""The router's bound on handler work (``max_pending``), the in-flight de-dup guarantee beyond the
store's memory, and small answers: a lone-surrogate signature, an empty ``event.id``, the 401's
wording. Served over aiohttp on loopback, or through ``Router.handle`` (the framework-neutral face)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

import wacr
from wacr import webhooks

from .conftest import event_body

AiohttpClient = Callable[..., Awaitable[TestClient[web.Request, web.Application]]]


def body(event_id: str, event_type: str = "contact.created") -> bytes:
    return orjson.dumps(event_body(event_type, event_id))


def held_router(**settings: int) -> tuple[webhooks.Router, asyncio.Event, dict[str, int]]:
    """A router whose handler counts runs by id; ids starting with "hold" wait for the gate."""
    router = webhooks.Router(**settings)
    gate = asyncio.Event()
    runs: dict[str, int] = {}

    @router.on("*")
    async def handler(event: webhooks.WebhookPayload) -> None:
        runs[event.event.id] = runs.get(event.event.id, 0) + 1
        if event.event.id.startswith("hold"):
            await gate.wait()

    return router, gate, runs


async def test_the_backlog_is_bounded_and_a_busy_answer_claims_nothing(aiohttp_client: AiohttpClient) -> None:
    router, gate, runs = held_router(max_pending=3)
    app = web.Application()
    router.setup(app, "/hooks")
    client = await aiohttp_client(app)
    for n in range(3):
        async with client.post("/hooks", data=body(f"hold{n}")) as response:
            assert response.status == 200
    for _ in range(20):  # a flood: every one refused, none held
        async with client.post("/hooks", data=body("late")) as response:
            assert response.status == 503
            assert response.headers["Retry-After"] == "10"
            reply = await response.json()
            assert reply["received"] is False and "max_pending" in reply["error"]
    assert router.pending == 3 and "late" not in runs
    gate.set()
    assert await router.drain(5)
    async with client.post("/hooks", data=body("late")) as response:  # the redelivery runs
        assert response.status == 200 and (await response.json())["duplicate"] is False
    assert await router.drain(5)
    assert runs == {"hold0": 1, "hold1": 1, "hold2": 1, "late": 1}


async def test_an_id_never_runs_twice_at_once_even_once_the_store_forgot_it() -> None:
    router, gate, runs = held_router(max_event_ids=2)
    assert await router.handle(body("hold")) == 200
    for n in range(5):  # more ids than the store keeps: "hold" is forgotten by it
        assert not (await router.handle(body(f"quick{n}"))).duplicate
        await asyncio.sleep(0)
    assert await router.dedupe.claim("quick0")  # the store did forget (its oldest ids)
    again = await router.handle(body("hold"))
    assert again == 200 and again.duplicate
    event = webhooks.parse_event(body("hold"))
    assert router.dispatch(event) is False and await router.feed(event) is False
    gate.set()
    assert await router.drain(5)
    assert runs["hold"] == 1


async def test_dispatch_is_not_refused_but_counts_toward_the_bound() -> None:
    router, gate, runs = held_router(max_pending=1)
    assert router.dispatch(webhooks.parse_event(body("hold-a"))) is True
    assert router.dispatch(webhooks.parse_event(body("hold-b"))) is True  # your code's own pace
    busy = await router.handle(body("c"))
    assert busy == 503 and busy.retry_after == 10 and not busy.accepted
    gate.set()
    assert await router.drain(5)
    assert await router.handle(body("c")) == 200
    assert await router.drain(5)
    assert runs == {"hold-a": 1, "hold-b": 1, "c": 1}


def test_max_pending_is_checked_and_belongs_to_the_outer_router() -> None:
    for bad in (0, -1):
        with pytest.raises(ValueError, match="max_pending"):
            webhooks.Router(max_pending=bad)
    with pytest.raises(ValueError, match="max_pending"):
        webhooks.Router().include(webhooks.Router(max_pending=5))
    assert webhooks.Router().max_pending == webhooks.DEFAULT_MAX_PENDING == 100


@pytest.mark.parametrize("signature", ["\ud800" * 64, "sha256=\udfff", "\udc80", "é" * 64])
async def test_a_forged_str_signature_is_a_401_never_an_exception(signature: str) -> None:
    router = webhooks.Router(secret="s3cret")
    answer = await router.handle(body("s1"), {"X-Signature": signature})
    assert answer == 401
    assert answer.reason == "the webhook signature does not match the body (X-Signature header)"
    assert not webhooks.verify_signature(body("s1"), signature, "s3cret")


async def test_the_401_reasons_read_well() -> None:
    router = webhooks.Router(secret="s3cret")
    missing = await router.handle(body("s1"), {})
    assert missing.reason == "the webhook signature is missing (X-Signature header)"
    wrong = await router.handle(body("s1"), {"X-Signature": webhooks.sign(b"other", "s3cret")})
    assert wrong.reason == "the webhook signature does not match the body (X-Signature header)"


async def test_an_empty_event_id_is_refused_like_a_missing_one() -> None:
    router, _, runs = held_router()
    for event_type in ("contact.created", "source.created", "status.deleted"):
        answer = await router.handle(body("", event_type))
        assert answer == 400 and answer.reason is not None and "event.id is empty" in answer.reason
    with pytest.raises(wacr.WebhookError, match=r"event\.id is empty"):
        webhooks.parse_event(body(""))
    assert await router.handle(body("real")) == 200  # and nothing was claimed for ""
    assert await router.drain(5)
    assert runs == {"real": 1}
