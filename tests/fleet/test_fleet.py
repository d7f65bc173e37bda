"""Done-when of the fleet: 4 worker processes on one token against the emulator (its own process,
`--rate-limit 120`). Paced by one RedisRateLimiter no call is refused and the fleet's rate stays
within 5% under the limit; unpaced, the same fleet meets 429s.

The emulator's limit is a fixed window that opens at a token's first call (as Laravel's throttle,
which the API runs, does). A run shorter than the window cannot reach its edge, so the pacing is
judged by the fleet's rate over the run; the hold at a window's edge (an answer with none left)
is tested in test_redis_limiter.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.fleet.conftest import RedisServer, read_line

HERE = Path(__file__).resolve().parent
LIMIT = 120  # per minute
RUN = 10.0  # seconds of paced sending
WORKERS = 4
PACED, UNPACED = "fleet-paced", "fleet-unpaced"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parents[1] / "src"), str(HERE.parents[1])])
    return env


async def _start_emulator() -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wacr.testing", "--port", "0", "--rate-limit", str(LIMIT),
        "--token", PACED, stdout=asyncio.subprocess.PIPE, env=_env(),
    )  # fmt: skip
    assert proc.stdout is not None
    line = await read_line(proc.stdout)
    assert line.startswith("wacr emulator listening on "), line
    return proc, line.rsplit(" ", 1)[1]


async def _fleet(base_url: str, token: str, redis_url: str, start_at: float, *args: str) -> list[Any]:
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / "fleet_worker.py"),
            base_url,
            token,
            redis_url,
            str(start_at),
            *args,
            stdout=asyncio.subprocess.PIPE,
            env=_env(),
        )
        for _ in range(WORKERS)
    ]
    outs = await asyncio.gather(*(asyncio.wait_for(p.communicate(), RUN + 30) for p in procs))
    assert [p.returncode for p in procs] == [0] * WORKERS
    return [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outs]


def _statuses(log: list[dict[str, Any]], message: str) -> list[int]:
    return [
        r["status"]
        for r in log
        if r["path"] == "/messages/text"
        and isinstance(r["json"], dict)
        and r["json"].get("message") == message
    ]


async def test_four_processes_share_one_budget(redis_server: RedisServer) -> None:
    if not redis_server.running:
        redis_server.start()
    emulator, base_url = await _start_emulator()
    root = base_url[: -len("/api/v2")]
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{root}/_emulator/config", json={"tokens": [{"token": UNPACED}]}) as resp:
                assert resp.status == 200
            # The workers' imports take about a second on 2 cores; the unpaced burst (well under a
            # second) is over before the paced fleet starts, so it does not load the machine then.
            start_at = time.time() + 2.0
            paced, unpaced = await asyncio.gather(
                _fleet(base_url, PACED, redis_server.url, start_at + 1.5, str(RUN), "2", "1000"),
                _fleet(base_url, UNPACED, "-", start_at, str(RUN), "4", "40"),
            )
            async with http.get(f"{root}/_emulator/requests") as resp:
                log = (await resp.json())["requests"]
    finally:
        emulator.terminate()
        await emulator.wait()

    # Unpaced: 160 calls on a budget of 120 a minute: the emulator refuses some.
    assert _statuses(log, "unpaced").count(429) > 0
    assert sum(w["limited"] for w in unpaced) == _statuses(log, "unpaced").count(429)

    # Paced: the emulator refused none, every worker had a share, the rate is within 5% under.
    statuses = _statuses(log, "paced")
    assert 429 not in statuses and sum(w["limited"] for w in paced) == 0, paced
    assert sum(w["failed"] for w in paced) == 0, paced
    assert min(w["sent"] for w in paced) >= 2, json.dumps(
        [{k: v for k, v in w.items() if k != "times"} for w in paced]
    )
    times = sorted(t for w in paced for t in w["times"])
    assert len(times) == len(statuses)
    rate = (len(times) - 1) / (times[-1] - times[0]) * 60
    assert 0.95 * LIMIT <= rate <= LIMIT, (rate, len(times))
