"""Cold start: a fresh process that creates a client and makes one send, wacr vs raw aiohttp + orjson.

Each sample is a new interpreter timed from the outside (start to exit), so interpreter start-up,
imports, building what the first call needs, the connection and the send are all counted. The
server is ``bench/canned_server.py`` in its own process. Sides alternate; medians are reported.

    python bench/coldstart.py [--samples 15]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _common import MESSAGE, PHONE, TOKEN, child_env, emit, median, rotate
from throughput import start_server

_WACR = """
import asyncio, sys
import wacr

async def main():
    async with wacr.Client(token={token!r}, base_url=sys.argv[1]) as client:
        sent = await client.messages.send_text(phone={phone!r}, message={message!r})
        assert sent.message_id

asyncio.run(main())
"""

_RAW = """
import asyncio, sys
import aiohttp, orjson

async def main():
    headers = {{"Authorization": "Bearer {token}", "Content-Type": "application/json"}}
    async with aiohttp.ClientSession() as session:
        body = orjson.dumps({{"phone": {phone!r}, "message": {message!r}}})
        async with session.post(sys.argv[1] + "/messages/text", data=body, headers=headers) as resp:
            answer = orjson.loads(await resp.read())
        assert answer["data"]["message_id"]

asyncio.run(main())
"""

SIDES = {
    "wacr": _WACR.format(token=TOKEN, phone=PHONE, message=MESSAGE),
    "raw": _RAW.format(token=TOKEN, phone=PHONE, message=MESSAGE),
}


def _time(code: str, base_url: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, base_url], env=child_env(), check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    server, base_url = start_server()
    try:
        for code in SIDES.values():
            _time(code, base_url)  # fills the bytecode cache
        times: dict[str, list[float]] = {side: [] for side in SIDES}
        for n in range(args.samples):
            for side in rotate(list(SIDES), n):
                times[side].append(_time(SIDES[side], base_url))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    res = {side: median(values) * 1000 for side, values in times.items()}
    res["ratio"] = res["wacr"] / res["raw"]
    print(
        f"fresh process, client + one send: wacr {res['wacr']:.0f} ms, raw aiohttp + orjson "
        f"{res['raw']:.0f} ms: {res['ratio']:.2f}x",
        flush=True,
    )
    emit(res)


if __name__ == "__main__":
    main()
