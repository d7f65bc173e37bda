"""The emulator as a third-party client of the upstream API meets it: plain aiohttp, no wacr client.

Such a client (the upstream export's MCP server is one) sends the template and media fields in the
query string of the POST, may authenticate with ``X-API-Key``, gets PHP's ``\\/`` escapes from a
PHP-written body, pages with ``meta.pagination.total_pages`` / ``has_more`` and reads the
``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import ClientSession
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from wacr.testing import Emulator

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"

TOKEN = "third-party-token"
PHONE = "+919999999999"
PAGINATION_KEYS = ["total", "count", "per_page", "current_page", "total_pages", "has_more"]


@cache
def _spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


class Raw:
    """A plain aiohttp client of the emulator's ``/api/v2``; every answer is checked against the
    spec's response schemas (the requests are the third party's own, not necessarily the spec's)."""

    def __init__(self, session: ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.problems: list[str] = []

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: bytes | None = None,
        key: str | None = TOKEN,
        bearer: str | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        headers = {"Accept": "application/json"}
        if key is not None:
            headers["X-API-Key"] = key
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        async with self.session.request(
            method, self.base_url + path, params=params, data=body, headers=headers
        ) as response:
            raw = await response.read()
            status, answer_headers = response.status, dict(response.headers)
        url = self.base_url.split("/api/v2")[0]
        request = MockRequest(url, method.lower(), "/api/v2" + path, args=params or {}, headers=headers)
        answer = MockResponse(
            raw, status_code=status, headers=answer_headers, content_type="application/json"
        )
        try:
            _spec().validate_response(request, answer)
        except Exception as exc:  # openapi-core raises a family of errors; each one is a finding
            self.problems.append(f"{method} {path} -> {status}: {exc!r} {exc.__cause__!r}"[:1500])
        return status, answer_headers, orjson.loads(raw)


@pytest.fixture
async def raw() -> AsyncIterator[Raw]:
    emulator = Emulator(TOKEN, rate_limit=40)
    await emulator.start()
    try:
        async with ClientSession() as session:
            client = Raw(session, emulator.base_url)
            yield client
        assert client.problems == [], "answers that break the spec:\n" + "\n".join(client.problems)
    finally:
        await emulator.stop()


async def test_template_and_media_fields_in_the_query_string(raw: Raw) -> None:
    # As the upstream export declares them (and its MCP client sends them): no body at all.
    status, _, sent = await raw.call(
        "POST",
        "/messages/template",
        params={"phone": PHONE, "template_name": "welcome", "language": "en", "field_1": "Ann"},
    )
    assert status == 200, sent
    assert sent["success"] is True
    assert sent["data"]["template_name"] == "welcome"
    assert sent["data"]["message_id"].startswith("wamid.")
    status, _, media = await raw.call(
        "POST",
        "/messages/media",
        params={
            "phone": PHONE,
            "media_type": "document",
            "media_url": "https://example.com/document.pdf",
            "filename": "document.pdf",
            "contact_id": str(sent["data"]["contact_id"]),
        },
    )
    assert status == 200, media
    assert (media["data"]["media_type"], media["data"]["filename"]) == ("document", "document.pdf")
    assert media["data"]["contact_id"] == sent["data"]["contact_id"]
    # A JSON body and the query together: the body wins on a clash.
    status, _, group = await raw.call(
        "POST", "/groups", params={"name": "From the query"}, body=b'{"name": "From the body"}'
    )
    assert status == 201
    assert group["data"]["name"] == "From the body"
    # A wrong media type is upstream's own code.
    status, _, wrong = await raw.call(
        "POST",
        "/messages/media",
        params={"phone": PHONE, "media_type": "sticker", "media_url": "https://example.com/a.webp"},
    )
    assert (status, wrong["error"]["code"]) == (422, "INVALID_MEDIA_TYPE")


async def test_php_escaped_slashes_in_bodies(raw: Raw) -> None:
    body = (
        b'{"phone": "+919999999999", "media_type": "image",'
        b' "media_url": "https:\\/\\/cdn.example.com\\/a\\/b.png"}'
    )
    status, _, media = await raw.call("POST", "/messages/media", body=body)
    assert status == 200, media
    assert media["data"]["media_url"] == "https://cdn.example.com/a/b.png"
    cta = (
        b'{"phone": "+919999999999", "message": "Prices \\/ plans", "button_text": "View Pricing",'
        b' "button_url": "https:\\/\\/example.com\\/pricing"}'
    )
    status, _, sent = await raw.call("POST", "/messages/cta", body=cta)
    assert status == 200, sent
    assert (sent["data"]["button_url"], sent["data"]["button_text"]) == (
        "https://example.com/pricing",
        "View Pricing",
    )
    status, _, group = await raw.call("POST", "/groups", body=b'{"name": "A\\/B test"}')
    assert status == 201
    assert group["data"]["name"] == "A/B test"


async def test_paging_with_the_upstream_keys(raw: Raw) -> None:
    for index in range(5):
        status, _, _ = await raw.call("POST", "/groups", body=orjson.dumps({"name": f"Group {index}"}))
        assert status == 201
    seen: list[str] = []
    page = 1
    while True:
        status, _, listing = await raw.call("GET", "/groups", params={"per_page": "2", "page": str(page)})
        assert status == 200
        pagination = listing["meta"]["pagination"]
        assert list(pagination) == PAGINATION_KEYS
        assert "last_page" not in pagination
        assert pagination["count"] == len(listing["data"])
        assert (pagination["total"], pagination["total_pages"], pagination["current_page"]) == (5, 3, page)
        seen.extend(group["name"] for group in listing["data"])
        if not pagination["has_more"]:
            assert page == pagination["total_pages"]
            break
        page += 1
    assert seen == [f"Group {index}" for index in range(5)]


def _rate(headers: dict[str, str]) -> tuple[int, int, int]:
    return (
        int(headers["X-RateLimit-Limit"]),
        int(headers["X-RateLimit-Remaining"]),
        int(headers["X-RateLimit-Reset"]),
    )


async def test_rate_limit_headers_and_the_error_envelope(raw: Raw) -> None:
    before = time.time()
    status, headers, _ = await raw.call("GET", "/account")
    assert status == 200
    limit, remaining, reset = _rate(headers)
    assert (limit, remaining) == (40, 39)
    assert before <= reset <= time.time() + 61  # a Unix time, not a delay
    status, headers, error = await raw.call("GET", "/contacts/999")
    assert status == 404
    assert _rate(headers) == (40, 38, reset)
    # The envelope as upstream describes it: no top-level message, code or errors.
    assert set(error) == {"success", "error", "meta"}
    assert error["success"] is False
    assert error["error"] == {"code": "NOT_FOUND", "message": "Contact not found", "details": {}}
    assert uuid.UUID(error["meta"]["request_id"])
    status, headers, _ = await raw.call("GET", "/account", key=None, bearer=TOKEN)  # same token, same window
    assert _rate(headers)[1] == 37
    for _ in range(37):
        await raw.call("GET", "/account")
    status, headers, limited = await raw.call("GET", "/account")
    assert status == 429
    assert _rate(headers) == (40, 0, reset)
    assert limited["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert 0 < int(headers["Retry-After"]) <= 60
    assert "message" not in limited


async def test_otp_flow_with_a_generated_code(raw: Raw) -> None:
    body = orjson.dumps(
        {"phone": PHONE, "template_name": "otp_verification", "language": "en", "expiry_minutes": 10}
    )
    status, _, sent = await raw.call("POST", "/auth/send-otp", body=body)
    assert status == 200, sent
    assert sent["data"]["code_auto_generated"] is True
    code = sent["data"]["code"]
    assert len(code) == 6 and code.isdigit()
    status, _, verified = await raw.call(
        "POST", "/auth/verify", body=orjson.dumps({"phone": PHONE, "code": code})
    )
    assert status == 200, verified
    status, _, missing = await raw.call(
        "POST", "/auth/send-otp", body=orjson.dumps({"phone": PHONE, "template_name": "no_such_template"})
    )
    assert (status, missing["error"]["code"]) == (404, "RESOURCE_NOT_FOUND")
    status, _, template = await raw.call(
        "POST",
        "/messages/template",
        params={"phone": PHONE, "template_name": "spring_sale", "language": "en"},
    )
    assert (status, template["error"]["code"]) == (404, "NOT_FOUND")  # PENDING: not sendable


async def test_in_use_source_is_a_409_with_the_count(raw: Raw) -> None:
    contact = {
        "firstname": "Test",
        "lastname": "User",
        "phone": "+919587422363",
        "type": "lead",
        "source_id": "2",  # strings, as a form or query would send them
        "status_id": "1",
    }
    status, _, created = await raw.call("POST", "/contacts", params=contact)
    assert status == 201, created
    status, _, refused = await raw.call("DELETE", "/sources/2")
    assert status == 409
    assert refused["error"]["code"] == "RESOURCE_CONFLICT"
    assert refused["error"]["details"] == {"contacts_count": 1}
    status, _, deleted = await raw.call("DELETE", "/sources/3")
    assert status == 200
    assert deleted["success"] is True
