"""10,000 text sends with bounded concurrency against the emulator (in another process).

Reports throughput and the client's CPU per call (the emulator's own CPU is not counted). For
reference the floor (hand-written aiohttp + orjson + the bare attrs constructor) makes 10,000
sends too; the two sides alternate in blocks of 2,500.

    python bench/sends.py [--total 10000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import aiohttp
import orjson
from _common import MESSAGE, TOKEN, emit, median
from memory import start_emulator

import wacr
from wacr.models import TextMessageResult

PHONES = [f"+2010{n:08d}" for n in range(100)]


async def run(base_url: str, total: int, concurrency: int, blocks: int) -> dict[str, Any]:
    client = wacr.Client(token=TOKEN, base_url=base_url, connection_limit=concurrency)
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    url = base_url + "/messages/text"

    async def wacr_send(i: int) -> Any:
        return await client.messages.send_text(phone=PHONES[i % 100], message=MESSAGE)

    async def floor_send(i: int) -> Any:
        body = orjson.dumps({"phone": PHONES[i % 100], "message": MESSAGE})
        async with session.post(url, data=body, headers=headers) as resp:
            raw = await resp.read()
            if resp.status >= 400:
                raise RuntimeError(f"{resp.status}: {raw[:200]!r}")
        return TextMessageResult(**orjson.loads(raw)["data"])

    async def block(send: Any, count: int) -> tuple[float, float]:
        todo = iter(range(count))

        async def worker() -> None:
            for i in todo:
                await send(i)

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - wall, time.process_time() - cpu

    sides = {"wacr": wacr_send, "floor": floor_send}
    walls: dict[str, float] = dict.fromkeys(sides, 0.0)
    cpus: dict[str, float] = dict.fromkeys(sides, 0.0)
    ratios = []
    try:
        for side in sides:  # warm up: connections, hooks, the emulator's contacts
            await block(sides[side], 200)
        per_block = total // blocks
        for b in range(blocks):
            rates = {}
            for side in sides if b % 2 == 0 else reversed(list(sides)):
                wall, cpu = await block(sides[side], per_block)
                walls[side] += wall
                cpus[side] += cpu
                rates[side] = per_block / wall
            ratios.append(rates["wacr"] / rates["floor"])
    finally:
        await client.aclose()
        await session.close()
    sent = per_block * blocks
    return {
        "sends": sent,
        "concurrency": concurrency,
        "rate": {side: sent / walls[side] for side in sides},
        "cpu_us": {side: cpus[side] / sent * 1e6 for side in sides},
        "vs_floor": median(ratios),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--blocks", type=int, default=4)
    args = parser.parse_args()
    proc, url = start_emulator(0)
    try:
        res = asyncio.run(run(url, args.total, args.concurrency, args.blocks))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(30)
    print(
        f"{res['sends']} sends at concurrency {res['concurrency']}: wacr {res['rate']['wacr']:.0f}/s "
        f"({res['cpu_us']['wacr']:.0f} us client CPU per call), floor {res['rate']['floor']:.0f}/s "
        f"({res['cpu_us']['floor']:.0f} us), wacr/floor {res['vs_floor']:.2f}",
        flush=True,
    )
    emit(res)


if __name__ == "__main__":
    main()
