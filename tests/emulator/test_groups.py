"""Groups (with membership), Sources and Statuses."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, contact_body


async def _contacts(api: Api, count: int) -> list[int]:
    return [
        (await api.post("/contacts", contact_body(phone=f"+1555000{i:04d}"))).data["id"] for i in range(count)
    ]


async def test_group_crud(api: Api) -> None:
    created = await api.post("/groups", {"name": "VIP Customers"})
    assert created.status == 201
    assert created.json["message"] == "Group created successfully"
    group = created.data
    assert group == {
        "id": group["id"],
        "name": "VIP Customers",
        "created_at": "2026-01-01T08:00:00+00:00",
        "updated_at": "2026-01-01T08:00:00+00:00",
        "contacts_count": 0,
    }
    fetched = await api.get(f"/groups/{group['id']}")
    assert fetched.data == group
    assert fetched.json["message"] == "Group retrieved successfully"
    api.emulator.clock.advance(5)
    updated = await api.patch(f"/groups/{group['id']}", {"name": "Premium"})
    assert updated.status == 200
    assert updated.json["message"] == "Group updated successfully"
    assert updated.data["name"] == "Premium"
    assert updated.data["updated_at"] == "2026-01-01T08:00:05+00:00"
    deleted = await api.delete(f"/groups/{group['id']}")
    assert deleted.status == 200
    assert deleted.data is None
    assert deleted.json["message"] == "Group deleted successfully"
    missing = await api.get(f"/groups/{group['id']}")
    assert missing.status == 404
    assert missing.json["error"]["message"] == "Group not found"
    assert (await api.patch("/groups/999", {"name": "x"})).status == 404
    assert (await api.delete("/groups/999")).status == 404


async def test_group_validation(api: Api) -> None:
    await api.post("/groups", {"name": "VIP"})
    assert (await api.post("/groups", {})).details == {"name": ["Group name is required"]}
    assert (await api.post("/groups", {"name": "vip"})).details == {
        "name": ["A group with this name already exists"]
    }
    long = await api.post("/groups", {"name": "x" * 256})
    assert long.details == {"name": ["The name may not be greater than 255 characters."]}
    other = (await api.post("/groups", {"name": "Other"})).data
    assert (await api.patch(f"/groups/{other['id']}", {})).details == {"name": ["Group name is required"]}
    clash = await api.patch(f"/groups/{other['id']}", {"name": "VIP"})
    assert clash.details == {"name": ["A group with this name already exists"]}
    assert (await api.patch(f"/groups/{other['id']}", {"name": "Other"})).status == 200


async def test_group_membership_counts(api: Api) -> None:
    ids = await _contacts(api, 4)
    group = (await api.post("/groups", {"name": "VIP"})).data["id"]
    added = await api.post(f"/groups/{group}/contacts", {"contact_ids": ids[:3]})
    assert added.status == 200
    assert added.json["message"] == "Contacts added to group successfully"
    assert added.data == {"group_id": group, "contacts_added": 3}
    again = await api.post(f"/groups/{group}/contacts", {"contact_ids": [ids[0], ids[3], ids[3]]})
    assert again.data == {"group_id": group, "contacts_added": 1}
    assert (await api.get(f"/groups/{group}")).data["contacts_count"] == 4
    contact = (await api.get(f"/contacts/{ids[0]}")).data
    assert contact["group_id"] == [group]
    removed = await api.delete(f"/groups/{group}/contacts", {"contact_ids": [ids[0], ids[1], 999]})
    assert removed.data == {"group_id": group, "contacts_removed": 2}
    assert (await api.delete(f"/groups/{group}/contacts", {"contact_ids": [ids[0]]})).data[
        "contacts_removed"
    ] == 0
    assert (await api.get(f"/contacts/{ids[0]}")).data["group_id"] == []
    members = await api.get("/contacts", params={"filter[group_id]": str(group)})
    assert [c["id"] for c in members.data] == ids[2:]


async def test_membership_validation(api: Api) -> None:
    ids = await _contacts(api, 1)
    group = (await api.post("/groups", {"name": "VIP"})).data["id"]
    path = f"/groups/{group}/contacts"
    assert (await api.post(path, {})).details == {"contact_ids": ["Contact IDs are required"]}
    assert (await api.post(path, {"contact_ids": []})).details == {
        "contact_ids": ["Contact IDs are required"]
    }
    assert (await api.post(path, {"contact_ids": 5})).details == {
        "contact_ids": ["Contact IDs must be an array"]
    }
    unknown = await api.post(path, {"contact_ids": [ids[0], 999, "x"]})
    assert unknown.details == {
        "contact_ids.1": ["One or more contact IDs do not exist"],
        "contact_ids.2": ["The contact ids.2 must be an integer."],
    }
    assert (await api.get(f"/groups/{group}")).data["contacts_count"] == 0  # nothing was added
    assert (await api.delete(path, {})).details == {"contact_ids": ["Contact IDs are required"]}
    assert (await api.post("/groups/999/contacts", {"contact_ids": ids})).status == 404
    # Contacts of another tenant do not exist here.
    api.emulator.add_token("other", tenant_id=2)
    theirs = (await api.post("/groups", {"name": "T"}, token="other")).data["id"]
    foreign = await api.post(f"/groups/{theirs}/contacts", {"contact_ids": ids}, token="other")
    assert foreign.details == {"contact_ids.0": ["One or more contact IDs do not exist"]}


async def test_deleting_a_group_strips_it_from_contacts(api: Api) -> None:
    ids = await _contacts(api, 2)
    first = (await api.post("/groups", {"name": "A"})).data["id"]
    second = (await api.post("/groups", {"name": "B"})).data["id"]
    await api.patch(f"/contacts/{ids[0]}", {"groups": [first, second]})
    await api.post(f"/groups/{first}/contacts", {"contact_ids": ids})
    await api.delete(f"/groups/{first}")
    assert (await api.get(f"/contacts/{ids[0]}")).data["group_id"] == [second]
    assert (await api.get(f"/contacts/{ids[1]}")).data["group_id"] == []


async def test_group_list(api: Api) -> None:
    for name in ("beta", "Alpha", "gamma"):
        await api.post("/groups", {"name": name})
        api.emulator.clock.advance(1)
    reply = await api.get("/groups")
    assert reply.json["message"] == "Groups retrieved successfully"
    assert [g["name"] for g in reply.data] == ["beta", "Alpha", "gamma"]
    assert [g["name"] for g in (await api.get("/groups", params={"sort": "name"})).data] == [
        "Alpha",
        "beta",
        "gamma",
    ]
    newest = await api.get("/groups", params={"sort": "-created_at", "per_page": "2"})
    assert [g["name"] for g in newest.data] == ["gamma", "Alpha"]
    assert newest.json["meta"]["pagination"]["has_more"] is True
    assert [g["name"] for g in (await api.get("/groups", params={"search": "AL"})).data] == ["Alpha"]
    fields = await api.get("/groups", params={"fields": "name"})
    assert set(fields.data[0]) == {"id", "name"}
    assert (await api.get("/groups", params={"filter[name]": "x"})).status == 422


@pytest.mark.parametrize(("kind", "singular"), [("sources", "Source"), ("statuses", "Status")])
async def test_lookup_crud(api: Api, kind: str, singular: str) -> None:
    listing = await api.get(f"/{kind}")
    assert listing.json["message"] == f"{kind.capitalize()} retrieved successfully"
    seeded = [item["name"] for item in listing.data]
    assert seeded == (
        ["Website", "WhatsApp", "Referral"] if kind == "sources" else ["New Lead", "Qualified", "Customer"]
    )
    body: dict[str, Any] = {"name": "Hot Lead"}
    if kind == "statuses":
        body["color"] = "#FF5733"
    created = await api.post(f"/{kind}", body)
    assert created.status == 201
    assert created.json["message"] == f"{singular} created successfully"
    item = created.data
    expected = {
        "id": item["id"],
        "name": "Hot Lead",
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    if kind == "statuses":
        expected["color"] = "#FF5733"
    assert item == expected
    assert (await api.get(f"/{kind}/{item['id']}")).data == item
    updated = await api.patch(f"/{kind}/{item['id']}", {"name": "Warm Lead"})
    assert updated.json["message"] == f"{singular} updated successfully"
    assert updated.data["name"] == "Warm Lead"
    deleted = await api.delete(f"/{kind}/{item['id']}")
    assert deleted.json["message"] == f"{singular} deleted successfully"
    assert deleted.data is None
    missing = await api.get(f"/{kind}/{item['id']}")
    assert missing.status == 404
    assert missing.json["error"]["message"] == f"{singular} not found"


@pytest.mark.parametrize(("kind", "singular"), [("sources", "source"), ("statuses", "status")])
async def test_lookup_validation(api: Api, kind: str, singular: str) -> None:
    title = singular.capitalize()
    assert (await api.post(f"/{kind}", {})).details == {"name": [f"{title} name is required"]}
    taken = await api.post(f"/{kind}", {"name": "website" if kind == "sources" else "new lead"})
    assert taken.details == {"name": [f"A {singular} with this name already exists"]}
    assert (await api.patch(f"/{kind}/2", {})).details == {"name": [f"{title} name is required"]}


async def test_status_color(api: Api) -> None:
    for color in ("red", "#12345G", "#1234567"):
        reply = await api.post("/statuses", {"name": f"S {color}", "color": color})
        assert reply.status == 422
    assert (await api.post("/statuses", {"name": "S", "color": "red"})).details == {
        "color": ["Color must be a valid hex color code (e.g., #FF5733)"]
    }
    assert (await api.post("/statuses", {"name": "T", "color": "#1234567"})).details == {
        "color": ["The color may not be greater than 7 characters."]
    }
    plain = await api.post("/statuses", {"name": "No color"})
    assert plain.data["color"] is None
    recolored = await api.patch(f"/statuses/{plain.data['id']}", {"name": "No color", "color": "#00ff00"})
    assert recolored.data["color"] == "#00ff00"
    kept = await api.patch(f"/statuses/{plain.data['id']}", {"name": "Renamed"})
    assert kept.data["color"] == "#00ff00"


@pytest.mark.parametrize(("kind", "field"), [("sources", "source_id"), ("statuses", "status_id")])
async def test_delete_refused_while_assigned(api: Api, kind: str, field: str) -> None:
    await api.post("/contacts", contact_body(**{field: 2}))
    await api.post("/contacts", contact_body(phone="+15550001111", **{field: 2}))
    reply = await api.delete(f"/{kind}/2")
    # Upstream: 409 RESOURCE_CONFLICT with the number of contacts still using it.
    assert reply.status == 409
    assert reply.code == "RESOURCE_CONFLICT"
    singular = "source" if kind == "sources" else "status"
    assert reply.json["error"]["message"] == f"Cannot delete this {singular}: it is assigned to 2 contact(s)."
    assert reply.details == {"contacts_count": 2}
    assert (await api.get(f"/{kind}/2")).status == 200  # still there
    assert (await api.delete(f"/{kind}/3")).status == 200
