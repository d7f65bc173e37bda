"""One worker process of the fleet test: sends texts through one token until a deadline.

Usage: fleet_worker.py BASE_URL TOKEN REDIS_URL|- START_AT DURATION CONCURRENCY MAX_CALLS

With a Redis URL its calls are paced by a ``wacr.redis.RedisRateLimiter`` (learning the limit from
the answers); with ``-`` they are not. It starts at the Unix time START_AT (so that the workers
start together), stops after DURATION seconds or MAX_CALLS calls, sends with ``max_retries=0`` (a
429 is counted, not retried), and prints one JSON line: how many calls succeeded, were answered 429
or failed otherwise, and the Unix times the successes were answered. The message says whether the
worker was paced, so the emulator's request log tells the two fleets apart.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import redis.asyncio as aioredis

import wacr
import wacr.redis

PHONE = "+201000000000"


async def main(argv: list[str]) -> dict[str, Any]:
    base_url, token, redis_url, start_at, duration, concurrency, max_calls = argv
    limiter = None
    conn = None
    if redis_url != "-":
        conn = aioredis.Redis.from_url(redis_url)
        limiter = wacr.redis.RedisRateLimiter(conn)
    counts: dict[str, Any] = {"sent": 0, "limited": 0, "failed": 0, "times": []}
    message = "paced" if limiter is not None else "unpaced"
    left = int(max_calls)
    counts["late"] = round(time.time() - float(start_at), 3)
    await asyncio.sleep(max(0.0, float(start_at) - time.time()))
    deadline = time.monotonic() + float(duration)

    client = wacr.Client(token, base_url=base_url, max_retries=0, rate_limit=limiter)

    async def sender() -> None:
        nonlocal left
        while left > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            left -= 1
            try:
                # The call's timeout bounds its wait for a slot too.
                await client.messages.send_text(phone=PHONE, message=message, timeout=remaining)
            except wacr.APITimeoutError:
                counts["timed_out"] = round(deadline - time.monotonic(), 3)
                return  # the deadline passed while it waited for a slot
            except wacr.RateLimitError as error:
                if error.status is None:  # the limiter's: no slot before the deadline, nothing sent
                    counts["no_slot"] = counts.get("no_slot", 0) + 1
                    return
                counts["limited"] += 1  # the server's 429
            except wacr.WacrError:
                counts["failed"] += 1
            else:
                counts["sent"] += 1
                counts["times"].append(time.time())

    async with client:
        await asyncio.gather(*(sender() for _ in range(int(concurrency))))
    if conn is not None:
        assert limiter is not None
        await limiter.aclose()
        await conn.aclose()
    return counts


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1:]))), flush=True)
