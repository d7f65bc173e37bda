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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wacr.testing._app import API_PREFIX
    from wacr.testing._cli import main, main_async
    from wacr.testing._clock import Clock
    from wacr.testing._emulator import EMULATOR_KEY, Emulator, create_app
    from wacr.testing._faults import Fault
    from wacr.testing._log import ReceivedRequest, SentMessage
    from wacr.testing._records import ALL_SCOPES, FEATURES
    from wacr.testing._webhooks import Delivery, Webhook

# Loaded on first use (PEP 562): the pytest plugin imports this package in every pytest run.
_WHERE: dict[str, str] = {
    "ALL_SCOPES": "_records",
    "API_PREFIX": "_app",
    "EMULATOR_KEY": "_emulator",
    "FEATURES": "_records",
    "Clock": "_clock",
    "Delivery": "_webhooks",
    "Emulator": "_emulator",
    "Fault": "_faults",
    "ReceivedRequest": "_log",
    "SentMessage": "_log",
    "Webhook": "_webhooks",
    "create_app": "_emulator",
    "main": "_cli",
    "main_async": "_cli",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'wacr.testing' has no attribute {name!r}")
    value = getattr(import_module(f"wacr.testing.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
