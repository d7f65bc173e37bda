"""The SDK's own CPU per call with the network taken out, hot and cold.

A stand-in session answers every request at once with the canned bodies, so what is timed is
wacr's work (argument checks, JSON, transport bookkeeping, structuring) against the floor's
(``orjson`` + the bare attrs constructor), side by side:

* hot: calls back to back, best of many alternating batches (what a profiler shows);
* cold: before each call, unrelated work evicts the CPU caches, as aiohttp, asyncio and the
  kernel do between two steps of a real call (medians of alternating single calls). On a
  real connection the SDK's Python costs about what it costs here cold.

    python bench/sdk_overhead.py [--rounds 300] [--hooks]

``--hooks`` gives the client a request and a response hook that do nothing and a limiter that
never waits: the cost of that machinery when it is used (without it, it is not on the path).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import statistics
import textwrap
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from _common import MESSAGE, PHONE, TOKEN, emit, page_envelope, rotate, send_envelope
from multidict import CIMultiDict, CIMultiDictProxy

import wacr
from wacr.models import Contact, TextMessageResult

Call = Callable[[], Awaitable[Any]]

_HEADERS = CIMultiDictProxy(
    CIMultiDict({"Content-Type": "application/json", "X-Request-ID": "3f8a4c1e", "Content-Length": "361"})
)


class _Response:
    __slots__ = ("_body", "content_length")
    status = 200
    headers = _HEADERS

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.content_length = len(body)

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> _Response:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Session:
    """Just enough of aiohttp.ClientSession for wacr's transport: answers every request at once."""

    closed = False

    def __init__(self) -> None:
        self.send = _Response(orjson.dumps(send_envelope()))
        self.page = _Response(orjson.dumps(page_envelope(100)))

    def request(self, method: str, url: str, **kwargs: Any) -> _Response:
        return self.send if method == "POST" else self.page


_BIG = list(range(2_000_000))
_JUNK = {"a": [1, 2, {"b": "c" * 50}] * 50}


def _evict_caches() -> None:
    """Unrelated work that walks 16 MB of memory and a spread of library code."""
    total = 0
    for i in range(0, len(_BIG), 16):
        total += _BIG[i]
    json.loads(json.dumps(_JUNK))
    urllib.parse.urlsplit("http://example.com/a?b=c#d")
    textwrap.fill("word " * 100)
    difflib.SequenceMatcher(None, "abcdefgh" * 5, "abcxefgh" * 5).ratio()


async def _hot(calls: dict[str, Call], number: int, rounds: int) -> dict[str, float]:
    """Best batch per side (us per call), batches alternating."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for r in range(rounds):
        for name in rotate(list(calls), r):
            call = calls[name]
            start = time.perf_counter()
            for _ in range(number):
                await call()
            times[name].append((time.perf_counter() - start) / number * 1e6)
    return {name: min(values) for name, values in times.items()}


async def _cold(calls: dict[str, Call], rounds: int) -> dict[str, float]:
    """Median time per side (us) of single calls made right after evicting the caches."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for r in range(rounds):
        for name in rotate(list(calls), r):
            _evict_caches()
            start = time.perf_counter()
            await calls[name]()
            times[name].append((time.perf_counter() - start) * 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


class _OpenLimiter:
    """A limiter that never waits (``--hooks``)."""

    async def acquire(self, key: str) -> None:
        return None

    def observe(self, key: str, rate_limit: Any) -> None:
        return None


def _nothing(event: Any) -> None:
    return None


async def main_async(rounds: int, hooks: bool = False) -> dict[str, Any]:
    session = _Session()
    extras: dict[str, Any] = {}
    if hooks:
        extras = {
            "event_hooks": {"request": [_nothing], "response": [_nothing]},
            "rate_limit": _OpenLimiter(),
        }
    client = wacr.Client(token=TOKEN, base_url="http://127.0.0.1:1/api/v2", session=session, **extras)  # type: ignore[arg-type]
    send_body, page_body = session.send._body, session.page._body

    async def wacr_send() -> Any:
        return await client.messages.send_text(phone=PHONE, message=MESSAGE)

    async def wacr_page() -> Any:
        return await client.contacts.list(per_page=100)

    async def floor_send() -> Any:
        orjson.dumps({"phone": PHONE, "message": MESSAGE})
        return TextMessageResult(**orjson.loads(send_body)["data"])

    async def floor_page() -> Any:
        envelope = orjson.loads(page_body)
        return [Contact(**item) for item in envelope["data"]], envelope["meta"]["pagination"]["has_more"]

    out: dict[str, Any] = {}
    for name, wacr_call, floor_call, number in (
        ("send", wacr_send, floor_send, 200),
        ("page", wacr_page, floor_page, 10),
    ):
        sides: dict[str, Call] = {"wacr": wacr_call, "floor": floor_call}
        for call in sides.values():
            await call()
        hot = await _hot(sides, number, 40)
        cold = await _cold(sides, rounds if name == "send" else rounds // 3)
        out[name] = {"hot": hot, "cold": cold}
        print(
            f"{name}: hot wacr {hot['wacr']:.1f} us, floor {hot['floor']:.1f} us "
            f"(SDK {hot['wacr'] - hot['floor']:+.1f} us); cold wacr {cold['wacr']:.1f} us, "
            f"floor {cold['floor']:.1f} us (SDK {cold['wacr'] - cold['floor']:+.1f} us)",
            flush=True,
        )
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="cold samples per side (send)")
    parser.add_argument(
        "--hooks", action="store_true", help="with no-op hooks and a limiter that never waits"
    )
    args = parser.parse_args()
    emit(asyncio.run(main_async(args.rounds, args.hooks)))
