"""How the transport reaches the server: the session it creates, its timeouts and its proxy.

* ``connect_timeout`` bounds getting a connection (waiting for a free one in the pool, then
  connecting): aiohttp raises ``ConnectionTimeoutError`` then, which wacr knows was never sent,
  so even a POST is retried. It is held to at most nine tenths of the total ``timeout`` (and the
  session's timers are not rounded up to whole seconds) so that the connect phase always times
  out first: a POST that never got a connection is not reported as maybe processed.
* Proxies: an explicit ``proxy`` URL (credentials in it become ``proxy_auth`` and are never
  shown), else with ``trust_env`` the ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` variables
  (and ``~/.netrc`` for the proxy's credentials), read once when the session is created: the
  base URL is fixed, so aiohttp's own per-request lookup (a thread hop on every call) is not used.
"""

from __future__ import annotations

import base64
import platform

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from wacr._settings import Settings
from wacr._version import __version__

__all__ = [
    "client_timeout",
    "default_user_agent",
    "env_proxy",
    "explicit_proxy",
    "new_session",
    "request_headers",
]

# The connect phase gets at most this share of the total timeout (see the module docstring).
_CONNECT_SHARE = 0.9

# The proxy's URL (no credentials in it) and the headers for it (Proxy-Authorization), or None.
Proxy = tuple[URL | None, dict[str, str] | None]


def client_timeout(total: float, connect: float) -> aiohttp.ClientTimeout:
    """The timeout of an attempt: ``total`` seconds, ``connect`` of them at most to connect."""
    return aiohttp.ClientTimeout(total=total, connect=min(connect, total * _CONNECT_SHARE))


def default_user_agent() -> str:
    """``wacr-python/<version> aiohttp/<version> python/<version>``."""
    return f"wacr-python/{__version__} aiohttp/{aiohttp.__version__} python/{platform.python_version()}"


def request_headers(settings: Settings) -> dict[str, str]:
    """The headers of every request: the token, JSON, the User-Agent, then the client's
    ``default_headers`` (checked by Settings: never a credential)."""
    headers = {
        "Authorization": f"Bearer {settings.token}",
        "Accept": "application/json",
        "User-Agent": settings.user_agent or default_user_agent(),
    }
    headers.update(settings.default_headers)
    return headers


def new_session(settings: Settings, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientSession:
    """The session a transport creates (inside the running loop): its pool, no environment
    lookups of aiohttp's own (wacr resolves the proxy once: :func:`env_proxy`)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=settings.connection_limit,
            limit_per_host=settings.connection_limit_per_host,
            timeout_ceil_threshold=float("inf"),  # exact timers: connect fires before total
        ),
        timeout=timeout,
        trust_env=False,
    )


def explicit_proxy(proxy: str | None) -> Proxy:
    """``proxy`` (a checked URL) split into the URL aiohttp connects to and its credentials."""
    if proxy is None:
        return None, None
    url = URL(proxy)
    if url.user is None:
        return url, None
    # aiohttp's own encoding of proxy credentials (Basic, latin-1), without its deprecated BasicAuth.
    pair = f"{url.user}:{url.password or ''}".encode("latin-1", "replace")
    return url.with_user(None), {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def env_proxy(base_url: str) -> Proxy:
    """The proxy the environment names for ``base_url`` (``NO_PROXY`` respected), or none."""
    try:
        url, auth = get_env_proxy_for_url(URL(base_url))
    except LookupError:
        return None, None
    return url, ({"Proxy-Authorization": auth.encode()} if auth is not None else None)
