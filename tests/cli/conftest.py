"""Helpers for the CLI tests: run ``wacr`` against the emulator, as a subprocess or in-process.

The subprocess runs are the real thing (``python -m wacr``: start-up, exit status, stdout and
stderr); the in-process runs call :func:`wacr.cli.main` with the same arguments to cover every
command quickly. Both talk to the ``wacr_emulator`` fixture over loopback HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from wacr.cli import main
from wacr.testing import Emulator


@dataclass
class Result:
    """The outcome of one ``wacr`` run."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return orjson.loads(self.out)

    def assert_one_line_error(self, code: int, *fragments: str) -> str:
        """Exit ``code``, nothing on stdout, one ``error: ...`` line on stderr holding ``fragments``."""
        assert self.code == code, (self.code, self.out, self.err)
        assert self.out == ""
        assert "Traceback" not in self.err
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("error: ")
        for fragment in fragments:
            assert fragment in lines[0]
        return lines[0]


def environment(emulator: Emulator | None, **extra: str) -> dict[str, str]:
    """The environment of a run: no inherited WACR_*; the emulator's token and URL when given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WACR_")}
    env.update(PYTHONUNBUFFERED="1", NO_COLOR="1", COLUMNS="200")
    if emulator is not None:
        env.update(WACR_TOKEN=emulator.token, WACR_BASE_URL=emulator.base_url)
    env.update(extra)
    return env


def start_wacr(
    *args: str, emulator: Emulator | None = None, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start ``python -m wacr ARGS``; :func:`finish` collects it (start several to overlap them)."""
    return subprocess.Popen(
        [sys.executable, "-m", "wacr", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(emulator, **(env or {})),
    )


def finish(process: subprocess.Popen[str]) -> Result:
    """Wait for a run started by :func:`start_wacr`."""
    with process:
        out, err = process.communicate(timeout=60)
    return Result(process.returncode, out, err)


def run_wacr(*args: str, emulator: Emulator | None = None, env: Mapping[str, str] | None = None) -> Result:
    """``python -m wacr ARGS`` as a subprocess."""
    return finish(start_wacr(*args, emulator=emulator, env=env))


@pytest.fixture
def wacr_cli(
    wacr_emulator: Emulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run :func:`wacr.cli.main` in-process against the emulator: ``wacr_cli("account")``."""
    monkeypatch.setenv("WACR_TOKEN", wacr_emulator.token)
    monkeypatch.setenv("WACR_BASE_URL", wacr_emulator.base_url)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COLUMNS", raising=False)
    capsys.readouterr()

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
