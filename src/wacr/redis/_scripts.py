"""The Lua scripts of :mod:`wacr.redis`, and the calls to Redis both classes make: a timeout on
each, EVALSHA with the script loaded again after a restart or flush, one WARNING per outage."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable
from typing import Any, Final, Protocol, cast

from redis.exceptions import NoScriptError, RedisError

from wacr.errors import ConfigurationError

__all__ = [
    "ACQUIRE",
    "FAILURES",
    "GIVE_BACK",
    "OBSERVE",
    "RELEASE",
    "AsyncRedis",
    "Redis",
    "client_of",
    "positive",
    "prefix_of",
]

_log = logging.getLogger("wacr")

# Errors that mean "Redis did not do it": its own, the socket's, and our timeout.
FAILURES: Final = (RedisError, OSError, asyncio.TimeoutError)

# The GCRA with a burst of one, on Redis's clock, by reservation: the caller is given the next
# free slot and sleeps until it, so the fleet is served in the order it asked. KEYS[1] the
# budget's hash (tat: the theoretical arrival time, iv: the learned interval, in microseconds;
# rid / back: the last reservation's id and slot, for GIVE_BACK; void: a reservation given back
# before it was made). ARGV: [1] the interval this process knows (0: none; with none learned
# either, the call goes unpaced and is counted in 'free'; the next paced call takes a slot for
# each of those), [2] the TTL, [3] the caller's reservation id, [4] the longest wait it takes
# (microseconds; -1: any): a slot further off is not reserved. Returns {microseconds to wait,
# 1 reserved | 0 nothing to reserve (unpaced, or given back already) | -1 too far off}. The same
# id twice (a command sent again) gets its first reservation. Numbers are written with %.0f:
# Lua's tostring keeps only 14 digits.
ACQUIRE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'iv', 'free', 'rid', 'back', 'void')
if state[6] == ARGV[3] then return {0, 0} end
if state[4] == ARGV[3] then return {math.max(0, math.floor(tonumber(state[5]) - now)), 1} end
local iv = tonumber(ARGV[1])
local learned = tonumber(state[2])
if learned and learned > iv then iv = learned end
if iv <= 0 then
  redis.call('HINCRBY', KEYS[1], 'free', 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {0, 0}
end
local slot = tonumber(state[1]) or 0
if slot < now then slot = now end
local free = tonumber(state[3])
if free then slot = slot + free * iv end
local limit = tonumber(ARGV[4])
if limit >= 0 and slot - now > limit then return {math.floor(slot - now), -1} end
if free then redis.call('HDEL', KEYS[1], 'free') end
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', slot + iv), 'rid', ARGV[3],
  'back', string.format('%.0f', slot))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {math.floor(slot - now), 1}
"""

# A cancelled caller's slot back (ARGV[1] its reservation id, ARGV[2] the TTL), if no later one
# was reserved since (else it stays unused); a reservation not made yet is voided, so that an
# ACQUIRE still on its way takes nothing.
GIVE_BACK: Final = """
local state = redis.call('HMGET', KEYS[1], 'rid', 'back')
if state[1] == ARGV[1] then
  redis.call('HSET', KEYS[1], 'tat', state[2])
  redis.call('HDEL', KEYS[1], 'rid', 'back')
else
  redis.call('HSET', KEYS[1], 'void', ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
"""

# What an answer taught. ARGV: the interval of its X-RateLimit-Limit, the calls its window has
# counted, its reset (Unix microseconds, 0: none), '1' when none are left, the TTL, the longest
# hold (microseconds). The first news of a budget takes the calls already made as slots (the
# server's count, or the unpaced calls in 'free' after the slots already taken, whichever ends
# later), no later than the reset; an answer with none left holds the budget until the reset.
# Neither pushes the budget more than the longest hold past now (on Redis's clock), and a slot
# moved here is no longer the last reservation's to give back.
OBSERVE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local iv = tonumber(ARGV[1])
local reset = tonumber(ARGV[3])
local cap = now + tonumber(ARGV[6])
if reset <= 0 or reset > cap then reset = cap end
local state = redis.call('HMGET', KEYS[1], 'tat', 'iv', 'free')
local tat = tonumber(state[1]) or 0
local target = tat
if not state[2] then
  local spent = math.max(math.max(tat, now) + (tonumber(state[3]) or 0) * iv, now + tonumber(ARGV[2]) * iv)
  if reset < spent then spent = reset end
  if spent > target then target = spent end
end
if ARGV[4] == '1' and reset > target then target = reset end
redis.call('HSET', KEYS[1], 'iv', string.format('%.0f', iv))
redis.call('HDEL', KEYS[1], 'free')
if target > tat then
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', target))
  redis.call('HDEL', KEYS[1], 'rid', 'back')
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 0
"""

# Release a webhook claim only while it is still ours.
RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# EVALSHA's names of the scripts.
_SHA1: Final = {
    source: hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
    for source in (ACQUIRE, GIVE_BACK, OBSERVE, RELEASE)
}


class AsyncRedis(Protocol):
    """The one method of a ``redis.asyncio.Redis`` client these classes use."""

    def execute_command(self, *args: Any, **options: Any) -> Awaitable[Any]:
        """Send one command and return its reply."""
        ...


def positive(value: object, field: str) -> float:
    if not isinstance(value, bool) and isinstance(value, (int, float)) and 0 < value < float("inf"):
        try:
            return float(value)
        except OverflowError:  # an int beyond any float
            pass
    raise ConfigurationError(f"{field} must be a positive number of seconds, not {value!r}")


def prefix_of(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"prefix must be a non-empty string, not {value!r}")
    return value


def client_of(value: object) -> AsyncRedis:
    if not callable(getattr(value, "execute_command", None)):
        raise ConfigurationError(f"redis must be a redis.asyncio.Redis client, not {value!r}")
    return cast("AsyncRedis", value)


class Redis:
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
