"""Is there a regression? The throughput ratios of this tree against those of a git revision, in one sitting.

A ratio to the floor (``bench/throughput.py``) moves with the machine: the same code measures
0.94x on one day and 0.88x on another, so a figure in RESULTS.md from an older run says little
about a change made today. This runs the throughput harness of this tree against the ``src/``
of ``REV`` (checked out into a temporary worktree) and against this tree's ``src/``, the two
alternating run by run, and shows each scenario's median ratio for both and their difference:
the regression (or gain) of the working tree over ``REV``, on the same machine, the same day.

The harness calls only public names (``wacr.Client``, ``messages.send_text``,
``contacts.list``, ``wacr.models``), so any revision that has them can be compared.

    python bench/compare.py REV [--runs 3] [--rounds 15] [--only send]
    make bench-compare REV=<rev>
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import BENCH, ROOT, child_env, emit, median, parse_result


def _throughput(src: Path, rounds: int, only: str | None) -> dict[str, Any]:
    """One run of bench/throughput.py with ``src`` as the wacr that is imported."""
    env = child_env(PYTHONPATH=os.pathsep.join([str(src), str(BENCH)]))
    args = [sys.executable, str(BENCH / "throughput.py"), "--rounds", str(rounds)]
    if only:
        args += ["--only", only]
    out = subprocess.run(args, stdout=subprocess.PIPE, text=True, env=env, timeout=900, check=True)
    return parse_result(out.stdout)


def compare(rev: str, runs: int, rounds: int, only: str | None) -> dict[str, Any]:
    """Median vs-floor ratio per scenario for ``rev`` and for the working tree."""
    with tempfile.TemporaryDirectory(prefix="wacr-compare-") as tmp:
        worktree = Path(tmp) / "rev"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(worktree), rev],
            check=True,
        )
        try:
            trees = {rev: worktree / "src", "working tree": ROOT / "src"}
            ratios: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
            for run in range(runs):
                for name, src in trees.items():
                    result = _throughput(src, rounds, only)
                    for key, res in result.items():
                        ratios[name].setdefault(key, []).append(res["vs_floor"])
                    shown = "  ".join(f"{key} {res['vs_floor']:.3f}" for key, res in result.items())
                    print(f"run {run + 1}/{runs}  {name:12s}  {shown}", flush=True)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False
            )
    out: dict[str, Any] = {}
    print(f"\n{'scenario':10s} {rev[:12]:>12s} {'working tree':>13s} {'change':>8s}")
    for key in ratios[rev]:
        before, after = median(ratios[rev][key]), median(ratios["working tree"][key])
        out[key] = {"rev": before, "working": after, "change": after / before - 1}
        print(f"{key:10s} {before:12.3f} {after:13.3f} {after / before - 1:+8.1%}")
    return {"rev": rev, "runs": runs, "scenarios": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the git revision to compare with (a commit, tag or branch)")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each tree")
    parser.add_argument("--rounds", type=int, default=15, help="rounds per throughput run")
    parser.add_argument("--only", help="scenarios whose key contains this (send, page_c50, ...)")
    args = parser.parse_args()
    emit(compare(args.rev, args.runs, args.rounds, args.only))


if __name__ == "__main__":
    main()
