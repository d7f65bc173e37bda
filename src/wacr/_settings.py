"""A client's settings, each rule checked once, here (:class:`Settings`): the token, the base
URL, timeouts, retries, connection limits, the response cap, the proxy and default headers."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping

import attrs
from yarl import URL

from wacr._headers import header_problems
from wacr.errors import ConfigurationError, ValidationError

__all__ = ["DEFAULT_MAX_RESPONSE_SIZE", "Settings", "check_max_retries", "check_timeout"]

#: The default cap on a response body, in bytes after decompression: 32 MiB. The largest answers
#: of this API are pages of at most 100 contacts (a few hundred KiB even with long custom
#: fields) and template lists; 32 MiB is a hundred times that, and bounds what a hostile or
#: broken server (or a gzip bomb) can make the client hold.
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024


def _check_token(token: str) -> None:
    """Refuse a token that cannot go in an HTTP header, naming the character (not the token).

    Header values cannot carry control characters: CR, LF and NUL would split or end the header,
    and the other C0 controls (tab included: a pasted token has none), DEL and the C1 controls are
    refused by servers or mangled by proxies. A lone surrogate cannot be encoded at all.
    """
    for position, ch in enumerate(token):
        if unicodedata.category(ch) == "Cc":
            raise ConfigurationError(
                f"the API token contains a control character (U+{ord(ch):04X}) at position "
                f"{position + 1}: an HTTP header cannot carry it; check how the token was copied"
            )
        if "\ud800" <= ch <= "\udfff":
            raise ConfigurationError(
                f"the API token contains a lone surrogate (U+{ord(ch):04X}) at position {position + 1}, "
                "which cannot be encoded"
            )


def _problem(name: str, value: object, rule: str, per_call: bool) -> Exception:
    """A setting's problem is the client's (ConfigurationError); a per-call override's is the
    call's arguments' (ValidationError naming it, as for any argument checked before sending)."""
    if per_call:
        return ValidationError(errors={name: [f"must be {rule} (got {value!r})"]})
    return ConfigurationError(f"{name} must be {rule}, got {value!r}")


def _number(
    name: str,
    value: object,
    rule: str,
    *,
    above: float | None = None,
    least: float = 0,
    per_call: bool = False,
) -> float:
    """``value`` as a float when it is a finite real number (not a bool) above ``above`` or at
    least ``least``; otherwise an error naming the setting and ``rule`` (:func:`_problem`)."""
    problem = _problem(name, value, rule, per_call)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise problem
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float: no timer can take it
        raise problem from None
    if math.isfinite(number) and ((number > above) if above is not None else (number >= least)):
        return number
    raise problem  # NaN, an infinity, or out of range


def _whole(name: str, value: object, least: int, *, per_call: bool = False) -> int:
    """``value`` when it is an int (not a bool) >= ``least``, else an error naming it."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= least:
        return value
    raise _problem(name, value, f"an integer >= {least}", per_call)


def check_timeout(value: object, *, per_call: bool = False) -> float:
    """The one rule for ``timeout`` (a setting, and a per-call override): seconds > 0."""
    return _number("timeout", value, "a positive, finite number of seconds", above=0, per_call=per_call)


def check_max_retries(value: object, *, per_call: bool = False) -> int:
    """The one rule for ``max_retries`` (a setting, and a per-call override): an integer >= 0."""
    return _whole("max_retries", value, 0, per_call=per_call)


def _check_base_url(base_url: object) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    try:
        parsed = URL(base_url)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"invalid base_url {base_url!r}: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    if parsed.query_string or parsed.fragment:
        raise ConfigurationError(f"base_url must not have a query or fragment, got {base_url!r}")
    return base_url.rstrip("/")


def _check_proxy(proxy: object) -> str | None:
    """An http(s) proxy URL (credentials in it allowed, never shown), or None."""
    if proxy is None:
        return None
    shown = "a URL (not shown: it may hold credentials)"
    if not isinstance(proxy, str):
        raise ConfigurationError(f"proxy must be an http(s) URL string, got {type(proxy).__name__}")
    try:
        parsed = URL(proxy)
    except (TypeError, ValueError):
        raise ConfigurationError(f"proxy must be an http(s) URL, got {shown} that does not parse") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"proxy must be an absolute http(s) URL, got {shown} that is not")
    return proxy


def _check_default_headers(headers: object) -> dict[str, str]:
    if headers is None:
        return {}
    problems = header_problems(headers, "default_headers")
    if problems:
        field, rules = next(iter(problems.items()))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigurationError(f"{field} {'; '.join(rules)}{more}")
    assert isinstance(headers, Mapping)
    return dict(headers)


def _check_token_setting(token: object) -> str:
    if token is None or (isinstance(token, str) and not token.strip()):
        raise ConfigurationError(
            "no API token: pass Client(token=...) or set the WACR_TOKEN environment variable"
        )
    if not isinstance(token, str):  # the type only: the value may be the secret
        raise ConfigurationError(f"the API token must be a string, got {type(token).__name__}")
    # Surrounding whitespace (a line break from a file or an environment variable) is not part
    # of a token; what is inside it is checked and kept as is.
    token = token.strip()
    _check_token(token)
    return token


@attrs.frozen(slots=True, repr=False, init=False)
class Settings:
    """A client's settings, every rule checked once, here, when built.

    :class:`wacr.Client` builds one (after reading ``WACR_TOKEN`` / ``WACR_BASE_URL``) and its
    :class:`Transport` runs on it. A bad value raises :class:`~wacr.ConfigurationError` naming
    the setting and the rule. The token is stripped of surrounding whitespace and never shown.
    """

    #: The API token (sent as ``Authorization: Bearer ...``).
    token: str
    #: The API's base URL without a trailing slash, e.g. ``https://app.wa.cr/api/v2``.
    base_url: str
    #: Total seconds per attempt.
    timeout: float
    #: Retries after the first attempt (0 turns them off).
    max_retries: int
    #: The longest ``Retry-After`` wacr sleeps on; a longer one raises instead.
    max_retry_wait: float
    #: Open connections of a session the client creates (at least 1).
    connection_limit: int
    #: Open connections per host of such a session (0: no limit beyond ``connection_limit``).
    connection_limit_per_host: int
    #: The ``User-Agent`` header (None: wacr's, aiohttp's and Python's versions).
    user_agent: str | None
    #: The first exponential backoff wait, in seconds (before full jitter).
    backoff_base: float
    #: The longest exponential backoff wait, in seconds.
    backoff_cap: float
    #: The largest response body accepted, in bytes after decompression.
    max_response_size: int
    #: Seconds to get a connection (from the pool, or a new one), at most nine tenths of
    #: ``timeout`` so that a call that never got one is known not to have been sent.
    connect_timeout: float
    #: Whether ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` (and ``~/.netrc`` for the proxy) apply.
    trust_env: bool
    #: The proxy URL (it may hold credentials: never shown), or None.
    proxy: str | None
    #: Headers added to every request (never ``Authorization`` / ``X-API-Key``).
    default_headers: Mapping[str, str]

    def __init__(
        self,
        *,
        token: str | None,
        base_url: str,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        connection_limit: int = 100,
        connection_limit_per_host: int = 0,
        user_agent: str | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        connect_timeout: float = 10.0,
        trust_env: bool = True,
        proxy: str | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        if user_agent is not None and not isinstance(user_agent, str):
            raise ConfigurationError(f"user_agent must be a string, got {user_agent!r}")
        if not isinstance(trust_env, bool):
            raise ConfigurationError(f"trust_env must be True or False, got {trust_env!r}")
        self.__attrs_init__(
            token=_check_token_setting(token),
            base_url=_check_base_url(base_url),
            timeout=check_timeout(timeout),
            max_retries=check_max_retries(max_retries),
            max_retry_wait=_number("max_retry_wait", max_retry_wait, "a finite number of seconds >= 0"),
            connection_limit=_whole("connection_limit", connection_limit, 1),
            connection_limit_per_host=_whole("connection_limit_per_host", connection_limit_per_host, 0),
            user_agent=user_agent,
            backoff_base=_number("backoff_base", backoff_base, "a finite number of seconds >= 0"),
            backoff_cap=_number("backoff_cap", backoff_cap, "a finite number of seconds >= 0"),
            max_response_size=_max_response_size(max_response_size),
            connect_timeout=_number(
                "connect_timeout", connect_timeout, "a positive, finite number of seconds", above=0
            ),
            trust_env=trust_env,
            proxy=_check_proxy(proxy),
            default_headers=_check_default_headers(default_headers),
        )

    def __repr__(self) -> str:
        # Never the token.
        return (
            f"Settings(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r})"
        )


def _max_response_size(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ConfigurationError(f"max_response_size must be a number of bytes >= 1, got {value!r}")
