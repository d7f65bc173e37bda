"""A webhook bot: greet every new contact on WhatsApp with the ``welcome`` template.

    WACR_TOKEN=... WACR_BASE_URL=... python examples/welcome_bot.py [--port 8000] [--secret S]

Then point the platform's webhook at ``http://<this host>:8000/hooks/wacr``. Against the
emulator (``wacr emulator --port 8080``)::

    curl -X POST localhost:8080/_emulator/webhooks -d '{"url": "http://127.0.0.1:8000/hooks/wacr"}'

and every contact created through the API gets "Welcome to Acme, <first name>!". ``--secret``
makes the bot reject deliveries whose ``X-Signature`` does not match (register the same secret).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from aiohttp import web

import wacr
from wacr import webhooks

#: The template sent to new contacts: language ``en``, one body variable (the first name).
TEMPLATE = "welcome"
ROUTER_KEY = web.AppKey("wacr_router", webhooks.Router)

log = logging.getLogger("welcome_bot")


def create_app(client: wacr.Client, secret: str | None = None) -> web.Application:
    """The bot's aiohttp app: ``POST /hooks/wacr`` receives the events (``app[ROUTER_KEY]``).

    ``client`` sends the messages; the caller owns it (and closes it after the app).
    """
    router = webhooks.Router(secret=secret)

    @router.on("contact.created")
    async def welcome(event: webhooks.ContactCreatedEvent) -> None:
        contact = event.data.resource
        phone = contact.attributes.get("phone")
        if not phone or contact.attributes.get("is_opted_out"):
            log.info("contact %s: no phone or opted out; no welcome", contact.id)
            return
        name = contact.attributes.get("firstname") or "there"
        sent = await client.messages.send_template(
            phone=phone, contact_id=contact.id, template_name=TEMPLATE, language="en", field_1=name
        )
        log.info("welcomed contact %s (message %s)", contact.id, sent.message_id)

    app = web.Application()
    app[ROUTER_KEY] = router
    router.setup(app, "/hooks/wacr")  # also waits for running handlers on shutdown
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Send the welcome template to every new contact.")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--secret", default=os.environ.get("WACR_WEBHOOK_SECRET"), help="signing secret")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        client = wacr.Client()  # WACR_TOKEN and WACR_BASE_URL
    except wacr.ConfigurationError as exc:
        print(f"welcome_bot: {exc}", file=sys.stderr)
        return 2
    app = create_app(client, secret=args.secret)

    async def close_client(_app: web.Application) -> None:
        await client.aclose()

    app.on_cleanup.append(close_client)  # after the router's handlers have stopped
    web.run_app(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
