"""What backoff's retry wrapper costs a send: wacr with and without it, against the floor.

Every attempt runs inside backoff's decorator (``wacr._retry``: one decorated attempt, no
replayed failures), so every call pays the wrapper's own work (two ``datetime.now()``, a details
dict, a wait generator, an ``on_success`` round) even when nothing is retried. This measures
that price in the throughput harness's terms (``bench/throughput.py``: the same canned server,
turns at concurrency 1, blocks at 50, ratios within a round):

* ``wacr``: ``client.messages.send_text(...)``, as shipped;
* ``unwrapped``: the same client with its transport's attempt called directly instead of
  through backoff's wrapper (a diagnostic: it retries nothing, so it is not something to ship);
* ``floor``: hand-written aiohttp + orjson + the bare constructor, as in ``throughput.py``;
* ``floor_backoff``: the floor's send inside backoff's decorator, used the plain way a
  hand-written client would (``backoff.on_exception(backoff.expo, ...)``, retrying failures to
  connect and 429s): the floor with the retry library wacr must be built on, so that
  ``wacr / floor_backoff`` is the price of wacr's own code alone.

    python bench/retry_cost.py [--rounds 21]
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import aiohttp
import backoff
from _common import MESSAGE, PHONE, TOKEN, emit, median, spread
from throughput import Call, canned_sides, measure_rounds

import wacr
from wacr._attempt import Failed


def unwrapped_client(base_url: str) -> wacr.Client:
    """A client whose calls run their one attempt without backoff's wrapper (bench only)."""
    client = wacr.Client(token=TOKEN, base_url=base_url)
    transport = client._transport
    attempt = transport._attempt

    async def once(call: Any) -> Any:
        try:
            return await attempt(call)
        except Failed as failure:
            raise failure.error from None

    transport._with_retries = once
    return client


class _Status(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def with_backoff(floor_send: Call) -> Call:
    """``floor_send`` inside backoff's decorator: connection failures and 429s are retried (twice),
    any other error status is given up on at once, as a hand-written client would do it."""

    async def send() -> Any:
        try:
            return await floor_send()
        except RuntimeError as exc:  # the floor's error status (throughput.make_sides)
            raise _Status(exc.args[0]) from None

    decorated: Call = backoff.on_exception(
        backoff.expo,
        (aiohttp.ClientConnectionError, _Status),
        max_tries=3,
        giveup=lambda exc: isinstance(exc, _Status) and exc.status != 429,
        logger=None,
    )(send)
    return decorated


async def measure(calls: dict[str, Call], concurrency: int, rounds: int, seconds: float) -> dict[str, Any]:
    _, rates, _ = await measure_rounds(calls, concurrency, rounds, seconds)
    wrapped = [w / f for w, f in zip(rates["wacr"], rates["floor"], strict=True)]
    bare = [u / f for u, f in zip(rates["unwrapped"], rates["floor"], strict=True)]
    # The wrapper's cost per call, in microseconds of wall time: 1/rate is the time per call.
    cost = [(1 / w - 1 / u) * 1e6 for w, u in zip(rates["wacr"], rates["unwrapped"], strict=True)]
    fair = [w / f for w, f in zip(rates["wacr"], rates["floor_backoff"], strict=True)]
    return {
        "rate": {side: median(v) for side, v in rates.items()},
        "wacr_vs_floor": median(wrapped),
        "wacr_vs_floor_spread": spread(wrapped),
        "unwrapped_vs_floor": median(bare),
        "unwrapped_vs_floor_spread": spread(bare),
        "wrapper_us": median(cost),
        "wacr_vs_floor_backoff": median(fair),
        "wacr_vs_floor_backoff_spread": spread(fair),
        "floor_us": 1e6 / median(rates["floor"]),
    }


async def main_async(rounds: int, seconds: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with canned_sides() as (base_url, sides):
        bare = unwrapped_client(base_url)

        async def unwrapped_send() -> Any:
            return await bare.messages.send_text(phone=PHONE, message=MESSAGE)

        floor = sides["send"]["floor"]
        calls = {
            "wacr": sides["send"]["wacr"],
            "unwrapped": unwrapped_send,
            "floor": floor,
            "floor_backoff": with_backoff(floor),
        }
        try:
            for concurrency in (1, 50):
                key = f"send_c{concurrency}"
                results[key] = res = await measure(calls, concurrency, rounds, seconds)
                print(
                    f"{key:9s} wacr/floor {res['wacr_vs_floor']:.3f} ({res['wacr_vs_floor_spread']})  "
                    f"without backoff's wrapper {res['unwrapped_vs_floor']:.3f} "
                    f"({res['unwrapped_vs_floor_spread']})  wrapper {res['wrapper_us']:.1f} us/call "
                    f"of {res['floor_us']:.0f} us for the floor; vs the floor with backoff "
                    f"{res['wacr_vs_floor_backoff']:.3f} ({res['wacr_vs_floor_backoff_spread']})",
                    flush=True,
                )
        finally:
            await bare.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--seconds", type=float, default=0.1, help="about how long each turn or block lasts")
    args = parser.parse_args()
    emit(asyncio.run(main_async(args.rounds, args.seconds)))


if __name__ == "__main__":
    main()
