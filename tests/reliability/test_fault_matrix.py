"""The fault matrix: every fault a network or a server throws at a call, crossed with every class of call.

Each fault is injected with the emulator's fault injection (or, for failures before anything is
sent, a resolver that fails or a port nothing listens on) and each call goes through the real
SDK and aiohttp stack. :data:`MATRIX` is the one table of expected outcomes; the README shows the
same table (``test_the_readme_shows_this_matrix``). The emulator's request log and its effects
(outbox, contacts) prove that a POST is never repeated: a retried POST is one whose earlier
attempt the server did not act on. Every call is sent at most ``max_retries + 1`` times, a POST
at most once after an ambiguous failure: aiohttp's own resend on a dropped connection is off.
"""

from __future__ import annotations

import asyncio
import logging
import pathlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import aiohttp
import pytest
from yarl import URL

import wacr
from wacr import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
    WacrError,
)
from wacr.testing import Emulator, Fault

from .conftest import TOKEN, closed_port, eventually

MAX_RETRIES = 2
ROOT = pathlib.Path(__file__).resolve().parents[2]


# -- the outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retried:
    """The SDK repeats the call: a one-off fault ends in success. A fault that lasts ends, after
    ``max_retries`` more attempts, in ``error`` with ``may_have_been_processed=False``."""

    error: type[WacrError]

    def describe(self) -> str:
        return f"retried (if lasting: `{self.error.__name__}`)"


@dataclass(frozen=True)
class Raised:
    """Not repeated: the call ends in ``error`` after exactly one request."""

    error: type[WacrError]
    #: The error's ``may_have_been_processed`` (every error of the matrix has one).
    may_have_been_processed: bool = False

    def describe(self) -> str:
        text = f"`{self.error.__name__}`"
        return text + ", `may_have_been_processed`" if self.may_have_been_processed else text


Outcome = Retried | Raised


class Row(NamedTuple):
    read: Outcome  # GET
    write: Outcome  # idempotent write: PATCH
    post: Outcome  # POST: a message send, an OTP send, a create
    why: str


RETRY_429, RAISE_429 = Retried(RateLimitError), Raised(RateLimitError)
RETRY_500, POST_500 = Retried(InternalServerError), Raised(InternalServerError, may_have_been_processed=True)
RETRY_5XX, POST_5XX = Retried(ServerError), Raised(ServerError, may_have_been_processed=True)
RETRY_CONN, POST_CONN = Retried(APIConnectionError), Raised(APIConnectionError, may_have_been_processed=True)
RETRY_TIMEOUT, POST_TIMEOUT = Retried(APITimeoutError), Raised(APITimeoutError, may_have_been_processed=True)
BAD_BODY, POST_BAD_BODY = (
    Raised(InvalidResponseError),
    Raised(InvalidResponseError, may_have_been_processed=True),
)
RAISE_500, POST_2XX_500 = (
    Raised(InternalServerError),
    Raised(InternalServerError, may_have_been_processed=True),
)
TOO_LARGE = Raised(wacr.ResponseTooLargeError)
POST_TOO_LARGE = Raised(wacr.ResponseTooLargeError, may_have_been_processed=True)

# fmt: off
#: The expected outcome of every (fault, call class) cell: Row(read, idempotent write, POST, why).
#: Each fault hits one request (the next attempt is answered normally); ``test_lasting_fault``
#: covers the retried faults when they do not go away.
MATRIX: dict[str, Row] = {
    # 429 + Retry-After: 1 and a RATE_LIMIT_EXCEEDED envelope; the request is not processed.
    "429 with `Retry-After`": Row(RETRY_429, RETRY_429, RETRY_429,
        "nothing was done, so any call waits `Retry-After` and tries again"),
    # 429 with no wait anywhere: backoff's exponential waits with full jitter.
    "429 without `Retry-After`": Row(RETRY_429, RETRY_429, RETRY_429,
        "nothing was done; exponential backoff with full jitter"),
    # Retry-After: 600 with max_retry_wait=5: never slept on.
    "429, `Retry-After` above `max_retry_wait`": Row(RAISE_429, RAISE_429, RAISE_429,
        "the server asks for a longer wait than allowed: raised at once with `.retry_after`"),
    # The handler ran (the message went out), then the server answered 500 INTERNAL_ERROR.
    "500 (after doing the work)": Row(RETRY_500, RETRY_500, POST_500,
        "the server may have acted before failing: a POST is not repeated"),
    # nginx's HTML error page, text/html: typed by status, the raw page kept in .body.
    "502 with an HTML body": Row(RETRY_5XX, RETRY_5XX, POST_5XX,
        "a gateway's HTML page, typed by status (raw body in `.body`)"),
    # SERVICE_UNAVAILABLE envelope: like every 5xx.
    "503": Row(RETRY_5XX, RETRY_5XX, POST_5XX, "a 5xx is ambiguous for a POST"),
    # GATEWAY_TIMEOUT envelope: the upstream may still finish the work.
    "504": Row(RETRY_5XX, RETRY_5XX, POST_5XX, "the upstream may still finish the work"),
    # The host name fails to resolve once (lasting: a port nothing listens on): nothing written.
    "connection fails before the request is sent": Row(RETRY_CONN, RETRY_CONN, RETRY_CONN,
        "nothing was written, so even a POST is retried"),
    # The emulator closes the connection without reading the body or answering.
    "connection dropped before an answer (request not processed)": Row(RETRY_CONN, RETRY_CONN, POST_CONN,
        "the request was written; the client cannot tell whether it was processed"),
    # The emulator does the work, then closes the connection without answering.
    "connection dropped after the request was processed": Row(RETRY_CONN, RETRY_CONN, POST_CONN,
        "the work was done and the answer lost: repeating a POST would do it twice"),
    # The emulator answers after 1.2 s; the call's timeout is 0.5 s. The work is still done.
    "answer slower than the timeout": Row(RETRY_TIMEOUT, RETRY_TIMEOUT, POST_TIMEOUT,
        "the server finishes the work after the client gave up"),
    # 200 with the first 40 bytes of a JSON envelope (the handler ran).
    "truncated JSON (200)": Row(BAD_BODY, BAD_BODY, POST_BAD_BODY,
        "a 2xx means done: reported as a broken answer, never repeated"),
    # 200 with no body at all (the handler ran).
    "empty body (200)": Row(BAD_BODY, BAD_BODY, POST_BAD_BODY, "a 2xx means done: never repeated"),
    # 200 {"success": true, "message": "OK"}: no data object (the handler ran).
    "success without `data` (200)": Row(BAD_BODY, BAD_BODY, POST_BAD_BODY,
        "a 2xx means done: the error names the missing `data`"),
    # 200 {"success": false, "error": {"code": "INTERNAL_ERROR"}} after the handler ran.
    "200 with `success: false`, `INTERNAL_ERROR`": Row(RAISE_500, RAISE_500, POST_2XX_500,
        "a failure reported in a 2xx is ambiguous: a POST may have been done"),
    # 200 whose body is above max_response_size (1 KiB here), after the handler ran.
    "body above `max_response_size` (200)": Row(TOO_LARGE, TOO_LARGE, POST_TOO_LARGE,
        "refused after reading at most the cap; a 2xx means done"),
}
# fmt: on


# -- the faults -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultSpec:
    """How a row's fault is made."""

    #: ``Fault`` options (its ``match`` is the cell's method and path).
    options: Mapping[str, Any] = field(default_factory=dict)
    #: "emulator" (fault injection), or "pre-send" (a DNS failure once; lasting: a closed port).
    kind: str = "emulator"
    #: Whether the emulator performs the request although the client sees the fault.
    processes: bool = False
    #: Per-call timeout (seconds).
    timeout: float | None = None
    #: Client settings for the row.
    client: Mapping[str, Any] = field(default_factory=dict)


HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    "</center><hr><center>nginx</center></body></html>"
)

FAULTS: dict[str, FaultSpec] = {
    "429 with `Retry-After`": FaultSpec({"status": 429, "retry_after": 1}),
    "429 without `Retry-After`": FaultSpec({"status": 429}),
    "429, `Retry-After` above `max_retry_wait`": FaultSpec({"status": 429, "retry_after": 600}),
    "500 (after doing the work)": FaultSpec({"status": 500, "run_handler": True}, processes=True),
    "502 with an HTML body": FaultSpec({"status": 502, "body": HTML_502}),
    "503": FaultSpec({"status": 503}),
    "504": FaultSpec({"status": 504}),
    "connection fails before the request is sent": FaultSpec(kind="pre-send"),
    "connection dropped before an answer (request not processed)": FaultSpec({"drop": "before"}),
    "connection dropped after the request was processed": FaultSpec({"drop": "after"}, processes=True),
    "answer slower than the timeout": FaultSpec({"delay": 1.2}, processes=True, timeout=0.5),
    "truncated JSON (200)": FaultSpec(
        {"status": 200, "body": '{"success": true, "data": {"id": 1, "firstna', "run_handler": True},
        processes=True,
    ),
    "empty body (200)": FaultSpec({"status": 200, "body": b"", "run_handler": True}, processes=True),
    "success without `data` (200)": FaultSpec(
        {"json": {"success": True, "message": "OK"}, "run_handler": True}, processes=True
    ),
    "200 with `success: false`, `INTERNAL_ERROR`": FaultSpec(
        {
            "status": 200,
            "json": {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Something broke"}},
            "run_handler": True,
        },
        processes=True,
    ),
    "body above `max_response_size` (200)": FaultSpec(
        {
            "status": 200,
            "json": {"success": True, "data": {"id": 1, "notes": "x" * 4096}},
            "run_handler": True,
        },
        processes=True,
        client={"max_response_size": 1024},
    ),
}


# -- the calls ------------------------------------------------------------------------------------

SEND_PHONE, OTP_PHONE, NEW_PHONE = "+15550000001", "+15550000002", "+15550000003"


@dataclass(frozen=True)
class Cell:
    """One representative call of a call class."""

    column: str  # the Row field: read, write or post
    method: str
    path: str  # relative to /api/v2; {id} is the seeded contact
    call: Callable[[wacr.Client, int, float | None], Awaitable[Any]]
    #: How many times the server did the call's work (POSTs; None for repeatable calls).
    effect: Callable[[Emulator], int] | None = None


def _sent(kind: str, phone: str) -> Callable[[Emulator], int]:
    digits = phone.lstrip("+")
    return lambda emu: sum(1 for m in emu.outbox if m.kind == kind and m.phone == digits)


CELLS: dict[str, Cell] = {
    "read: contacts.get": Cell(
        "read", "GET", "/contacts/{id}", lambda c, cid, t: c.contacts.get(cid, timeout=t)
    ),
    "idempotent write: contacts.update": Cell(
        "write", "PATCH", "/contacts/{id}", lambda c, cid, t: c.contacts.update(cid, city="Cairo", timeout=t)
    ),
    "POST send: messages.send_text": Cell(
        "post",
        "POST",
        "/messages/text",
        lambda c, cid, t: c.messages.send_text(phone=SEND_PHONE, message="Your order shipped", timeout=t),
        _sent("text", SEND_PHONE),
    ),
    "POST OTP: auth.send_otp": Cell(
        "post",
        "POST",
        "/auth/send-otp",
        lambda c, cid, t: c.auth.send_otp(
            phone=OTP_PHONE, template_name="otp_verification", code="482913", timeout=t
        ),
        _sent("otp", OTP_PHONE),
    ),
    "POST create: contacts.create": Cell(
        "post",
        "POST",
        "/contacts",
        lambda c, cid, t: c.contacts.create(
            firstname="Nour",
            lastname="Adel",
            phone=NEW_PHONE,
            type="lead",
            source_id=1,
            status_id=1,
            timeout=t,
        ),
        lambda emu: 0 if emu.get_contact(NEW_PHONE) is None else 1,
    ),
}


class FlakyResolver(aiohttp.abc.AbstractResolver):
    """Resolves every name to loopback, failing the next ``fail_next`` lookups (a DNS outage)."""

    def __init__(self) -> None:
        self.fail_next = 0

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[Any]:
        if self.fail_next:
            self.fail_next -= 1
            raise OSError("Temporary failure in name resolution")
        return [
            {"hostname": host, "host": "127.0.0.1", "port": port, "family": family, "proto": 0, "flags": 0}
        ]

    async def close(self) -> None:
        pass


@dataclass
class Bench:
    """What a row's test needs: the emulator, a client, the seeded contact."""

    emulator: Emulator
    client: wacr.Client
    contact_id: int
    resolver: FlakyResolver | None = None
    log: pytest.LogCaptureFixture | None = None

    def requests(self, cell: Cell) -> list[Any]:
        path = cell.path.format(id=self.contact_id)
        return [r for r in self.emulator.received if r.method == cell.method and r.path == path]


@pytest.fixture
async def seeded(emulator: Emulator) -> AsyncIterator[int]:
    async with wacr.Client(TOKEN, base_url=emulator.base_url) as client:
        contact = await client.contacts.create(
            firstname="Salma", lastname="Ali", phone="+15550000009", type="lead", source_id=1, status_id=1
        )
    emulator.clear_received()
    yield contact.id


def _client(base_url: str, spec: FaultSpec, **options: Any) -> wacr.Client:
    # max_retry_wait also caps the exponential backoff: kept short unless the row waits Retry-After.
    wait = 5.0 if "retry_after" in spec.options else 0.05
    return wacr.Client(
        TOKEN, base_url=base_url, timeout=5.0, max_retries=MAX_RETRIES, max_retry_wait=wait, **options
    )


# -- one cell -------------------------------------------------------------------------------------


async def _run(bench: Bench, name: str, spec: FaultSpec, outcome: Outcome, *, lasting: bool) -> None:
    cell = CELLS[name]
    emu = bench.emulator
    path = cell.path.format(id=bench.contact_id)
    if spec.kind == "emulator":
        emu.inject(Fault(f"{cell.method} {path}", times=None if lasting else 1, **spec.options))
    elif bench.resolver is not None:
        bench.resolver.fail_next = 1
    error: WacrError | None = None
    try:
        await cell.call(bench.client, bench.contact_id, spec.timeout)
    except WacrError as exc:  # anything else is a failure of the cell
        error = exc
    if "delay" in spec.options:  # let the slow server finish what the client gave up on
        await eventually(lambda: all(r.status is not None for r in bench.requests(cell)), what="the server")
    requests = bench.requests(cell)
    effect = cell.effect(emu) if cell.effect is not None else None

    if isinstance(outcome, Retried) and not lasting:
        assert error is None, f"expected success after a retry, got {error!r}"
        # The failed attempt reached the server unless it failed before sending.
        assert len(requests) == (1 if spec.kind == "pre-send" else 2)
        assert effect in (None, 1)
        return
    if isinstance(outcome, Retried):  # the fault lasts: every attempt fails
        assert type(error) is outcome.error, f"expected {outcome.error.__name__}, got {error!r}"
        assert getattr(error, "may_have_been_processed", False) is False
        attempts = MAX_RETRIES + 1
        if spec.kind == "pre-send":
            assert requests == []
            assert bench.log is not None
            logged = [r.getMessage() for r in bench.log.records if r.levelno == logging.DEBUG]
            assert sum(f"{cell.method} {path} ->" in line for line in logged) == attempts
        else:
            # Exactly one request per attempt: aiohttp's own resend of a GET is off.
            assert len(requests) == attempts
        assert effect in (None, 1 if spec.processes else 0)
        return
    assert type(error) is outcome.error, f"expected {outcome.error.__name__}, got {error!r}"
    assert getattr(error, "may_have_been_processed", None) is outcome.may_have_been_processed
    if outcome.may_have_been_processed:
        assert "may have been processed" in str(error)
    assert len(requests) == 1, "a call that is not retried is sent once"
    assert effect in (None, 1 if spec.processes else 0)
    if outcome.error is RateLimitError:
        assert isinstance(error, RateLimitError) and error.retry_after == 600


async def _run_row(bench: Bench, fault: str, names: list[str], *, lasting: bool, serial: bool) -> None:
    spec, row = FAULTS[fault], MATRIX[fault]

    async def run(name: str) -> BaseException | None:
        try:
            await _run(bench, name, spec, getattr(row, CELLS[name].column), lasting=lasting)
        except Exception as exc:  # assertion or not: report every failing cell of the row at once
            return exc
        return None

    if serial:
        results = [await run(name) for name in names]
    else:
        results = list(await asyncio.gather(*(run(name) for name in names)))
    failures = [f"{name}: {exc!r}" for name, exc in zip(names, results, strict=True) if exc is not None]
    assert not failures, f"{fault}:\n" + "\n".join(failures)


# -- the tests ------------------------------------------------------------------------------------


def test_every_fault_has_a_row_and_a_recipe() -> None:
    assert list(MATRIX) == list(FAULTS)
    assert {cell.column for cell in CELLS.values()} == {"read", "write", "post"}
    # The design's policy, read off the table: a POST is retried only when nothing was done.
    for fault, row in MATRIX.items():
        if isinstance(row.post, Retried):
            assert fault.startswith("429") or FAULTS[fault].kind == "pre-send", fault
            assert not FAULTS[fault].processes


@pytest.mark.parametrize("fault", list(MATRIX))
async def test_one_off_fault(fault: str, emulator: Emulator, seeded: int) -> None:
    spec = FAULTS[fault]
    names = list(CELLS)
    if spec.kind == "pre-send":
        # A name that fails to resolve once per call: the first attempt never leaves the client.
        resolver = FlakyResolver()
        port = URL(emulator.base_url).port
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
        url = f"http://api.wacr.test:{port}/api/v2"
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            _client(url, spec, session=session) as client,
        ):
            bench = Bench(emulator, client, seeded, resolver=resolver)
            await _run_row(bench, fault, names, lasting=False, serial=True)
        return
    async with _client(emulator.base_url, spec, **spec.client) as client:
        await _run_row(Bench(emulator, client, seeded), fault, names, lasting=False, serial=False)


@pytest.mark.parametrize("fault", [f for f, row in MATRIX.items() if isinstance(row.read, Retried)])
async def test_lasting_fault(
    fault: str, emulator: Emulator, seeded: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A retried fault that does not go away ends in its typed error after max_retries + 1 attempts."""
    row = MATRIX[fault]
    names = [name for name, cell in CELLS.items() if isinstance(getattr(row, cell.column), Retried)]
    base_url = emulator.base_url
    if FAULTS[fault].kind == "pre-send":
        base_url = f"http://127.0.0.1:{closed_port()}/api/v2"  # nothing listens: refused every time
    caplog.set_level(logging.DEBUG, logger="wacr")
    async with _client(base_url, FAULTS[fault]) as client:
        bench = Bench(emulator, client, seeded, log=caplog)
        await _run_row(bench, fault, names, lasting=True, serial=False)


# -- the README shows the same table ----------------------------------------------------------------

COLUMNS = ("Read (GET)", "Idempotent write (PATCH)", "POST (send, OTP, create)")


def markdown_table() -> str:
    """MATRIX as the README's markdown table."""
    lines = [f"| Fault | {' | '.join(COLUMNS)} | Why |", "|---|---|---|---|---|"]
    for fault, row in MATRIX.items():
        cells = [row.read.describe(), row.write.describe(), row.post.describe()]
        lines.append(f"| {fault} | {' | '.join(cells)} | {row.why} |")
    return "\n".join(lines)


def test_the_docs_show_this_matrix() -> None:
    """The README or a page under docs/ states the guarantees next to the tests: the fault matrix
    there is this exact table."""
    table = markdown_table()
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    showing = [page for page in pages if "| Fault |" in page.read_text(encoding="utf-8")]
    assert showing, "the fault matrix is in neither README.md nor docs/"
    for page in showing:
        text = page.read_text(encoding="utf-8")
        assert table in text, f"the fault matrix of {page.relative_to(ROOT)} differs from MATRIX:\n{table}"
