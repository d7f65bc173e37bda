"""Contacts: CRUD, validation, plan limit, batch operations and the list query."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, contact_body

# Upstream's always-included contact fields (21).
ALWAYS_INCLUDED = {
    "id",
    "tenant_id",
    "created_at",
    "updated_at",
    "type",
    "status_id",
    "source_id",
    "email",
    "phone",
    "description",
    "city",
    "state",
    "zip",
    "address",
    "country_id",
    "assigned_id",
    "group_id",
    "is_opted_out",
    "firstname",
    "lastname",
    "company",
}


async def test_create_contact(api: Api) -> None:
    group = (await api.post("/groups", {"name": "VIP"})).data
    reply = await api.post(
        "/contacts", contact_body(email="jane@example.com", groups=[group["id"]], zip="12345")
    )
    assert reply.status == 201
    assert reply.json["message"] == "Contact created successfully"
    data = reply.data
    assert data == {
        "id": data["id"],
        "tenant_id": 1,
        "firstname": "Jane",
        "lastname": "Doe",
        "company": None,
        "type": "lead",
        "email": "jane@example.com",
        "phone": "+919876543210",
        "status_id": 1,
        "source_id": 1,
        "description": None,
        "city": None,
        "state": None,
        "zip": "12345",
        "address": None,
        "country_id": None,
        "assigned_id": None,
        "group_id": [group["id"]],
        "is_opted_out": False,
        "created_at": "2026-01-01T08:00:00+00:00",
        "updated_at": "2026-01-01T08:00:00+00:00",
        "groups": [
            {
                "id": group["id"],
                "name": "VIP",
                "created_at": group["created_at"],
                "updated_at": group["updated_at"],
            }
        ],
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"firstname": None}, "firstname", "First name is required"),
        ({"firstname": "   "}, "firstname", "First name is required"),
        ({"lastname": ""}, "lastname", "Last name is required"),
        ({"phone": None}, "phone", "Phone number is required"),
        ({"type": "vip"}, "type", "Type must be either lead, customer, or guest"),
        ({"type": None}, "type", "The type field is required."),
        (
            {"source_id": 999},
            "source_id",
            "The selected source does not exist or does not belong to your account",
        ),
        (
            {"status_id": 999},
            "status_id",
            "The selected status does not exist or does not belong to your account",
        ),
        ({"status_id": "abc"}, "status_id", "The status id must be an integer."),
        ({"firstname": "x" * 256}, "firstname", "The firstname may not be greater than 255 characters."),
        ({"phone": "1" * 21}, "phone", "The phone may not be greater than 20 characters."),
        ({"email": "not-an-email"}, "email", "The email must be a valid email address."),
        ({"email": "a@" + "b" * 186 + ".com"}, "email", "The email may not be greater than 191 characters."),
        ({"zip": "1" * 21}, "zip", "The zip may not be greater than 20 characters."),
        ({"address": "a" * 501}, "address", "The address may not be greater than 500 characters."),
        ({"company": 5}, "company", "The company must be a string."),
        ({"groups": "1"}, "groups", "The groups must be an array."),
        ({"groups": [999]}, "groups.0", "The selected groups.0 is invalid."),
    ],
)
async def test_create_validation(api: Api, changes: dict[str, Any], field: str, message: str) -> None:
    reply = await api.post("/contacts", contact_body(**changes))
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert reply.details == {field: [message]}


async def test_create_reports_every_field(api: Api) -> None:
    reply = await api.post("/contacts", {})
    assert reply.details == {
        "firstname": ["First name is required"],
        "lastname": ["Last name is required"],
        "phone": ["Phone number is required"],
        "type": ["The type field is required."],
        "source_id": ["The source id field is required."],
        "status_id": ["The status id field is required."],
    }


async def test_phone_and_email_are_unique_per_tenant(api: Api) -> None:
    await api.post("/contacts", contact_body(email="Jane@Example.com"))
    duplicate = await api.post("/contacts", contact_body(phone="91 98765-43210", email="jane@example.com"))
    assert duplicate.details == {
        "phone": ["This phone number already exists"],
        "email": ["This email address already exists"],
    }
    api.emulator.add_token("other", tenant_id=2)
    # Tenant 2 has its own statuses and sources (ids are unique emulator-wide).
    mine = await api.post("/contacts", contact_body(phone="+15550009999"), token="other")
    assert mine.details["status_id"] == [
        "The selected status does not exist or does not belong to your account"
    ]
    status_id = (await api.get("/statuses", token="other")).data[0]["id"]
    source_id = (await api.get("/sources", token="other")).data[0]["id"]
    body = contact_body(email="jane@example.com", status_id=status_id, source_id=source_id)
    elsewhere = await api.post("/contacts", body, token="other")
    assert elsewhere.status == 201


async def test_contact_limit(api: Api) -> None:
    api.emulator.set_plan(contacts=1)
    assert (await api.post("/contacts", contact_body())).status == 201
    reply = await api.post("/contacts", contact_body(phone="+15550001111"))
    assert reply.status == 403
    assert reply.code == "FEATURE_LIMIT_EXCEEDED"
    assert reply.details == {"feature": "contacts", "current": 1, "maximum": 1}
    # Validation comes first.
    assert (await api.post("/contacts", {})).status == 422


async def test_get_contact_with_includes(api: Api) -> None:
    group = (await api.post("/groups", {"name": "VIP"})).data
    created = (await api.post("/contacts", contact_body(groups=[group["id"]], status_id=2, source_id=2))).data
    plain = await api.get(f"/contacts/{created['id']}")
    assert plain.json["message"] == "Contact retrieved successfully"
    assert "groups" not in plain.data and "source" not in plain.data
    full = await api.get(f"/contacts/{created['id']}", params={"include": "groups,source,status"})
    assert full.data["groups"][0]["name"] == "VIP"
    assert full.data["source"]["name"] == "WhatsApp"
    assert full.data["status"] == {
        "id": 2,
        "name": "Qualified",
        "color": "#3B82F6",
        "created_at": "2026-01-01T08:00:00+00:00",
        "updated_at": "2026-01-01T08:00:00+00:00",
    }
    bad = await api.get(f"/contacts/{created['id']}", params={"include": "chats"})
    assert bad.status == 422
    assert "include" in bad.details
    assert (await api.get("/contacts/999")).json["error"]["message"] == "Contact not found"
    assert (await api.get("/contacts/abc")).status == 404


async def test_update_contact_is_partial(api: Api) -> None:
    groups = [(await api.post("/groups", {"name": name})).data["id"] for name in ("A", "B")]
    created = (await api.post("/contacts", contact_body(groups=[groups[0]], email="jane@example.com"))).data
    api.emulator.clock.advance(60)
    reply = await api.patch(f"/contacts/{created['id']}", {"firstname": "Janet", "groups": [groups[1]]})
    assert reply.status == 200
    assert reply.json["message"] == "Contact updated successfully"
    data = reply.data
    assert data["firstname"] == "Janet"
    assert data["lastname"] == "Doe"
    assert data["email"] == "jane@example.com"
    assert data["group_id"] == [groups[1]]
    assert [g["id"] for g in data["groups"]] == [groups[1]]
    assert data["updated_at"] == "2026-01-01T08:01:00+00:00"
    assert data["created_at"] == "2026-01-01T08:00:00+00:00"
    # Leaving `groups` out keeps the memberships; null clears an optional field.
    again = await api.patch(f"/contacts/{created['id']}", {"email": None, "phone": "+919876543210"})
    assert again.data["group_id"] == [groups[1]]
    assert again.data["email"] is None
    counts = {g["id"]: g["contacts_count"] for g in (await api.get("/groups")).data}
    assert counts == {groups[0]: 0, groups[1]: 1}


async def test_update_validation(api: Api) -> None:
    first = (await api.post("/contacts", contact_body(email="a@example.com"))).data
    second = (await api.post("/contacts", contact_body(phone="+15550001111"))).data
    reply = await api.patch(
        f"/contacts/{second['id']}",
        {"phone": "+91 9876543210", "email": "A@example.com", "firstname": "", "type": "x", "source_id": 99},
    )
    assert reply.status == 422
    assert reply.details == {
        "firstname": ["First name is required"],
        "phone": ["This phone number already exists"],
        "type": ["Type must be either lead, customer, or guest"],
        "source_id": ["The selected source does not exist or does not belong to your account"],
        "email": ["This email address already exists"],
    }
    # A contact keeps its own phone and email.
    same = await api.patch(f"/contacts/{first['id']}", {"phone": "+919876543210", "email": "a@example.com"})
    assert same.status == 200
    assert (await api.patch("/contacts/999", {"firstname": "x"})).status == 404


async def test_delete_contact(api: Api) -> None:
    group = (await api.post("/groups", {"name": "VIP"})).data
    created = (await api.post("/contacts", contact_body(groups=[group["id"]]))).data
    reply = await api.delete(f"/contacts/{created['id']}")
    assert reply.status == 200
    assert reply.data is None
    assert reply.json["message"] == "Contact deleted successfully"
    assert (await api.get(f"/contacts/{created['id']}")).status == 404
    assert (await api.delete(f"/contacts/{created['id']}")).status == 404
    assert (await api.get(f"/groups/{group['id']}")).data["contacts_count"] == 0
    # The phone is free again.
    assert (await api.post("/contacts", contact_body())).status == 201


def batch_item(index: int, **changes: Any) -> dict[str, Any]:
    return contact_body(**{"firstname": f"C{index}", "phone": f"+1555000{index:04d}", **changes})


async def test_batch_create(api: Api) -> None:
    await api.post("/contacts", batch_item(1))
    items = [batch_item(1), batch_item(2), batch_item(3, type="vip"), "oops", batch_item(4)]
    reply = await api.post("/contacts/batch", {"contacts": items, "options": {"skip_duplicates": True}})
    assert reply.status == 200
    data = reply.data
    assert data["summary"] == {"total": 5, "created": 2, "skipped": 1, "failed": 2}
    assert [c["firstname"] for c in data["created"]] == ["C2", "C4"]
    assert data["skipped"] == [{"index": 0, "reason": "Duplicate phone number", "data": items[0]}]
    assert data["errors"] == [
        {"index": 2, "errors": {"type": ["Type must be either lead, customer, or guest"]}, "data": items[2]},
        {"index": 3, "errors": {"contact": ["The contact must be an object."]}, "data": "oops"},
    ]
    assert (await api.get("/contacts")).json["meta"]["pagination"]["total"] == 3


async def test_batch_duplicates_fail_without_skip(api: Api) -> None:
    items = [batch_item(1), batch_item(1)]
    reply = await api.post("/contacts/batch", {"contacts": items})
    assert reply.data["summary"] == {"total": 2, "created": 1, "skipped": 0, "failed": 1}
    assert reply.data["errors"][0]["errors"] == {"phone": ["This phone number already exists"]}


async def test_batch_stop_on_error_rolls_back(api: Api) -> None:
    items = [batch_item(1), batch_item(2), batch_item(3, firstname=""), batch_item(4)]
    reply = await api.post("/contacts/batch", {"contacts": items, "options": {"continue_on_error": False}})
    assert reply.status == 200
    assert reply.json["message"] == "Batch create failed and was rolled back"
    assert reply.data["summary"] == {"total": 4, "created": 0, "skipped": 0, "failed": 1}
    assert reply.data["created"] == []
    assert reply.data["errors"][0]["index"] == 2
    assert (await api.get("/contacts")).data == []


async def test_batch_contact_limit_applies_per_item(api: Api) -> None:
    api.emulator.set_plan(contacts=2)
    reply = await api.post("/contacts/batch", {"contacts": [batch_item(i) for i in range(3)]})
    assert reply.data["summary"] == {"total": 3, "created": 2, "skipped": 0, "failed": 1}
    assert reply.data["errors"][0]["errors"] == {
        "contact_limit": ["Contact limit reached (2/2). Upgrade your plan to add more contacts."]
    }


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, {"contacts": ["The contacts field is required."]}),
        ({"contacts": []}, {"contacts": ["The contacts field is required."]}),
        ({"contacts": "x"}, {"contacts": ["The contacts must be an array."]}),
        ({"contacts": [{}] * 101}, {"contacts": ["The contacts may not have more than 100 items."]}),
        (
            {"contacts": [{}], "options": {"skip_duplicates": "maybe"}},
            {"options.skip_duplicates": ["The options.skip duplicates field must be true or false."]},
        ),
    ],
)
async def test_batch_create_validation(api: Api, body: dict[str, Any], details: dict[str, Any]) -> None:
    reply = await api.post("/contacts/batch", body)
    assert reply.status == 422
    assert reply.details == details


async def test_batch_delete(api: Api) -> None:
    ids = [(await api.post("/contacts", batch_item(i))).data["id"] for i in range(3)]
    reply = await api.delete("/contacts/batch", {"ids": [ids[0], ids[1], 999, ids[0]]})
    assert reply.status == 200
    assert reply.data == {"summary": {"total": 4, "deleted": 2, "failed": 2}}
    remaining = (await api.get("/contacts")).data
    assert [c["id"] for c in remaining] == [ids[2]]
    assert (await api.delete("/contacts/batch", {})).details == {"ids": ["The ids field is required."]}
    assert (await api.delete("/contacts/batch", {"ids": []})).status == 422
    assert (await api.delete("/contacts/batch", {"ids": ["x"]})).details == {
        "ids.0": ["The ids.0 must be an integer."]
    }


async def _seed_contacts(api: Api) -> list[dict[str, Any]]:
    vip = (await api.post("/groups", {"name": "VIP"})).data["id"]
    rows = [
        contact_body(firstname="Zoe", lastname="Adams", phone="+15550000001", type="lead", company="Acme"),
        contact_body(firstname="adam", lastname="Young", phone="+15550000002", type="customer", status_id=2),
        contact_body(firstname="Mia", lastname="Brown", phone="+15550000003", type="guest", groups=[vip]),
        contact_body(
            firstname="Bob", lastname="Stone", phone="+15550000004", type="customer", email="bob@acme.io"
        ),
    ]
    created = []
    for index, row in enumerate(rows):
        api.emulator.clock.advance(86400 if index else 0)
        created.append((await api.post("/contacts", row)).data)
    await api.patch(f"/contacts/{created[3]['id']}", {"assigned_id": 7})
    return created


async def _names(api: Api, **params: str) -> list[str]:
    reply = await api.get("/contacts", params=params)
    assert reply.status == 200, reply.text
    return [c["firstname"] for c in reply.data]


async def test_list_default_order_and_pagination(api: Api) -> None:
    await _seed_contacts(api)
    page = await api.get("/contacts", params={"per_page": "3", "page": "2"})
    assert [c["firstname"] for c in page.data] == ["Bob"]
    assert page.json["message"] == "Contacts retrieved successfully"
    assert page.json["meta"]["pagination"] == {
        "total": 4,
        "count": 1,
        "per_page": 3,
        "current_page": 2,
        "total_pages": 2,
        "has_more": False,
    }
    first = await api.get("/contacts", params={"per_page": "3"})
    assert first.json["meta"]["pagination"]["has_more"] is True
    beyond = await api.get("/contacts", params={"page": "9"})
    assert beyond.data == []
    assert await _names(api) == ["Zoe", "adam", "Mia", "Bob"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"per_page": "101"}, "per_page", "The per page may not be greater than 100."),
        ({"per_page": "0"}, "per_page", "The per page must be at least 1."),
        ({"page": "0"}, "page", "The page must be at least 1."),
        ({"page": "x"}, "page", "The page must be an integer."),
        ({"page": "1_0"}, "page", "The page must be an integer."),  # Python's int() would take it
        ({"per_page": "\u0661\u0660"}, "per_page", "The per page must be an integer."),  # non-ASCII digits
        ({"page": "2147483648"}, "page", "The page may not be greater than 2147483647."),
        (
            {"sort": "phone"},
            "sort",
            "Requested sort(s) `phone` are not allowed. "
            "Allowed sort(s) are `id, firstname, lastname, created_at, updated_at`.",
        ),
        (
            {"filter[phone]": "1"},
            "filter",
            "Requested filter(s) `phone` are not allowed. "
            "Allowed filter(s) are `type, status_id, source_id, assigned_id, created_at, group_id`.",
        ),
        ({"filter[status_id][near]": "1"}, "filter", "Unknown filter operator `near` on `status_id`."),
        ({"filter[status_id]": "one"}, "filter", "The filter value for `status_id` must be an integer."),
        (
            {"filter[created_at][gte]": "yesterday"},
            "filter",
            "The filter value for `created_at` must be a valid date.",
        ),
        ({"filter[group_id][gt]": "one"}, "filter", "The filter value for `group_id` must be an integer."),
        (
            {"filter[assigned_id][null]": "maybe"},
            "filter",
            "The `null` filter on `assigned_id` takes true or false.",
        ),
        (
            {"filter[created_at][between]": "2026-01-01"},
            "filter",
            "The `between` filter on `created_at` takes two comma-separated values.",
        ),
        (
            {"include": "groups,chats"},
            "include",
            "Requested include(s) `chats` are not allowed. Allowed include(s) are `groups, source, status`.",
        ),
        ({"fields": "firstname,secret"}, "fields", "Requested field(s) `secret` are not allowed. "),
    ],
)
async def test_list_query_errors(api: Api, params: dict[str, str], field: str, message: str) -> None:
    reply = await api.get("/contacts", params=params)
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert reply.details[field][0].startswith(message)


async def test_list_sort(api: Api) -> None:
    await _seed_contacts(api)
    assert await _names(api, sort="firstname") == ["adam", "Bob", "Mia", "Zoe"]
    assert await _names(api, sort="-created_at") == ["Bob", "Mia", "adam", "Zoe"]
    assert await _names(api, sort="-id") == ["Bob", "Mia", "adam", "Zoe"]
    assert await _names(api, sort="updated_at,lastname") == ["Zoe", "adam", "Mia", "Bob"]


async def test_list_search(api: Api) -> None:
    await _seed_contacts(api)
    assert await _names(api, search="ADAM") == ["Zoe", "adam"]  # lastname Adams, firstname adam
    assert await _names(api, q="acme") == ["Zoe", "Bob"]  # company, email
    assert await _names(api, search="0000003") == ["Mia"]  # phone


async def test_list_filters(api: Api) -> None:
    created = await _seed_contacts(api)
    vip = created[2]["group_id"][0]
    assert await _names(api, **{"filter[type]": "customer"}) == ["adam", "Bob"]
    assert await _names(api, **{"filter[type]": "CUSTOMER,guest"}) == ["adam", "Mia", "Bob"]
    assert await _names(api, **{"filter[type][ne]": "customer"}) == ["Zoe", "Mia"]
    assert await _names(api, **{"filter[type][like]": "cus"}) == ["adam", "Bob"]
    assert await _names(api, **{"filter[status_id]": "2"}) == ["adam"]
    assert await _names(api, **{"filter[status_id][in]": "1,2"}) == ["Zoe", "adam", "Mia", "Bob"]
    assert await _names(api, **{"filter[status_id][not_in]": "2"}) == ["Zoe", "Mia", "Bob"]
    assert await _names(api, **{"filter[status_id][!=]": "1"}) == ["adam"]
    assert await _names(api, **{"filter[assigned_id]": "7"}) == ["Bob"]
    assert await _names(api, **{"filter[assigned_id][null]": "true"}) == ["Zoe", "adam", "Mia"]
    assert await _names(api, **{"filter[assigned_id][null]": "false"}) == ["Bob"]
    assert await _names(api, **{"filter[assigned_id][ne]": "7"}) == []  # NULL matches no comparison
    assert await _names(api, **{"filter[group_id]": str(vip)}) == ["Mia"]
    assert await _names(api, **{"filter[group_id][ne]": str(vip)}) == ["Zoe", "adam", "Bob"]
    assert await _names(api, **{"filter[group_id][null]": "true"}) == ["Zoe", "adam", "Bob"]
    assert await _names(api, **{"filter[source_id]": "1", "filter[type]": "lead"}) == ["Zoe"]


async def test_list_date_filters(api: Api) -> None:
    await _seed_contacts(api)  # created 2026-01-01 08:00, then one per day
    assert await _names(api, **{"filter[created_at]": "2026-01-02"}) == ["adam"]
    assert await _names(api, **{"filter[created_at][gte]": "2026-01-03"}) == ["Mia", "Bob"]
    assert await _names(api, **{"filter[created_at][>=]": "2026-01-03T08:00:00Z"}) == ["Mia", "Bob"]
    assert await _names(api, **{"filter[created_at][>]": "2026-01-03T08:00:00+00:00"}) == ["Bob"]
    assert await _names(api, **{"filter[created_at][lt]": "2026-01-02"}) == ["Zoe"]
    assert await _names(api, **{"filter[created_at][<=]": "2026-01-02T08:00:00"}) == ["Zoe", "adam"]
    assert await _names(api, **{"filter[created_at][between]": "2026-01-02,2026-01-03T09:00:00Z"}) == [
        "adam",
        "Mia",
    ]


async def test_list_fields_and_include(api: Api) -> None:
    await _seed_contacts(api)
    reply = await api.get(
        "/contacts", params={"fields": "firstname,phone", "include": "status", "per_page": "1"}
    )
    # Upstream: `fields=` on contacts always keeps the 21 critical fields, i.e. every field.
    full = (await api.get(f"/contacts/{reply.data[0]['id']}")).data
    assert set(full) == ALWAYS_INCLUDED
    assert reply.data == [
        {
            **full,
            "status": {
                "id": 1,
                "name": "New Lead",
                "color": "#25D366",
                "created_at": "2026-01-01T08:00:00+00:00",
                "updated_at": "2026-01-01T08:00:00+00:00",
            },
        }
    ]


async def test_list_pages_through_many_contacts_in_order(api: Api) -> None:
    items = [batch_item(i) for i in range(100)]
    await api.post("/contacts/batch", {"contacts": items})
    await api.post("/contacts/batch", {"contacts": [batch_item(i) for i in range(100, 250)][:100]})
    seen: list[str] = []
    page = 1
    while True:
        reply = await api.get("/contacts", params={"per_page": "100", "page": str(page)})
        seen.extend(c["firstname"] for c in reply.data)
        if not reply.json["meta"]["pagination"]["has_more"]:
            break
        page += 1
    assert seen == [f"C{i}" for i in range(200)]
    # Deleting from the middle keeps the order of the rest (C1..C50 have ids 2..51).
    await api.delete("/contacts/batch", {"ids": list(range(2, 52))})
    after = await api.get("/contacts", params={"per_page": "3", "page": "1"})
    assert [c["firstname"] for c in after.data] == ["C0", "C51", "C52"]
    assert after.json["meta"]["pagination"]["total"] == 150
