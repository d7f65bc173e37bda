"""Templates (list, get, sync) and Comments."""

from __future__ import annotations

import json

from .conftest import Api

TEMPLATE_KEYS = {
    "id",
    "template_id",
    "template_name",
    "name",
    "language",
    "category",
    "status",
    "header_data_format",
    "header_data_text",
    "header_params_count",
    "header_file_url",
    "header_variable_value",
    "body_data",
    "body_params_count",
    "body_variable_value",
    "footer_data",
    "footer_params_count",
    "buttons_data",
    "message_send_ttl_seconds",
    "add_security_recommendation",
    "code_expiration_minutes",
    "otp_button_config",
    "components",
    "created_at",
    "updated_at",
}


async def test_list_templates(api: Api) -> None:
    reply = await api.get("/templates")
    assert reply.json["message"] == "Templates retrieved successfully"
    names = [t["template_name"] for t in reply.data]
    assert names == [
        "otp_verification",
        "order_update",
        "welcome",
        "appointment_reminder",
        "invoice_ready",
        "spring_sale",
        "flash_offer",
    ]
    assert all(set(t) == TEMPLATE_KEYS for t in reply.data)
    order = reply.data[1]
    assert (order["category"], order["status"], order["header_data_format"], order["body_params_count"]) == (
        "UTILITY",
        "APPROVED",
        "IMAGE",
        2,
    )
    assert json.loads(order["buttons_data"])[0]["type"] == "URL"
    assert [c["type"] for c in order["components"]] == ["HEADER", "BODY", "FOOTER", "BUTTONS"]
    otp = reply.data[0]
    assert otp["name"] == otp["template_name"] == "otp_verification"
    assert (otp["add_security_recommendation"], otp["code_expiration_minutes"]) == (True, 10)
    assert reply.data[2]["buttons_data"] is None

    async def names_for(**params: str) -> list[str]:
        listing = await api.get("/templates", params=params)
        assert listing.status == 200, listing.text
        return [t["template_name"] for t in listing.data]

    assert await names_for(**{"filter[status]": "PENDING"}) == ["spring_sale"]
    assert await names_for(**{"filter[status][ne]": "approved"}) == ["spring_sale", "flash_offer"]
    assert await names_for(**{"filter[category]": "AUTHENTICATION"}) == ["otp_verification"]
    assert len(await names_for(**{"filter[language]": "en"})) == 7
    assert await names_for(search="marketing") == ["welcome", "spring_sale", "flash_offer"]
    assert await names_for(q="order") == ["order_update"]
    assert (await names_for(sort="-template_name"))[0] == "welcome"
    projected = await api.get("/templates", params={"fields": "template_name,status", "per_page": "1"})
    assert projected.data == [{"id": otp["id"], "template_name": "otp_verification", "status": "APPROVED"}]
    assert (await api.get("/templates", params={"filter[name]": "x"})).status == 422


async def test_get_template_by_whatsapp_id(api: Api) -> None:
    first = (await api.get("/templates")).data[0]
    reply = await api.get(f"/templates/{first['template_id']}")
    assert reply.json["message"] == "Template retrieved successfully"
    assert reply.data == first
    assert isinstance(first["template_id"], str)
    missing = await api.get(f"/templates/{first['id']}")  # the integer id is not the path key
    assert missing.status == 404
    assert missing.json["error"]["message"] == "Template not found"


async def test_sync_copies_the_remote_templates(api: Api) -> None:
    emulator = api.emulator
    template_id = emulator.add_template("new_offer", body="New: {{1}}", synced=False)
    emulator.add_template(
        "spring_sale", status="APPROVED", body="Spring sale: {{1}} off everything!", synced=False
    )
    assert (await api.get(f"/templates/{template_id}")).status == 404
    emulator.clock.advance(30)
    reply = await api.post("/templates/sync")
    assert reply.status == 200
    assert reply.json["message"] == "Templates synced successfully"
    # Upstream's answer: the count and the synced templates (the Get Template shape).
    assert reply.data["synced_count"] == 8
    synced = reply.data["templates"]
    assert len(synced) == 8
    assert {t["template_name"] for t in synced} >= {"new_offer", "spring_sale", "otp_verification"}
    assert (
        next(t for t in synced if t["template_id"] == template_id)
        == (await api.get(f"/templates/{template_id}")).data
    )
    created = (await api.get(f"/templates/{template_id}")).data
    assert (created["template_name"], created["body_params_count"]) == ("new_offer", 1)
    approved = await api.get("/templates", params={"filter[template_name]": "spring_sale"})
    assert approved.status == 422  # template_name is not a filter of /templates
    spring = next(t for t in (await api.get("/templates")).data if t["template_name"] == "spring_sale")
    assert spring["status"] == "APPROVED"
    assert spring["updated_at"] == "2026-01-01T08:00:30+00:00"
    assert spring["created_at"] == "2026-01-01T08:00:00+00:00"
    sent = await api.post(
        "/messages/template",
        {"phone": "+15551234567", "template_name": "new_offer", "language": "en", "field_1": "x"},
    )
    assert sent.status == 200


async def test_sync_needs_whatsapp(api: Api) -> None:
    api.emulator.set_whatsapp_configured(False)
    reply = await api.post("/templates/sync")
    assert reply.status == 422
    assert reply.code == "WHATSAPP_NOT_CONFIGURED"


async def test_comments(api: Api) -> None:
    none = await api.get("/comments/919876543210")
    assert none.status == 404
    assert none.code == "NOT_FOUND"
    sent = (await api.post("/messages/text", {"phone": "+91 98765 43210", "message": "hello"})).data
    outbox_before = len(api.emulator.outbox)
    assert (await api.get("/comments/919876543210")).json == {"success": True, "data": []}

    added = await api.post(
        "/comments/919876543210",
        {
            "comment": "<strong>Follow-up</strong> asked about pricing",
            "status_message": "Sales note",
            "ref_message_id": "wamid.ABC",
        },
    )
    assert added.status == 200
    body = added.json
    assert body == {
        "success": True,
        "message": "Comment added successfully",
        "tenant_id": 1,
        "interaction_id": sent["chat_id"],
        "sender_id": "15550000001",
        "status_message": "Sales note",
        "url": None,
        "message_id": None,
        "ref_message_id": "wamid.ABC",
        "chat_message_id": body["chat_message_id"],
    }
    api.emulator.clock.advance(10)
    media = await api.post(
        "/comments/+919876543210",
        {"comment": "See photo", "media_url": "https://x.io/p/photo.png", "message_id": "wamid.N"},
    )
    assert media.json["status_message"] == "Internal comment"
    assert media.json["url"].endswith("_photo.png")

    listing = await api.get("/comments/919876543210")
    assert set(listing.json) == {"success", "data"}
    comments = listing.json["data"]
    assert [c["message"] for c in comments] == ["See photo", "<strong>Follow-up</strong> asked about pricing"]
    assert comments[0] == {
        "id": media.json["chat_message_id"],
        "message": "See photo",
        "type": "image",
        "url": media.json["url"],
        "status_message": "Internal comment",
        "message_id": "wamid.N",
        "ref_message_id": None,
        "sender_id": "15550000001",
        "created_at": "2026-01-01T08:00:10+00:00",
    }
    # A comment is internal: never sent, never in the message history.
    assert len(api.emulator.outbox) == outbox_before
    assert (await api.get("/messages")).json["meta"]["pagination"]["total"] == 1


async def test_comment_validation(api: Api) -> None:
    await api.post("/messages/text", {"phone": "+919876543210", "message": "hello"})
    reply = await api.post(
        "/comments/919876543210",
        {
            "status_message": "s" * 256,
            "media_url": "nope",
            "message_id": "m" * 256,
            "ref_message_id": "r" * 256,
        },
    )
    assert reply.status == 422
    details = {
        "comment": ["The comment field is required."],
        "status_message": ["The status message may not be greater than 255 characters."],
        "media_url": ["The media url format is invalid."],
        "message_id": ["The message id may not be greater than 255 characters."],
        "ref_message_id": ["The ref message id may not be greater than 255 characters."],
    }
    assert reply.details == details
    assert reply.json["errors"] == details
    too_long = await api.post("/comments/919876543210", {"comment": "c" * 5001})
    assert too_long.details == {"comment": ["The comment may not be greater than 5000 characters."]}
