"""De-duplication through the DedupeStore protocol: claim before the handlers, complete after,
release on failure; replicas sharing a store run each id once; a failing store loses no event."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import orjson
import pytest

from wacr import webhooks

from .conftest import event_body


def raw(event_id: str, event_type: str = "contact.created") -> bytes:
    return orjson.dumps(event_body(event_type, event_id))


class CountingStore:
    """A shared store written for the test: every call counted, ids running or done, and a switch
    that makes every call raise (a store whose backend is down)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.running: set[str] = set()
        self.done: set[str] = set()
        self.down = False
        self.answer: object = None  # when set, claim() returns it instead of a bool

    async def _call(self, name: str, event_id: str) -> None:
        await asyncio.sleep(0)  # a round trip: other deliveries interleave here
        if self.down:
            raise ConnectionError("store unreachable")
        self.calls.append((name, event_id))

    async def claim(self, event_id: str) -> bool:
        await self._call("claim", event_id)
        if self.answer is not None:
            return self.answer  # type: ignore[return-value]
        if event_id in self.running or event_id in self.done:
            return False
        self.running.add(event_id)
        return True

    async def complete(self, event_id: str) -> None:
        await self._call("complete", event_id)
        self.running.discard(event_id)
        self.done.add(event_id)

    async def release(self, event_id: str) -> None:
        await self._call("release", event_id)
        self.running.discard(event_id)


async def test_claim_before_the_handlers_complete_after_release_on_failure() -> None:
    store = CountingStore()
    router = webhooks.Router(dedupe=store)
    assert router.dedupe is store and isinstance(store, webhooks.DedupeStore)
    seen_at_run: list[list[tuple[str, str]]] = []
    failures = {"bad": 1}

    @router.on("*")
    async def handler(event: webhooks.WebhookPayload) -> None:
        seen_at_run.append(list(store.calls))
        if failures.get(event.event.id, 0):
            failures[event.event.id] -= 1
            raise RuntimeError("the CRM is down")

    assert await router.handle(raw("ok")) == 200
    assert await router.drain(5)
    assert seen_at_run == [[("claim", "ok")]]  # claimed before the handler ran
    assert store.calls == [("claim", "ok"), ("complete", "ok")]
    assert (await router.handle(raw("ok"))).duplicate
    assert (await router.handle(raw("bad"))) == 200
    assert await router.drain(5)
    assert store.calls[-2:] == [("claim", "bad"), ("release", "bad")]
    redelivered = await router.handle(raw("bad"))  # released: the redelivery runs again
    assert redelivered == 200 and not redelivered.duplicate
    assert await router.drain(5)
    assert store.calls[-2:] == [("claim", "bad"), ("complete", "bad")]
    assert store.done == {"ok", "bad"} and store.running == set()
    # An event no handler matches is completed at once.
    other = webhooks.Router(dedupe=store)
    assert await other.handle(raw("nobody")) == 200
    assert await other.drain(5)
    assert store.calls[-2:] == [("claim", "nobody"), ("complete", "nobody")]


async def test_replicas_sharing_a_store_run_each_id_once_and_a_failure_again_on_redelivery() -> None:
    store = CountingStore()
    runs: Counter[str] = Counter()
    active: Counter[str] = Counter()
    overlap: list[str] = []
    fail_once = {f"id{n}" for n in range(0, 100, 10)}

    def replica() -> webhooks.Router:
        router = webhooks.Router(dedupe=store)

        @router.on("contact.created")
        async def handler(event: webhooks.WebhookPayload) -> None:
            event_id = event.event.id
            active[event_id] += 1
            if active[event_id] > 1:
                overlap.append(event_id)
            runs[event_id] += 1
            await asyncio.sleep(0.001)
            active[event_id] -= 1
            if event_id in fail_once:
                fail_once.discard(event_id)
                raise RuntimeError("first try fails")

        return router

    replicas = [replica() for _ in range(4)]
    ids = [f"id{n}" for n in range(100)]

    async def deliver_to_all() -> list[webhooks.Answer]:
        answers = await asyncio.gather(*(r.handle(raw(i)) for i in ids for r in replicas))
        for r in replicas:
            assert await r.drain(5)
        return answers

    answers = await deliver_to_all()
    assert answers == [200] * 400
    assert sum(not a.duplicate for a in answers) == 100
    assert runs == Counter({i: 1 for i in ids}) and overlap == []
    # The platform redelivers everything to every replica: only the ten failed ids run again.
    answers = await deliver_to_all()
    assert sum(not a.duplicate for a in answers) == 10
    assert runs == Counter({i: 2 if int(i[2:]) % 10 == 0 else 1 for i in ids}) and overlap == []


async def test_a_failing_store_loses_no_event_and_logs_once_until_it_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="wacr.webhooks")
    store = CountingStore()
    router = webhooks.Router(dedupe=store)
    runs: list[str] = []

    @router.on("*")
    async def handler(event: webhooks.WebhookPayload) -> None:
        runs.append(event.event.id)

    store.down = True
    for event_id in ("d1", "d1", "d2"):  # the second d1 while the first runs: never at once
        assert (await router.handle(raw(event_id))) == 200
    assert await router.drain(5)
    assert runs == ["d1", "d2"]
    assert not (await router.handle(raw("d1"))).duplicate  # once done: possible while it is down
    assert await router.drain(5)
    assert runs == ["d1", "d2", "d1"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "claim('d1')" in warnings[0] and "ConnectionError" in warnings[0]

    store.down = False
    assert not (await router.handle(raw("d3"))).duplicate
    assert (await router.handle(raw("d3"))).duplicate  # de-duplication works again
    assert await router.drain(5)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and "works again" in warnings[1]
    assert runs == ["d1", "d2", "d1", "d3"]

    store.answer = "yes"  # not a bool: a broken store, the event still runs
    assert not (await router.handle(raw("d4"))).duplicate
    assert await router.drain(5)
    assert runs[-1] == "d4"
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING][2:]
    assert (
        len(messages) == 2
        and "claim() returned str, not bool" in messages[0]
        and "works again" in messages[1]
    )


async def test_a_cancelled_handler_releases_its_claim() -> None:
    store = CountingStore()
    router = webhooks.Router(dedupe=store)
    started = asyncio.Event()

    @router.on("*")
    async def stuck(event: webhooks.WebhookPayload) -> None:
        started.set()
        await asyncio.Event().wait()

    assert await router.handle(raw("c1")) == 200
    await asyncio.wait_for(started.wait(), 5)
    assert (await router.handle(raw("c1"))).duplicate  # running now: never twice at once
    await router.close()
    assert store.calls[-1] == ("release", "c1") and store.running == set()


def test_the_store_is_checked_and_the_memory_store_is_the_default() -> None:
    router = webhooks.Router(max_event_ids=7)
    assert isinstance(router.dedupe, webhooks.MemoryDedupe) and router.dedupe.max_event_ids == 7
    assert isinstance(router.dedupe, webhooks.DedupeStore)
    with pytest.raises(TypeError, match="DedupeStore"):
        webhooks.Router(dedupe=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_event_ids"):
        webhooks.Router(dedupe=CountingStore(), max_event_ids=5)
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match="max_event_ids"):
            webhooks.MemoryDedupe(bad)  # type: ignore[arg-type]
    event = webhooks.parse_event(event_body())
    with pytest.raises(TypeError, match="feed"):
        webhooks.Router(dedupe=CountingStore()).dispatch(event)


async def test_the_memory_store_keeps_running_and_done_ids_and_forgets_released_ones() -> None:
    store = webhooks.MemoryDedupe(max_event_ids=2)
    assert await store.claim("a") is True
    assert await store.claim("a") is False  # running
    await store.release("a")
    assert await store.claim("a") is True  # released: claimable again
    await store.complete("a")
    assert await store.claim("a") is False  # done
    assert await store.claim("b") and await store.claim("c")  # "a" is the oldest: forgotten
    assert len(store) == 2
    await store.complete("a")  # completing a forgotten id does not bring it back
    assert len(store) == 2 and await store.claim("a") is True
    await store.release("never-claimed")  # harmless


async def test_feed_serves_parsed_events_through_any_store() -> None:
    store = CountingStore()
    router = webhooks.Router(dedupe=store)
    event = webhooks.parse_event(event_body(event_id="f1"))
    assert await router.feed(event) is True
    assert await router.feed(event) is False  # running (no handler: it completes in a task)
    assert await router.drain(5)
    assert await router.feed(event) is False  # done
    # While it ran the router knew without asking the store.
    assert store.calls == [("claim", "f1"), ("complete", "f1"), ("claim", "f1")]
