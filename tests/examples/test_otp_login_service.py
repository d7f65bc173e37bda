"""examples/otp_login_service.py: the login endpoints, in-process and as a running script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

import wacr
from tests.examples.conftest import EXAMPLES, load_example
from wacr.testing import Emulator, Fault

service = load_example("otp_login_service")
PHONE = "+201000000000"
MakeClient = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
async def http(
    wacr_client: wacr.Client, aiohttp_client: MakeClient
) -> TestClient[web.Request, web.Application]:
    return await aiohttp_client(service.create_app(wacr_client))


async def post(http: TestClient[web.Request, web.Application], path: str, body: Any) -> tuple[int, Any, Any]:
    response = await http.post(path, json=body)
    return response.status, await response.json(), response.headers


async def test_login_with_the_right_code_after_a_wrong_one(http: Any, wacr_emulator: Emulator) -> None:
    status, body, _ = await post(http, "/login/start", {"phone": PHONE})
    assert status == 202
    assert body["sent"] is True and body["expires_at"]
    code = wacr_emulator.otp_code(PHONE, purpose="login")
    assert code is not None and len(code) == 6 and code.isdigit()
    assert wacr_emulator.outbox[-1].text == f"{code} is your verification code. It expires in 10 minutes."

    wrong = "000000" if code != "000000" else "111111"
    status, body, _ = await post(http, "/login/verify", {"phone": PHONE, "code": wrong})
    assert (status, body["error"], body["attempts_remaining"]) == (401, "invalid_code", 4)

    status, body, _ = await post(http, "/login/verify", {"phone": PHONE, "code": code})
    assert status == 200
    assert body["verified"] is True and len(body["session"]) >= 32

    status, body, _ = await post(http, "/login/verify", {"phone": PHONE, "code": code})
    assert (status, body["error"]) == (404, "no_active_code")  # a code works once


async def test_expired_and_exhausted_codes_are_410(http: Any, wacr_emulator: Emulator) -> None:
    await post(http, "/login/start", {"phone": PHONE})
    wacr_emulator.clock.advance(11 * 60)
    status, body, _ = await post(http, "/login/verify", {"phone": PHONE, "code": "123456"})
    assert (status, body["error"]) == (410, "code_expired")

    await post(http, "/login/start", {"phone": PHONE})
    code = wacr_emulator.otp_code(PHONE, purpose="login")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        status, body, _ = await post(http, "/login/verify", {"phone": PHONE, "code": wrong})
    assert body["attempts_remaining"] == 0
    status, body, _ = await post(http, "/login/verify", {"phone": PHONE, "code": code})
    assert (status, body["error"]) == (410, "too_many_attempts")


async def test_bad_requests(http: Any, wacr_emulator: Emulator) -> None:
    status, body, _ = await post(http, "/login/start", {"phone": "123"})
    assert (status, body["error"]) == (422, "invalid_request")
    assert body["fields"] == {"phone": ["must be at least 10 characters (got 3)"]}
    status, body, _ = await post(http, "/login/verify", {"phone": PHONE})
    assert (status, body["fields"]) == (422, {"code": ["is required"]})
    response = await http.post("/login/start", data=b"not json")
    assert response.status == 400
    assert wacr_emulator.received == []  # none of these reached the API


async def test_rate_limits_and_upstream_failures(http: Any, wacr_emulator: Emulator) -> None:
    # The fixture's client waits out a Retry-After of up to 5 s; a longer one is passed on.
    wacr_emulator.inject(Fault("POST /auth/verify", status=429, retry_after=30))
    status, body, headers = await post(http, "/login/verify", {"phone": PHONE, "code": "123456"})
    assert (status, body["error"], headers["Retry-After"]) == (429, "rate_limited", "30")

    wacr_emulator.inject(Fault("POST /auth/send-otp", status=502, run_handler=True))
    status, body, _ = await post(http, "/login/start", {"phone": PHONE})
    assert (status, body["error"], body["may_have_been_sent"]) == (502, "upstream_error", True)
    assert len(wacr_emulator.outbox) == 1  # sent once by the server, never retried

    wacr_emulator.opt_out(PHONE)
    status, body, _ = await post(http, "/login/start", {"phone": PHONE})
    assert (status, body["error"]) == (403, "opted_out")


def test_the_script_serves_the_login_flow(wacr_emulator: Emulator) -> None:
    env = {
        "WACR_TOKEN": wacr_emulator.token,
        "WACR_BASE_URL": wacr_emulator.base_url,
        "PYTHONUNBUFFERED": "1",
    }
    with subprocess.Popen(
        [sys.executable, str(EXAMPLES / "otp_login_service.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("WACR_")}, **env},
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("otp login service on http://127.0.0.1:"), line + process.stderr.read()
            url = line.split()[4]

            assert _post(url + "/login/start", {"phone": PHONE}) == (202, True)
            code = wacr_emulator.otp_code(PHONE, purpose="login")
            assert _post(url + "/login/verify", {"phone": PHONE, "code": code}) == (200, True)
        finally:
            process.terminate()
            assert process.wait(10) == 0


def _post(url: str, body: Any) -> tuple[int, bool]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
        return response.status, bool(answer.get("sent") or answer.get("verified"))
