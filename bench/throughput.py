"""Call throughput against a loopback server in another process: wacr vs hand-written aiohttp.

Three sides make the same requests over one pooled session each:

* ``wacr``: ``client.messages.send_text(...)`` / ``await client.contacts.list(per_page=100)``;
* ``floor``: hand-written aiohttp + orjson + the bare constructor of the same attrs classes
  (``TextMessageResult(**data)``, ``[Contact(**item) for item in data]``), same headers;
* ``plain``: aiohttp's own ``json=`` and ``resp.json()`` (stdlib json), no models.

For each scenario (send, 100-contact page) and concurrency (1, 50), every round gives each
side the same number of timed calls, the sides alternating in a rotating order:

* at concurrency 1 in turns of 20 calls, each turn after 3 untimed ones (a turn should not
  pay for the caches the previous side used: in real use a wacr call follows a wacr call);
  a side's rate is 1 / its mean call time without its slowest 10% (the calls that waited
  for another process's time slice on a shared machine);
* at concurrency 50 in blocks of about 0.3 s, each after 200 untimed calls.

The ratio wacr/floor is taken within a round; the table shows the median over rounds.
Client CPU per call (``time.process_time``) is reported too: the server runs in its own
process, so that is the client's alone.

    python bench/throughput.py [--rounds 31] [--seconds 0.1] [--only send_c50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import orjson
from _common import BENCH, MESSAGE, PHONE, TOKEN, child_env, emit, median, rotate, spread

import wacr
from wacr.models import Contact, TextMessageResult

SIDES = ("wacr", "floor", "plain")
Call = Callable[[], Awaitable[Any]]


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "canned_server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"canned server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}/api/v2"


def make_sides(base_url: str) -> tuple[dict[str, dict[str, Call]], list[Any]]:
    """The calls of each side, and what to close at the end."""
    client = wacr.Client(token=TOKEN, base_url=base_url)

    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json",
        "User-Agent": "bench/1.0",
    }
    json_headers = {**headers, "Content-Type": "application/json"}
    floor = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    plain = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    send_url = base_url + "/messages/text"
    list_url = base_url + "/contacts"
    page_params = [("per_page", "100")]

    async def wacr_send() -> Any:
        return await client.messages.send_text(phone=PHONE, message=MESSAGE)

    async def wacr_page() -> Any:
        return await client.contacts.list(per_page=100)

    async def floor_send() -> Any:
        body = orjson.dumps({"phone": PHONE, "message": MESSAGE})
        async with floor.post(send_url, data=body, headers=json_headers) as resp:
            raw = await resp.read()
            if resp.status >= 400:
                raise RuntimeError(resp.status)
        return TextMessageResult(**orjson.loads(raw)["data"])

    async def floor_page() -> Any:
        async with floor.get(list_url, params=page_params, headers=headers) as resp:
            raw = await resp.read()
            if resp.status >= 400:
                raise RuntimeError(resp.status)
        envelope = orjson.loads(raw)
        items = [Contact(**item) for item in envelope["data"]]
        return items, envelope["meta"]["pagination"]["has_more"]

    async def plain_send() -> Any:
        async with plain.post(send_url, json={"phone": PHONE, "message": MESSAGE}, headers=headers) as resp:
            envelope = await resp.json()
            if resp.status >= 400:
                raise RuntimeError(resp.status)
        return envelope["data"]

    async def plain_page() -> Any:
        async with plain.get(list_url, params=page_params, headers=headers) as resp:
            envelope = await resp.json()
            if resp.status >= 400:
                raise RuntimeError(resp.status)
        return envelope["data"]

    sides: dict[str, dict[str, Call]] = {
        "send": {"wacr": wacr_send, "floor": floor_send, "plain": plain_send},
        "page": {"wacr": wacr_page, "floor": floor_page, "plain": plain_page},
    }
    return sides, [client, floor, plain]


@contextlib.asynccontextmanager
async def canned_sides() -> AsyncIterator[tuple[str, dict[str, dict[str, Call]]]]:
    """The canned server's base URL and the sides' calls (:func:`make_sides`); closes the
    sides' sessions and stops the server on the way out."""
    proc, base_url = start_server()
    try:
        sides, closers = make_sides(base_url)
        try:
            yield base_url, sides
        finally:
            for closer in closers:
                await (closer.aclose() if hasattr(closer, "aclose") else closer.close())
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


async def _make_calls(call: Call, count: int, concurrency: int) -> None:
    if concurrency == 1:
        for _ in range(count):
            await call()
        return
    todo = iter(range(count))

    async def worker() -> None:
        for _ in todo:
            await call()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def drive(call: Call, calls: int, concurrency: int, warmup: int = 0) -> tuple[float, float]:
    """Make ``calls`` calls with ``concurrency`` workers, after ``warmup`` untimed ones at the
    same concurrency; returns the (wall, CPU) seconds of the timed calls."""
    if warmup:
        await _make_calls(call, warmup, concurrency)
    wall, cpu = time.perf_counter(), time.process_time()
    await _make_calls(call, calls, concurrency)
    return time.perf_counter() - wall, time.process_time() - cpu


def trimmed_mean(values: list[float], drop: float = 0.1) -> float:
    """The mean without the slowest ``drop`` share: a call that the OS scheduler paused for
    another process's time slice says nothing about the code being measured."""
    kept = sorted(values)[: max(1, int(len(values) * (1 - drop)))]
    return sum(kept) / len(kept)


async def turns(calls: dict[str, Call], number: int, round_no: int) -> dict[str, tuple[float, float]]:
    """Concurrency 1: the sides take short turns (``TURN`` timed calls after ``WARM`` untimed
    ones, so that a turn does not pay for the caches the previous side used), in a rotating
    order, until each made ``number`` timed calls. Returns per side the (wall, CPU) seconds of
    ``number`` calls, from the trimmed means of its per-call times."""
    perf, cpu_time = time.perf_counter, time.process_time
    walls: dict[str, list[float]] = {side: [] for side in calls}
    cpus: dict[str, list[float]] = {side: [] for side in calls}
    sides = list(calls)
    for t in range(max(1, number // TURN)):
        for side in rotate(sides, round_no + t):
            call = calls[side]
            for _ in range(WARM):
                await call()
            for _ in range(TURN):
                w, c = perf(), cpu_time()
                await call()
                cpus[side].append(cpu_time() - c)
                walls[side].append(perf() - w)
    n = len(walls[sides[0]])
    return {side: (trimmed_mean(walls[side]) * n, trimmed_mean(cpus[side]) * n) for side in sides}


#: Concurrency 1: timed calls per turn, and untimed calls that start each turn.
TURN, WARM = 20, 3
#: Concurrency 50: untimed calls that start each block.
BLOCK_WARMUP = 200


async def measure_rounds(
    calls: dict[str, Call], concurrency: int, rounds: int, seconds: float
) -> tuple[int, dict[str, list[float]], dict[str, list[float]]]:
    """Each round gives every side of ``calls`` (one of them ``floor``) the same number of timed
    calls, in turns of 20 at concurrency 1 and in blocks otherwise (rotating order). Returns
    that number and, per side, the rate (calls/s) and the CPU seconds per call of each round."""
    for call in calls.values():  # warm up: connections, hooks, caches
        await drive(call, 2 * concurrency + 20, concurrency)
    wall, _ = await drive(calls["floor"], 200, concurrency)
    # Longer blocks at concurrency 50: a block's wall time also catches the other processes
    # of a shared machine, and a long block averages them out.
    span = seconds if concurrency == 1 else 3 * seconds
    n = max(50, int(span / (wall / 200)))
    n -= n % (concurrency if concurrency > 1 else TURN)
    rates: dict[str, list[float]] = {side: [] for side in calls}
    cpus: dict[str, list[float]] = {side: [] for side in calls}
    for r in range(rounds):
        if concurrency == 1:
            measured = await turns(calls, n, r)
        else:
            measured = {}
            for side in rotate(list(calls), r):
                measured[side] = await drive(calls[side], n, concurrency, warmup=BLOCK_WARMUP)
        for side, (wall, cpu) in measured.items():
            rates[side].append(n / wall)
            cpus[side].append(cpu / n)
    return n, rates, cpus


async def scenario(calls: dict[str, Call], concurrency: int, rounds: int, seconds: float) -> dict[str, Any]:
    """The three sides' rates and CPU per call over ``rounds`` (:func:`measure_rounds`);
    ratios are per round."""
    n, rates, cpus = await measure_rounds({side: calls[side] for side in SIDES}, concurrency, rounds, seconds)
    vs_floor = [w / f for w, f in zip(rates["wacr"], rates["floor"], strict=True)]
    vs_plain = [w / p for w, p in zip(rates["wacr"], rates["plain"], strict=True)]
    cpu_vs_floor = [f / w for w, f in zip(cpus["wacr"], cpus["floor"], strict=True)]
    return {
        "calls_per_run": n,
        "rounds": rounds,
        "rate": {side: median(v) for side, v in rates.items()},
        "cpu_us": {side: median(v) * 1e6 for side, v in cpus.items()},
        "vs_floor": median(vs_floor),
        "vs_floor_spread": spread(vs_floor),
        "vs_plain": median(vs_plain),
        "vs_plain_spread": spread(vs_plain),
        "cpu_vs_floor": median(cpu_vs_floor),
    }


async def main_async(rounds: int, seconds: float, only: str | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with canned_sides() as (_, sides):
        for name in ("send", "page"):
            for concurrency in (1, 50):
                key = f"{name}_c{concurrency}"
                if only and only not in key:
                    continue
                results[key] = res = await scenario(sides[name], concurrency, rounds, seconds)
                print(
                    f"{key:9s} wacr {res['rate']['wacr']:7.0f}/s  floor {res['rate']['floor']:7.0f}/s  "
                    f"plain {res['rate']['plain']:7.0f}/s  wacr/floor {res['vs_floor']:.3f} "
                    f"({res['vs_floor_spread']})  wacr/plain {res['vs_plain']:.3f}  "
                    f"cpu/call us wacr {res['cpu_us']['wacr']:.0f} floor {res['cpu_us']['floor']:.0f} "
                    f"plain {res['cpu_us']['plain']:.0f}",
                    flush=True,
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument(
        "--seconds",
        type=float,
        default=0.1,
        help="seconds of timed calls per side and round (x3 at concurrency 50)",
    )
    parser.add_argument("--only", help="run the scenarios whose key contains this (send_c1, page_c50, ...)")
    parser.add_argument("--json", action="store_true", help="print the raw result as JSON")
    args = parser.parse_args()
    results = asyncio.run(main_async(args.rounds, args.seconds, args.only))
    if args.json:
        print(json.dumps(results, indent=2))
    emit(results)


if __name__ == "__main__":
    main()
