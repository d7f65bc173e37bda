"""The pytest plugin in real pytest runs (subprocesses): it loads nothing heavy until a fixture runs,
and its fixtures work under pytest-asyncio's strict and auto modes and under anyio's plugin."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What loading the plugin may import of wacr: the package markers, nothing that serves or sends.
LIGHT = ["wacr", "wacr._version", "wacr.testing", "wacr.testing._pytest_client", "wacr.testing.pytest_plugin"]

PROBE = """
import sys

import pytest

HEAVY = ("aiohttp", "multidict", "yarl", "orjson", "wacr._client", "wacr._transport", "wacr.testing._app")


def loaded(prefixes):
    return sorted(m for m in sys.modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_0_loading_the_plugin_imported_nothing_heavy():
    assert loaded(HEAVY) == []
    assert loaded(["wacr"]) == {light!r}


def test_1_a_sync_test_gets_the_emulator(wacr_emulator):
    assert wacr_emulator.base_url.startswith("http://127.0.0.1:")
    assert "wacr.testing._emulator" in sys.modules  # loaded now, by the fixture


{async_tests}
"""

STRICT = """
@pytest.mark.asyncio
async def test_2_strict_client(wacr_client, wacr_emulator):
    sent = await wacr_client.messages.send_text(phone="+201000000009", message="strict")
    assert [(m.text, m.message_id) for m in wacr_emulator.outbox] == [("strict", sent.message_id)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_3_anyio_client(wacr_anyio_client, wacr_emulator):
    assert wacr_emulator.outbox == []  # reset between tests
    sent = await wacr_anyio_client.messages.send_text(phone="+201000000009", message="anyio")
    assert [(m.text, m.message_id) for m in wacr_emulator.outbox] == [("anyio", sent.message_id)]
"""

AUTO = """
async def test_2_auto_client(wacr_client, wacr_emulator):  # no marker: auto mode
    sent = await wacr_client.messages.send_text(phone="+201000000009", message="auto")
    assert [(m.text, m.message_id) for m in wacr_emulator.outbox] == [("auto", sent.message_id)]


async def test_3_auto_again_from_a_clean_state(wacr_client, wacr_emulator):
    assert wacr_emulator.outbox == []
    page = await wacr_client.contacts.list()
    assert page.total == 0
"""


def _run(
    tmp_path: Path, mode: str | None, body: str, light: list[str] = LIGHT
) -> subprocess.CompletedProcess[str]:
    """pytest on a probe file with only wacr's plugin, anyio's and (given a mode) pytest-asyncio's."""
    (tmp_path / "test_probe.py").write_text(PROBE.format(light=light, async_tests=body))
    ini = "[pytest]\nfilterwarnings = error\n"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "wacr.testing.pytest_plugin",
        "-p",
        "anyio.pytest_plugin",
    ]
    if mode is not None:
        ini += "asyncio_default_fixture_loop_scope = function\n"
        command += ["-p", "pytest_asyncio.plugin", "-o", f"asyncio_mode={mode}"]
    (tmp_path / "pytest.ini").write_text(ini)
    # Only the plugins named here load: others (pytest-aiohttp) would import aiohttp themselves.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command += ["-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path)]
    command += ["-v", str(tmp_path)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


@pytest.mark.parametrize(("mode", "body"), [("strict", STRICT), ("auto", AUTO)])
def test_the_fixtures_in_a_real_pytest_run(tmp_path: Path, mode: str, body: str) -> None:
    result = _run(tmp_path, mode, body)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(" PASSED") == 4, result.stdout
    assert f"mode=Mode.{mode.upper()}" in result.stdout, result.stdout


def test_without_pytest_asyncio_wacr_client_says_what_is_missing(tmp_path: Path) -> None:
    body = """
def test_2_needs_pytest_asyncio(wacr_client):
    pass
"""
    without = [m for m in LIGHT if m != "wacr.testing._pytest_client"]
    result = _run(tmp_path, None, body, without)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 passed, 1 error" in result.stdout, result.stdout
    assert "the wacr_client fixture needs pytest-asyncio (pip install pytest-asyncio)" in result.stdout


def test_the_entry_point_is_the_light_module() -> None:
    [entry] = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "wacr"]
    assert entry.value == "wacr.testing.pytest_plugin"
