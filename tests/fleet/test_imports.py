"""The redis integration is optional: `import wacr` (and its limiter) never loads redis-py, and
`import wacr.redis` without it fails naming the extra that installs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"PYTHONPATH": SRC}
    )


def test_wacr_and_its_limiter_load_no_redis() -> None:
    done = _run(
        "import sys, wacr\n"
        "limiter = wacr.RateLimiter(per_minute=60)\n"
        "wacr.Client('t', base_url='http://127.0.0.1:9/api/v2', rate_limit=limiter)\n"
        "from wacr import webhooks\n"
        "webhooks.Router()\n"
        "print(sorted(m for m in sys.modules if m == 'redis' or m.startswith(('redis.', 'wacr.redis'))))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_wacr_redis_without_redis_py_names_the_extra() -> None:
    # None in sys.modules is how Python spells "this module cannot be imported".
    done = _run("import sys\nsys.modules['redis'] = None\nimport wacr.redis\n")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: wacr.redis needs redis-py"), last
    assert "pip install 'wacr[redis]'" in last
