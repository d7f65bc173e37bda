"""``RedisDedupe``: webhook de-duplication shared by router replicas (see :mod:`wacr.redis`)."""

from __future__ import annotations

import hashlib
import secrets

from wacr.redis._scripts import FAILURES, RELEASE, AsyncRedis, Redis, client_of, positive, prefix_of

__all__ = ["RedisDedupe"]


class RedisDedupe:
    """A webhook :class:`~wacr.webhooks.DedupeStore` shared through Redis by router replicas.

    :meth:`claim` is ``SET NX`` with a lease of ``lease`` seconds holding a random token, so one
    replica runs an event's handlers while the others skip it; :meth:`complete` marks the id done
    for ``ttl`` seconds; :meth:`release` deletes the claim only if it still holds this claim's
    token (a claim that outlived its lease and was taken again elsewhere is left alone). The lease
    must exceed your slowest handlers: after it, a redelivery may run while they still run.
    Keys are ``prefix`` + a BLAKE2b digest of the id, so their size is bounded whatever the id.

    When Redis fails (or takes over ``timeout`` seconds), :meth:`claim` answers True (the event
    runs: duplicates possible, never a lost event), and :meth:`complete` and :meth:`release` do
    nothing (a redelivery may then run again, or wait for the lease); one WARNING is logged.
    """

    def __init__(
        self,
        redis: AsyncRedis,
        *,
        ttl: float = 86_400,
        lease: float = 300,
        prefix: str = "wacr:webhook:",
        timeout: float = 1.0,
    ) -> None:
        self.ttl: float = positive(ttl, "ttl")
        self.lease: float = positive(lease, "lease")
        self.prefix: str = prefix_of(prefix)
        self._redis = Redis(client_of(redis), positive(timeout, "timeout"), "wacr.redis.RedisDedupe")
        self._claims: dict[str, str] = {}  # event id -> the token of our claim

    def __repr__(self) -> str:
        return f"RedisDedupe(ttl={self.ttl:g}, lease={self.lease:g}, prefix={self.prefix!r})"

    def _key(self, event_id: str) -> str:
        digest = hashlib.blake2b(event_id.encode("utf-8", "surrogatepass"), digest_size=16)
        return self.prefix + digest.hexdigest()

    async def claim(self, event_id: str) -> bool:
        """True if this caller should run ``event_id``'s handlers (also when Redis fails)."""
        token = "run:" + secrets.token_hex(8)
        lease = round(self.lease * 1000)
        try:
            taken = await self._redis.command("SET", self._key(event_id), token, "NX", "PX", lease)
        except FAILURES as exc:
            self._redis.failed(exc, "events run without de-duplication (duplicates possible)")
            return True
        self._redis.works()
        if taken is None:
            return False
        self._claims[event_id] = token
        return True

    async def complete(self, event_id: str) -> None:
        """Remember ``event_id`` as done for ``ttl`` seconds."""
        self._claims.pop(event_id, None)
        try:
            await self._redis.command("SET", self._key(event_id), "done", "PX", round(self.ttl * 1000))
        except FAILURES as exc:
            self._redis.failed(exc, "events run without de-duplication (duplicates possible)")
        else:
            self._redis.works()

    async def release(self, event_id: str) -> None:
        """Drop this replica's claim of ``event_id`` so that a redelivery runs again."""
        token = self._claims.pop(event_id, None)
        if token is None:
            return
        try:
            await self._redis.script(RELEASE, 1, self._key(event_id), token)
        except FAILURES as exc:
            self._redis.failed(exc, "events run without de-duplication (duplicates possible)")
        else:
            self._redis.works()
