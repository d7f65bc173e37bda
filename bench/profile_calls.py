"""Profile one side's calls against the canned server (cProfile), to find where client time goes.

python bench/profile_calls.py send wacr [--calls 3000] [--concurrency 1] [--sort tottime]
python bench/profile_calls.py page floor
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats

from throughput import canned_sides, drive


async def run(scenario: str, side: str, calls: int, concurrency: int, sort: str, limit: int) -> None:
    async with canned_sides() as (_, sides):
        call = sides[scenario][side]
        await drive(call, 200, concurrency)
        profile = cProfile.Profile()
        profile.enable()
        wall, cpu = await drive(call, calls, concurrency)
        profile.disable()
        print(f"{calls} calls: {wall / calls * 1e6:.0f} us wall, {cpu / calls * 1e6:.0f} us CPU per call")
        pstats.Stats(profile).sort_stats(sort).print_stats(limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("send", "page"))
    parser.add_argument("side", choices=("wacr", "floor", "plain"))
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run(args.scenario, args.side, args.calls, args.concurrency, args.sort, args.limit))


if __name__ == "__main__":
    main()
