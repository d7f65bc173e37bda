"""Webhooks under bad input: ``parse_event`` on arbitrary bytes, and the aiohttp receiver.

``parse_event`` ends in a model or ``WebhookError``, whatever it is given. The receiver answers
every bad request (oversized, not JSON, another content type, a bad or missing signature...)
with a 4xx, never a 5xx, and runs no handler for it.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wacr import WebhookError, webhooks

EVENT: dict[str, Any] = {
    "event": {
        "id": "evt_1767225600_a1b2c3",
        "type": "contact.created",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "version": "1.0",
    },
    "tenant": {"id": 1, "name": "Acme Ltd", "domain": "acme"},
    "data": {
        "resource": {
            "type": "contact",
            "id": 7,
            "attributes": {"firstname": "Jane", "phone": "+15551234567"},
        },
        "relationships": {},
    },
    "changes": {"previous": None, "current": {"firstname": "Jane"}, "modified_fields": None},
    "metadata": {"source": "api_webhook_manager", "request_id": "00000000-0000-0000-0000-000000000000"},
}
EVENT_TYPES = [*webhooks.EVENT_TYPES, "contact.merged", "", "*"]
SECRET = "whsec_reliability"

JSON: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)
PATHS = [
    (),
    ("event",),
    ("event", "id"),
    ("event", "type"),
    ("event", "timestamp"),
    ("tenant",),
    ("tenant", "id"),
    ("data",),
    ("data", "resource"),
    ("data", "resource", "id"),
    ("data", "resource", "attributes"),
    ("data", "relationships"),
    ("changes",),
    ("changes", "modified_fields"),
    ("metadata",),
]


@st.composite
def mutated_events(draw: st.DrawFn) -> dict[str, Any] | Any:
    """The documented event shape with some parts replaced by other JSON, or removed."""
    body: Any = copy.deepcopy(EVENT)
    body["event"]["type"] = draw(st.sampled_from(EVENT_TYPES))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(PATHS))
        if not path:
            return draw(JSON)
        parent = body
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            if draw(st.booleans()):
                parent[path[-1]] = draw(JSON)
            else:
                parent.pop(path[-1], None)
    return body


#: Raw bytes, text, and JSON near (or at) the documented event shape.
BODIES: st.SearchStrategy[bytes] = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda text: text.encode("utf-8", "surrogatepass")),
    mutated_events().map(orjson.dumps),
)


# -- parse_event ------------------------------------------------------------------------------------


def test_parse_event_ends_in_a_model_or_webhook_error() -> None:
    outcomes = {"model": 0, "error": 0}

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=BODIES)
    def run(body: bytes) -> None:
        try:
            payload = webhooks.parse_event(body)
        except WebhookError as error:
            assert str(error)  # says what is wrong
            outcomes["error"] += 1
            return
        outcomes["model"] += 1
        assert isinstance(payload, webhooks.WebhookPayload)
        decoded = orjson.loads(body)
        assert payload.event.type == decoded["event"]["type"]
        assert type(payload) is webhooks.EVENT_TYPES.get(payload.event.type, webhooks.WebhookPayload)
        # The same body as text and as an already decoded mapping parses the same.
        assert webhooks.parse_event(body.decode()) == payload == webhooks.parse_event(decoded)

    run()
    assert outcomes["model"] > 0 and outcomes["error"] > 0, outcomes


def test_with_a_secret_only_the_right_signature_gets_through() -> None:
    outcomes = {"refused": 0, "through": 0}

    @settings(max_examples=100, deadline=None, database=None)
    @given(body=BODIES, signature=st.one_of(st.none(), st.text(max_size=80), st.just("right")))
    def run(body: bytes, signature: str | None) -> None:
        right = signature == "right"
        if right:
            signature = webhooks.sign(body, SECRET)
        try:
            webhooks.parse_event(body, secret=SECRET, signature=signature)
        except webhooks.WebhookSignatureError:
            assert not right
            outcomes["refused"] += 1
            return
        except WebhookError:
            pass
        assert right
        outcomes["through"] += 1

    run()
    assert outcomes["refused"] > 0 and outcomes["through"] > 0, outcomes


def test_the_documented_shape_parses() -> None:
    """The base the mutations start from is a valid event (else the property proves little)."""
    payload = webhooks.parse_event(orjson.dumps(EVENT))
    assert isinstance(payload, webhooks.EVENT_TYPES["contact.created"])


# -- the receiver -----------------------------------------------------------------------------------


class Receiver:
    """A router served over loopback, recording every event its handler is given."""

    def __init__(self, router: webhooks.Router) -> None:
        self.router = router
        self.handled: list[webhooks.WebhookPayload] = []
        self.server: TestServer | None = None
        self.session: ClientSession | None = None

        @router.on("*")
        async def record(event: webhooks.WebhookPayload) -> None:
            self.handled.append(event)

    async def post(self, body: Any, headers: dict[str, str] | None = None, method: str = "POST") -> int:
        assert self.server is not None and self.session is not None
        url = self.server.make_url("/hooks/wacr")
        async with self.session.request(method, url, data=body, headers=headers) as response:
            await response.read()
            status = response.status
        await self.router.drain(5)
        return status


async def _serve(router: webhooks.Router) -> Receiver:
    receiver = Receiver(router)
    app = web.Application(client_max_size=256 * 1024)
    router.setup(app, "/hooks/wacr")
    receiver.server = TestServer(app, host="127.0.0.1")
    await receiver.server.start_server()
    receiver.session = ClientSession()
    return receiver


async def _close(receiver: Receiver) -> None:
    assert receiver.server is not None and receiver.session is not None
    await receiver.session.close()
    await receiver.server.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    served = await _serve(webhooks.Router(max_body_size=64 * 1024))
    yield served
    await _close(served)


@pytest.fixture
async def signed_receiver() -> AsyncIterator[Receiver]:
    served = await _serve(webhooks.Router(secret=SECRET))
    yield served
    await _close(served)


async def _chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 8192):
        yield b" " * 8192


JSON_TYPE = {"Content-Type": "application/json"}
GOOD = orjson.dumps(EVENT)

BAD_REQUESTS: dict[str, tuple[Any, dict[str, str], int]] = {
    # name: (body, headers, expected status)
    "oversized, with Content-Length": (b" " * (65 * 1024) + GOOD, JSON_TYPE, 413),
    "oversized, chunked (no Content-Length)": ("chunks", JSON_TYPE, 413),
    "over the app's client_max_size": (b" " * (300 * 1024) + GOOD, JSON_TYPE, 413),
    "malformed JSON": (GOOD[:-7], JSON_TYPE, 400),
    "empty body": (b"", JSON_TYPE, 400),
    "not UTF-8": (b"\xff\xfe{\x00}", JSON_TYPE, 400),
    "JSON but not an object": (b"[1, 2, 3]", JSON_TYPE, 400),
    "an event with a field of the wrong type": (
        orjson.dumps({**EVENT, "event": {**EVENT["event"], "id": {"nested": True}}}),
        JSON_TYPE,
        400,
    ),
    "form-encoded (wrong content type)": (
        b"event=contact.created&id=7",
        {"Content-Type": "application/x-www-form-urlencoded"},
        400,
    ),
    "multipart (wrong content type)": (
        b'--b\r\nContent-Disposition: form-data; name="event"\r\n\r\ncontact.created\r\n--b--\r\n',
        {"Content-Type": "multipart/form-data; boundary=b"},
        400,
    ),
    "an image (wrong content type)": (b"\x89PNG\r\n\x1a\n" + bytes(64), {"Content-Type": "image/png"}, 400),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
async def test_bad_requests_get_a_4xx_and_run_no_handler(name: str, receiver: Receiver) -> None:
    body, headers, expected = BAD_REQUESTS[name]
    data = _chunks(96 * 1024) if body == "chunks" else body
    assert await receiver.post(data, headers) == expected
    assert receiver.handled == []
    assert await receiver.post(GOOD, JSON_TYPE) == 200  # the receiver still works afterwards
    assert [e.event.id for e in receiver.handled] == [EVENT["event"]["id"]]


async def test_other_methods_get_405(receiver: Receiver) -> None:
    for method in ("GET", "PUT", "DELETE"):
        assert await receiver.post(GOOD, JSON_TYPE, method=method) == 405
    assert receiver.handled == []


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha256=" + "0" * 64, "not-hex", webhooks.sign(GOOD, "another secret")],
)
async def test_a_bad_or_missing_signature_gets_401_and_runs_no_handler(
    signature: str | None, signed_receiver: Receiver
) -> None:
    headers = dict(JSON_TYPE)
    if signature is not None:
        headers["X-Signature"] = signature
    assert await signed_receiver.post(GOOD, headers) == 401
    assert signed_receiver.handled == []
    headers["X-Signature"] = webhooks.sign(GOOD, SECRET)
    assert await signed_receiver.post(GOOD, headers) == 200
    assert len(signed_receiver.handled) == 1


def test_any_body_gets_200_or_400_and_handlers_run_only_for_200(own_loop: asyncio.AbstractEventLoop) -> None:
    loop = own_loop
    served = loop.run_until_complete(_serve(webhooks.Router()))
    content_types = st.sampled_from(["application/json", "text/plain", "application/octet-stream", ""])

    delivered: set[str] = set()  # event ids already dispatched: a repeat is answered, not handled
    statuses: list[int] = []

    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=BODIES, content_type=content_types)
    def run(body: bytes, content_type: str) -> None:
        served.handled.clear()
        headers = {"Content-Type": content_type} if content_type else {}
        status = loop.run_until_complete(served.post(body, headers))
        statuses.append(status)
        try:
            expected = webhooks.parse_event(body)
        except WebhookError:
            assert status == 400
            assert served.handled == []
            return
        assert status == 200
        assert served.handled == ([] if expected.event.id in delivered else [expected])
        delivered.add(expected.event.id)

    try:
        run()
    finally:
        loop.run_until_complete(_close(served))
    assert {200, 400} <= set(statuses), statuses
