"""Hostile input: nothing a request sends may make the emulator answer a 5xx or stop working.

Out-of-range numbers are a 422 naming the field (they used to be stored, and every later list
answered a plain-text 500); every path under ``/api/v2`` answers the JSON envelope; phones in
their international forms (``+20…``, ``0020…``, ``20…``) are one number. A property test throws
arbitrary JSON and query strings at every route and checks that the lists still work after each.
"""

from __future__ import annotations

import asyncio
import copy
import http.client
import json
import re
import urllib.parse
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wacr.testing import Clock, Emulator

from .conftest import T0, Api, contact_body

# -- out-of-range numbers -----------------------------------------------------------------------
# (raw JSON number, what the emulator reads it as): orjson reads integers beyond 64 bits as floats.
OUT_OF_RANGE = [
    "9223372036854775808",  # 2**63: past a signed BIGINT
    "18446744073709551616",  # 2**64
    "-9223372036854775809",
    "100000000000000000000000",  # read as the float 1e23
    "1e300",
    "-1e30",
    '"99999999999999999999"',  # a numeric string
    '"1' + "0" * 40 + '"',
]
INTEGER_FIELDS = ["source_id", "status_id", "country_id", "assigned_id"]
RANGE_MESSAGE = "The {} must be between -9223372036854775808 and 9223372036854775807."


def _raw_body(fields: dict[str, Any], raw: dict[str, str]) -> bytes:
    # JSON text with some values written raw (numbers no encoder would write).
    parts = [orjson.dumps({key: value}).decode()[1:-1] for key, value in fields.items()]
    parts += [f'"{key}": {value}' for key, value in raw.items()]
    return ("{" + ", ".join(parts) + "}").encode()


async def _lists_still_work(api: Api) -> None:
    for path in ("/contacts", "/groups", "/messages"):
        reply = await api.get(path, params={"per_page": "100"})
        assert reply.status == 200, reply.text
    for path in ("/_emulator/outbox", "/_emulator/requests"):
        assert (await api.get(path)).status == 200


@pytest.mark.parametrize("number", OUT_OF_RANGE)
@pytest.mark.parametrize("field", INTEGER_FIELDS)
async def test_out_of_range_numbers_in_a_create_are_a_422(api: Api, field: str, number: str) -> None:
    body = contact_body()
    body.pop(field, None)
    reply = await api.call(
        "POST",
        "/contacts",
        data=_raw_body(body, {field: number}),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 422, reply.text
    attribute = field.replace("_", " ")
    assert reply.details == {field: [RANGE_MESSAGE.format(attribute)]}
    assert (await api.get("/contacts")).data == []
    await _lists_still_work(api)


@pytest.mark.parametrize("number", OUT_OF_RANGE)
async def test_out_of_range_numbers_in_an_update_and_a_batch_are_a_422(api: Api, number: str) -> None:
    contact = (await api.post("/contacts", contact_body())).data
    headers = {"Content-Type": "application/json"}
    for field in INTEGER_FIELDS:
        reply = await api.call(
            "PATCH", f"/contacts/{contact['id']}", data=_raw_body({}, {field: number}), headers=headers
        )
        assert reply.status == 422
        assert list(reply.details) == [field]
    groups = await api.call(
        "PATCH", f"/contacts/{contact['id']}", data=_raw_body({}, {"groups": f"[{number}]"}), headers=headers
    )
    assert groups.details == {"groups.0": [RANGE_MESSAGE.format("groups.0")]}
    unchanged = await api.get(f"/contacts/{contact['id']}", params={"include": "groups"})
    assert unchanged.data == contact
    item = orjson.dumps(contact_body(phone="+15550001234")).decode()[:-1]
    for key in ("country_id", "addedfrom", "group_id"):
        value = f"[{number}]" if key == "group_id" else number
        raw = f'{{"contacts": [{item}, "{key}": {value}}}]}}'.encode()
        batch = await api.call("POST", "/contacts/batch", data=raw, headers=headers)
        assert batch.status == 200, batch.text
        assert batch.data["summary"]["failed"] == 1
        errors = batch.data["errors"][0]["errors"]
        assert list(errors) == [f"{key}.0" if key == "group_id" else key]
    # Numbers elsewhere (in the query, in unknown fields, in list parameters) cannot break it either.
    for path, params in (
        ("/contacts", {"page": "9" * 40}),
        ("/contacts", {"per_page": "1" * 5000}),
        ("/contacts", {"filter[status_id]": "9" * 5000}),
        ("/contacts", {"filter[created_at]": "9999-12-31"}),
        ("/contacts", {"filter[created_at][gte]": "9999-12-31T23:59:59-23:00"}),
        ("/contacts/" + "9" * 40, {}),
        ("/contacts/²", {}),
    ):
        reply = await api.get(path, params=params)
        assert reply.status in (200, 404, 422), (path, params, reply.text)
    junk = await api.call(
        "POST",
        "/messages/text",
        data=_raw_body({"phone": "+15551234567", "message": "hi"}, {"junk": number}),
        headers=headers,
    )
    assert junk.status == 200
    await _lists_still_work(api)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": 1e400}',
        b'{"name": NaN}',
        b'{"name": Infinity}',
        b'{"name": "\\ud800"}',
        b"[" * 5000,
        b"\xff",
    ],
)
async def test_bodies_json_cannot_hold_are_a_body_422(api: Api, raw: bytes) -> None:
    reply = await api.call("POST", "/groups", data=raw, headers={"Content-Type": "application/json"})
    assert reply.status == 422
    assert reply.details == {"body": ["The request body must be a JSON object."]}


# -- every path answers the envelope ----------------------------------------------------------------
async def _raw_request(
    emulator: Emulator, request_line: bytes, headers: bytes = b""
) -> tuple[bytes, dict[str, str], bytes]:
    url = urllib.parse.urlsplit(emulator.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(
            request_line
            + b"\r\nHost: x\r\nAuthorization: Bearer test-token\r\nConnection: close\r\n"
            + headers
            + b"\r\n"
        )
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.decode("latin-1").partition(":")
        parsed[name.strip().lower()] = value.strip()
    return status_line, parsed, body


ODD_PATHS = [
    "/contacts%0d%0a",
    "/contacts%0a",
    "/contacts%0D%0AX-Injected:%20yes",
    "%0d%0a",
    "/contacts/1%0d%0a",
    "/contacts/%00",
    "/contacts/%ff%fe",
    "/%E2%80%AE",
    "/contacts/1/%0a/x",
    "/groups/%2e%2e/%2e%2e",
    "//contacts",
    "/contacts/" + "9" * 500,
]


@pytest.mark.parametrize("path", ODD_PATHS)
async def test_odd_paths_get_a_json_404_over_raw_http(path: str) -> None:
    async with Emulator() as emulator:
        status, headers, body = await _raw_request(emulator, f"GET /api/v2{path} HTTP/1.1".encode())
        assert status.startswith(b"HTTP/1.1 404"), (path, status, body)
        assert headers["content-type"] == "application/json"
        assert "x-injected" not in headers
        payload = orjson.loads(body)
        assert payload["success"] is False
        assert payload["error"]["code"] == "NOT_FOUND"
        assert "message" not in payload
        # The wrong method on a real path is a JSON 405, with and without such a tail.
        status, headers, body = await _raw_request(emulator, b"PUT /api/v2/contacts HTTP/1.1")
        assert status.startswith(b"HTTP/1.1 405")
        assert orjson.loads(body)["error"]["code"] == "METHOD_NOT_ALLOWED"
        assert headers["allow"] == "GET, POST"
        status, _, body = await _raw_request(emulator, b"PATCH /api/v2/contacts%0a HTTP/1.1")
        assert status.startswith(b"HTTP/1.1 404")
        assert orjson.loads(body)["error"]["code"] == "NOT_FOUND"


# -- phones in their international forms ---------------------------------------------------------------
FORMS = ["+201001234567", "00201001234567", "201001234567", "+20 100 123 4567", "0020-100-123-4567"]


@pytest.mark.parametrize("first", FORMS)
async def test_one_number_in_every_international_form(api: Api, first: str) -> None:
    created = await api.post("/contacts", contact_body(phone=first))
    assert created.status == 201
    for other in FORMS:
        duplicate = await api.post("/contacts", contact_body(phone=other, email=None))
        assert duplicate.status == 422, other
        assert duplicate.details == {"phone": ["This phone number already exists"]}
        sent = await api.post("/messages/text", {"phone": other, "message": "hi"})
        assert sent.data["contact_id"] == created.data["id"], other
        assert sent.data["phone"] == "201001234567"
        assert api.emulator.get_contact(other) is not None
    # One chat, one contact.
    assert len({m.chat_id for m in api.emulator.outbox}) == 1
    assert len((await api.get("/contacts")).data) == 1
    skipped = await api.post(
        "/contacts/batch",
        {"contacts": [contact_body(phone="0020 100 123 4567")], "options": {"skip_duplicates": True}},
    )
    assert skipped.data["summary"]["skipped"] == 1
    comments = await api.post("/comments/00201001234567", {"comment": "note"})
    assert comments.status == 200
    assert (await api.get("/comments/+201001234567")).json["data"][0]["message"] == "note"


@pytest.mark.parametrize(("send", "verify"), [(a, b) for a in FORMS[:3] for b in FORMS[:3]])
async def test_otp_keys_use_the_same_number(api: Api, send: str, verify: str) -> None:
    await api.post("/auth/send-otp", {"phone": send, "template_name": "otp_verification", "code": "246810"})
    status = await api.post("/auth/status", {"phone": verify})
    assert status.data["has_active_otp"] is True
    assert api.emulator.otp_code(verify) == "246810"
    verified = await api.post("/auth/verify", {"phone": verify, "code": "246810"})
    assert verified.status == 200
    # The resend limiter counts the number, not its spelling.
    for form in FORMS[:3]:
        await api.post("/auth/resend", {"phone": form, "template_name": "otp_verification"})
    limited = await api.post("/auth/resend", {"phone": verify, "template_name": "otp_verification"})
    assert limited.status == 429


# -- the property test -----------------------------------------------------------------------------------
ROUTES = [
    ("GET", "/account"),
    ("GET", "/account/usage"),
    ("GET", "/account/limits"),
    ("POST", "/auth/send-otp"),
    ("POST", "/auth/resend"),
    ("POST", "/auth/verify"),
    ("POST", "/auth/status"),
    ("GET", "/auth/templates"),
    ("GET", "/templates"),
    ("GET", "/templates/{template_id}"),
    ("POST", "/templates/sync"),
    ("GET", "/contacts"),
    ("POST", "/contacts"),
    ("GET", "/contacts/{id}"),
    ("PATCH", "/contacts/{id}"),
    ("DELETE", "/contacts/{id}"),
    ("POST", "/contacts/batch"),
    ("DELETE", "/contacts/batch"),
    ("GET", "/groups"),
    ("POST", "/groups"),
    ("GET", "/groups/{id}"),
    ("PATCH", "/groups/{id}"),
    ("DELETE", "/groups/{id}"),
    ("POST", "/groups/{id}/contacts"),
    ("DELETE", "/groups/{id}/contacts"),
    ("GET", "/sources"),
    ("POST", "/sources"),
    ("GET", "/sources/{id}"),
    ("PATCH", "/sources/{id}"),
    ("DELETE", "/sources/{id}"),
    ("GET", "/statuses"),
    ("POST", "/statuses"),
    ("GET", "/statuses/{id}"),
    ("PATCH", "/statuses/{id}"),
    ("DELETE", "/statuses/{id}"),
    ("POST", "/messages/text"),
    ("POST", "/messages/template"),
    ("POST", "/messages/media"),
    ("POST", "/messages/interactive"),
    ("POST", "/messages/cta"),
    ("GET", "/messages"),
    ("GET", "/messages/{id}"),
    ("GET", "/comments/{mobile}"),
    ("POST", "/comments/{mobile}"),
]
# Every field name the API reads, so that generated bodies reach the validators.
FIELDS = [
    "phone",
    "message",
    "contact_id",
    "template_name",
    "language",
    "code",
    "expiry_minutes",
    "purpose",
    "additional_params",
    "firstname",
    "lastname",
    "type",
    "source_id",
    "status_id",
    "email",
    "company",
    "description",
    "city",
    "state",
    "zip",
    "address",
    "country_id",
    "assigned_id",
    "groups",
    "group_id",
    "addedfrom",
    "contacts",
    "options",
    "continue_on_error",
    "skip_duplicates",
    "ids",
    "contact_ids",
    "name",
    "color",
    "media_type",
    "media_url",
    "caption",
    "filename",
    "contact",
    "header_field_1",
    "header_image_url",
    "header_video_url",
    "header_document_url",
    "header_document_name",
    "field_1",
    "field_2",
    "button_0",
    "auto_generate_otp",
    "otp_field_number",
    "body_text",
    "header_text",
    "footer_text",
    "buttons",
    "list_button_text",
    "sections",
    "rows",
    "id",
    "title",
    "button_text",
    "button_url",
    "comment",
    "status_message",
    "message_id",
    "ref_message_id",
]
QUERY_KEYS = [
    *FIELDS,
    "page",
    "per_page",
    "sort",
    "search",
    "q",
    "include",
    "fields",
    "filter[created_at]",
    "filter[created_at][between]",
    "filter[status_id][in]",
    "filter[type][like]",
    "filter[group_id][null]",
    "filter[interaction_id]",
    "filter[status][ne]",
    "filter[language]",
    "groups[]",
    "buttons[0][title]",
    "contact[email]",
    "filter[",
]
HOSTILE_NUMBERS = st.sampled_from([2**63, 2**64, 2**64 + 1, -(2**63) - 1, 10**30, -(10**400), 10**4000])
HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n",
        "\ud800",
        "9" * 40,
        "1e400",
        "٣",
        "²",
        "+00",
        "%",
        "%_%_%_%_%_%_%_%x",
        "9999-12-31",
        "0001-01-01T00:00:00+23:59",
        "https://x.io/a.jpg",
        "+201001234567",
        "https://" + "a" * 3000,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HOSTILE_NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    HOSTILE_TEXT,
)
KEYS = st.one_of(st.sampled_from(FIELDS), st.text(max_size=8))
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=12,
)
RANDOM_BODIES = st.one_of(st.dictionaries(KEYS, VALUES, max_size=8), VALUES)
_TO = "+15551234567"
_CONTACT = {"firstname": "A", "lastname": "B", "phone": _TO, "type": "lead", "source_id": 1, "status_id": 1}
# A valid body per route: mutating one or two of its fields reaches the code behind validation.
VALID: dict[str, dict[str, Any]] = {
    "POST /auth/send-otp": {"phone": _TO, "template_name": "otp_verification", "code": "123456"},
    "POST /auth/resend": {"phone": _TO, "template_name": "otp_verification"},
    "POST /auth/verify": {"phone": _TO, "code": "123456"},
    "POST /auth/status": {"phone": _TO},
    "POST /contacts": {**_CONTACT, "groups": [1], "country_id": 5, "zip": "1"},
    "PATCH /contacts/{id}": {"firstname": "C", "country_id": 5, "assigned_id": 2},
    "POST /contacts/batch": {"contacts": [{**_CONTACT, "group_id": [1], "addedfrom": 1}]},
    "DELETE /contacts/batch": {"ids": [999]},
    "POST /groups": {"name": "G"},
    "PATCH /groups/{id}": {"name": "G"},
    "POST /groups/{id}/contacts": {"contact_ids": [1]},
    "DELETE /groups/{id}/contacts": {"contact_ids": [1]},
    "POST /sources": {"name": "S"},
    "PATCH /sources/{id}": {"name": "S"},
    "POST /statuses": {"name": "S", "color": "#FF5733"},
    "PATCH /statuses/{id}": {"name": "S", "color": "#FF5733"},
    "POST /messages/text": {"phone": _TO, "message": "hi", "contact_id": 1},
    "POST /messages/template": {"phone": _TO, "template_name": "welcome", "language": "en", "field_1": "x"},
    "POST /messages/media": {"phone": _TO, "media_type": "image", "media_url": "https://x.io/a.png"},
    "POST /messages/interactive": {
        "phone": _TO,
        "type": "button",
        "body_text": "b",
        "buttons": [{"id": "a", "title": "A"}],
    },
    "POST /messages/cta": {"phone": _TO, "message": "m", "button_text": "b", "button_url": "https://x.io"},
    "POST /comments/{mobile}": {"comment": "c", "media_url": "https://x.io/a.png"},
}


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(method, path template, body): a valid body with some fields made hostile, or anything."""
    method, template = draw(st.sampled_from(ROUTES))
    base = VALID.get(f"{method} {template}")
    if base is None or draw(st.integers(0, 3)) == 0:
        return method, template, draw(RANDOM_BODIES)
    body = copy.deepcopy(base)
    phone = f"+1{draw(st.integers(2_000_000_000, 9_999_999_999))}"
    unique = {"phone": phone, "name": f"N{phone}"}
    for key in ("phone", "name"):
        if key in body:
            body[key] = unique[key]
    if "contacts" in body:
        body["contacts"][0]["phone"] = phone
    target = body["contacts"][0] if "contacts" in body and draw(st.booleans()) else body
    keys = st.sampled_from(list(target)) | st.sampled_from(list(target)) | st.sampled_from(FIELDS)
    for key in draw(st.lists(keys, min_size=1, max_size=2)):
        target[key] = draw(HOSTILE_NUMBERS | HOSTILE_TEXT | VALUES | DEEP)
    return method, template, body


# A marker `_encode` replaces by arrays or objects nested that deep (orjson reads up to 1,024).
DEEP = st.builds(
    lambda depth, kind: f"__deep_{kind}_{depth}__", st.integers(250, 1020), st.sampled_from("ao")
)
_DEEP_MARK = re.compile(r'"__deep_([ao])_([0-9]+)__"')


def _deep(match: re.Match[str]) -> str:
    depth = int(match.group(2))
    if match.group(1) == "a":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


QUERIES = st.dictionaries(
    st.one_of(st.sampled_from(QUERY_KEYS), st.text(max_size=6)),
    st.one_of(st.text(max_size=12), HOSTILE_TEXT),
    max_size=4,
)
PATH_VALUES = st.one_of(
    st.sampled_from(
        [
            "1",
            "2",
            "4",
            "999",
            "0",
            "-1",
            "1.5",
            "9" * 30,
            "²",
            "%0d%0a",
            "%00",
            "1000000000000000001",
            "+201001234567",
            "00201001234567",
        ]
    ),
    st.text(min_size=1, max_size=10).map(lambda text: urllib.parse.quote(text, safe="")),
)


def _encode(body: Any, php_slashes: bool, ascii_only: bool) -> bytes:
    text = json.dumps(body, ensure_ascii=ascii_only)  # writes any int, NaN and Infinity as given
    text = _DEEP_MARK.sub(_deep, text)
    if php_slashes:
        text = text.replace("/", "\\/")
    return text.encode("utf-8", "surrogatepass")


class _Http:
    """A keep-alive http.client connection to the emulator's thread (no SDK, no aiohttp)."""

    def __init__(self, base_url: str) -> None:
        url = urllib.parse.urlsplit(base_url)
        assert url.hostname is not None and url.port is not None
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    def request(
        self, method: str, target: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        sent = {"Authorization": "Bearer test-token", **(headers or {})}
        try:
            self.conn.request(method, target, body=body, headers=sent)
            response = self.conn.getresponse()
            return response.status, response.read(), response.headers
        except BaseException:
            self.conn.close()  # a clean connection for the next example
            raise

    def close(self) -> None:
        self.conn.close()


def test_no_request_makes_the_emulator_answer_a_5xx_or_break() -> None:
    emulator = Emulator(clock=Clock(T0), max_received=50, rate_limit=1_000_000)
    emulator.start_in_thread()
    client = _Http(emulator.base_url)
    try:
        # Something to find: a contact in a group, a message, a chat with a comment.
        status, _, _ = client.request(
            "POST",
            "/api/v2/contacts",
            orjson.dumps({**contact_body(phone="+201001234567"), "groups": []}),
            {"Content-Type": "application/json"},
        )
        assert status == 201
        client.request("POST", "/api/v2/groups", b'{"name": "VIP"}', {"Content-Type": "application/json"})
        client.request(
            "POST",
            "/api/v2/messages/text",
            b'{"phone": "+201001234567", "message": "hi"}',
            {"Content-Type": "application/json"},
        )
        template_id = emulator.add_template("probe", body="Hi {{1}}")
        statuses: list[int] = []

        @settings(
            max_examples=250,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(
            request=requests(),
            path_value=PATH_VALUES,
            query=QUERIES,
            php_slashes=st.booleans(),
            ascii_only=st.booleans(),
            key_header=st.booleans(),
        )
        def run(
            request: tuple[str, str, Any],
            path_value: str,
            query: dict[str, str],
            php_slashes: bool,
            ascii_only: bool,
            key_header: bool,
        ) -> None:
            method, template, body = request
            value = template_id if "{template_id}" in template and path_value == "1" else path_value
            value = urllib.parse.quote(value, safe="%")
            path = template.replace("{id}", value).replace("{template_id}", value).replace("{mobile}", value)
            target = "/api/v2" + path
            if query:
                target += "?" + urllib.parse.urlencode(query, errors="surrogatepass")
            raw = None if method == "GET" else _encode(body, php_slashes, ascii_only)
            headers = {"Content-Type": "application/json"}
            if key_header:
                headers = {**headers, "X-API-Key": "test-token", "Authorization": ""}
            status, payload, answer_headers = client.request(method, target, raw, headers)
            statuses.append(status)
            assert status < 500, (method, target, raw, payload)
            assert answer_headers["Content-Type"] == "application/json"
            decoded = orjson.loads(payload)
            assert decoded["success"] is (status < 400)
            if status >= 400:
                assert "message" not in decoded and set(decoded["error"]) == {"code", "message", "details"}
            assert "X-RateLimit-Remaining" in answer_headers
            # The emulator still works: its lists and its logs answer.
            for check in (
                "/api/v2/contacts?per_page=100",
                "/api/v2/messages?per_page=100",
                "/api/v2/groups",
                "/_emulator/outbox",
                "/_emulator/requests",
                "/_emulator/config",
            ):
                check_status, check_body, _ = client.request("GET", check)
                assert check_status == 200, (check, method, target, raw, check_body)
                orjson.loads(check_body)

        run()
        assert any(status == 200 for status in statuses) and any(status == 422 for status in statuses)
    finally:
        client.close()
        emulator.stop_thread()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_emulator/clock", b"[1, 2]"),
        ("/_emulator/clock", b'{"advance": "soon"}'),
        ("/_emulator/clock", b'{"advance": 1e308}'),
        ("/_emulator/clock", b'{"set": "not a date"}'),
        ("/_emulator/config", b'{"tokens": [{"scopes": 5}]}'),
        ("/_emulator/config", b'{"tenant_id": "x"}'),
        ("/_emulator/config", b'{"plan": {"nope": 1}}'),
        ("/_emulator/inbound", b'{"phone": "+15551234567"}'),
        ("/_emulator/faults", b'{"match": 5}'),
        ("/_emulator/webhooks", b'{"url": 5, "events": 7}'),
        ("/_emulator/webhooks/flush", b'{"timeout": "x"}'),
        ("/_emulator/faults", b"{"),
    ],
)
async def test_the_control_api_answers_bad_requests_with_a_400(api: Api, path: str, body: bytes) -> None:
    reply = await api.call("POST", path, data=body, headers={"Content-Type": "application/json"})
    assert reply.status == 400, reply.text
    assert reply.json["success"] is False
    assert (await api.get("/_emulator/config")).status == 200
    assert (await api.get("/contacts")).status == 200
