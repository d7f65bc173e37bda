"""What the Python face and the request handling share: the data, the logs and the faults."""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType
from typing import Any

from wacr.testing._clock import Clock
from wacr.testing._faults import Fault
from wacr.testing._log import ReceivedRequest, SentMessage
from wacr.testing._state import State, Tenant
from wacr.testing._webhooks import WebhookDispatcher

__all__ = ["Memory", "RequestMemory", "Superseded"]


class Superseded(Exception):
    """Raised into a request's handling when :meth:`Memory.reset` ran since it arrived: what it
    would do belongs to a state that is gone, so it must not touch the new one (it is answered
    409 ``EMULATOR_RESET``)."""


class Memory:
    """One emulator's memory; ``lock`` serialises the Python API with the request handling.

    ``generation`` counts the resets; a request is handled through a :class:`RequestMemory`
    that fences it off from any state after the one it arrived in.
    """

    __slots__ = ("clock", "faults", "generation", "lock", "outbox", "received", "state", "webhooks")

    def __init__(self, clock: Clock, max_received: int) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.received: deque[ReceivedRequest] = deque(maxlen=max_received)
        self.outbox: list[SentMessage] = []
        self.faults: list[Fault] = []
        self.state = State()
        self.webhooks = WebhookDispatcher()
        self.generation = 0

    def tenant(self, tenant_id: int) -> Tenant:
        """The tenant with this id (``KeyError`` when there is none)."""
        tenant = self.state.tenants.get(tenant_id)
        if tenant is None:
            raise KeyError(f"no tenant {tenant_id}")
        return tenant

    def reset(self, state: State) -> None:
        """Start again from ``state``: an empty outbox, request log and fault list, no webhooks
        (the senders still running are cancelled), and requests begun before it superseded."""
        with self.lock:
            self.generation += 1
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


class _FencedLock:
    """``Memory.lock`` as one request sees it: entering it raises :class:`Superseded` (holding
    nothing) once a reset ran since the request arrived; the check is made under the real lock,
    so a reset cannot slip in between."""

    __slots__ = ("_generation", "_memory")

    def __init__(self, memory: Memory, generation: int) -> None:
        self._memory = memory
        self._generation = generation

    def __enter__(self) -> _FencedLock:
        self._memory.lock.acquire()
        if self._memory.generation != self._generation:
            self._memory.lock.release()
            raise Superseded(f"the emulator was reset since this request arrived ({self._generation})")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._memory.lock.release()


class RequestMemory:
    """The :class:`Memory` one API request is handled with: the same data, but its ``lock`` raises
    :class:`Superseded` once :meth:`Memory.reset` ran since the request arrived.

    The request handling touches the state only under the lock (the rule that keeps it
    thread-safe), so a request begun before a reset (a delayed fault, a body still arriving) can
    never read or change the next test's state, send to its outbox or feed its webhooks.
    """

    __slots__ = ("_memory", "lock")

    def __init__(self, memory: Memory) -> None:
        self._memory = memory
        with memory.lock:
            generation = memory.generation
        self.lock = _FencedLock(memory, generation)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._memory, name)
