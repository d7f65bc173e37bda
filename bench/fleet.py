"""Fleet: 4 processes on one token share a RedisRateLimiter; the rate they reach, and what the
limiter adds to a call.

The emulator runs in its own process with ``--rate-limit LIMIT`` (its fixed window, like the
API's); a redis-server of our own listens on a free loopback port. The 4 workers send texts with
``max_retries=0`` for ``--seconds`` (a 429 would be counted, not retried); the achieved rate is
the calls answered over the time from the first answer to the last. The added latency is
``acquire()`` timed alone, on loopback Redis, with a limit too high to ever wait (so it is the
cost of the Lua script's round trip), over ``--calls`` calls.

    python bench/fleet.py [--limit 600] [--seconds 10] [--calls 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from _common import PHONE, TOKEN, child_env, emit

PROCESSES = 4

_WORKER = f"""
import asyncio, json, sys, time
import redis.asyncio as aioredis
import wacr, wacr.redis

async def main(base_url, redis_url, start_at, seconds):
    conn = aioredis.Redis.from_url(redis_url)
    limiter = wacr.redis.RedisRateLimiter(conn)
    answered, limited = [], 0
    await asyncio.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + seconds
    async with wacr.Client({TOKEN!r}, base_url=base_url, max_retries=0, rate_limit=limiter) as client:
        async def send():
            nonlocal limited
            while (left := deadline - time.monotonic()) > 0:
                try:
                    await client.messages.send_text(phone={PHONE!r}, message="fleet", timeout=left)
                except wacr.APITimeoutError:
                    return
                except wacr.RateLimitError:
                    limited += 1
                else:
                    answered.append(time.time())
        await asyncio.gather(send(), send())
    await limiter.aclose()
    await conn.aclose()
    print(json.dumps({{"answered": answered, "limited": limited}}))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_redis(workdir: str) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench/fleet.py needs redis-server: run scripts/ensure-redis.sh")
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen([*args, "--dir", workdir], stdout=subprocess.DEVNULL)
    for _ in range(500):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    proc.kill()
    sys.exit("redis-server did not start")


def _start_emulator(limit: int) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, "-m", "wacr.testing", "--port", "0", "--rate-limit", str(limit), "--token", TOKEN]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=child_env())
    assert proc.stdout is not None
    return proc, proc.stdout.readline().split()[-1]


def _fleet(base_url: str, redis_url: str, seconds: float) -> tuple[list[float], int]:
    start_at = time.time() + 2.0  # after the workers' imports
    argv = [base_url, redis_url, str(start_at), str(seconds)]
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, *argv], stdout=subprocess.PIPE, env=child_env())
        for _ in range(PROCESSES)
    ]
    answered: list[float] = []
    limited = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 60)
        if proc.returncode != 0:
            sys.exit("a fleet worker failed")
        result = json.loads(out.decode().strip().splitlines()[-1])
        answered += result["answered"]
        limited += result["limited"]
    return sorted(answered), limited


async def _acquire_cost(redis_url: str, calls: int) -> list[float]:
    import redis.asyncio as aioredis

    from wacr.redis import RedisRateLimiter

    conn = aioredis.Redis.from_url(redis_url)
    limiter = RedisRateLimiter(conn, per_minute=1e12)
    try:
        for _ in range(200):  # connection, script cache
            await limiter.acquire("bench")
        costs = []
        for _ in range(calls):
            started = time.perf_counter()
            await limiter.acquire("bench")
            costs.append(time.perf_counter() - started)
        return costs
    finally:
        await conn.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=600, help="the emulator's calls per minute")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        redis_proc, redis_url = _start_redis(workdir)
        emulator, base_url = _start_emulator(args.limit)
        try:
            answered, limited = _fleet(base_url, redis_url, args.seconds)
            costs = asyncio.run(_acquire_cost(redis_url, args.calls))
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
            redis_proc.kill()
            redis_proc.wait()
    rate = (len(answered) - 1) / (answered[-1] - answered[0]) * 60
    costs.sort()
    res = {
        "processes": PROCESSES,
        "limit": args.limit,
        "calls": len(answered),
        "limited": limited,
        "rate": rate,
        "ratio": rate / args.limit,
        "acquire_ms_p50": statistics.median(costs) * 1000,
        "acquire_ms_mean": statistics.fmean(costs) * 1000,
        "acquire_ms_p99": costs[int(len(costs) * 0.99)] * 1000,
    }
    print(
        f"{PROCESSES} processes, one token, limit {args.limit}/min: {rate:.1f}/min "
        f"({res['ratio']:.3f} of the limit), {limited} answered 429; acquire() on loopback Redis "
        f"p50 {res['acquire_ms_p50']:.3f} ms, mean {res['acquire_ms_mean']:.3f} ms, "
        f"p99 {res['acquire_ms_p99']:.3f} ms",
        flush=True,
    )
    emit(res)


if __name__ == "__main__":
    main()
