"""End to end: examples/fastapi_bot.py under uvicorn on loopback receives the emulator's
contact.created and sends the welcome text through its client."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

import wacr
from wacr import webhooks
from wacr.testing import Emulator

from .conftest import uvicorn_serving

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fastapi_bot.py"


@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.delenv("WACR_TOKEN", raising=False)  # importing the example needs no token
    spec = importlib.util.spec_from_file_location("fastapi_bot", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def emu(bot: ModuleType, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        # The bot's client reads its settings from the environment, as it does in production.
        monkeypatch.setenv("WACR_TOKEN", emulator.token)
        monkeypatch.setenv("WACR_BASE_URL", emulator.base_url)
        yield emulator


async def test_a_new_contact_gets_the_welcome_text(emu: Emulator, bot: ModuleType) -> None:
    app = bot.create_app(secret="s3cret")
    router: webhooks.Router = app.state.router
    async with uvicorn_serving(app) as base, wacr.Client(emu.token, base_url=emu.base_url) as crm:
        emu.add_webhook(base + "/hooks/wacr/", secret="s3cret")
        contact = await crm.contacts.create(
            firstname="Jane", lastname="Doe", phone="+201000000001", type="lead", source_id=1, status_id=1
        )
        await crm.contacts.update(contact.id, company="Acme Inc")  # contact.updated: no message
        await emu.flush_webhooks()
        assert await router.drain(5)
        [welcome] = emu.outbox
        assert (welcome.kind, welcome.text, welcome.contact_id) == (
            "text",
            "Welcome to Acme, Jane!",
            contact.id,
        )
        assert welcome.phone == "201000000001"
    assert {(d.event_type, d.state, d.status) for d in emu.deliveries} == {
        ("contact.created", "delivered", 200),
        ("contact.updated", "delivered", 200),
    }


async def test_unsigned_deliveries_are_refused_and_nothing_is_sent(emu: Emulator, bot: ModuleType) -> None:
    app = bot.create_app(secret="s3cret")
    async with uvicorn_serving(app) as base, wacr.Client(emu.token, base_url=emu.base_url) as crm:
        emu.add_webhook(base + "/hooks/wacr/")  # no secret registered: unsigned
        await crm.contacts.create(
            firstname="Jane", lastname="Doe", phone="+201000000002", type="lead", source_id=1, status_id=1
        )
        await emu.flush_webhooks()
        assert await app.state.router.drain(5)
    [delivery] = emu.deliveries
    assert (delivery.state, delivery.status) == ("failed", 401)
    assert emu.outbox == []
