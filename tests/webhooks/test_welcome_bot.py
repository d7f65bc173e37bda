"""End to end: SDK calls against the emulator reach examples/welcome_bot.py's router, which answers."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
from aiohttp.test_utils import TestServer

import wacr
from wacr import webhooks
from wacr.testing import Emulator

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "welcome_bot.py"


@pytest.fixture(scope="module")
def bot() -> ModuleType:
    spec = importlib.util.spec_from_file_location("welcome_bot", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


async def test_contact_lifecycle_reaches_the_bot_which_sends_the_welcome(
    emu: Emulator, bot: ModuleType
) -> None:
    async with wacr.Client(emu.token, base_url=emu.base_url) as client:
        app = bot.create_app(client, secret="s3cret")
        router: webhooks.Router = app[bot.ROUTER_KEY]
        received: list[webhooks.WebhookPayload] = []

        @router.on("*")
        async def record(event: webhooks.WebhookPayload) -> None:
            received.append(event)

        async with TestServer(app) as server:
            emu.add_webhook(str(server.make_url("/hooks/wacr")), secret="s3cret")

            async def settle() -> None:
                await emu.flush_webhooks()
                assert await router.drain(5)

            contact = await client.contacts.create(
                firstname="Jane", lastname="Doe", phone="+201000000001", type="lead", source_id=1, status_id=1
            )
            await settle()
            [welcome] = emu.outbox
            assert (welcome.kind, welcome.template_name, welcome.language) == ("template", "welcome", "en")
            assert welcome.contact_id == contact.id
            assert welcome.text == "Welcome to Acme, Jane!"

            await client.contacts.update(contact.id, status_id=2, company="Acme Inc")
            await client.contacts.delete(contact.id)
            await settle()

    assert [type(e) for e in received] == [
        webhooks.ContactCreatedEvent,
        webhooks.ContactUpdatedEvent,
        webhooks.ContactDeletedEvent,
    ]
    _, updated, deleted = received
    for event in received:
        assert isinstance(event, webhooks.ContactEvent) and event.data.resource.id == contact.id
    assert isinstance(updated, webhooks.ContactUpdatedEvent)
    assert updated.changes.modified_fields == ["company", "status_id"]
    assert updated.changes.previous == {"status_id": 1, "company": None}
    assert updated.changes.current == {"status_id": 2, "company": "Acme Inc"}
    assert isinstance(deleted, webhooks.ContactDeletedEvent)
    assert deleted.changes.current == {} and deleted.changes.previous is not None
    assert len(emu.outbox) == 1  # only contact.created sends
    assert {d.state for d in emu.deliveries} == {"delivered"}


async def test_the_bot_refuses_unsigned_deliveries(emu: Emulator, bot: ModuleType) -> None:
    async with wacr.Client(emu.token, base_url=emu.base_url) as client:
        app = bot.create_app(client, secret="s3cret")
        async with TestServer(app) as server:
            emu.add_webhook(str(server.make_url("/hooks/wacr")))  # no secret registered
            await client.contacts.create(
                firstname="Jane", lastname="Doe", phone="+201000000002", type="lead", source_id=1, status_id=1
            )
            await emu.flush_webhooks()
            assert await app[bot.ROUTER_KEY].drain(5)
    [delivery] = emu.deliveries
    assert (delivery.state, delivery.status, delivery.attempts) == ("failed", 401, 1)
    assert emu.outbox == []


def test_the_example_is_runnable_and_explains_a_missing_token(
    bot: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WACR_TOKEN", raising=False)
    assert bot.main([]) == 2
    assert "token" in capsys.readouterr().err.lower()
