"""Envelopes, auth, scopes, routing and body parsing."""

from __future__ import annotations

import io
import re
import uuid

import pytest

from wacr.testing._router import ROUTER

from .conftest import Api, Reply

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")

# Every operation with a path that resolves to it and the scope it needs.
OPERATIONS = [
    ("GET", "/account", "account:read"),
    ("GET", "/account/usage", "account:read"),
    ("GET", "/account/limits", "account:read"),
    ("POST", "/auth/send-otp", "messages:send"),
    ("POST", "/auth/resend", "messages:send"),
    ("POST", "/auth/verify", "messages:send"),
    ("POST", "/auth/status", "messages:send"),
    ("GET", "/auth/templates", "templates:read"),
    ("GET", "/templates", "templates:read"),
    ("GET", "/templates/1000000000000001", "templates:read"),
    ("POST", "/templates/sync", "templates:sync"),
    ("GET", "/contacts", "contacts:read"),
    ("POST", "/contacts", "contacts:write"),
    ("GET", "/contacts/1", "contacts:read"),
    ("PATCH", "/contacts/1", "contacts:write"),
    ("DELETE", "/contacts/1", "contacts:delete"),
    ("POST", "/contacts/batch", "contacts:write"),
    ("DELETE", "/contacts/batch", "contacts:delete"),
    ("GET", "/groups", "groups:read"),
    ("POST", "/groups", "groups:write"),
    ("GET", "/groups/1", "groups:read"),
    ("PATCH", "/groups/1", "groups:write"),
    ("DELETE", "/groups/1", "groups:delete"),
    ("POST", "/groups/1/contacts", "groups:write"),
    ("DELETE", "/groups/1/contacts", "groups:write"),
    ("GET", "/sources", "sources:read"),
    ("POST", "/sources", "sources:write"),
    ("GET", "/sources/1", "sources:read"),
    ("PATCH", "/sources/1", "sources:write"),
    ("DELETE", "/sources/1", "sources:write"),
    ("GET", "/statuses", "statuses:read"),
    ("POST", "/statuses", "statuses:write"),
    ("GET", "/statuses/1", "statuses:read"),
    ("PATCH", "/statuses/1", "statuses:write"),
    ("DELETE", "/statuses/1", "statuses:write"),
    ("POST", "/messages/text", "messages:send"),
    ("POST", "/messages/template", "messages:send"),
    ("POST", "/messages/media", "messages:send"),
    ("POST", "/messages/interactive", "messages:send"),
    ("POST", "/messages/cta", "messages:send"),
    ("GET", "/messages", "messages:read"),
    ("GET", "/messages/1", "messages:read"),
    ("GET", "/comments/919876543210", None),
    ("POST", "/comments/919876543210", None),
]


def test_the_table_covers_the_44_operations() -> None:
    assert len(OPERATIONS) == 44
    for method, path, scope in OPERATIONS:
        route, _, _ = ROUTER.resolve(method, path)
        assert route is not None, (method, path)
        assert route.scope == scope


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
async def test_every_operation_needs_a_token(api: Api, method: str, path: str, scope: str | None) -> None:
    missing = await api.call(method, path, token=None)
    assert missing.status == 401
    assert missing.code == "UNAUTHORIZED"
    wrong = await api.call(method, path, token="nope")
    assert wrong.status == 401
    assert wrong.json["success"] is False


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
async def test_every_operation_checks_its_scope(api: Api, method: str, path: str, scope: str | None) -> None:
    api.emulator.add_token("narrow", scopes=[])
    reply = await api.call(method, path, token="narrow")
    if scope is None:
        # Comments need only a valid token: this one gets past auth (to a 404 or 422).
        assert reply.status in (404, 422)
        return
    assert reply.status == 403
    assert reply.code == "INSUFFICIENT_SCOPE"
    assert reply.json["error"]["message"] == f"Token missing `{scope}` scope"
    assert reply.details == {"required_scope": scope}
    api.emulator.add_token("exact", scopes=[scope])
    allowed = await api.call(method, path, token="exact")
    assert allowed.status != 403


async def test_success_envelope(api: Api) -> None:
    reply = await api.get("/account")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json
    assert set(body) == {"success", "data", "message", "meta"}
    assert body["success"] is True
    assert body["message"] == "Account information retrieved successfully"
    meta = body["meta"]
    assert set(meta) == {"request_id", "timestamp"}
    assert uuid.UUID(meta["request_id"]).version == 4
    assert reply.headers["X-Request-Id"] == meta["request_id"]
    assert meta["timestamp"] == "2026-01-01T08:00:00+00:00"


ERRORS = [  # (method, path, body, how the emulator is set up first): an error of every kind
    ("GET", "/account", None, "no token"),  # 401
    ("GET", "/account", None, "bad token"),  # 401
    ("GET", "/contacts/999", None, ""),  # 404 NOT_FOUND
    ("GET", "/nope", None, ""),  # 404, unknown API route
    ("GET", "/outside-the-api", None, "outside"),  # 404, outside /api/v2
    ("DELETE", "/account", None, ""),  # 405
    ("POST", "/auth/verify", {"phone": "+201000000000", "code": "123456"}, ""),  # 422 OTP_NOT_FOUND
    ("POST", "/messages/text", {"phone": "+201000000000", "message": "x"}, "no whatsapp"),  # 422
    ("POST", "/templates/sync", None, "no whatsapp"),  # 422 WHATSAPP_NOT_CONFIGURED
    ("GET", "/groups", None, "fault 503"),  # an injected status, no body given
    ("GET", "/groups", None, "fault 500"),
    ("POST", "/contacts", {"firstname": ""}, ""),  # 422 with field errors
    ("POST", "/contacts", b"[1]", ""),  # 422 on a body that is no object
]


@pytest.mark.parametrize(("method", "path", "body", "setup"), ERRORS)
async def test_every_error_carries_details_as_an_object(
    api: Api, method: str, path: str, body: object, setup: str
) -> None:
    # upstream-v2.md §2.5: `error.details` is an object, `{}` when there is nothing to add (the
    # emulator used to send null there).
    if setup == "no whatsapp":
        api.emulator.set_whatsapp_configured(False)
    elif setup.startswith("fault"):
        api.emulator.inject(f"{method} {path}", status=int(setup.split()[1]))
    token = None if setup == "no token" else "wrong" if setup == "bad token" else ""
    data = body if isinstance(body, bytes) else None
    json = None if isinstance(body, bytes) else body
    headers = {"Content-Type": "application/json"} if data is not None else None
    reply = await api.call(
        method, path, json=json, data=data, token=token, headers=headers, prefix=setup != "outside"
    )
    assert reply.status >= 400
    error = reply.json["error"]
    assert isinstance(error["details"], dict), (reply.status, error)
    assert set(reply.json) == {"success", "error", "meta"}


async def test_error_envelope(api: Api) -> None:
    reply = await api.get("/contacts/999")
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json
    # The upstream error envelope: no top-level `message`.
    assert body == {
        "success": False,
        "error": {"code": "NOT_FOUND", "message": "Contact not found", "details": {}},
        "meta": body["meta"],
    }
    assert reply.headers["X-Request-Id"] == body["meta"]["request_id"]
    assert TIMESTAMP.match(body["meta"]["timestamp"])


async def test_bearer_scheme_is_required(api: Api) -> None:
    reply = await api.get("/account", token=None, headers={"Authorization": "Token test-token"})
    assert reply.status == 401


async def test_unknown_route_is_a_404_envelope(api: Api) -> None:
    for path in ("/nothing", "/contacts/1/nothing", "/"):
        reply = await api.get(path)
        assert reply.status == 404
        assert reply.code == "NOT_FOUND"
    outside = await api.get("/elsewhere", prefix=False)
    assert outside.status == 404


async def test_wrong_method_is_a_405_envelope(api: Api) -> None:
    reply = await api.call("PUT", "/contacts/1")
    assert reply.status == 405
    assert reply.code == "METHOD_NOT_ALLOWED"
    assert reply.headers["Allow"] == "DELETE, GET, PATCH"
    batch = await api.call("GET", "/templates/sync")
    assert batch.status == 404  # matches GET /templates/{template_id}, like Laravel would


async def test_unknown_route_and_405_come_before_auth(api: Api) -> None:
    assert (await api.get("/nothing", token=None)).status == 404
    assert (await api.call("PUT", "/account", token=None)).status == 405


async def test_trailing_slash_is_ignored(api: Api) -> None:
    assert (await api.get("/account/")).status == 200


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"null", b"42"])
async def test_bodies_that_are_not_json_objects(api: Api, raw: bytes) -> None:
    reply = await api.call("POST", "/groups", data=raw, headers={"Content-Type": "application/json"})
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert reply.details == {"body": ["The request body must be a JSON object."]}


async def test_an_empty_body_is_an_empty_object(api: Api) -> None:
    reply = await api.call("POST", "/groups")
    assert reply.status == 422
    assert reply.details == {"name": ["Group name is required"]}


async def test_auth_is_checked_before_the_body(api: Api) -> None:
    reply = await api.call("POST", "/groups", data=b"{", token="nope")
    assert reply.status == 401


async def test_tenants_are_isolated(api: Api) -> None:
    api.emulator.add_token("other", tenant_id=2)
    mine = await api.post("/groups", {"name": "VIP"})
    assert mine.status == 201
    theirs = await api.get(f"/groups/{mine.data['id']}", token="other")
    assert theirs.status == 404
    # The same name is free in the other tenant, and its ids do not collide with ours.
    other = await api.post("/groups", {"name": "VIP"}, token="other")
    assert other.status == 201
    assert other.data["id"] != mine.data["id"]
    account = await api.get("/account", token="other")
    assert account.data["id"] == 2
    listing = await api.get("/groups", token="other")
    assert [g["name"] for g in listing.data] == ["VIP"]


async def test_removed_token_is_rejected(api: Api) -> None:
    api.emulator.remove_token("test-token")
    assert (await api.get("/account")).status == 401


async def test_a_huge_body_is_a_json_413(api: Api) -> None:
    body = io.BytesIO(b"x" * (17 * 1024 * 1024))
    async with api.client.post(
        "/api/v2/groups", data=body, headers={"Authorization": "Bearer test-token"}
    ) as response:
        reply = Reply(response.status, response.headers, await response.text())
    assert reply.status == 413
    assert reply.code == "PAYLOAD_TOO_LARGE"
    assert reply.headers["Content-Type"] == "application/json"
