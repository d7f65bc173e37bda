"""A FastAPI bot: greet every new contact on WhatsApp with a welcome text.

    pip install "./wacr[cli]" fastapi uvicorn      # from a clone: wacr is not on PyPI yet
    WACR_TOKEN=... WACR_BASE_URL=... WACR_WEBHOOK_SECRET=... uvicorn examples.fastapi_bot:app --port 8000

Then point the platform's webhook at ``http://<this host>:8000/hooks/wacr/`` (a mounted app
lives under the slash; Starlette redirects ``/hooks/wacr`` there). Against the emulator
(``wacr emulator --port 8080``)::

    curl -X POST localhost:8080/_emulator/webhooks -d '{"url": "http://127.0.0.1:8000/hooks/wacr/"}'

and every contact created through the API gets "Welcome to Acme, <first name>!". With
``WACR_WEBHOOK_SECRET`` set, deliveries whose ``X-Signature`` does not match are refused (401).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import wacr
from wacr import webhooks

log = logging.getLogger("fastapi_bot")


def create_app(secret: str | None = None) -> FastAPI:
    """The bot: ``POST /hooks/wacr/`` receives the events, ``app.state.router`` routes them, and
    ``app.state.client`` (a :class:`wacr.Client` from ``WACR_TOKEN``/``WACR_BASE_URL``, opened and
    closed by the app's lifespan) sends the welcome."""
    router = webhooks.Router(secret=secret)

    @router.on("contact.created")
    async def welcome(event: webhooks.ContactCreatedEvent) -> None:
        contact = event.data.resource
        phone = contact.attributes.get("phone")
        if not phone or contact.attributes.get("is_opted_out"):
            log.info("contact %s: no phone or opted out; no welcome", contact.id)
            return
        name = contact.attributes.get("firstname") or "there"
        client: wacr.Client = app.state.client
        sent = await client.messages.send_text(
            phone=phone, contact_id=contact.id, message=f"Welcome to Acme, {name}!"
        )
        log.info("welcomed contact %s (message %s)", contact.id, sent.message_id)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None, None]:
        async with wacr.Client() as client:  # WACR_TOKEN and WACR_BASE_URL
            app.state.client = client
            yield
            # A mounted app gets no lifespan of its own: finish the handlers before the client closes.
            await router.drain(10)
            await router.close()

    app = FastAPI(lifespan=lifespan)
    app.state.router = router
    app.mount("/hooks/wacr", router.asgi)
    return app


app = create_app(secret=os.environ.get("WACR_WEBHOOK_SECRET"))
