"""The `wacr emulator` entry point, the background-thread mode and the pytest fixture."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

from wacr.testing import Emulator, main, main_async


async def _account(base_url: str, token: str) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.get(base_url + "/account", headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        return response.status


async def test_main_async_serves_until_stopped() -> None:
    stop = asyncio.Event()
    out = io.StringIO()
    task = asyncio.create_task(
        main_async(["--port", "0", "--token", "cli-token", "--rate-limit", "5"], stop=stop, out=out)
    )
    for _ in range(200):
        if out.getvalue().count("\n") >= 3:
            break
        await asyncio.sleep(0.01)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("wacr emulator listening on http://127.0.0.1:")
    base_url = lines[0].rsplit(" ", 1)[1]
    assert base_url.endswith("/api/v2")
    assert lines[1] == "token: cli-token"
    assert lines[2] == "control API: " + base_url.removesuffix("/api/v2") + "/_emulator"
    assert await _account(base_url, "cli-token") == 200
    stop.set()
    assert await task == 0


def test_main_in_a_subprocess() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "wacr.testing", "--port", "0", "--token", "T"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("wacr emulator listening on ")
        assert process.stdout.readline() == "token: T\n"
        base_url = first.split()[-1]
        assert asyncio.run(_account(base_url, "T")) == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_main_reports_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "not-a-number"]) == 2
    assert main(["--rate-limit", "0"]) == 2
    assert main(["--help"]) == 0
    assert "--rate-limit" in capsys.readouterr().out


async def test_main_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    async with Emulator() as emulator:
        port = emulator.base_url.split(":")[2].split("/")[0]
        assert await main_async(["--port", port]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_thread_mode() -> None:
    with Emulator(token="threaded") as emulator:
        assert asyncio.run(_account(emulator.base_url, "threaded")) == 200
        with pytest.raises(RuntimeError):
            emulator.start_in_thread()
    emulator.stop_thread()  # a second stop is harmless


def test_fixture_in_a_sync_test(wacr_emulator: Emulator) -> None:
    assert wacr_emulator.token == "test-token"
    assert wacr_emulator.base_url.startswith("http://127.0.0.1:")
    wacr_emulator.add_token("leftover")
    assert asyncio.run(_account(wacr_emulator.base_url, "leftover")) == 200
    wacr_emulator.inject("GET /account", status=500, times=None)


async def test_fixture_is_reset_between_tests(wacr_emulator: Emulator) -> None:
    assert wacr_emulator.faults == []
    assert await _account(wacr_emulator.base_url, "leftover") == 401
    assert await _account(wacr_emulator.base_url, wacr_emulator.token) == 200
    assert [r.path for r in wacr_emulator.received] == ["/account", "/account"]


async def test_restart_keeps_the_state() -> None:
    emulator = Emulator()
    first = await emulator.start()
    assert await _account(first, emulator.token) == 200
    emulator.add_token("kept")
    await emulator.stop()
    with pytest.raises(RuntimeError):
        emulator.base_url  # noqa: B018
    second = await emulator.start()
    try:
        with pytest.raises(RuntimeError):
            await emulator.start()
        assert await _account(second, "kept") == 200
    finally:
        await emulator.stop()
    await emulator.stop()  # stopping twice is harmless
