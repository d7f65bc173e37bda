"""Event hooks (``Client(event_hooks={"request": [...], "response": [...], "retry": [...]})``):
the public :class:`HookEvent` and the runner that calls the hooks of each kind in order.

A hook is a sync or async callable taking one :class:`HookEvent`. It fires once per attempt
("request" before it is sent, "response" once it answered, failed or was cancelled: every
"request" has its "response") and once per retry ("retry", before the wait). A hook that raises
is logged on the ``wacr`` logger (the error's type and its message with the token masked; never
a body) and the call goes on. Call-scope
observers (:class:`CallObserver`, used by :mod:`wacr.otel`) wrap a whole call, every attempt
included. None of it costs anything when no hook is set: the transport then skips this module.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

import attrs

from wacr.errors import ConfigurationError, Redactor

if TYPE_CHECKING:
    from wacr._attempt import Call
    from wacr.errors import WacrError

__all__ = ["KINDS", "CallObserver", "EventHooks", "HookEvent", "Hooks", "shown_url"]

_log = logging.getLogger("wacr")

#: The hook kinds, in the order they fire for an attempt that is retried.
KINDS = ("request", "response", "retry")
# Query parameters whose values are masked in the URL a hook or a span sees, whatever they hold.
_SECRET_NAMES = frozenset({"token", "api_key", "apikey", "key", "access_token", "secret", "password"})
_MASKED = "[REDACTED]"

Hook = Callable[["HookEvent"], Any]

#: What ``Client(event_hooks=...)`` takes: each kind (``"request"``, ``"response"``, ``"retry"``)
#: to a list of sync or async callables of a :class:`HookEvent`. Keys are plain strings so that a
#: dict built beforehand type-checks; an unknown kind is a ConfigurationError at construction.
EventHooks: TypeAlias = Mapping[str, Sequence[Callable[["HookEvent"], object]]]


@attrs.define(slots=True, frozen=True, repr=False)
class HookEvent:
    """What an event hook receives: one attempt of one API call (or the retry between two).

    ``kind`` is ``"request"`` (before the attempt is sent: ``status``, ``elapsed``, ``error`` and
    ``request_id`` are ``None``), ``"response"`` (the attempt answered or failed: ``status`` when
    the server answered, ``error`` the wacr exception the attempt ended with, if any) or
    ``"retry"`` (the attempt ``attempt`` failed with ``error`` and the next one follows in
    ``wait`` seconds). Every "request" event is followed by the "response" event of its attempt,
    also when the attempt is cancelled (the caller's task cancelled, ``asyncio.timeout`` /
    ``wait_for`` around the call, a ``TaskGroup`` torn down): ``error`` is then the
    :class:`asyncio.CancelledError` (``status`` and ``request_id`` ``None``), the hooks run before
    the cancellation goes on (an async one should be quick: a second cancel stops it), and no
    "retry" follows. An attempt given up before its "request" event (cancelled while it waited
    for the rate limiter, or refused by it) fires neither. ``url`` is the full URL with its
    query, the token masked wherever it appears and the values of secret-looking query
    parameters (``token``, ``api_key``, ...) masked too. A request hook may add headers to its
    attempt through ``headers`` (a dict, e.g. trace context); wacr checks them like
    ``extra_headers`` and never lets one set ``Authorization`` or ``X-API-Key`` (a
    :class:`~wacr.ConfigurationError` naming ``event_hooks.request.headers.<name>``, before
    anything is sent).
    """

    #: ``"request"``, ``"response"`` or ``"retry"``.
    kind: Literal["request", "response", "retry"]
    #: The operation id (``"messages_send_text"``), ``None`` for ``client.request(...)``.
    operation: str | None
    #: HTTP method.
    method: str
    #: Full URL with its query, secrets masked.
    url: str
    #: The attempt's number, from 1 (for "retry": the attempt that failed).
    attempt: int
    #: HTTP status of the answer ("response", "retry"), ``None`` without one.
    status: int | None = None
    #: Seconds from sending the attempt to its outcome ("response").
    elapsed: float | None = None
    #: The exception the attempt ended with ("response", "retry"), ``None`` on success; for a
    #: cancelled attempt ("response" only) the :class:`asyncio.CancelledError`.
    error: WacrError | asyncio.CancelledError | None = None
    #: The request id the server gave, when it answered.
    request_id: str | None = None
    #: Seconds until the next attempt ("retry").
    wait: float | None = None
    #: Headers a request hook adds to this attempt (empty for the other kinds).
    headers: dict[str, str] = attrs.field(factory=dict)

    def __repr__(self) -> str:
        return (
            f"HookEvent(kind={self.kind!r}, operation={self.operation!r}, method={self.method!r}, "
            f"url={self.url!r}, attempt={self.attempt}, status={self.status!r}, "
            f"error={type(self.error).__name__ if self.error is not None else None})"
        )


class CallObserver(Protocol):
    """Wraps a whole call (every attempt): :meth:`start` before the first attempt, in the task
    that makes the call, and :meth:`end` after the last, in the same task."""

    def start(self, event: HookEvent) -> Any:
        """Called with a "request" event of attempt 1; returns what :meth:`end` gets back."""

    def end(self, state: Any, attempts: int, status: int | None, error: BaseException | None) -> None:
        """Called once the call returned (``error`` None) or raised."""


def shown_url(call: Call, redactor: Redactor) -> str:
    """The call's URL with its query as a hook or a span shows it: no secret in it."""
    url = call.url
    params = call.params
    if params:
        pairs = params.items() if isinstance(params, Mapping) else params
        shown = [(k, _MASKED if k.lower() in _SECRET_NAMES else v) for k, v in pairs]
        url = f"{url}?{urllib.parse.urlencode(shown)}"
    return redactor.text(url) if redactor.found(url) else url


class Hooks:
    """The checked hooks of one client, by kind (an empty kind is an empty tuple)."""

    __slots__ = ("_redactor", "request", "response", "retry")

    def __init__(
        self,
        redactor: Redactor,
        request: Sequence[Hook] = (),
        response: Sequence[Hook] = (),
        retry: Sequence[Hook] = (),
    ) -> None:
        self._redactor = redactor
        self.request = tuple(request)
        self.response = tuple(response)
        self.retry = tuple(retry)

    @classmethod
    def check(cls, config: object, redactor: Redactor) -> Hooks | None:
        """``event_hooks`` as given to ``Client``, checked: a mapping of known kinds to lists of
        callables (a ConfigurationError naming the key otherwise); ``None`` when it has none."""
        if config is None:
            return None
        if not isinstance(config, Mapping):
            raise ConfigurationError(
                f"event_hooks must be a mapping of {', '.join(KINDS)} to lists of callables, "
                f"got {type(config).__name__}"
            )
        found: dict[str, list[Hook]] = {}
        for kind, hooks in config.items():
            if kind not in KINDS:
                raise ConfigurationError(
                    f"event_hooks[{kind!r}]: unknown hook kind (the kinds are {', '.join(KINDS)})"
                )
            if callable(hooks) or isinstance(hooks, (str, bytes)) or not isinstance(hooks, Sequence):
                raise ConfigurationError(
                    f"event_hooks[{kind!r}] must be a list of callables, got {type(hooks).__name__}"
                )
            for number, hook in enumerate(hooks):
                if not callable(hook):
                    raise ConfigurationError(
                        f"event_hooks[{kind!r}][{number}] must be callable, got {type(hook).__name__}"
                    )
            found[kind] = list(hooks)
        if not any(found.values()):
            return None
        return cls(redactor, **found)

    def plus(self, **more: Sequence[Hook]) -> Hooks:
        """These hooks and ``more`` after them (how :mod:`wacr.otel` adds its own)."""
        return Hooks(
            self._redactor,
            (*self.request, *more.get("request", ())),
            (*self.response, *more.get("response", ())),
            (*self.retry, *more.get("retry", ())),
        )

    async def fire(self, hooks: tuple[Hook, ...], event: HookEvent) -> None:
        """Call each hook with ``event`` in order; one that raises is logged and skipped."""
        for hook in hooks:
            try:
                result = hook(event)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # a hook never breaks the call
                text = str(exc)
                if self._redactor.found(text):
                    text = self._redactor.text(text)
                _log.warning(
                    "wacr: the %s hook %s raised %s: %s (the call goes on)",
                    event.kind,
                    getattr(hook, "__qualname__", type(hook).__name__),
                    type(exc).__name__,
                    text,
                )
