"""``WACR_LOG``: in a fresh interpreter (the variable is read when the client is first imported),
against a loopback server started by that interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

TOKEN = "tok_log_9d8c7b6a5f4e3d2c1b0a"
SCRIPT = textwrap.dedent(
    f"""
    import asyncio
    from aiohttp import web
    from aiohttp.test_utils import TestServer
    import wacr

    ok = {{"success": True, "data": {{"secret_body": "b0dy-text"}}}}
    statuses = [200, 503, 200]

    async def handle(request):
        return web.json_response(ok if statuses[0] == 200 else {{"success": False}}, status=statuses.pop(0))

    async def main():
        app = web.Application()
        app.router.add_route("*", "/{{tail:.*}}", handle)
        server = TestServer(app)
        await server.start_server()
        try:
            async with wacr.Client({TOKEN!r}, base_url=str(server.make_url("/api/v2"))) as client:
                await client.request("POST", "/contacts", json={{"phone": "+20100", "note": "b0dy-text"}})
                await client.request("GET", "/contacts", params={{"search": {TOKEN!r}}})
        finally:
            await server.close()

    asyncio.run(main())
    """
)


def _stderr(value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "WACR_LOG"}
    if value is not None:
        env["WACR_LOG"] = value
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.parametrize("value", ["debug", "DEBUG ", "info", "verbose", None])
def test_wacr_log_turns_the_logger_on_without_bodies_or_token(value: str | None) -> None:
    err = _stderr(value)
    level = (value or "").strip().lower()
    lines = [line for line in err.splitlines() if "wacr" in line.lower()]
    debug = [line for line in lines if " DEBUG]" in line]
    info = [line for line in lines if " INFO]" in line]
    warned = [line for line in lines if "WACR_LOG" in line]
    if level == "debug":
        assert len(debug) == 3 and "POST /contacts -> 200" in debug[0]
        assert "GET /contacts -> 503" in debug[1] and "GET /contacts -> 200" in debug[2]
    else:
        assert debug == []
    if level in ("debug", "info"):
        assert len(info) == 1 and "retrying GET /contacts" in info[0]
    else:
        assert info == []
    assert len(warned) == (1 if level == "verbose" else 0)
    assert TOKEN not in err and "b0dy-text" not in err
