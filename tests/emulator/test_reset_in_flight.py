"""``reset()`` while a request is still being handled (a delayed fault, a body still arriving):
the request is answered 409 EMULATOR_RESET and touches nothing of the new state, in both serving
modes; a client that retries does not send it again into the new state."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.parse
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson
import pytest

import wacr
from wacr.testing import Emulator, Fault

from .conftest import CONTACT
from .test_reset_isolation import MODES, eventually, serving

TEXT = {"phone": "+201000000001", "message": "from before the reset"}
# The writes a test may leave in flight, and how to see that one reached the state.
WRITES: dict[str, tuple[str, dict[str, Any], Callable[[Emulator], object]]] = {
    "send": ("/messages/text", TEXT, lambda emu: [m.text for m in emu.outbox]),
    "create contact": ("/contacts", CONTACT, lambda emu: emu.get_contact(CONTACT["phone"])),
}
DELAYED = {
    "delay": {"delay": 0.4},
    "delay, then a 500 after the work": {"delay": 0.4, "status": 500, "run_handler": True},
    "delay, then the work and a dropped connection": {"delay": 0.4, "drop": "after"},
}
UNREACHABLE = "http://127.0.0.1:9/hooks"  # refused at once: a delivery to it fails fast


def _nothing_reached(emulator: Emulator, seen: Callable[[Emulator], object]) -> None:
    assert emulator.outbox == []
    assert emulator.get_contact(CONTACT["phone"]) is None
    assert emulator.get_contact(TEXT["phone"]) is None
    assert emulator.deliveries == []  # no webhook event from the old request
    assert emulator.received == []
    assert not seen(emulator)


async def _still_fresh_afterwards(emulator: Emulator, session: aiohttp.ClientSession) -> None:
    """The emulator keeps working, and the new state is untouched: the first contact is id 1."""
    headers = {"Authorization": f"Bearer {emulator.token}"}
    async with session.post(emulator.base_url + "/contacts", json=CONTACT, headers=headers) as reply:
        assert reply.status == 201, await reply.text()
        assert (await reply.json())["data"]["id"] == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("fault", list(DELAYED))
async def test_a_delayed_request_does_not_reach_the_state_after_a_reset(
    mode: str, write: str, fault: str
) -> None:
    path, body, seen = WRITES[write]
    async with serving(mode) as emulator, aiohttp.ClientSession() as session:
        emulator.inject(Fault("POST " + path, **DELAYED[fault]))
        headers = {"Authorization": f"Bearer {emulator.token}"}
        sending = asyncio.ensure_future(session.post(emulator.base_url + path, json=body, headers=headers))
        await eventually(lambda: len(emulator.received) == 1, "the request reached the emulator")
        emulator.reset()  # the next test starts while the request is still being handled
        emulator.add_webhook(UNREACHABLE)  # the new test listens: the old request must not feed it
        async with await sending as answer:  # answered, not dropped: a client would send it again
            assert answer.status == 409
            assert (await answer.json())["error"]["code"] == "EMULATOR_RESET"
        _nothing_reached(emulator, seen)
        await _still_fresh_afterwards(emulator, session)


async def _slow_body_request(emulator: Emulator, path: str, body: bytes) -> bytes:
    """Send the headers, wait for the emulator to start on it, reset, then send the body."""
    url = urllib.parse.urlsplit(emulator.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        head = (
            f"POST {url.path}{path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n"
            f"Authorization: Bearer {emulator.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode())
        await writer.drain()
        await eventually(lambda: len(emulator.received) == 1, "the request reached the emulator")
        emulator.reset()
        emulator.add_webhook(UNREACHABLE)
        writer.write(body)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("write", list(WRITES))
async def test_a_request_whose_body_arrives_after_a_reset_does_not_reach_the_state(
    mode: str, write: str
) -> None:
    path, body, seen = WRITES[write]
    async with serving(mode) as emulator, aiohttp.ClientSession() as session:
        answer = await _slow_body_request(emulator, path, orjson.dumps(body))
        assert answer.startswith(b"HTTP/1.1 409 ") and b'"EMULATOR_RESET"' in answer
        _nothing_reached(emulator, seen)
        await _still_fresh_afterwards(emulator, session)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH"])
async def test_a_retrying_client_does_not_send_a_superseded_request_again(mode: str, method: str) -> None:
    # A dropped connection would be retried (wacr retries idempotent methods, aiohttp resends some
    # itself), and the retry would act on the next test's contact 1.
    async with serving(mode) as emulator:
        client = wacr.Client(emulator.token, base_url=emulator.base_url, max_retries=3)
        async with client:
            created = await client.contacts.create(**CONTACT)
            emulator.inject(Fault(f"{method} /contacts/{created.id}", delay=0.4))
            calls = {
                "GET": lambda: client.contacts.get(created.id),
                "DELETE": lambda: client.contacts.delete(created.id),
                "PATCH": lambda: client.contacts.update(created.id, city="Old test"),
            }
            pending = asyncio.ensure_future(calls[method]())
            await eventually(lambda: len(emulator.received) == 2, "the request reached the emulator")
            emulator.reset()
            again = await client.contacts.create(**CONTACT)  # the new test's contact: the same id
            assert again.id == created.id
            with pytest.raises(wacr.ConflictError) as caught:
                await pending
            assert caught.value.code == "EMULATOR_RESET"
            assert [r.method for r in emulator.received] == ["POST"]  # nothing sent again
            contact = emulator.get_contact(again.id)
            assert contact is not None and contact.get("city") != "Old test"
