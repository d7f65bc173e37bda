"""OpenTelemetry tracing for a wacr client (the ``otel`` extra: ``pip install wacr[otel]``).

::

    import wacr, wacr.otel

    client = wacr.Client(token="...")
    wacr.otel.instrument(client)            # the global tracer provider, or tracer_provider=...

Each API call becomes one ``CLIENT`` span named ``wacr <section>.<method>`` (``wacr
messages.send_text``; ``wacr GET`` for ``client.request``), covering every attempt, with the
stable HTTP semantic-convention attributes (``http.request.method``, ``url.full`` with the token
and secret-looking query values masked, ``server.address``, ``server.port``,
``http.response.status_code``, ``error.type``) and ``wacr.operation``, ``wacr.attempts``,
``wacr.request_id``. Each retry is a span event (``retry``: the attempt that failed, the wait,
why). The trace context goes out in the request headers through the global propagator (W3C
``traceparent`` by default).

With ``opentelemetry-instrumentation-aiohttp-client`` active too, the aiohttp spans of the
attempts are children of the wacr span (it is the current span while they run), so a call still
has one top-level span; the aiohttp span then sets the ``traceparent`` the server sees.

It is built on the client's event hooks (the headers, the retry events, the request id) plus
one internal call-scope observer: a span must enclose every attempt and be the current context
while they run, which per-attempt hooks alone cannot do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

try:
    from opentelemetry import context, propagate, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as _missing:
    raise ImportError("wacr.otel needs the otel extra: pip install 'wacr[otel]'") from _missing
from yarl import URL

from wacr._version import __version__
from wacr.errors import APIError

if TYPE_CHECKING:
    from wacr import Client, HookEvent

__all__ = ["instrument"]


def _span_name(operation: str | None, method: str) -> str:
    if operation is None:
        return f"wacr {method}"
    section, _, name = operation.partition("_")
    return f"wacr {section}.{name}" if name else f"wacr {operation}"


def _error_type(error: BaseException) -> str:
    if isinstance(error, APIError) and error.status is not None:
        return str(error.status)
    cls = type(error)
    module = "wacr" if cls.__module__ == "wacr.errors" else cls.__module__
    return f"{module}.{cls.__qualname__}"


class _Tracing:
    """The call-scope observer and hooks of one instrumented client."""

    def __init__(self, tracer: trace.Tracer, base_url: str) -> None:
        self.tracer = tracer
        url = URL(base_url)
        self.server: dict[str, Any] = {"server.address": url.host or "", "server.port": url.port or 0}

    # -- the call ---------------------------------------------------------------------------

    def start(self, event: HookEvent) -> tuple[trace.Span, object]:
        attributes = {
            "http.request.method": event.method,
            "url.full": event.url,
            **self.server,
            "wacr.operation": event.operation or "request",
        }
        span = self.tracer.start_span(
            _span_name(event.operation, event.method), kind=SpanKind.CLIENT, attributes=attributes
        )
        return span, context.attach(trace.set_span_in_context(span))

    def end(self, state: Any, attempts: int, status: int | None, error: BaseException | None) -> None:
        span, token = state
        context.detach(token)
        span.set_attribute("wacr.attempts", attempts)
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if error is not None:
            kind = _error_type(error)
            span.set_attribute("error.type", kind)
            span.set_status(Status(StatusCode.ERROR, kind))
        span.end()

    # -- the attempts (event hooks) ---------------------------------------------------------

    @staticmethod
    def on_request(event: HookEvent) -> None:
        propagate.inject(event.headers)  # the current context holds the call's span

    @staticmethod
    def on_response(event: HookEvent) -> None:
        if event.request_id is not None:
            trace.get_current_span().set_attribute("wacr.request_id", event.request_id)

    @staticmethod
    def on_retry(event: HookEvent) -> None:
        attributes: dict[str, Any] = {"wacr.attempt": event.attempt, "wacr.retry.wait": event.wait or 0.0}
        if event.status is not None:
            attributes["http.response.status_code"] = event.status
        if event.error is not None:
            attributes["error.type"] = _error_type(event.error)
        trace.get_current_span().add_event("retry", attributes)


def instrument(client: Client, tracer_provider: trace.TracerProvider | None = None) -> None:
    """Trace every call ``client`` makes from now on (see the module docstring); a second call
    on the same client does nothing. ``tracer_provider`` defaults to the global one."""
    import wacr  # the public face; wacr.Client is loaded already when a client was made

    if not isinstance(client, wacr.Client):
        raise TypeError(f"instrument() takes a wacr.Client, not {type(client).__name__}")
    transport = client._transport
    if any(isinstance(observer, _Tracing) for observer in transport._observers):
        return
    tracer = trace.get_tracer("wacr", __version__, tracer_provider=tracer_provider)
    tracing = _Tracing(tracer, transport.base_url)
    transport.observe(
        tracing, request=[tracing.on_request], response=[tracing.on_response], retry=[tracing.on_retry]
    )
