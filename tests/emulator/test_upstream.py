"""What the upstream export settled: X-API-Key, rate-limit headers, query input on writes, filters per
resource, batch group_id/addedfrom, /messages/cta, pagination keys on every list."""

from __future__ import annotations

import math
from typing import Any

import pytest

from .conftest import Api, contact_body

PHONE = "+15551234567"


# -- X-API-Key ----------------------------------------------------------------------------------
async def test_x_api_key_is_accepted_as_an_alternative_to_bearer(api: Api) -> None:
    key = await api.get("/account", token=None, headers={"X-API-Key": "test-token"})
    assert key.status == 200
    assert key.data["id"] == 1
    sent = await api.post(
        "/messages/text", {"phone": PHONE, "message": "hi"}, token=None, headers={"X-API-Key": "test-token"}
    )
    assert sent.status == 200
    wrong = await api.get("/account", token=None, headers={"X-API-Key": "nope"})
    assert wrong.status == 401
    assert wrong.code == "UNAUTHORIZED"
    empty = await api.get("/account", token=None, headers={"X-API-Key": "  "})
    assert empty.status == 401
    # Its scopes are the token's scopes.
    api.emulator.add_token("reader", scopes=["contacts:read"])
    narrow = await api.get("/account", token=None, headers={"X-API-Key": "reader"})
    assert narrow.status == 403
    assert narrow.code == "INSUFFICIENT_SCOPE"
    # A Bearer token wins over the header; a non-Bearer Authorization falls back to it.
    both = await api.get("/account", token="nope", headers={"X-API-Key": "test-token"})
    assert both.status == 401
    basic = await api.get(
        "/account", token=None, headers={"Authorization": "Basic x", "X-API-Key": "test-token"}
    )
    assert basic.status == 200


# -- rate-limit headers ---------------------------------------------------------------------------
def _limits(reply: Any) -> tuple[int, int, int]:
    headers = reply.headers
    return (
        int(headers["X-RateLimit-Limit"]),
        int(headers["X-RateLimit-Remaining"]),
        int(headers["X-RateLimit-Reset"]),
    )


async def test_rate_limit_headers_on_every_answer_of_a_limited_token(api: Api) -> None:
    emulator = api.emulator
    emulator.set_rate_limit(6)
    window_end = math.ceil(emulator.clock.now().timestamp()) + 60
    ok = await api.get("/account")
    assert _limits(ok) == (6, 5, window_end)
    replies = [
        await api.get("/contacts/999"),  # 404 from the handler
        await api.post("/groups", {}),  # 422
        await api.get("/nothing"),  # unknown route: not counted, still reported
        await api.call("PUT", "/contacts"),  # 405
    ]
    assert [r.status for r in replies] == [404, 422, 404, 405]
    assert [_limits(r) for r in replies] == [(6, 4, window_end), (6, 3, window_end)] + [
        (6, 3, window_end)
    ] * 2
    emulator.add_token("narrow", scopes=[])
    forbidden = await api.get("/account", token="narrow")
    assert forbidden.status == 403
    assert _limits(forbidden) == (6, 5, window_end)  # its own window; a refusal by scope counts
    for _ in range(3):
        await api.get("/account")
    limited = await api.get("/account")
    assert limited.status == 429
    assert _limits(limited) == (6, 0, window_end)
    assert limited.headers["Retry-After"] == "60"
    # With X-API-Key too, and nothing for a request without a known token.
    assert _limits(await api.get("/account", token=None, headers={"X-API-Key": "test-token"}))[1] == 0
    unknown = await api.get("/account", token="nope")
    assert unknown.status == 401
    assert "X-RateLimit-Limit" not in unknown.headers
    # The window starts again at the announced reset time.
    emulator.clock.advance(60)
    again = await api.get("/account")
    assert again.status == 200
    assert _limits(again) == (6, 5, window_end + 60)


async def test_no_rate_limit_headers_without_a_limit(api: Api) -> None:
    reply = await api.get("/account")
    assert not [name for name in reply.headers if name.lower().startswith("x-ratelimit")]
    api.emulator.set_rate_limit(100)
    assert _limits(await api.get("/account"))[0] == 100
    api.emulator.set_rate_limit(None)
    assert "X-RateLimit-Limit" not in (await api.get("/account")).headers


async def test_injected_errors_carry_the_headers_too(api: Api) -> None:
    api.emulator.set_rate_limit(10)
    api.emulator.inject("GET /account", status=503, times=1)
    reply = await api.get("/account")
    assert reply.status == 503
    assert _limits(reply)[0] == 10


# -- query input on writes ------------------------------------------------------------------------
async def test_query_fields_are_input_of_a_post(api: Api) -> None:
    reply = await api.call(
        "POST",
        "/messages/template",
        params={
            "phone": PHONE,
            "template_name": "welcome",
            "language": "en",
            "field_1": "Ann",
            "contact_id": "",
        },
    )
    assert reply.status == 200, reply.text
    assert api.emulator.outbox[-1].text == "Welcome to Acme, Ann!"
    media = await api.call(
        "POST",
        "/messages/media",
        params={"phone": PHONE, "media_type": "image", "media_url": "https://x.io/a.png", "caption": "c"},
    )
    assert media.status == 200
    assert media.data["caption"] == "c"


async def test_the_body_wins_over_the_query(api: Api) -> None:
    reply = await api.post("/groups", {"name": "From body"}, params={"name": "From query"})
    assert reply.data["name"] == "From body"
    only_query = await api.post("/groups", None, params={"name": "From query"})
    assert only_query.status == 201
    assert only_query.data["name"] == "From query"
    patched = await api.patch(f"/groups/{only_query.data['id']}", None, params={"name": "Renamed"})
    assert patched.data["name"] == "Renamed"


async def test_query_strings_get_laravel_types(api: Api) -> None:
    group = (await api.post("/groups", {"name": "VIP"})).data["id"]
    params = {
        "firstname": "Q",
        "lastname": "S",
        "phone": "+15550009999",
        "type": "lead",
        "source_id": "2",  # the `integer` rule takes numeric strings
        "status_id": "3",
        "groups[]": str(group),  # PHP's list syntax
    }
    reply = await api.post("/contacts", None, params=params)
    assert reply.status == 201, reply.text
    assert (reply.data["source_id"], reply.data["status_id"], reply.data["group_id"]) == (2, 3, [group])
    bad = await api.post("/contacts", None, params={**params, "phone": "+15550009998", "source_id": "2.5"})
    assert bad.status == 422
    assert bad.details == {"source_id": ["The source id must be an integer."]}
    otp = await api.post(
        "/auth/send-otp",
        None,
        params={"phone": PHONE, "template_name": "otp_verification", "expiry_minutes": "5", "code": "123456"},
    )
    assert otp.status == 200
    assert otp.data["expiry_minutes"] == 5
    nested = await api.post(
        "/messages/interactive",
        {"phone": PHONE, "type": "button", "body_text": "Pick"},
        params={
            "buttons[0][id]": "a",
            "buttons[0][title]": "A",
            "buttons[1][id]": "b",
            "buttons[1][title]": "B",
        },
    )
    assert nested.status == 200, nested.text


async def test_query_is_not_merged_into_a_get(api: Api) -> None:
    # A list's query is its list parameters: `name` is not one, so it is simply not used.
    assert (await api.get("/groups", params={"per_page": "5"})).status == 200


# -- filters per resource -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["groups", "sources", "statuses"])
async def test_created_at_filter_with_every_operator(api: Api, kind: str) -> None:
    clock = api.emulator.clock
    body: dict[str, Any] = {"name": "Later"}
    clock.advance(86400)  # 2026-01-02
    later = (await api.post(f"/{kind}", body)).data["id"]

    async def ids(**params: str) -> list[int]:
        reply = await api.get(f"/{kind}", params=params)
        assert reply.status == 200, reply.text
        return [item["id"] for item in reply.data]

    everything = await ids()
    assert later in everything
    assert await ids(**{"filter[created_at][gte]": "2026-01-02"}) == [later]
    assert await ids(**{"filter[created_at][gt]": "2026-01-01T12:00:00Z"}) == [later]
    assert later not in await ids(**{"filter[created_at][lt]": "2026-01-02"})
    assert later not in await ids(**{"filter[created_at][lte]": "2026-01-01T23:59:59Z"})
    assert later not in await ids(**{"filter[created_at][ne]": "2026-01-02T08:00:00+00:00"})
    assert await ids(**{"filter[created_at][between]": "2026-01-02,2026-01-03"}) == [later]
    assert await ids(**{"filter[created_at][like]": "2026-01-02%"}) == [later]
    assert await ids(**{"filter[created_at][in]": "2026-01-02T08:00:00Z"}) == [later]
    assert later not in await ids(**{"filter[created_at][not_in]": "2026-01-02T08:00:00Z"})
    assert await ids(**{"filter[created_at][null]": "true"}) == []
    assert await ids(**{"filter[created_at]": "2026-01-02"}) == [later]
    refused = await api.get(f"/{kind}", params={"filter[name]": "Later"})
    assert refused.status == 422
    assert "`name`" in refused.details["filter"][0]


async def test_template_filters_and_operators(api: Api) -> None:
    async def names(**params: str) -> set[str]:
        reply = await api.get("/templates", params=params)
        assert reply.status == 200, reply.text
        return {item["template_name"] for item in reply.data}

    assert await names(**{"filter[status]": "PENDING"}) == {"spring_sale"}
    assert await names(**{"filter[status][ne]": "APPROVED"}) == {"spring_sale", "flash_offer"}
    assert await names(**{"filter[status][in]": "PENDING,REJECTED"}) == {"spring_sale", "flash_offer"}
    assert "spring_sale" not in await names(**{"filter[status][not_in]": "PENDING"})
    assert await names(**{"filter[category][like]": "AUTH%"}) == {"otp_verification"}
    assert await names(**{"filter[language][null]": "1"}) == set()
    for op in ("gte", "lte", "gt", "lt", "between"):
        reply = await api.get("/templates", params={f"filter[status][{op}]": "A"})
        assert reply.status == 422, op
        assert f"`{op}` operator is not supported for `status`" in reply.details["filter"][0]


async def test_message_filters_and_operators(api: Api) -> None:
    await api.post("/messages/text", {"phone": PHONE, "message": "hi"})
    api.emulator.receive_message(PHONE, "hello")
    by_direction = await api.get("/messages", params={"filter[direction]": "inbound"})
    assert [m["message"] for m in by_direction.data] == ["hello"]
    not_inbound = await api.get("/messages", params={"filter[direction][ne]": "inbound"})
    assert [m["message"] for m in not_inbound.data] == ["hi"]
    kinds = await api.get(
        "/messages", params={"filter[type][in]": "text,image", "filter[status][not_in]": "read"}
    )
    assert len(kinds.data) == 2
    # No created_at filter on messages, and no range/like/null operators.
    created = await api.get("/messages", params={"filter[created_at][gte]": "2026-01-01"})
    assert created.status == 422
    assert created.details["filter"][0].startswith("Requested filter(s) `created_at` are not allowed.")
    for op in ("gte", "like", "null", "between"):
        reply = await api.get("/messages", params={f"filter[interaction_id][{op}]": "1"})
        assert reply.status == 422, op


# -- batch create: group_id and addedfrom ----------------------------------------------------------
def _item(i: int, **changes: Any) -> dict[str, Any]:
    return contact_body(firstname=f"B{i}", phone=f"+1555777{i:04d}", **changes)


async def test_batch_group_id_is_applied(api: Api) -> None:
    vip = (await api.post("/groups", {"name": "VIP"})).data["id"]
    other = (await api.post("/groups", {"name": "Other"})).data["id"]
    reply = await api.post(
        "/contacts/batch",
        {
            "contacts": [
                _item(1, group_id=[vip]),
                _item(2, addedfrom=1),
                _item(3, group_id=[vip, str(other)], groups=[other]),
                _item(4, group_id=[999]),
                _item(5, addedfrom="web"),
                _item(6, group_id="1"),
            ]
        },
    )
    assert reply.status == 200
    data = reply.data
    assert data["summary"] == {"total": 6, "created": 3, "skipped": 0, "failed": 3}
    assert [c["group_id"] for c in data["created"]] == [[vip], [], [other, vip]]  # groups, then group_id
    assert [(e["index"], e["errors"]) for e in data["errors"]] == [
        (3, {"group_id.0": ["The selected group id.0 is invalid."]}),
        (4, {"addedfrom": ["The addedfrom must be an integer."]}),
        (5, {"group_id": ["The group id must be an array."]}),
    ]
    members = await api.get("/contacts", params={"filter[group_id]": str(vip)})
    assert [c["firstname"] for c in members.data] == ["B1", "B3"]
    assert (await api.get(f"/groups/{vip}")).data["contacts_count"] == 2
    assert "addedfrom" not in data["created"][1]


@pytest.mark.parametrize(
    "phone",
    ["12", "+1", "", "   ", "x" * 5, "1" * 21, "+1 (555) 000-1234", "00201001234567", "+201001234567"],
)
async def test_batch_item_phone_rule_is_the_create_rule(api: Api, phone: str) -> None:
    single = await api.post("/contacts", contact_body(phone=phone))
    if single.status == 201:
        await api.delete(f"/contacts/{single.data['id']}")
    batch = await api.post("/contacts/batch", {"contacts": [contact_body(phone=phone)]})
    if single.status == 201:
        assert batch.data["summary"]["created"] == 1
    else:
        assert single.status == 422
        assert batch.data["errors"][0]["errors"]["phone"] == single.details["phone"]


# -- POST /messages/cta -----------------------------------------------------------------------------
CTA = {
    "phone": PHONE,
    "message": "See our prices",
    "button_text": "View Pricing",
    "button_url": "https://example.com/pricing",
}


async def test_send_cta(api: Api) -> None:
    reply = await api.post("/messages/cta", {**CTA, "header_text": "Hi", "footer_text": "Bye"})
    assert reply.status == 200
    assert reply.json["message"] == "CTA message sent successfully"
    data = reply.data
    assert data == {
        "message_id": data["message_id"],
        "contact_id": data["contact_id"],
        "phone": "15551234567",
        "status": "sent",
        "sent_at": "2026-01-01T08:00:00+00:00",
        "chat_id": data["chat_id"],
        "chat_message_id": data["chat_message_id"],
        "button_text": "View Pricing",
        "button_url": "https://example.com/pricing",
    }
    sent = api.emulator.outbox[-1]
    assert (sent.kind, sent.text, sent.button_text, sent.button_url) == (
        "cta",
        "See our prices",
        "View Pricing",
        "https://example.com/pricing",
    )
    assert (sent.header_text, sent.footer_text, sent.interactive_type) == ("Hi", "Bye", "cta_url")
    history = (await api.get(f"/messages/{data['chat_message_id']}")).data
    assert (history["type"], history["message"], history["url"]) == (
        "interactive",
        "See our prices",
        "https://example.com/pricing",
    )
    # The contact was auto-created, as for every send.
    assert api.emulator.get_contact(PHONE) is not None


@pytest.mark.parametrize(
    ("changes", "details"),
    [
        ({"phone": None}, {"phone": ["Phone number is required"]}),
        ({"phone": "123456789"}, {"phone": ["The phone must be at least 10 characters."]}),
        ({"phone": "1" * 16}, {"phone": ["The phone may not be greater than 15 characters."]}),
        ({"message": None}, {"message": ["The message field is required."]}),
        ({"message": "m" * 1025}, {"message": ["The message may not be greater than 1024 characters."]}),
        ({"button_text": None}, {"button_text": ["The button text field is required."]}),
        (
            {"button_text": "b" * 26},
            {"button_text": ["The button text may not be greater than 25 characters."]},
        ),
        ({"button_url": None}, {"button_url": ["The button url field is required."]}),
        ({"button_url": "example.com"}, {"button_url": ["The button url format is invalid."]}),
        (
            {"button_url": "https://x.io/" + "a" * 2040},
            {"button_url": ["The button url may not be greater than 2048 characters."]},
        ),
        (
            {"header_text": "h" * 61},
            {"header_text": ["The header text may not be greater than 60 characters."]},
        ),
        (
            {"footer_text": "f" * 61},
            {"footer_text": ["The footer text may not be greater than 60 characters."]},
        ),
        ({"contact_id": "x"}, {"contact_id": ["The contact id must be an integer."]}),
    ],
)
async def test_send_cta_validation(api: Api, changes: dict[str, Any], details: dict[str, Any]) -> None:
    reply = await api.post("/messages/cta", {**CTA, **changes})
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert reply.details == details
    assert api.emulator.outbox == []


async def test_send_cta_common_send_errors(api: Api) -> None:
    missing = await api.post("/messages/cta", {**CTA, "contact_id": 999})
    assert (missing.status, missing.code) == (404, "NOT_FOUND")
    api.emulator.opt_out(PHONE)
    opted_out = await api.post("/messages/cta", CTA)
    assert (opted_out.status, opted_out.code) == (403, "CONTACT_OPTED_OUT")
    api.emulator.set_whatsapp_configured(False)
    unconfigured = await api.post("/messages/cta", CTA)
    assert (unconfigured.status, unconfigured.code) == (422, "WHATSAPP_NOT_CONFIGURED")


# -- pagination keys on every list -----------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/contacts", "/messages", "/templates", "/auth/templates", "/groups", "/sources", "/statuses"]
)
async def test_every_list_answers_the_upstream_pagination_keys(api: Api, path: str) -> None:
    reply = await api.get(path, params={"per_page": "2"})
    pagination = reply.json["meta"]["pagination"]
    assert list(pagination) == ["total", "count", "per_page", "current_page", "total_pages", "has_more"]
    assert pagination["count"] == len(reply.data)
    assert pagination["total_pages"] == max(1, math.ceil(pagination["total"] / 2))
    assert pagination["has_more"] is (pagination["total"] > 2)
    last = await api.get(path, params={"per_page": "2", "page": str(pagination["total_pages"])})
    assert last.json["meta"]["pagination"]["has_more"] is False
    assert last.json["meta"]["pagination"]["count"] == len(last.data)
    beyond = await api.get(path, params={"per_page": "2", "page": str(pagination["total_pages"] + 1)})
    assert beyond.json["meta"]["pagination"]["count"] == 0


async def test_sync_needs_a_configured_whatsapp_account(api: Api) -> None:
    api.emulator.set_whatsapp_configured(False)
    refused = await api.post("/templates/sync")
    assert (refused.status, refused.code) == (422, "WHATSAPP_NOT_CONFIGURED")
    await api.post("/_emulator/config", {"whatsapp_configured": True})
    synced = await api.post("/templates/sync")
    assert synced.status == 200
    assert synced.data["synced_count"] == len(synced.data["templates"]) == 7


async def test_a_form_body_is_input_too(api: Api) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    group = await api.call("POST", "/groups", data="name=Form+group", headers=form)
    assert group.status == 201
    assert group.data["name"] == "Form group"
    media = await api.call(
        "POST",
        "/messages/media",
        data="phone=%2B15551234567&media_type=image&media_url=https%3A%2F%2Fx.io%2Fa.png&contact%5Bfirstname%5D=Ann",
        params={"caption": "from the query", "media_type": "video"},
        headers=form,
    )
    assert media.status == 200, media.text
    assert (media.data["media_type"], media.data["caption"]) == ("image", "from the query")  # the body wins
    assert api.emulator.get_contact(PHONE)["firstname"] == "Ann"  # type: ignore[index]
    assert api.emulator.outbox[-1].request["contact"] == {"firstname": "Ann"}
