"""wacr.otel against a loopback server, spans read from the SDK's in-memory exporter."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import wacr
import wacr.otel
from tests.otel.conftest import TOKEN, Reply, Scripted

SENT = {"success": True, "data": {"message_id": "m-1", "status": "sent"}, "meta": {"request_id": "req-9"}}
DOWN = {"success": False, "error": {"code": "SERVICE_UNAVAILABLE", "message": "later"}}


@pytest.fixture
def exporter() -> Iterator[tuple[InMemorySpanExporter, TracerProvider]]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    yield memory, provider
    provider.shutdown()


@pytest.fixture
async def client(
    api: Scripted, exporter: tuple[InMemorySpanExporter, TracerProvider]
) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(TOKEN, base_url=api.url()) as made:
        wacr.otel.instrument(made, tracer_provider=exporter[1])
        wacr.otel.instrument(made, tracer_provider=exporter[1])  # a second time: no second span
        yield made


def _only(spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    assert len(spans) == 1, [s.name for s in spans]
    return spans[0]


async def test_one_client_span_per_call_with_the_conventions(
    api: Scripted, client: wacr.Client, exporter: tuple[InMemorySpanExporter, TracerProvider]
) -> None:
    api.reply(Reply(200, SENT))
    await client.request("GET", "/contacts", params={"search": f"a{TOKEN}", "api_key": "k-1", "page": "2"})
    span = _only(exporter[0].get_finished_spans())
    assert span.name == "wacr GET" and span.kind is SpanKind.CLIENT
    attributes = dict(span.attributes or {})
    assert attributes["http.request.method"] == "GET"
    assert attributes["server.address"] == "127.0.0.1" and attributes["server.port"] == api.server.port  # type: ignore[union-attr]
    assert attributes["http.response.status_code"] == 200
    assert attributes["wacr.operation"] == "request" and attributes["wacr.attempts"] == 1
    assert attributes["wacr.request_id"] == "req-9"
    full = str(attributes["url.full"])
    assert full.startswith(api.url("/api/v2/contacts?")) and "page=2" in full
    assert TOKEN not in full and urllib.parse.quote(TOKEN) not in full and "k-1" not in full
    assert "error.type" not in attributes and span.status.status_code is StatusCode.UNSET
    # The trace context went out with the request.
    traceparent = api.seen[0].headers["traceparent"]
    assert traceparent.split("-")[1] == format(span.context.trace_id, "032x")
    assert traceparent.split("-")[2] == format(span.context.span_id, "016x")


async def test_an_operation_names_its_span_and_retries_are_events(
    api: Scripted, client: wacr.Client, exporter: tuple[InMemorySpanExporter, TracerProvider]
) -> None:
    contact = {"success": True, "data": {"id": 7, "phone": "+201000000000"}, "meta": {"request_id": "r"}}
    api.reply(Reply(503, DOWN), Reply(200, contact))
    await client.contacts.get(7, max_retries=1)
    span = _only(exporter[0].get_finished_spans())
    assert span.name == "wacr contacts.get"
    attributes = dict(span.attributes or {})
    assert attributes["wacr.operation"] == "contacts_get" and attributes["wacr.attempts"] == 2
    (event,) = span.events
    assert event.name == "retry"
    assert dict(event.attributes or {})["wacr.attempt"] == 1
    assert dict(event.attributes or {})["http.response.status_code"] == 503
    assert dict(event.attributes or {})["error.type"] == "503"
    # Each attempt carried the same span's context.
    assert len({s.headers["traceparent"] for s in api.seen}) == 1


async def test_a_failed_call_records_its_error_type(
    api: Scripted, client: wacr.Client, exporter: tuple[InMemorySpanExporter, TracerProvider]
) -> None:
    api.reply(Reply(404, {"success": False, "error": {"code": "NOT_FOUND", "message": "no"}}))
    with pytest.raises(wacr.NotFoundError):
        await client.messages.send_text(phone="+201000000000", message="hi")
    span = _only(exporter[0].get_finished_spans())
    assert span.name == "wacr messages.send_text"
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "404" and attributes["http.response.status_code"] == 404
    assert span.status.status_code is StatusCode.ERROR
    with pytest.raises(wacr.ValidationError):
        await client.request("GET", "//elsewhere/x")  # refused before any span starts
    assert len(exporter[0].get_finished_spans()) == 1


async def test_with_the_aiohttp_instrumentation_its_spans_are_children_of_the_wacr_span(
    api: Scripted, exporter: tuple[InMemorySpanExporter, TracerProvider]
) -> None:
    memory, provider = exporter
    instrumentor = AioHttpClientInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        api.reply(Reply(503, DOWN), Reply(200, SENT))
        async with wacr.Client(TOKEN, base_url=api.url()) as client:
            wacr.otel.instrument(client, tracer_provider=provider)
            await client.request("GET", "/contacts", max_retries=1)
    finally:
        instrumentor.uninstrument()
    spans = memory.get_finished_spans()
    roots = [s for s in spans if s.parent is None]
    (root,) = roots
    assert root.name == "wacr GET"
    children = [s for s in spans if s is not root]
    assert len(children) == 2  # one per attempt
    assert all(s.parent is not None and s.parent.span_id == root.context.span_id for s in children)
    assert {s.context.trace_id for s in spans} == {root.context.trace_id}
    # The server saw the context of the innermost span: each attempt's own.
    sent = [s.headers["traceparent"].split("-")[2] for s in api.seen]
    assert sorted(sent) == sorted(format(s.context.span_id, "016x") for s in children)


def test_import_wacr_loads_no_opentelemetry() -> None:
    code = "import sys, wacr; wacr.Client; print(sorted(m for m in sys.modules if m.startswith('opentel')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_without_the_extra_the_import_error_names_it() -> None:
    code = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "try:\n    import wacr.otel\nexcept ImportError as exc:\n    print(exc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "wacr.otel needs the otel extra: pip install 'wacr[otel]'"


@pytest.mark.parametrize("thing", ["x", None, 5, object()])
def test_instrument_takes_only_a_client(thing: object) -> None:
    with pytest.raises(TypeError, match=r"instrument\(\) takes a wacr\.Client, not"):
        wacr.otel.instrument(thing)  # type: ignore[arg-type]
