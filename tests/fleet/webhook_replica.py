"""One webhook router replica of the de-dup test, in its own process with its own Redis connection.

Usage: webhook_replica.py REDIS_URL

Serves two routes on a free loopback port (printed as ``port N``) until stdin closes:
``/shared`` (a Router with ``wacr.redis.RedisDedupe``) and ``/local`` (the default in-memory
store, one per replica). Every event's handler counts in Redis, under the test's own keys: its
attempts, its runs to the end, and any run that overlapped another of the same id. An id that
starts with ``flaky-`` fails its first attempt, once the test sets ``test:<route>:fail-now``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import redis.asyncio as aioredis
from aiohttp import web

from wacr import webhooks
from wacr.redis import RedisDedupe


def counting_router(r: aioredis.Redis, name: str, dedupe: Any) -> webhooks.Router:
    router = webhooks.Router(dedupe=dedupe)

    @router.on("*")
    async def count(payload: Any) -> None:
        event_id = payload.event.id
        attempt = await r.incr(f"test:{name}:attempts:{event_id}")
        if await r.incr(f"test:{name}:running:{event_id}") > 1:
            await r.incr(f"test:{name}:overlaps")
        try:
            await asyncio.sleep(0.05)  # a window for a duplicate to run in
            if event_id.startswith("flaky-") and attempt == 1:
                # Fails once the test says every replica has answered this delivery.
                while not await r.exists(f"test:{name}:fail-now"):
                    await asyncio.sleep(0.01)
                raise RuntimeError("fails on its first attempt")
        finally:
            await r.decr(f"test:{name}:running:{event_id}")
        await r.incr(f"test:{name}:runs:{event_id}")

    return router


async def main(redis_url: str) -> None:
    counters = aioredis.Redis.from_url(redis_url)
    store = aioredis.Redis.from_url(redis_url)  # the store's own connection
    shared = counting_router(counters, "shared", RedisDedupe(store, ttl=60, lease=10))
    local = counting_router(counters, "local", None)
    app = web.Application()
    app.router.add_post("/shared", shared.handler)
    app.router.add_post("/local", local.handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    print(f"port {port}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the test closes stdin
    await shared.drain(5)
    await local.drain(5)
    await runner.cleanup()
    await counters.aclose()
    await store.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
