"""Numbers a hostile server writes: every number wacr reads from an answer, fed every form that
Python's ``int()``/``float()`` would take (or choke on) but that is no plain number, ends as
absent (``None``) or as a typed error that keeps the status and the request id; never as a bare
``ValueError``, never as a number the server did not write (``src/wacr/_numbers.py``).

Every answer comes from a raw loopback server (``tests/pipeline/_canned.py``) through the SDK's
own methods; nothing of wacr is patched.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr
from tests.pipeline._canned import Answer, client_of

TOKEN = "tok_hostile_meta_4c1d9e7a2b5f"
REQUEST_ID = "req-hostile-7"
OK = {"success": True, "data": {"id": 1, "name": "web"}, "meta": {"request_id": REQUEST_ID}}

#: Text that is no plain integer, though ``int()``, ``float()`` or ``str.isdigit()`` may think so.
HOSTILE_TEXT = [
    "\u00b2",  # superscript two: isdigit() is true, int() raises
    "\u00b3",
    "--3",
    "+3",
    "1_0",
    "\u0661\u0660",  # Arabic-Indic 10: int() reads it
    "\uff13",  # fullwidth 3
    "\U0001d7d1",  # mathematical bold 3
    "\u00a03",  # no-break space before a digit
    "3\n",
    "0x10",
    "1e3",
    "3.0",
    "nan",
    "inf",
    "-",
    "",
    " ",
    "9" * 19,  # more than 18 digits
    "9" * 5000,  # beyond int()'s 4,300-digit limit
]
#: JSON values of the wrong kind.
HOSTILE_JSON: list[Any] = [True, False, 2.5, [], {}, 10**30]
HOSTILE = HOSTILE_TEXT + HOSTILE_JSON


def _ids(values: list[Any]) -> list[str]:
    return [ascii(value)[:24] for value in values]


Call = Callable[[wacr.Client], Awaitable[Any]]

#: (error code, HTTP status, the error's field, a call that may get it, the class raised)
ErrorField = tuple[str, int, str, Call, type[wacr.APIError]]
ERROR_FIELDS: list[ErrorField] = [
    ("INVALID_CODE", 422, "attempts_remaining",
     lambda c: c.auth.verify_otp(phone="+201000000000", code="123456"), wacr.InvalidCodeError),
    ("RESOURCE_CONFLICT", 409, "contacts_count", lambda c: c.sources.delete(1), wacr.ConflictError),
    ("FEATURE_LIMIT_EXCEEDED", 403, "current",
     lambda c: c.sources.create(name="web"), wacr.FeatureLimitExceededError),
    ("FEATURE_LIMIT_EXCEEDED", 403, "maximum",
     lambda c: c.sources.create(name="web"), wacr.FeatureLimitExceededError),
]  # fmt: skip
ERROR_IDS = [f"{code}-{field}" for code, _, field, _, _ in ERROR_FIELDS]
#: Plain integers as text or JSON, and what they read as.
PLAIN = [("3", 3), (" 3 ", 3), ("\t-1", -1), (7, 7), (-2, -2), ("9" * 18, 10**18 - 1)]


def error_body(code: str, field: str, value: Any, where: str = "details") -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": "refused", "details": {}}
    body: dict[str, Any] = {"success": False, "error": error, "meta": {"request_id": REQUEST_ID}}
    {"details": error["details"], "error": error, "top": body}[where][field] = value
    return body


async def raised(answer: Answer, call: Call, **options: Any) -> wacr.WacrError:
    """The error ``call`` ends in when the server answers ``answer`` to every request."""
    async with client_of(lambda page: answer, TOKEN, **options) as (_, client):
        with pytest.raises(wacr.WacrError) as caught:
            await call(client)
    return caught.value


# -- error details ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE, ids=_ids(HOSTILE))
@pytest.mark.parametrize("case", ERROR_FIELDS, ids=ERROR_IDS)
async def test_a_hostile_integer_in_an_error_is_absent(case: ErrorField, value: Any) -> None:
    code, status, field, call, cls = case
    error = await raised((status, [], error_body(code, field, value)), call)
    assert type(error) is cls
    assert (error.status, error.code, error.request_id) == (status, code, REQUEST_ID)
    assert error.message == "refused"
    assert getattr(error, field) is None
    str(error), repr(error)  # both still read


@pytest.mark.parametrize("where", ["details", "error", "top"])
@pytest.mark.parametrize(("text", "number"), PLAIN)
@pytest.mark.parametrize("case", ERROR_FIELDS, ids=ERROR_IDS)
async def test_a_plain_integer_in_an_error_is_read(
    case: ErrorField, text: Any, number: int, where: str
) -> None:
    code, status, field, call, cls = case
    error = await raised((status, [], error_body(code, field, text, where)), call)
    assert type(error) is cls and getattr(error, field) == number


# -- page meta -------------------------------------------------------------------------------------

PAGE_FIELDS = ["current_page", "total_pages", "last_page", "per_page", "total", "count"]


def list_body(field: str, value: Any, where: str) -> dict[str, Any]:
    fields = {field: value}
    body: dict[str, Any] = {"success": True, "data": [{"id": 1, "name": "web"}]}
    body["meta"] = {"request_id": REQUEST_ID}
    if where == "pagination":
        body["meta"]["pagination"] = fields
    elif where == "meta":
        body["meta"].update(fields)
    else:
        body.update(fields)
    return body


def page_field(page: wacr.Page[Any], field: str) -> Any:
    return getattr(page, "total_pages" if field == "last_page" else field)


@pytest.mark.parametrize("where", ["pagination", "meta", "top"])
@pytest.mark.parametrize("value", HOSTILE, ids=_ids(HOSTILE))
@pytest.mark.parametrize("field", PAGE_FIELDS)
async def test_a_hostile_integer_in_page_meta_is_absent(field: str, value: Any, where: str) -> None:
    async with client_of(lambda page: (200, [], list_body(field, value, where)), TOKEN) as (server, client):
        page = await client.sources.list(per_page=5)
        assert page_field(page, field) == (5 if field == "per_page" else None)  # per_page: as asked
        assert page.response.status == 200 and page.response.request_id == REQUEST_ID
        assert [s.id for s in page] == [1] and not page.has_more
        # Iterating reads the same page and ends there: one more request, none beyond.
        assert [s.id async for s in client.sources.list(per_page=5)] == [1]
        assert len(server.targets) == 2


@pytest.mark.parametrize("field", PAGE_FIELDS)
async def test_a_plain_integer_in_page_meta_is_read(field: str) -> None:
    async with client_of(lambda page: (200, [], list_body(field, " 4 ", "pagination")), TOKEN) as (_, client):
        assert page_field(await client.sources.list(), field) == 4


# -- Retry-After and the body's retry_after --------------------------------------------------------

#: Not delta-seconds (RFC 9110: 1*DIGIT, and wacr reads a decimal fraction) nor an HTTP date.
HOSTILE_SECONDS = ["1_0", "+3", "1_000", "-3", "\u0661\u0660", "\uff17", "1e1", "0x1", "nan", "inf",
                   "3.", ".5", "1.2.3", "3 s", "abc", "9" * 19, "9" * 5000]  # fmt: skip
HOSTILE_BODY_SECONDS: list[Any] = [*HOSTILE_SECONDS, True, [], {}, "", " "]
RATE_LIMITED = {"success": False, "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "slow down"}}


def rate_limited(retry_after: Any = None, where: str = "details") -> dict[str, Any]:
    body: dict[str, Any] = {**RATE_LIMITED, "meta": {"request_id": REQUEST_ID}}
    if retry_after is not None:
        body = error_body("RATE_LIMIT_EXCEEDED", "retry_after", retry_after, where)
        body["error"]["message"] = "slow down"
    return body


def get(client: wacr.Client) -> Awaitable[Any]:
    return client.sources.get(1)


@pytest.mark.parametrize("value", HOSTILE_SECONDS, ids=_ids(HOSTILE_SECONDS))
async def test_a_malformed_retry_after_header_is_absent(value: str) -> None:
    error = await raised((429, [("Retry-After", value)], rate_limited()), get)
    assert isinstance(error, wacr.RateLimitError) and error.retry_after is None
    assert (error.status, error.request_id) == (429, REQUEST_ID)


@pytest.mark.parametrize("value", HOSTILE_BODY_SECONDS, ids=_ids(HOSTILE_BODY_SECONDS))
@pytest.mark.parametrize("where", ["details", "error", "top"])
async def test_a_malformed_retry_after_in_the_body_is_absent(value: Any, where: str) -> None:
    error = await raised((429, [], rate_limited(value, where)), get)
    assert isinstance(error, wacr.RateLimitError) and error.retry_after is None
    assert (error.status, error.request_id) == (429, REQUEST_ID)


async def test_a_malformed_retry_after_header_leaves_the_body_value() -> None:
    error = await raised((429, [("Retry-After", "1_0")], rate_limited(4)), get)
    assert isinstance(error, wacr.RateLimitError) and error.retry_after == 4.0


@pytest.mark.parametrize(
    ("header", "body", "seconds"),
    [
        ("7", None, 7.0),
        (" 7 ", None, 7.0),
        ("0.25", None, 0.25),  # a decimal fraction is read (wacr's emulator and tests send one)
        ("0", None, 0.0),
        (None, "12", 12.0),
        (None, "0.5", 0.5),
        (None, 2.5, 2.5),  # a JSON number, as before
        (None, -3, 0.0),  # a JSON number below 0: a wait already over
        (None, 10**30, 1e30),
    ],
)
async def test_plain_retry_after_values_are_read(header: str | None, body: Any, seconds: float) -> None:
    headers = [] if header is None else [("Retry-After", header)]
    error = await raised((429, headers, rate_limited(body)), get)
    assert isinstance(error, wacr.RateLimitError) and error.retry_after == seconds


async def test_an_http_date_retry_after_is_still_read() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    error = await raised((429, [("Retry-After", when)], rate_limited()), get)
    assert isinstance(error, wacr.RateLimitError) and error.retry_after is not None
    assert 25 <= error.retry_after <= 31


@pytest.mark.parametrize("value", ["1_0", "+3", "\u0661\u0660"])
async def test_a_malformed_retry_after_falls_back_to_backoff(value: str) -> None:
    # Read as a number, "1_0" would wait 10 s (the test's timeout): as absent, the client backs
    # off exponentially (0.5 s at most for the first retry) and tries again.
    answers = iter([(429, [("Retry-After", value)], rate_limited()), (200, [], OK)])
    async with client_of(lambda page: next(answers), TOKEN, max_retries=1) as (server, client):
        started = time.monotonic()
        source = await asyncio.wait_for(client.sources.get(1), 5)
    assert source.id == 1 and source.response.attempts == 2 and len(server.targets) == 2
    assert time.monotonic() - started < 2


# -- X-RateLimit-* headers -----------------------------------------------------------------------

LIMITS = [("X-RateLimit-Limit", "60"), ("X-RateLimit-Remaining", "5")]
#: What a header can carry of those (no line break; within aiohttp's 8 KiB header bound).
HEADER_TEXT = [value for value in HOSTILE_TEXT if "\n" not in value and len(value) < 1000]


async def rate_limit_of(headers: list[tuple[str, str]]) -> wacr.RateLimit | None:
    async with client_of(lambda page: (200, headers, OK), TOKEN) as (_, client):
        source = await client.sources.get(1)
    assert source.response.request_id == REQUEST_ID
    return source.response.rate_limit


@pytest.mark.parametrize("value", HEADER_TEXT, ids=_ids(HEADER_TEXT))
@pytest.mark.parametrize("name", ["X-RateLimit-Limit", "X-RateLimit-Remaining"])
async def test_a_hostile_rate_limit_figure_is_no_figure(name: str, value: str) -> None:
    headers = [(n, value if n == name else v) for n, v in LIMITS]
    assert await rate_limit_of(headers) is None


@pytest.mark.parametrize("value", HOSTILE_SECONDS, ids=_ids(HOSTILE_SECONDS))
async def test_a_hostile_rate_limit_reset_is_no_reset(value: str) -> None:
    assert await rate_limit_of([*LIMITS, ("X-RateLimit-Reset", value)]) == wacr.RateLimit(60, 5, None)


async def test_plain_rate_limit_headers_are_read() -> None:
    limit = await rate_limit_of([*LIMITS, ("X-RateLimit-Reset", "1767225600.5")])
    assert limit is not None and (limit.limit, limit.remaining) == (60, 5)
    assert limit.reset is not None and limit.reset.timestamp() == 1767225600.5


# -- the property: any text at all ---------------------------------------------------------------


@pytest.fixture(scope="module")
def own_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _plain(text: str) -> int | None:
    """What the text means by the documented rule: ASCII digits, one optional leading minus,
    at most 18 digits, spaces or tabs around."""
    core = text.strip(" \t")
    digits = core[1:] if core.startswith("-") else core
    if digits and len(digits) <= 18 and all("0" <= ch <= "9" for ch in digits):
        return int(core)
    return None


def test_any_text_in_a_number_field_is_a_plain_number_or_absent(own_loop: asyncio.AbstractEventLoop) -> None:
    answer: dict[str, Answer] = {}

    async def check(text: str) -> None:
        async with client_of(lambda page: answer["now"], TOKEN) as (_, client):
            answer["now"] = (422, [], error_body("INVALID_CODE", "attempts_remaining", text))
            with pytest.raises(wacr.InvalidCodeError) as caught:
                await client.auth.verify_otp(phone="+201000000000", code="123456")
            assert caught.value.attempts_remaining == _plain(text)
            assert caught.value.request_id == REQUEST_ID
            answer["now"] = (200, [], list_body("total", text, "pagination"))
            page = await client.sources.list()
            assert page.total == _plain(text) and page.response.request_id == REQUEST_ID

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        text=st.one_of(
            st.text(max_size=24),
            st.from_regex(r"\A[ \t]?-{0,2}[0-9\u00b2\u0660-\u0669_+.]{0,20}[ \t]?\Z"),
        )
    )
    def run(text: str) -> None:
        own_loop.run_until_complete(check(text))

    run()
