"""Fleets on Redis: one rate budget and one webhook de-duplication for many processes (extra ``redis``).

``RedisRateLimiter`` paces every process that calls the API with one token so that together they
stay under the token's limit; ``RedisDedupe`` lets router replicas share which webhook events
ran. Both take a ``redis.asyncio.Redis`` client you create and close::

    import redis.asyncio as aioredis
    import wacr, wacr.redis

    r = aioredis.Redis.from_url("redis://localhost:6379/0")
    client = wacr.Client(rate_limit=wacr.redis.RedisRateLimiter(r))
    router = wacr.webhooks.Router(dedupe=wacr.redis.RedisDedupe(r))

**When Redis fails** (an error, or no answer within ``timeout`` seconds, on every call): the
limiter falls back to an in-process :class:`wacr.RateLimiter` (each process then paces itself to
the whole limit, so a fleet may meet 429s, which the retry policy absorbs) and the store lets
every event run (duplicates possible, never a lost event). Each logs one WARNING on the ``wacr``
logger when Redis stops answering and one when it answers again; both go back to Redis on their
own, the limiter probing it at most every ``retry_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections.abc import Awaitable, Coroutine
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

try:
    from redis.exceptions import NoScriptError, RedisError
except ImportError as exc:  # tests/fleet/test_imports.py runs this without redis-py
    raise ImportError(
        "wacr.redis needs redis-py, which is not installed: install the `redis` extra, "
        "pip install 'wacr[redis]'"
    ) from exc

from wacr._ratelimit import Limiter, RateLimiter, check_per_minute, hold_until
from wacr.errors import ConfigurationError

if TYPE_CHECKING:
    from wacr._response import RateLimit

__all__ = ["AsyncRedis", "RedisDedupe", "RedisRateLimiter"]

_log = logging.getLogger("wacr")

# Errors that mean "Redis did not do it": its own, the socket's, and our timeout.
_FAILURES: Final = (RedisError, OSError, asyncio.TimeoutError)
# The fallback's pace while no limit is known: none (it learns one from observe()).
_UNPACED: Final = 1e9
# How long a budget's state outlives its last use (it holds the learned limit).
_BUDGET_TTL_MS: Final = 3_600_000

# The GCRA with a burst of one, on Redis's clock, by reservation: the caller is given the next
# free slot and sleeps until it, so the fleet is served in the order it asked. KEYS[1] the
# budget's hash (tat: the theoretical arrival time, iv: the learned interval, in microseconds);
# ARGV[1] the configured interval (0: none; with none learned either the call goes unpaced and
# is counted in 'free'). Returns {microseconds to wait, the new tat, the slot}: the last two let
# a caller cancelled while it waits give the slot back. Numbers are written with %.0f: Lua's
# tostring keeps only 14 digits.
_ACQUIRE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'iv')
local iv = tonumber(ARGV[1])
local learned = tonumber(state[2])
if learned and learned > iv then iv = learned end
if iv <= 0 then
  redis.call('HINCRBY', KEYS[1], 'free', 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {0, '', ''}
end
local slot = tonumber(state[1]) or 0
if slot < now then slot = now end
local tat = string.format('%.0f', slot + iv)
redis.call('HSET', KEYS[1], 'tat', tat)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {math.floor(slot - now), tat, string.format('%.0f', slot)}
"""

# A cancelled waiter's slot back, if no later one was reserved since (else it stays unused).
_GIVE_BACK: Final = """
if redis.call('HGET', KEYS[1], 'tat') == ARGV[1] then redis.call('HSET', KEYS[1], 'tat', ARGV[2]) end
return 0
"""

# What an answer taught. ARGV: the interval of its X-RateLimit-Limit, the calls its window has
# counted, its reset (Unix microseconds, 0: none), '1' when none are left, the TTL. The first
# news of a budget counts the calls already made (the server's count or the unpaced calls the
# acquire script counted in 'free', whichever is more) as slots taken, no later than the reset;
# an answer with none left holds the budget until the reset.
_OBSERVE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local iv = tonumber(ARGV[1])
local reset = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tat', 'iv', 'free')
local tat = tonumber(state[1]) or 0
local target = tat
if not state[2] then
  local calls = math.max(tonumber(ARGV[2]), tonumber(state[3]) or 0)
  local spent = now + calls * iv
  if reset > 0 and reset < spent then spent = reset end
  if spent > target then target = spent end
end
if ARGV[4] == '1' and reset > target then target = reset end
redis.call('HSET', KEYS[1], 'iv', string.format('%.0f', iv))
redis.call('HDEL', KEYS[1], 'free')
if target > tat then redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', target)) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 0
"""

# Release a webhook claim only while it is still ours.
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# EVALSHA's names of the scripts.
_SHA1: Final = {
    source: hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
    for source in (_ACQUIRE, _GIVE_BACK, _OBSERVE, _RELEASE)
}


class AsyncRedis(Protocol):
    """The one method of a ``redis.asyncio.Redis`` client these classes use."""

    def execute_command(self, *args: Any, **options: Any) -> Awaitable[Any]:
        """Send one command and return its reply."""
        ...


def _positive(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ConfigurationError(f"{field} must be a positive number of seconds, not {value!r}")
    return float(value)


def _prefix(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"prefix must be a non-empty string, not {value!r}")
    return value


def _client(value: object) -> AsyncRedis:
    if not callable(getattr(value, "execute_command", None)):
        raise ConfigurationError(f"redis must be a redis.asyncio.Redis client, not {value!r}")
    return cast("AsyncRedis", value)


class _Redis:
    """Calls to Redis with a timeout each, scripts by EVALSHA (loaded again after a restart), and
    the one-WARNING-per-outage log."""

    def __init__(self, client: AsyncRedis, timeout: float, what: str) -> None:
        self.client = client
        self.timeout = timeout
        self.what = what
        self.down = False

    async def command(self, *args: Any) -> Any:
        return await asyncio.wait_for(self.client.execute_command(*args), self.timeout)

    async def script(self, source: str, keys: int, *args: Any) -> Any:
        sha = _SHA1[source]
        try:
            return await self.command("EVALSHA", sha, keys, *args)
        except NoScriptError:
            await self.command("SCRIPT", "LOAD", source)
            return await self.command("EVALSHA", sha, keys, *args)

    def failed(self, exc: BaseException, consequence: str) -> None:
        if not self.down:
            self.down = True
            detail = str(exc) or "no answer within the timeout"
            what, kind = self.what, type(exc).__name__
            _log.warning(
                "%s: Redis failed (%s: %s); %s until it answers again", what, kind, detail, consequence
            )

    def works(self) -> None:
        if self.down:
            self.down = False
            _log.warning("%s: Redis answers again; shared state resumed", self.what)


class RedisRateLimiter:
    """A rate limiter shared through Redis: every process using it with one token paces its calls
    so that, together, they stay under the token's limit.

    A GCRA with a burst of one in one Lua script, on Redis's clock (``TIME``, so the processes'
    own clocks do not matter): calls on one budget go at least ``60 / limit`` seconds apart
    across the fleet, whatever process makes them, so no 60-second span holds more than the
    limit. Each call reserves the next free slot and sleeps until it, so the fleet is served in
    the order it asked, one reservation per process at a time (a process's other callers queue
    in arrival order, taking nothing while they wait). A caller cancelled or timed out while it
    waits gives its slot back unless a later one was reserved meanwhile (then the slot goes
    unused: the fleet stays under the limit, never over). The state lives under ``prefix`` + the
    transport's key (a hash of base URL and token, never the token).

    The limit: ``per_minute`` when given, lowered by what the answers' ``X-RateLimit-Limit``
    says. With ``per_minute=None`` it is learned from the answers: until a first answer carrying
    the headers arrives, calls go unpaced; that answer's count of calls already made in its
    window is then taken as spent. An answer saying no calls are left holds the budget until its
    ``X-RateLimit-Reset``, for every process. ``headroom`` (default 1%) is the share of the limit
    left unused so that network jitter cannot land a window's last call in the next one.

    Args:
        redis: a ``redis.asyncio`` client; never closed here.
        per_minute: the ceiling, calls per minute, or ``None`` to learn it.
        prefix: the Redis key prefix of the budgets.
        timeout: seconds allowed for each Redis call.
        headroom: the fraction of the limit left unused, ``0 <= headroom < 0.5``.
        fallback: the limiter used while Redis fails; default an in-process
            :class:`wacr.RateLimiter` at the same limit.
        retry_interval: while Redis fails, how often (seconds) a call tries it again.
    """

    def __init__(
        self,
        redis: AsyncRedis,
        per_minute: float | None = None,
        *,
        prefix: str = "wacr:ratelimit:",
        timeout: float = 0.25,
        headroom: float = 0.01,
        fallback: Limiter | None = None,
        retry_interval: float = 1.0,
    ) -> None:
        self.per_minute: float | None = None if per_minute is None else check_per_minute(per_minute)
        if isinstance(headroom, bool) or not isinstance(headroom, (int, float)) or not 0 <= headroom < 0.5:
            raise ConfigurationError(f"headroom must be a number from 0 to less than 0.5, not {headroom!r}")
        if fallback is not None and not isinstance(fallback, Limiter):
            raise ConfigurationError(f"fallback must be a rate limiter (acquire, observe), not {fallback!r}")
        self.prefix: str = _prefix(prefix)
        self.headroom: float = float(headroom)
        self.retry_interval: float = _positive(retry_interval, "retry_interval")
        self._redis = _Redis(_client(redis), _positive(timeout, "timeout"), "wacr.redis.RedisRateLimiter")
        self._fallback: Limiter = fallback or RateLimiter(per_minute=self.per_minute or _UNPACED)
        self._interval = 0 if self.per_minute is None else self._micros(self.per_minute)
        self._locks: dict[str, asyncio.Lock] = {}
        self._limits: dict[str, int] = {}  # the last X-RateLimit-Limit told to Redis, per key
        self._next_try = 0.0  # while Redis fails: when a call may try it again
        self._writes: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"RedisRateLimiter(per_minute={self.per_minute!r}, prefix={self.prefix!r})"

    def _micros(self, per_minute: float) -> int:
        """The spacing of calls at ``per_minute`` less the headroom, in microseconds."""
        return round(60_000_000 / (per_minute * (1.0 - self.headroom)))

    async def acquire(self, key: str) -> None:
        """Wait for ``key``'s next slot across the fleet (or the fallback's while Redis fails)."""
        if self._redis.down and time.monotonic() < self._next_try:
            await self._fallback.acquire(key)
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        name = self.prefix + key
        async with lock:  # one reservation at a time per process: the others queue here, FIFO
            try:
                wait, tat, slot = await self._redis.script(_ACQUIRE, 1, name, self._interval, _BUDGET_TTL_MS)
            except _FAILURES as exc:
                self._redis.failed(exc, "each process paces itself")
                self._next_try = time.monotonic() + self.retry_interval
            else:
                self._redis.works()
                if int(wait) > 0:
                    try:
                        await asyncio.sleep(int(wait) / 1e6)
                    except asyncio.CancelledError:
                        self._spawn(self._give_back(name, tat, slot))
                        raise
                return
        await self._fallback.acquire(key)

    def observe(self, key: str, rate_limit: RateLimit) -> None:
        """Tell the fleet a new ``X-RateLimit-Limit``, or that the window has no calls left."""
        self._fallback.observe(key, rate_limit)
        until = hold_until(rate_limit)
        if rate_limit.limit <= 0 or (self._limits.get(key) == rate_limit.limit and until is None):
            return
        self._limits[key] = rate_limit.limit
        reset = 0 if rate_limit.reset is None else round(rate_limit.reset.timestamp() * 1e6)
        args = (
            self.prefix + key,
            self._micros(rate_limit.limit),
            max(0, rate_limit.limit - rate_limit.remaining),
            reset,
            "1" if until is not None else "0",
            _BUDGET_TTL_MS,
        )
        self._spawn(self._tell(key, args))

    def _spawn(self, write: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(write)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _give_back(self, name: str, tat: object, slot: object) -> None:
        try:
            await self._redis.script(_GIVE_BACK, 1, name, tat, slot)
        except _FAILURES as exc:
            self._redis.failed(exc, "each process paces itself")

    async def _tell(self, key: str, args: tuple[object, ...]) -> None:
        try:
            await self._redis.script(_OBSERVE, 1, *args)
        except _FAILURES as exc:
            self._limits.pop(key, None)  # tell it again with the next answer
            self._redis.failed(exc, "each process paces itself")

    async def aclose(self) -> None:
        """Wait for the writes to Redis still under way (each bounded by ``timeout``)."""
        while self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)


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
        timeout: float = 0.5,
    ) -> None:
        self.ttl: float = _positive(ttl, "ttl")
        self.lease: float = _positive(lease, "lease")
        self.prefix: str = _prefix(prefix)
        self._redis = _Redis(_client(redis), _positive(timeout, "timeout"), "wacr.redis.RedisDedupe")
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
        except _FAILURES as exc:
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
        except _FAILURES as exc:
            self._redis.failed(exc, "events run without de-duplication (duplicates possible)")
        else:
            self._redis.works()

    async def release(self, event_id: str) -> None:
        """Drop this replica's claim of ``event_id`` so that a redelivery runs again."""
        token = self._claims.pop(event_id, None)
        if token is None:
            return
        try:
            await self._redis.script(_RELEASE, 1, self._key(event_id), token)
        except _FAILURES as exc:
            self._redis.failed(exc, "events run without de-duplication (duplicates possible)")
        else:
            self._redis.works()
