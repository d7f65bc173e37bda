"""Routers compose (include), handlers filter by type pattern and predicate, sync handlers run in threads.

Driven through ``router.handle`` (the transport-neutral core both adapters call; their parity is
tests/webhooks/test_adapters.py).
"""

from __future__ import annotations

import asyncio
import fnmatch
import functools
import logging
import threading
import time
from collections.abc import Callable

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wacr import webhooks

from .conftest import event_body


def raw(event_type: str = "contact.created", event_id: str = "e1") -> bytes:
    return orjson.dumps(event_body(event_type, event_id))


class Calls:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def handler(self, name: str) -> Callable[[webhooks.WebhookPayload], object]:
        async def record(event: webhooks.WebhookPayload) -> None:
            self.calls.append((name, event.event.id))

        return record


async def test_included_routers_run_their_handlers_at_any_depth() -> None:
    root, crm, deep, billing = webhooks.Router(), webhooks.Router(), webhooks.Router(), webhooks.Router()
    seen = Calls()
    root.on("*")(seen.handler("root"))
    assert root.include(crm) is crm
    crm.include(deep)
    root.include(billing)
    crm.on("contact.*")(seen.handler("crm"))  # registered after the include: still runs
    deep.on("contact.created")(seen.handler("deep"))
    billing.on("source.*")(seen.handler("billing"))

    assert await root.handle(raw("contact.created", "e1")) == 200
    assert await root.handle(raw("source.updated", "e2")) == 200
    assert await root.drain(5)
    assert sorted(seen.calls) == [
        ("billing", "e2"),
        ("crm", "e1"),
        ("deep", "e1"),
        ("root", "e1"),
        ("root", "e2"),
    ]
    # The including router's de-duplication covers the included handlers.
    again = await root.handle(raw("contact.created", "e1"))
    assert again == 200 and again.duplicate
    assert await root.drain(5)
    assert len(seen.calls) == 5


def test_a_router_is_included_once_and_never_in_a_cycle() -> None:
    a, b, c = webhooks.Router(), webhooks.Router(), webhooks.Router()
    a.include(b)
    b.include(c)
    with pytest.raises(ValueError, match="cycle"):
        a.include(a)
    with pytest.raises(ValueError, match="cycle"):
        c.include(a)  # a -> b -> c -> a
    with pytest.raises(ValueError, match="cycle"):
        c.include(b)
    with pytest.raises(ValueError, match="already included"):
        a.include(c)  # c is in b already
    with pytest.raises(ValueError, match="already included"):
        b.include(c)  # twice in the same router
    with pytest.raises(ValueError, match="secret"):
        a.include(webhooks.Router(secret="s"))
    with pytest.raises(ValueError, match="its own dedupe"):
        a.include(webhooks.Router(dedupe=webhooks.MemoryDedupe()))
    with pytest.raises(ValueError, match="its own max_body_size, read_timeout"):
        a.include(webhooks.Router(max_body_size=10, read_timeout=1))
    with pytest.raises(ValueError, match="its own signature_header, max_event_ids"):
        a.include(webhooks.Router(signature_header="X-Other", max_event_ids=3))
    with pytest.raises(TypeError, match="Router"):
        a.include(object())  # type: ignore[arg-type]
    assert a._children == [b] and b._children == [c]  # the refused includes changed nothing


async def test_predicates_sync_and_async_narrow_a_pattern() -> None:
    router = webhooks.Router()
    seen = Calls()

    async def is_status_change(event: webhooks.WebhookPayload) -> bool:
        await asyncio.sleep(0)
        return "status_id" in (event.changes.modified_fields or []) if event.changes else False

    router.on("contact.updated", when=is_status_change)(seen.handler("status"))
    router.on("contact.*", when=lambda e: e.data.resource.id == 7)(seen.handler("seven"))
    router.add_handler(seen.handler("none"), "*", when=lambda e: 0)  # falsy: never runs

    status_change = event_body("contact.updated", "u1")
    status_change["changes"]["modified_fields"] = ["status_id"]
    other = event_body("contact.updated", "u2")
    other["data"]["resource"]["id"] = 8
    for body in (status_change, other, event_body("contact.created", "c1")):
        assert await router.handle(orjson.dumps(body)) == 200
    assert await router.drain(5)
    assert sorted(seen.calls) == [("seven", "c1"), ("seven", "u1"), ("status", "u1")]


async def test_a_failing_predicate_is_a_failed_handler(caplog: pytest.LogCaptureFixture) -> None:
    router = webhooks.Router()
    seen = Calls()
    router.on("*")(seen.handler("plain"))

    @router.on("*", when=lambda e: 1 / 0)
    async def never(event: webhooks.WebhookPayload) -> None:
        seen.calls.append(("never", event.event.id))

    assert await router.handle(raw(event_id="p1")) == 200
    assert await router.drain(5)
    assert seen.calls == [("plain", "p1")]
    assert any("never" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    # The claim was released: a redelivery runs again (at-least-once).
    assert not (await router.handle(raw(event_id="p1"))).duplicate
    assert await router.drain(5)
    assert seen.calls == [("plain", "p1"), ("plain", "p1")]


@settings(max_examples=60, deadline=None)
@given(
    patterns=st.lists(
        st.sampled_from(["*", "contact.*", "*.deleted", "source.created", "status.*", "x*"]), max_size=4
    ),
    event_type=st.sampled_from([*webhooks.EVENT_TYPES, "contact.merged", "xyz"]),
    resource_ids=st.sets(st.integers(0, 3), max_size=3),
    resource_id=st.integers(0, 3),
)
def test_a_handler_runs_exactly_when_its_pattern_and_predicate_both_match(
    patterns: list[str], event_type: str, resource_ids: set[int], resource_id: int
) -> None:
    router = webhooks.Router()
    ran: list[int] = []
    for n, pattern in enumerate(patterns):

        def handler(event: webhooks.WebhookPayload, n: int = n) -> None:  # sync: in a thread
            ran.append(n)

        router.on(pattern, when=lambda e: e.data.resource.id in resource_ids)(handler)
    body = event_body(event_type)
    body["data"]["resource"]["id"] = resource_id

    async def run() -> None:
        assert await router.handle(orjson.dumps(body)) == 200
        assert await router.drain(5)

    asyncio.run(run())
    expected = [n for n, p in enumerate(patterns) if fnmatch.fnmatchcase(event_type, p)]
    assert sorted(ran) == (expected if resource_id in resource_ids else [])


async def test_plain_functions_run_in_a_thread_and_never_block_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = webhooks.Router()
    threads: dict[str, int] = {}
    release = threading.Event()

    @router.on("contact.created")
    def blocking(event: webhooks.WebhookPayload) -> None:
        threads["blocking"] = threading.get_ident()
        release.wait(5)  # a blocking call: the loop keeps serving meanwhile

    class Callable_:
        async def __call__(self, event: webhooks.WebhookPayload) -> None:
            threads["async object"] = threading.get_ident()

    async def partial_target(tag: str, event: webhooks.WebhookPayload) -> None:
        threads[tag] = threading.get_ident()

    router.add_handler(Callable_(), "source.*")
    router.add_handler(functools.partial(partial_target, "partial"), "source.*")

    @router.on("status.*")
    def broken(event: webhooks.WebhookPayload) -> None:
        raise RuntimeError("sync failure")

    started = time.monotonic()
    assert await router.handle(raw("contact.created", "b1")) == 200
    assert await router.handle(raw("source.created", "s1")) == 200
    assert await router.handle(raw("status.created", "f1")) == 200
    await asyncio.sleep(0.05)
    assert "partial" in threads and "async object" in threads  # ran while `blocking` waits
    assert router.pending == 1
    release.set()
    assert await router.drain(5)
    assert time.monotonic() - started < 4
    loop_thread = threading.get_ident()
    assert threads["blocking"] != loop_thread
    assert threads["async object"] == loop_thread == threads["partial"]  # async ones run on the loop
    assert any("broken" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert not (await router.handle(raw("status.created", "f1"))).duplicate  # released after the failure
    assert await router.drain(5)


async def test_handle_takes_any_header_shape_and_str_bodies() -> None:
    router = webhooks.Router(secret="k")
    body = raw(event_id="h1")
    signature = webhooks.sign(body, "k")
    shapes: list[object] = [
        {"X-Signature": signature},
        {"x-signature": signature},
        {b"x-signature": signature.encode()},
        [(b"content-type", b"application/json"), (b"x-signature", signature.encode())],
        [("X-SIGNATURE", signature)],
    ]
    answers = [await router.handle(body, shape) for shape in shapes]  # type: ignore[arg-type]
    assert answers == [200] * len(shapes)
    assert [a.duplicate for a in answers] == [False, True, True, True, True]
    assert (await router.handle(body.decode(), {"X-Signature": signature})).duplicate  # a str body
    missing = await router.handle(body)
    assert (missing.status, missing.reason) == (401, "the webhook signature is missing (X-Signature header)")
    assert missing.json() == {"received": False, "error": missing.reason}
    assert repr(missing).startswith("Answer(401") and str(missing) == "401"
    with pytest.raises(TypeError, match="bytes or str"):
        await router.handle(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="header name"):
        await router.handle(body, [(1, "x")])  # type: ignore[list-item]
    assert await router.drain(5)
