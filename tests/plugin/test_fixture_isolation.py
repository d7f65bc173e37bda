"""``wacr_emulator``'s promise in real pytest runs: "the next test gets a fresh state", even when
the previous test left a request in flight, a webhook sender running or its own clock installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._runs import run_pytest

LEFTOVERS = r'''
import asyncio
import socket
import threading
import time
import urllib.parse
from datetime import datetime, timezone

import orjson
import pytest
from aiohttp import web

from wacr.testing import Clock

LEFT = {}  # what a test leaves behind for the next one


async def eventually(check, what):  # a liveness bound, not a timing assertion
    for _ in range(2000):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(what)


# --- a request in flight ----------------------------------------------------------------------
def test_a_leaves_a_request_in_flight(wacr_emulator):
    url = urllib.parse.urlsplit(wacr_emulator.base_url)
    connection = socket.create_connection((url.hostname, url.port), timeout=10)
    body = orjson.dumps({"phone": "+201000000001", "message": "from test A"})
    connection.sendall(
        f"POST {url.path}/messages/text HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n"
        f"Authorization: Bearer {wacr_emulator.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    for _ in range(2000):  # a liveness bound: until the emulator has begun on it
        if wacr_emulator.received:
            break
        time.sleep(0.005)
    assert len(wacr_emulator.received) == 1
    LEFT["request"] = (connection, body)  # the test ends with the emulator waiting for the body


def test_b_is_not_reached_by_it(wacr_emulator):
    connection, body = LEFT.pop("request")
    with connection:
        connection.sendall(body)  # A's request completes only now, after B's reset
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    # Answered, not dropped: it belongs to a state that is gone, and nothing sends it again.
    assert answer.startswith(b"HTTP/1.1 409 ") and b'"EMULATOR_RESET"' in answer
    assert wacr_emulator.outbox == []
    assert wacr_emulator.get_contact("+201000000001") is None


async def test_c_a_delayed_fault_left_running(wacr_client, wacr_emulator):
    import wacr

    wacr_emulator.inject("POST /contacts", delay=0.3)
    with pytest.raises(wacr.APITimeoutError):
        await wacr_client.contacts.create(
            firstname="A", lastname="A", phone="+919876543210", type="lead", source_id=1, status_id=1,
            timeout=0.05, max_retries=0,
        )
    LEFT["delayed"] = True


async def test_d_does_not_get_its_contact(wacr_client, wacr_emulator):
    assert LEFT["delayed"]
    wacr_emulator.add_webhook("http://127.0.0.1:9/hooks")
    # Let C's delayed handler wake (0.3 s after C's request): before the fix it then made its
    # contact here, as id 1, and fed this test's webhook. A wait, not a timing assertion.
    await asyncio.sleep(0.4)
    contact = await wacr_client.contacts.create(
        firstname="D", lastname="D", phone="+919876543211", type="lead", source_id=1, status_id=1
    )
    assert contact.id == 1
    assert wacr_emulator.get_contact("+919876543210") is None
    assert [d.event_type for d in wacr_emulator.deliveries] == ["contact.created"]  # only D's


# --- a webhook sender still running -----------------------------------------------------------
@pytest.fixture(scope="module")
def receiver():
    """A receiver that outlives the tests (a service started once): /hang answers only at the end."""
    loop = asyncio.new_event_loop()
    release = asyncio.Event()
    started = {"hangs": 0}

    async def hang(request):
        started["hangs"] += 1
        await release.wait()
        return web.Response()

    async def ok(request):
        return web.Response()

    app = web.Application()
    app.router.add_post("/hang", hang)
    app.router.add_post("/ok", ok)
    runner = web.AppRunner(app)
    ready = threading.Event()

    def run():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        started["url"] = "http://127.0.0.1:%d" % runner.addresses[0][1]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield started
    loop.call_soon_threadsafe(release.set)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)


async def test_e_leaves_a_delivery_hanging(wacr_client, wacr_emulator, receiver):
    started = receiver
    wacr_emulator.add_webhook(started["url"] + "/hang")
    await wacr_client.sources.create(name="from E")
    await wacr_client.sources.create(name="queued behind it")
    await eventually(lambda: started.get("hangs") == 1, "the delivery reached the receiver")


async def test_f_flushes_only_its_own(wacr_client, wacr_emulator, receiver):
    started = receiver
    wacr_emulator.add_webhook(started["url"] + "/ok")
    await wacr_client.sources.create(name="from F")
    await wacr_emulator.flush_webhooks(timeout=5)  # E's sender would hold this for 3 x 5 s
    assert [(d.url.rsplit("/", 1)[1], d.state) for d in wacr_emulator.deliveries] == [("ok", "delivered")]
    assert started["hangs"] == 1  # E's queued delivery was never sent


# --- a clock of its own -----------------------------------------------------------------------
def test_g_installs_a_frozen_clock(wacr_emulator):
    wacr_emulator.clock = Clock(datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert wacr_emulator.clock.now().year == 2020


def test_h_gets_the_emulators_clock(wacr_emulator):
    clock = wacr_emulator.clock
    assert not clock.frozen, repr(clock)
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 60
'''


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_what_a_test_leaves_behind_does_not_reach_the_next(tmp_path: Path, mode: str) -> None:
    leftovers = LEFTOVERS
    if mode == "strict":  # where every async test carries the marker
        leftovers = leftovers.replace("\nasync def test_", "\n@pytest.mark.asyncio\nasync def test_")
    files = {"test_leftovers.py": leftovers}
    ini = {"asyncio_mode": mode, "asyncio_default_fixture_loop_scope": "function"}
    run = run_pytest(tmp_path, files, ini=ini)
    assert run.returncode == 0, run.output
    assert run.outcomes() == {"passed": 8}, run.output
