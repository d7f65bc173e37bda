"""``make bench``: run every benchmark and print the table of ratios (Markdown).

Each section runs in its own interpreter (``bench/<section>.py``, ``overhead`` is
``bench/sdk_overhead.py``; each also runs alone); servers run in other processes. Ratios are
taken within one run, sides alternating, and the table shows medians. Raw numbers go to
``bench/results.json``.

    python bench/run.py [--quick] [--only SECTION,...]   (sections: see SECTIONS below)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from _common import BENCH, child_env, parse_result

SECTIONS = (
    "throughput",
    "retry_cost",
    "structuring",
    "imports",
    "coldstart",
    "cli_start",
    "memory",
    "sends",
    "overhead",
    "fleet",
)


def run_section(name: str, extra: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    print(f"-- {name} ...", flush=True)
    script = "sdk_overhead" if name == "overhead" else name
    out = subprocess.run(
        [sys.executable, str(BENCH / f"{script}.py"), *extra],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
        timeout=900,
        check=False,
    )
    for line in out.stdout.splitlines():
        if not line.startswith("RESULT "):
            print("   " + line, flush=True)
    if out.returncode:
        raise SystemExit(f"bench/{name}.py failed (exit {out.returncode})")
    print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    return parse_result(out.stdout)


def _pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if names:
            cpu = names[0]
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    libs = ", ".join(f"{n} {_pkg(n)}" for n in ("aiohttp", "attrs", "cattrs", "orjson", "pydantic"))
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"CPython {platform.python_version()}; {libs}; load average at start {load:.2f}"
    )


def _ok(passed: bool) -> str:
    return "yes" if passed else "**no**"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _throughput_rows(tp: dict[str, Any]) -> list[str]:
    names = {"send": "`send_text`", "page": "100-contact page"}
    rows = []
    for key, r in tp.items():
        scenario, conc = key.split("_c")
        what = f"{names[scenario]}, concurrency {conc}"
        rate, cpu = r["rate"], r["cpu_us"]
        rows.append(
            _row(
                f"{what}: calls/s, wacr vs the floor",
                f"{rate['wacr']:.0f}/s",
                f"{rate['floor']:.0f}/s",
                f"**{r['vs_floor']:.2f}x** (rounds {r['vs_floor_spread']})",
                ">= 0.90x",
                _ok(r["vs_floor"] >= 0.90),
            )
        )
        rows.append(
            _row(
                f"{what}: calls/s, wacr vs plain aiohttp + json (no models)",
                f"{rate['wacr']:.0f}/s",
                f"{rate['plain']:.0f}/s",
                f"{r['vs_plain']:.2f}x",
                "shown",
                "-",
            )
        )
        rows.append(
            _row(
                f"{what}: client CPU per call (floor / wacr)",
                f"{cpu['wacr']:.0f} us",
                f"{cpu['floor']:.0f} us (plain {cpu['plain']:.0f} us)",
                f"{r['cpu_vs_floor']:.2f}x",
                "shown",
                "-",
            )
        )
    return rows


def _retry_cost_rows(rc: dict[str, Any]) -> list[str]:
    """bench/retry_cost.py: the same send with its attempt run outside backoff's wrapper."""
    rows = []
    for key, r in rc.items():
        conc = key.split("_c")[1]
        rows.append(
            _row(
                f"`send_text`, concurrency {conc}: backoff's wrapper per call "
                "(wacr with / without it, vs the floor)",
                f"{r['wacr_vs_floor']:.2f}x / {r['unwrapped_vs_floor']:.2f}x",
                f"floor {r['floor_us']:.0f} us/call",
                f"{r['wrapper_us']:.1f} us/call",
                "shown",
                "-",
            )
        )
        if "wacr_vs_floor_backoff" in r:
            rows.append(
                _row(
                    f"`send_text`, concurrency {conc}: calls/s, wacr vs the floor inside backoff's decorator",
                    "-",
                    "floor + `backoff.on_exception`",
                    f"{r['wacr_vs_floor_backoff']:.2f}x (rounds {r['wacr_vs_floor_backoff_spread']})",
                    "shown",
                    "-",
                )
            )
    return rows


def _structuring_rows(st: dict[str, Any]) -> list[str]:
    d, one, p, s = st["page_dicts"], st["send_dicts"], st["page_bytes"], st["send_bytes"]
    rows = [
        _row(
            "Structuring 100 parsed contacts: converter vs bare `Contact(**d)` (time)",
            f"{d['converter_us']:.0f} us",
            f"{d['bare_us']:.0f} us",
            f"**{d['ratio'][0]:.2f}x**",
            "<= 1.3x",
            _ok(d["ratio"][0] <= 1.3),
        ),
        _row(
            "Structuring one parsed send answer: converter vs bare constructor (time)",
            f"{one['converter_us']:.1f} us",
            f"{one['bare_us']:.1f} us",
            f"{one['ratio'][0]:.2f}x",
            "shown",
            "-",
        ),
    ]
    if "ratio" not in p:
        return [*rows, _row("JSON bytes -> models vs pydantic", "-", "pydantic missing", "-", "<= 1.0x", "-")]
    rows += [
        _row(
            "JSON bytes -> 100-contact envelope model: orjson + converter vs pydantic `model_validate_json`",
            f"{p['wacr_us']:.0f} us",
            f"{p['pydantic_us']:.0f} us",
            f"**{p['ratio'][0]:.2f}x**",
            "<= 1.0x",
            _ok(p["ratio"][0] <= 1.0),
        ),
        _row(
            "JSON bytes -> `Page[Contact]` (what `contacts.list()` runs) vs pydantic",
            f"{p['sdk_path_us']:.0f} us",
            f"{p['pydantic_us']:.0f} us",
            f"{p['sdk_ratio'][0]:.2f}x",
            "<= 1.0x",
            _ok(p["sdk_ratio"][0] <= 1.0),
        ),
        _row(
            "JSON bytes -> send answer envelope model vs pydantic",
            f"{s['wacr_us']:.1f} us",
            f"{s['pydantic_us']:.1f} us",
            f"{s['ratio'][0]:.2f}x",
            "<= 1.0x",
            _ok(s["ratio"][0] <= 1.0),
        ),
    ]
    return rows


def _other_rows(res: dict[str, Any]) -> list[str]:
    rows = []
    im = res.get("imports")
    if im:
        rows.append(
            _row(
                "`import wacr` in a process that already imported aiohttp",
                f"+{im['wacr']:.0f} ms",
                f"`import aiohttp`: {im['aiohttp']:.0f} ms",
                f"**+{im['wacr']:.0f} ms**",
                "< 50 ms",
                _ok(im["wacr"] < 50),
            )
        )
        rows.append(
            _row(
                "then the first `wacr.Client` (client, transport, resources, cattrs, models)",
                f"+{im['client']:.0f} ms",
                "-",
                f"+{im['wacr'] + im['client']:.0f} ms in all",
                "shown",
                "-",
            )
        )
    cs = res.get("coldstart")
    if cs:
        rows.append(
            _row(
                "Cold start: a fresh process creates a client and makes one send, vs raw aiohttp + orjson",
                f"{cs['wacr']:.0f} ms",
                f"{cs['raw']:.0f} ms",
                f"**{cs['ratio']:.2f}x**",
                "<= 1.2x",
                _ok(cs["ratio"] <= 1.2),
            )
        )
    cl = res.get("cli_start")
    if cl:
        for case, label in (
            ("help", "`wacr --help`"),
            ("group_help", "`wacr contacts --help`"),
            ("bad_argument", "`wacr contacts get not-a-number` (an argument error)"),
        ):
            rows.append(
                _row(
                    f"{label} in a fresh process vs a bare click app of the same shape",
                    f"{cl[f'wacr_{case}']:.0f} ms",
                    f"{cl[f'click_{case}']:.0f} ms",
                    f"**{cl[f'{case}_ratio']:.2f}x**",
                    "<= 1.5x",
                    _ok(cl[f"{case}_ratio"] <= 1.5),
                )
            )
    me = res.get("memory")
    if me:
        counts = sorted(me, key=int)
        low, high = me[counts[0]], me[counts[-1]]
        for count in counts:
            m = me[count]
            rows.append(
                _row(
                    f"Iterating {int(count):,} contacts (emulator in another process): client peak RSS",
                    f"{m['peak_kb'] / 1024:.1f} MiB",
                    f"{m['first_page_kb'] / 1024:.1f} MiB after page 1",
                    f"{m['count'] / m['seconds']:,.0f} contacts/s",
                    "flat",
                    "-",
                )
            )
        growth = (high["peak_kb"] - low["peak_kb"]) / 1024
        rows.append(
            _row(
                f"Peak RSS, {int(counts[-1]):,} vs {int(counts[0]):,} contacts",
                f"{growth:+.1f} MiB",
                "-",
                f"**{high['peak_kb'] / low['peak_kb']:.3f}x**",
                "flat (< 2 MiB)",
                _ok(abs(growth) < 2),
            )
        )
    se = res.get("sends")
    if se:
        rows.append(
            _row(
                f"{se['sends']:,} `send_text` to the emulator, concurrency {se['concurrency']}",
                f"{se['rate']['wacr']:.0f}/s, {se['cpu_us']['wacr']:.0f} us CPU/call",
                f"floor {se['rate']['floor']:.0f}/s, {se['cpu_us']['floor']:.0f} us",
                f"{se['vs_floor']:.2f}x",
                "shown",
                "-",
            )
        )
    ov = res.get("overhead")
    if ov:
        for name, label in (("send", "a send"), ("page", "a 100-contact page")):
            hot, cold = ov[name]["hot"], ov[name]["cold"]
            rows.append(
                _row(
                    f"wacr's own CPU for {label}, network taken out: hot / caches evicted",
                    f"{hot['wacr']:.1f} / {cold['wacr']:.1f} us",
                    f"floor {hot['floor']:.1f} / {cold['floor']:.1f} us",
                    f"{hot['wacr'] - hot['floor']:+.1f} / {cold['wacr'] - cold['floor']:+.1f} us",
                    "shown",
                    "-",
                )
            )
    fl = res.get("fleet")
    if fl:
        rows.append(
            _row(
                f"A fleet of {fl['processes']} processes on one token, shared RedisRateLimiter "
                f"(emulator at {fl['limit']}/min): rate reached / the limit",
                f"{fl['rate']:.1f}/min, {fl['limited']} answered 429",
                f"{fl['limit']}/min",
                f"**{fl['ratio']:.3f}**",
                ">= 0.95, no 429",
                _ok(fl["ratio"] >= 0.95 and fl["limited"] == 0),
            )
        )
        rows.append(
            _row(
                "The shared limiter's added latency per call (acquire() on loopback Redis)",
                f"p50 {fl['acquire_ms_p50']:.3f} ms",
                f"mean {fl['acquire_ms_mean']:.3f} ms, p99 {fl['acquire_ms_p99']:.3f} ms",
                f"**{fl['acquire_ms_p50']:.3f} ms**",
                "<= 0.5 ms",
                _ok(fl["acquire_ms_p50"] <= 0.5),
            )
        )
    return rows


def table(res: dict[str, Any]) -> list[str]:
    rows = [
        _row("Benchmark", "wacr", "Reference", "Result", "Target", "Met"),
        "|---|---|---|---|---|---|",
    ]
    if res.get("throughput"):
        rows += _throughput_rows(res["throughput"])
    if res.get("retry_cost"):
        rows += _retry_cost_rows(res["retry_cost"])
    if res.get("structuring"):
        rows += _structuring_rows(res["structuring"])
    return rows + _other_rows(res)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, noisier)")
    parser.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    args = parser.parse_args()
    only = args.only.split(",") if args.only else SECTIONS
    options = {
        "throughput": ["--rounds", "3"] if args.quick else [],
        "retry_cost": ["--rounds", "3"] if args.quick else [],
        "structuring": ["--rounds", "5"] if args.quick else ["--rounds", "15"],
        "imports": ["--samples", "3"] if args.quick else ["--samples", "11"],
        "coldstart": ["--samples", "3"] if args.quick else ["--samples", "11"],
        "cli_start": ["--samples", "3"] if args.quick else ["--samples", "11"],
        "memory": [],
        "sends": ["--total", "2000"] if args.quick else [],
        "overhead": ["--rounds", "60"] if args.quick else [],
        "fleet": ["--seconds", "5"] if args.quick else [],
    }
    info = machine()
    started = time.perf_counter()
    results: dict[str, Any] = {}
    for name in SECTIONS:
        if name in only:
            results[name] = run_section(name, options[name])
    elapsed = time.perf_counter() - started
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    results["machine"] = info
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(f"Machine: {info}; at the end {load:.2f}. Run took {elapsed:.0f} s.")
    print()
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
