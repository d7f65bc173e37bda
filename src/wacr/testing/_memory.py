"""What the Python face and the request handling share: the data, the logs and the faults."""

from __future__ import annotations

import threading
from collections import deque

from wacr.testing._clock import Clock
from wacr.testing._faults import Fault
from wacr.testing._log import ReceivedRequest, SentMessage
from wacr.testing._state import State, Tenant
from wacr.testing._webhooks import WebhookDispatcher

__all__ = ["Memory"]


class Memory:
    """One emulator's memory; ``lock`` serialises the Python API with the request handling."""

    __slots__ = ("clock", "faults", "lock", "outbox", "received", "state", "webhooks")

    def __init__(self, clock: Clock, max_received: int) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.received: deque[ReceivedRequest] = deque(maxlen=max_received)
        self.outbox: list[SentMessage] = []
        self.faults: list[Fault] = []
        self.state = State()
        self.webhooks = WebhookDispatcher()

    def tenant(self, tenant_id: int) -> Tenant:
        """The tenant with this id (``KeyError`` when there is none)."""
        tenant = self.state.tenants.get(tenant_id)
        if tenant is None:
            raise KeyError(f"no tenant {tenant_id}")
        return tenant

    def reset(self, state: State) -> None:
        """Start again from ``state``: an empty outbox, request log and fault list, no webhooks."""
        with self.lock:
            self.state = state
            self.outbox.clear()
            self.received.clear()
            self.faults.clear()
            self.webhooks.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first fault matching the request, counted (and removed once its ``times`` are used)."""
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None
