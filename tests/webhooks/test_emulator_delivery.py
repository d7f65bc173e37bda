"""The emulator delivers the nine events to registered URLs, as the Webhook Format Reference shows them."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import socket
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import wacr
from wacr import webhooks
from wacr.testing import Clock, Emulator

T0 = datetime(2026, 1, 1, 8, 0, 0, tzinfo=timezone.utc)
STAMP = "2026-01-01T08:00:00.000Z"
EVENT_ID = re.compile(r"evt_1767254400_[A-Za-z0-9]{10}")  # 1767254400 is T0
CONTACT = {"firstname": "Jane", "lastname": "Doe", "type": "lead", "source_id": 1, "status_id": 1}


class Receiver:
    """A webhook endpoint on loopback that records what it gets and answers `statuses` first."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.gate: asyncio.Event | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.gate is not None:
            await self.gate.wait()
        self.requests.append((dict(request.headers), body))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [orjson.loads(body) for _, body in self.requests]

    def types(self) -> list[str]:
        return [event["event"]["type"] for event in self.events]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    async with TestServer(app) as server:
        rec.url = str(server.make_url("/hook"))
        yield rec


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(clock=Clock(T0)) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(emu.token, base_url=emu.base_url) as sdk:
        yield sdk


async def new_contact(
    client: wacr.Client, phone: str = "+201000000001", **fields: Any
) -> wacr.models.Contact:
    return await client.contacts.create(**{**CONTACT, "phone": phone, **fields})


async def test_contact_create_update_delete_payloads(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_webhook(receiver.url)
    contact = await new_contact(client, city=None)
    updated = await client.contacts.update(contact.id, status_id=2, city="Cairo")
    await client.contacts.update(contact.id, city="Cairo")  # nothing changes: no event
    deleted = await client.contacts.delete(contact.id)
    await emu.flush_webhooks()

    assert receiver.types() == ["contact.created", "contact.updated", "contact.deleted"]
    created_event, updated_event, deleted_event = receiver.events
    state = emu.get_contact(contact.id)
    assert state is None  # deleted

    for event in receiver.events:
        assert EVENT_ID.fullmatch(event["event"]["id"])
        assert event["event"]["timestamp"] == STAMP
        assert event["event"]["version"] == "1.0"
        assert event["tenant"] == {"id": 1, "name": "Acme Ltd", "domain": "acme"}
        assert event["data"]["resource"]["type"] == "contact"
        assert event["data"]["resource"]["id"] == contact.id
        assert event["metadata"]["source"] == "api_webhook_manager"
        assert event["metadata"]["environment"] == "emulator"
    assert len({event["event"]["id"] for event in receiver.events}) == 3

    # created: the new record; previous and modified_fields null.
    attributes = created_event["data"]["resource"]["attributes"]
    assert "id" not in attributes
    assert attributes["firstname"] == "Jane" and attributes["phone"] == "+201000000001"
    assert attributes["status_id"] == 1 and attributes["city"] is None
    assert created_event["data"]["relationships"] == {
        "source": {"id": 1, "name": "Website"},
        "status": {"id": 1, "name": "New Lead", "color": "#25D366"},
    }
    assert created_event["changes"] == {"previous": None, "current": attributes, "modified_fields": None}
    assert contact.response is not None
    assert created_event["metadata"]["request_id"] == contact.response.request_id

    # updated: old and new values of the changed fields only.
    assert updated_event["changes"] == {
        "previous": {"status_id": 1, "city": None},
        "current": {"status_id": 2, "city": "Cairo"},
        "modified_fields": ["status_id", "city"],
    }
    assert updated_event["data"]["resource"]["attributes"]["city"] == "Cairo"
    assert updated_event["data"]["relationships"]["status"]["name"] == "Qualified"
    assert updated.response is not None
    assert updated_event["metadata"]["request_id"] == updated.response.request_id

    # deleted: previous is the last state, current empty.
    last = deleted_event["data"]["resource"]["attributes"]
    assert last["status_id"] == 2 and last["city"] == "Cairo"
    assert deleted_event["changes"] == {"previous": last, "current": {}, "modified_fields": None}
    assert deleted.response is not None
    assert deleted_event["metadata"]["request_id"] == deleted.response.request_id

    # The SDK reads what the emulator sends.
    classes = [type(webhooks.parse_event(body)) for _, body in receiver.requests]
    assert classes == [
        webhooks.ContactCreatedEvent,
        webhooks.ContactUpdatedEvent,
        webhooks.ContactDeletedEvent,
    ]


async def test_all_nine_events_fire_and_parse_into_their_classes(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_webhook(receiver.url)
    source = await client.sources.create(name="Trade fair")
    await client.sources.update(source.id, name="Trade fair 2026")
    status = await client.statuses.create(name="VIP", color="#112233")
    await client.statuses.update(status.id, name="VIP", color="#445566")
    contact = await new_contact(client, source_id=source.id, status_id=status.id)
    await client.contacts.update(contact.id, lastname="Roe")
    await client.contacts.delete(contact.id)
    await client.sources.delete(source.id)
    await client.statuses.delete(status.id)
    await emu.flush_webhooks()

    assert sorted(receiver.types()) == sorted(webhooks.EVENT_TYPES)
    for _, body in receiver.requests:
        event = webhooks.parse_event(body)
        assert type(event) is webhooks.EVENT_TYPES[event.event.type]
        assert event.data.resource.type == event.event.type.split(".")[0]
    by_type = {event["event"]["type"]: event for event in receiver.events}
    assert by_type["source.updated"]["changes"] == {
        "previous": {"name": "Trade fair"},
        "current": {"name": "Trade fair 2026"},
        "modified_fields": ["name"],
    }
    assert by_type["status.updated"]["changes"]["modified_fields"] == ["color"]
    assert by_type["status.created"]["data"]["resource"]["attributes"]["color"] == "#112233"
    assert by_type["status.deleted"]["changes"]["previous"]["color"] == "#445566"
    assert by_type["source.deleted"]["data"]["relationships"] == {}


async def test_batch_calls_fire_one_event_per_contact_and_a_rolled_back_batch_none(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_webhook(receiver.url)
    batch = [{**CONTACT, "phone": f"+20100000010{n}"} for n in range(3)]
    result = await client.contacts.batch_create(batch)
    assert result.created is not None
    ids = [c.id for c in result.created]
    # The second item repeats the first one's phone: the whole batch is rolled back.
    rolled_back = [{**CONTACT, "phone": "+201000000200"}, {**CONTACT, "phone": "+201000000200"}]
    undone = await client.contacts.batch_create(rolled_back, options={"continue_on_error": False})
    assert undone.summary is not None and undone.summary.failed == 1 and undone.created == []
    await client.contacts.batch_delete(ids[:2])
    await emu.flush_webhooks()

    assert receiver.types() == ["contact.created"] * 3 + ["contact.deleted"] * 2
    assert [e["data"]["resource"]["id"] for e in receiver.events] == ids + ids[:2]


async def test_contacts_created_by_sends_and_otps_fire_contact_created(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_webhook(receiver.url)
    sent = await client.messages.send_text(phone="+201000000301", message="Hi")
    await client.messages.send_text(phone="+201000000301", message="Again")  # known now: no event
    await client.auth.send_otp(phone="+201000000302", template_name="otp_verification", code="123456")
    await emu.flush_webhooks()

    assert receiver.types() == ["contact.created", "contact.created"]
    first, second = receiver.events
    assert first["data"]["resource"]["id"] == sent.contact_id
    assert first["data"]["resource"]["attributes"]["phone"] == "201000000301"
    assert second["data"]["resource"]["attributes"]["phone"] == "201000000302"


async def test_group_membership_changes_are_contact_updates(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    contact = await new_contact(client)
    group = await client.groups.create(name="VIP")
    emu.add_webhook(receiver.url)
    await client.groups.add_contacts(group.id, contact_ids=[contact.id])
    await client.groups.remove_contacts(group.id, contact_ids=[contact.id])
    await emu.flush_webhooks()

    assert [e["changes"] for e in receiver.events] == [
        {"previous": {"group_id": []}, "current": {"group_id": [group.id]}, "modified_fields": ["group_id"]},
        {"previous": {"group_id": [group.id]}, "current": {"group_id": []}, "modified_fields": ["group_id"]},
    ]


async def test_deliveries_are_signed_when_a_secret_is_registered(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_webhook(receiver.url, secret="s3cret")
    emu.add_webhook(receiver.url)  # the same URL, unsigned
    await new_contact(client)
    await emu.flush_webhooks()

    (signed_headers, signed_body), (plain_headers, plain_body) = sorted(
        receiver.requests, key=lambda r: "X-Signature" not in r[0]
    )
    expected = "sha256=" + hmac.new(b"s3cret", signed_body, hashlib.sha256).hexdigest()
    assert signed_headers["X-Signature"] == expected
    assert signed_headers["Content-Type"] == "application/json"
    assert webhooks.verify_signature(signed_body, signed_headers["X-Signature"], "s3cret")
    assert "X-Signature" not in plain_headers
    assert signed_body == plain_body


async def test_event_patterns_and_tenants_select_deliveries(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_token("tenant-2", tenant_id=2)
    sources_only = emu.add_webhook(receiver.url + "?hook=sources", events=["source.*", "*.deleted"])
    tenant_2 = emu.add_webhook(receiver.url + "?hook=tenant2", tenant_id=2)
    contact = await new_contact(client)
    source = await client.sources.create(name="Fair")
    await client.contacts.delete(contact.id)
    async with wacr.Client("tenant-2", base_url=emu.base_url) as other:
        [defaults] = [t["defaults"] for t in emu.snapshot()["tenants"] if t["id"] == 2]
        await new_contact(other, source_id=defaults["source_id"], status_id=defaults["status_id"])
    await emu.flush_webhooks()

    delivered = {(d.webhook_id, d.event_type) for d in emu.deliveries}
    assert delivered == {
        (sources_only.id, "source.created"),
        (sources_only.id, "contact.deleted"),
        (tenant_2.id, "contact.created"),
    }
    tenant_2_event = next(e for e in receiver.events if e["tenant"]["id"] == 2)
    assert tenant_2_event["tenant"]["domain"] == "tenant2"
    [source_event] = [e for e in receiver.events if e["event"]["type"] == "source.created"]
    assert source_event["data"]["resource"]["id"] == source.id


async def test_failed_deliveries_are_retried_a_few_times(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    hook = emu.add_webhook(receiver.url)
    receiver.statuses = [500, 503]  # then 200
    await new_contact(client, phone="+201000000401")
    await emu.flush_webhooks()
    [delivery] = emu.deliveries
    assert (delivery.state, delivery.attempts, delivery.status, delivery.error) == ("delivered", 3, 200, None)
    assert len(receiver.requests) == 3 and len({body for _, body in receiver.requests}) == 1  # same body

    receiver.statuses = [500, 500, 500, 500]
    await new_contact(client, phone="+201000000402")
    await emu.flush_webhooks()
    last = emu.deliveries[-1]
    assert (last.state, last.attempts, last.status) == ("failed", 3, 500)

    receiver.statuses = [400]  # a final answer: not retried
    await new_contact(client, phone="+201000000403")
    await emu.flush_webhooks()
    last = emu.deliveries[-1]
    assert (last.state, last.attempts, last.error) == ("failed", 1, "HTTP 400")

    emu.remove_webhook(hook.id)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    emu.add_webhook(f"http://127.0.0.1:{port}/hook")
    await new_contact(client, phone="+201000000404")
    await emu.flush_webhooks()
    down = emu.deliveries[-1]
    assert (down.state, down.attempts, down.status) == ("failed", 3, None)
    assert down.error and "Connect" in down.error


async def test_deliveries_never_hold_up_the_api_and_keep_their_order(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    emu.add_webhook(receiver.url)
    receiver.gate = asyncio.Event()  # the receiver hangs until released
    contacts = [await new_contact(client, phone=f"+20100000050{n}") for n in range(5)]
    assert receiver.requests == []  # every API call returned while the first delivery hangs
    assert {d.state for d in emu.deliveries} == {"pending"}
    receiver.gate.set()
    await emu.flush_webhooks()
    assert [e["data"]["resource"]["id"] for e in receiver.events] == [c.id for c in contacts]
    assert {d.state for d in emu.deliveries} == {"delivered"}


async def test_flush_times_out_and_stop_cancels_what_is_left(receiver: Receiver) -> None:
    emulator = Emulator(clock=Clock(T0))
    await emulator.start()
    try:
        emulator.add_webhook(receiver.url)
        receiver.gate = asyncio.Event()
        async with wacr.Client(emulator.token, base_url=emulator.base_url) as sdk:
            await new_contact(sdk)
        with pytest.raises(asyncio.TimeoutError):
            await emulator.flush_webhooks(timeout=0.05)
    finally:
        await emulator.stop()
    assert [d.state for d in emulator.deliveries] == ["cancelled"]
    receiver.gate.set()


async def test_nothing_is_recorded_without_webhooks_and_reset_forgets_them(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    await new_contact(client, phone="+201000000601")
    hook = emu.add_webhook(receiver.url)
    assert emu.webhooks == [hook]
    await new_contact(client, phone="+201000000602")
    await emu.flush_webhooks()
    assert [e["data"]["resource"]["attributes"]["phone"] for e in receiver.events] == ["+201000000602"]

    emu.reset()
    assert emu.webhooks == [] and emu.deliveries == []
    await new_contact(client, phone="+201000000603")
    await emu.flush_webhooks()
    assert len(receiver.requests) == 1


async def test_registration_is_validated(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="http"):
        emu.add_webhook("ftp://example.com/hook")
    with pytest.raises(ValueError, match="secret"):
        emu.add_webhook("http://127.0.0.1/hook", secret="")
    with pytest.raises(ValueError, match="events"):
        emu.add_webhook("http://127.0.0.1/hook", events=[])
    with pytest.raises(KeyError):
        emu.add_webhook("http://127.0.0.1/hook", tenant_id=99)
    with pytest.raises(KeyError):
        emu.remove_webhook(12345)


async def test_the_control_api_registers_lists_flushes_and_removes(
    emu: Emulator, client: wacr.Client, receiver: Receiver
) -> None:
    root = emu.base_url.removesuffix("/api/v2") + "/_emulator/webhooks"
    async with aiohttp.ClientSession() as http:
        async with http.post(
            root, json={"url": receiver.url, "secret": "s3cret", "events": ["contact.*"]}
        ) as r:
            assert r.status == 201
            hook = (await r.json())["webhook"]
        assert hook == {
            "id": hook["id"],
            "url": receiver.url,
            "tenant_id": 1,
            "events": ["contact.*"],
            "signed": True,  # the secret itself is never echoed
        }
        async with http.get(root) as r:
            assert (await r.json())["webhooks"] == [hook]

        await new_contact(client)
        await client.sources.create(name="Not delivered")
        async with http.post(root + "/flush", json={"timeout": 5}) as r:
            assert r.status == 200
            [delivery] = (await r.json())["deliveries"]
        assert delivery["state"] == "delivered" and delivery["attempts"] == 1 and delivery["status"] == 200
        assert delivery["event_type"] == "contact.created"
        assert delivery["payload"]["event"]["id"] == delivery["event_id"]
        assert receiver.requests[0][0]["X-Signature"].startswith("sha256=")
        async with http.get(root + "/deliveries") as r:
            assert (await r.json())["deliveries"] == [delivery]

        async with http.post(root, json={"url": "not a url"}) as r:
            assert r.status == 400
        async with http.post(root, data=b"[]") as r:
            assert r.status == 400
        async with http.delete(f"{root}/{hook['id'] + 100}") as r:
            assert r.status == 404
        async with http.delete(f"{root}/{hook['id']}") as r:
            assert r.status == 200
        assert emu.webhooks == []
        emu.add_webhook(receiver.url)
        async with http.delete(root) as r:
            assert r.status == 200
        assert emu.webhooks == []


async def test_deliveries_work_when_the_emulator_runs_in_a_thread(receiver: Receiver) -> None:
    emulator = Emulator()
    base_url = emulator.start_in_thread()
    try:
        emulator.add_webhook(receiver.url, secret="s3cret")
        router = webhooks.Router(secret="s3cret")
        got: list[webhooks.WebhookPayload] = []

        @router.on("contact.*")
        async def record(event: webhooks.WebhookPayload) -> None:
            got.append(event)

        app = web.Application()
        router.setup(app, "/hooks")
        async with TestServer(app) as server, wacr.Client(emulator.token, base_url=base_url) as sdk:
            emulator.add_webhook(str(server.make_url("/hooks")), secret="s3cret")
            contact = await new_contact(sdk)
            await sdk.contacts.update(contact.id, firstname="Janet")
            await emulator.flush_webhooks()  # the senders run on the emulator's own loop
            assert await router.drain(5)
        assert [type(e) for e in got] == [webhooks.ContactCreatedEvent, webhooks.ContactUpdatedEvent]
        assert len(receiver.requests) == 2
        assert {d.state for d in emulator.deliveries} == {"delivered"}
    finally:
        emulator.stop_thread()
