"""Real pytest runs of a small user project, in a subprocess, with wacr's plugin loaded as a user
gets it (plus pytest-asyncio and anyio's plugin, as named), resource warnings as errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    returncode: int
    output: str

    def outcomes(self) -> dict[str, int]:
        """The counts of the summary line: ``{"passed": 3, "error": 1}``."""
        summary = self.output.strip().splitlines()[-1] if self.output.strip() else ""
        return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", summary)}


def run_pytest(
    tmp_path: Path,
    files: Mapping[str, str],
    *,
    ini: Mapping[str, str],
    asyncio: bool = True,
    args: tuple[str, ...] = (),
) -> Run:
    """Write ``files`` and a ``pytest.ini`` with ``ini`` into ``tmp_path`` and run pytest there."""
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    warnings = ["error", "error::ResourceWarning", "error::pytest.PytestUnraisableExceptionWarning"]
    settings = {"filterwarnings": "".join("\n    " + rule for rule in warnings), **ini}
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\n" + "".join(f"{key} = {value}\n" for key, value in settings.items())
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "wacr.testing.pytest_plugin",
        "-p",
        "anyio.pytest_plugin",
    ]
    if asyncio:
        command += ["-p", "pytest_asyncio.plugin"]
    command += ["-p", "no:cacheprovider", "-p", "no:randomly", "-c", str(tmp_path / "pytest.ini")]
    command += ["--rootdir", str(tmp_path), "-q", *args, str(tmp_path)]
    # Only the plugins named here load (pytest-aiohttp would bring its own loop fixtures).
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)
    return Run(done.returncode, done.stdout + done.stderr)
