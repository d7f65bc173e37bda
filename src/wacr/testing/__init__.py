"""An in-process emulator of the WA.cr / RASL WhatsApp Business API v2, for tests and demos.

>>> from wacr.testing import Emulator
>>> async with Emulator() as emu:                       # doctest: +SKIP
...     client = wacr.Client(token=emu.token, base_url=emu.base_url)
...     await client.auth.send_otp(phone="+15551234567", template_name="otp_verification", code="123456")
...     emu.outbox[-1].code
'123456'

The emulator serves the API under ``/api/v2`` from memory and behaves like the documented
server: scopes, plan limits, validation messages, OTP rules on an injectable :class:`Clock`,
pagination/filters/sorting, and the success and error envelopes. It records the WhatsApp
messages it would have sent (:attr:`Emulator.outbox`) and every request it received
(:attr:`Emulator.received`), and can inject faults (:class:`Fault`). It delivers the nine webhook
events to URLs registered with :meth:`Emulator.add_webhook` (see :attr:`Emulator.deliveries`). A
control API under ``/_emulator/`` mirrors the Python API for other languages and the
``wacr emulator`` command.

It shares no code with the SDK's client side, so a client bug cannot hide behind the same bug
here. With pytest, the ``wacr_emulator`` fixture (registered by the ``wacr`` pytest plugin) gives
a started, freshly reset emulator.
"""

from __future__ import annotations

from wacr.testing._cli import main, main_async
from wacr.testing._clock import Clock
from wacr.testing._faults import Fault
from wacr.testing._log import ReceivedRequest, SentMessage
from wacr.testing._server import API_PREFIX, EMULATOR_KEY, Emulator, create_app
from wacr.testing._state import ALL_SCOPES, FEATURES
from wacr.testing._webhooks import Delivery, Webhook

__all__ = [
    "ALL_SCOPES",
    "API_PREFIX",
    "EMULATOR_KEY",
    "FEATURES",
    "Clock",
    "Delivery",
    "Emulator",
    "Fault",
    "ReceivedRequest",
    "SentMessage",
    "Webhook",
    "create_app",
    "main",
    "main_async",
]
