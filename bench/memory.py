"""Peak memory while iterating 10,000 and 100,000 contacts through the paginator.

For each count an emulator process is seeded with that many contacts, and a fresh client
process iterates ``async for contact in client.contacts.list(per_page=100)`` over all of them;
the client reports its peak RSS (``ru_maxrss``) after the first page and at the end. The
paginator holds one page at a time, so the peak must not grow with the count.

    python bench/memory.py [--counts 10000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from typing import Any

from _common import BENCH, TOKEN, child_env, emit, parse_result


def start_emulator(contacts: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "emulator_proc.py"), "--contacts", str(contacts)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("URL "):
        proc.kill()
        raise RuntimeError(f"emulator did not start: {line!r}")
    return proc, line.split()[1]


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


async def child(base_url: str, expect: int) -> dict[str, Any]:
    import wacr

    async with wacr.Client(token=TOKEN, base_url=base_url) as client:
        first = await client.contacts.list(per_page=100)  # imports, session, hooks: all warm
        assert first.items
        del first
        after_first = _peak_kb()
        started = time.perf_counter()
        count = 0
        async for contact in client.contacts.list(per_page=100):
            count += contact.id > 0
        seconds = time.perf_counter() - started
    if count != expect:
        raise RuntimeError(f"iterated {count} contacts, expected {expect}")
    return {"count": count, "first_page_kb": after_first, "peak_kb": _peak_kb(), "seconds": seconds}


def measure(count: int) -> dict[str, Any]:
    proc, url = start_emulator(count)
    try:
        out = subprocess.run(
            [sys.executable, str(BENCH / "memory.py"), "--child", url, "--expect", str(count)],
            capture_output=True,
            text=True,
            env=child_env(),
            timeout=600,
            check=False,
        )
        if out.returncode:
            raise RuntimeError(f"memory child failed:\n{out.stderr[-3000:]}")
        return parse_result(out.stdout)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        emit(asyncio.run(child(args.child, args.expect)))
        return
    results = {}
    for count in args.counts:
        results[str(count)] = res = measure(count)
        print(
            f"{count:>7} contacts: peak RSS {res['peak_kb'] / 1024:.1f} MiB "
            f"(after the first page {res['first_page_kb'] / 1024:.1f} MiB), "
            f"{res['count'] / res['seconds']:.0f} contacts/s",
            flush=True,
        )
    emit(results)


if __name__ == "__main__":
    main()
