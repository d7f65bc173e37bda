"""Import cost: ``import aiohttp``, then ``import wacr``, then ``wacr.Client`` (all it needs).

Each sample is a fresh interpreter that times the three steps in order with
``time.perf_counter``. Bytecode is compiled once up front into a private cache
(``PYTHONPYCACHEPREFIX``), as it would be for an installed package, even where
``PYTHONDONTWRITEBYTECODE`` is set. Reported: medians over the samples.

    python bench/imports.py [--samples 15]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from _common import child_env, emit, median

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import aiohttp
t1 = time.perf_counter()
import wacr
t2 = time.perf_counter()
loaded = any(name.startswith("wacr.models._generated.") for name in sys.modules)
wacr.Client
t3 = time.perf_counter()
json.dump({"aiohttp": t1 - t0, "wacr": t2 - t1, "client": t3 - t2, "models_loaded": loaded}, sys.stdout)
"""

_ALONE = r"""
import json, sys, time
t0 = time.perf_counter()
import wacr
t1 = time.perf_counter()
json.dump({"wacr_alone": t1 - t0, "aiohttp_loaded": "aiohttp" in sys.modules}, sys.stdout)
"""


def _run(code: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    _run(_CHILD)  # fills the bytecode cache
    _run(_ALONE)
    samples = [_run(_CHILD) for _ in range(args.samples)]
    alone = [_run(_ALONE) for _ in range(args.samples)]
    res: dict[str, Any] = {
        key: median([s[key] for s in samples]) * 1000 for key in ("aiohttp", "wacr", "client")
    }
    res["wacr_alone"] = median([s["wacr_alone"] for s in alone]) * 1000
    res["models_loaded_by_import_wacr"] = any(s["models_loaded"] for s in samples)
    res["aiohttp_loaded_by_import_wacr"] = alone[0]["aiohttp_loaded"]
    print(
        f"import aiohttp {res['aiohttp']:.1f} ms; then import wacr +{res['wacr']:.1f} ms; "
        f"then wacr.Client +{res['client']:.1f} ms; import wacr alone {res['wacr_alone']:.1f} ms",
        flush=True,
    )
    emit(res)


if __name__ == "__main__":
    main()
