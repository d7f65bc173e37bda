"""Messages: the four sends, contact resolution, and the message history."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api, contact_body

PHONE = "+1 (555) 123-4567"
DIGITS = "15551234567"


async def test_send_text(api: Api) -> None:
    reply = await api.post("/messages/text", {"phone": PHONE, "message": "Hello there"})
    assert reply.status == 200
    assert reply.json["message"] == "Message sent successfully"
    data = reply.data
    assert data == {
        "message_id": data["message_id"],
        "contact_id": data["contact_id"],
        "phone": DIGITS,
        "status": "sent",
        "sent_at": "2026-01-01T08:00:00+00:00",
        "chat_id": data["chat_id"],
        "chat_message_id": data["chat_message_id"],
        "message": "Hello there",
    }
    assert data["message_id"].startswith("wamid.")
    sent = api.emulator.outbox
    assert len(sent) == 1
    assert (sent[0].kind, sent[0].phone, sent[0].text, sent[0].message_id) == (
        "text",
        DIGITS,
        "Hello there",
        data["message_id"],
    )
    assert sent[0].request == {"phone": PHONE, "message": "Hello there"}
    # The contact was auto-created with the tenant's defaults.
    contact = (await api.get(f"/contacts/{data['contact_id']}")).data
    assert (contact["phone"], contact["status_id"], contact["source_id"], contact["assigned_id"]) == (
        DIGITS,
        1,
        1,
        1,
    )


async def test_contact_resolution(api: Api) -> None:
    jane = (await api.post("/contacts", contact_body(phone="+15551234567", email="jane@x.io"))).data
    by_phone = await api.post(
        "/messages/text", {"phone": "1-555-123-4567", "message": "Hi @{contact_first_name}"}
    )
    assert by_phone.data["contact_id"] == jane["id"]
    assert by_phone.data["message"] == "Hi Jane"
    merged = await api.post(
        "/messages/text",
        {
            "phone": "+15559999999",
            "contact_id": jane["id"],
            "message": "@{contact_first_name} @{contact_last_name} <@{contact_email}> @{contact_phone}",
        },
    )
    assert merged.data["contact_id"] == jane["id"]
    assert merged.data["phone"] == "15559999999"
    assert merged.data["message"] == "Jane Doe <jane@x.io> +15551234567"
    unknown = await api.post("/messages/text", {"phone": PHONE, "message": "x", "contact_id": 999})
    assert unknown.status == 404
    assert unknown.json["error"]["message"] == "Contact not found"
    assert len(api.emulator.outbox) == 2


async def test_chats_are_per_phone(api: Api) -> None:
    first = (await api.post("/messages/text", {"phone": PHONE, "message": "1"})).data
    second = (await api.post("/messages/text", {"phone": DIGITS, "message": "2"})).data
    other = (await api.post("/messages/text", {"phone": "+15550000000", "message": "3"})).data
    assert first["chat_id"] == second["chat_id"] != other["chat_id"]
    assert first["contact_id"] == second["contact_id"]
    assert first["chat_message_id"] < second["chat_message_id"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"message": "x"}, "phone", "Phone number is required"),
        ({"phone": "123", "message": "x"}, "phone", "The phone must be at least 10 characters."),
        ({"phone": "1" * 21, "message": "x"}, "phone", "The phone may not be greater than 20 characters."),
        ({"phone": "+1 555 123 4567 ext", "message": "x"}, "phone", "The phone format is invalid."),
        ({"phone": PHONE}, "message", "The message field is required."),
        (
            {"phone": PHONE, "message": "x" * 4097},
            "message",
            "The message may not be greater than 4096 characters.",
        ),
        (
            {"phone": PHONE, "message": "x", "contact_id": "abc"},
            "contact_id",
            "The contact id must be an integer.",
        ),
    ],
)
async def test_send_text_validation(api: Api, body: dict[str, Any], field: str, message: str) -> None:
    reply = await api.post("/messages/text", body)
    assert reply.status == 422
    assert reply.details == {field: [message]}
    assert api.emulator.outbox == []


async def test_send_rules(api: Api) -> None:
    emulator = api.emulator
    contact_id = emulator.opt_out(PHONE)
    opted = await api.post("/messages/text", {"phone": PHONE, "message": "x"})
    assert opted.status == 403
    assert opted.code == "CONTACT_OPTED_OUT"
    assert opted.details == {"contact_id": contact_id}
    emulator.opt_out(contact_id, opted_out=False)
    assert (await api.post("/messages/text", {"phone": PHONE, "message": "x"})).status == 200

    emulator.set_plan(contacts=1)
    full = await api.post("/messages/text", {"phone": "+15550000000", "message": "x"})
    assert full.status == 403
    assert full.details == {"feature": "contacts", "current": 1, "maximum": 1}

    emulator.set_plan(contacts=-1, conversations=1)
    chats = await api.post("/messages/text", {"phone": "+15550000000", "message": "x"})
    assert chats.status == 403
    assert chats.code == "FEATURE_LIMIT_EXCEEDED"
    assert chats.details == {"feature": "conversations", "current": 1, "maximum": 1}
    assert (await api.post("/messages/text", {"phone": PHONE, "message": "same chat"})).status == 200

    emulator.set_whatsapp_configured(False)
    off = await api.post("/messages/text", {"phone": PHONE, "message": "x"})
    assert off.status == 422
    assert off.code == "WHATSAPP_NOT_CONFIGURED"
    assert len(emulator.outbox) == 2


async def test_auto_create_needs_defaults(api: Api) -> None:
    api.emulator.set_auto_create_defaults(1, 1, None)
    reply = await api.post("/messages/text", {"phone": PHONE, "message": "x"})
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert list(reply.details) == ["phone"]
    await api.post("/contacts", contact_body(phone=PHONE))
    assert (await api.post("/messages/text", {"phone": PHONE, "message": "x"})).status == 200


async def test_send_template(api: Api) -> None:
    await api.post("/contacts", contact_body(phone=PHONE, firstname="Ann"))
    reply = await api.post(
        "/messages/template",
        {
            "phone": PHONE,
            "template_name": "order_update",
            "language": "en",
            "header_image_url": "https://cdn.example.com/banner.jpg",
            "field_1": "@{contact_first_name}",
            "field_2": "ORD-1001",
            "button_0": "ORD-1001",
        },
    )
    assert reply.status == 200
    assert reply.json["message"] == "Template message sent successfully"
    data = reply.data
    assert (data["template_name"], data["language"], data["phone"], data["status"]) == (
        "order_update",
        "en",
        DIGITS,
        "sent",
    )
    assert {"message_id", "contact_id", "sent_at", "chat_id", "chat_message_id"} <= set(data)
    sent = api.emulator.outbox[-1]
    assert sent.kind == "template"
    assert sent.text == "Hi Ann, your order ORD-1001 has shipped."
    assert sent.media_url == "https://cdn.example.com/banner.jpg"
    detail = (await api.get(f"/messages/{data['chat_message_id']}")).data
    assert detail["type"] == "template"
    assert detail["url"] == "https://cdn.example.com/banner.jpg"


@pytest.mark.parametrize(
    ("changes", "name", "language"),
    [
        ({"template_name": "nope"}, "nope", "en"),
        ({"language": "fr"}, "order_update", "fr"),
        ({"template_name": "spring_sale", "field_1": "x"}, "spring_sale", "en"),  # PENDING
        ({"template_name": "flash_offer"}, "flash_offer", "en"),  # REJECTED
    ],
)
async def test_send_template_unknown_or_unapproved_is_404(
    api: Api, changes: dict[str, Any], name: str, language: str
) -> None:
    body = {"phone": PHONE, "template_name": "order_update", "language": "en"}
    body.update(changes)
    reply = await api.post("/messages/template", body)
    # Upstream: 404 NOT_FOUND (send-otp says RESOURCE_NOT_FOUND for the same case).
    assert reply.status == 404
    assert reply.code == "NOT_FOUND"
    assert reply.details == {"template_name": name, "language": language}
    assert api.emulator.outbox == []


@pytest.mark.parametrize(
    ("changes", "details"),
    [
        ({"language": None}, {"language": ["The language field is required."]}),
        ({"language": "x" * 11}, {"language": ["The language may not be greater than 10 characters."]}),
        ({"field_1": None}, {"field_1": ["The field 1 field is required: the template body has {{1}}."]}),
        ({"field_1": 5}, {"field_1": ["The field 1 must be a string."]}),
        (
            {"header_image_url": None},
            {
                "header_image_url": [
                    "The header image url field is required for this template's IMAGE header."
                ]
            },
        ),
        (
            {"header_image_url": "not a url"},
            {"header_image_url": ["The header image url format is invalid."]},
        ),
        (
            {"header_document_name": "x" * 256},
            {"header_document_name": ["The header document name may not be greater than 255 characters."]},
        ),
        (
            {"auto_generate_otp": True},
            {"auto_generate_otp": ["OTP auto-generation is only available for AUTHENTICATION templates."]},
        ),
        ({"phone": None}, {"phone": ["Phone number is required"]}),
    ],
)
async def test_send_template_validation(api: Api, changes: dict[str, Any], details: dict[str, Any]) -> None:
    body = {
        "phone": PHONE,
        "template_name": "order_update",
        "language": "en",
        "header_image_url": "https://cdn.example.com/banner.jpg",
        "field_1": "a",
        "field_2": "b",
    }
    body.update(changes)
    reply = await api.post("/messages/template", body)
    assert reply.status == 422
    assert reply.details == details


async def test_template_headers(api: Api) -> None:
    text = await api.post(
        "/messages/template",
        {
            "phone": PHONE,
            "template_name": "appointment_reminder",
            "language": "en",
            "field_1": "Mon",
            "field_2": "9",
        },
    )
    assert text.details == {
        "header_field_1": ["The header field 1 field is required for this template's TEXT header."]
    }
    ok = await api.post(
        "/messages/template",
        {
            "phone": PHONE,
            "template_name": "appointment_reminder",
            "language": "en",
            "header_field_1": "Ann",
            "field_1": "Mon",
            "field_2": "9am",
        },
    )
    assert ok.status == 200
    assert api.emulator.outbox[-1].text == "Your appointment is on Mon at 9am."
    document = await api.post(
        "/messages/template",
        {
            "phone": PHONE,
            "template_name": "invoice_ready",
            "language": "en",
            "field_1": "INV-1",
            "header_document_url": "https://cdn.example.com/inv.pdf",
            "header_document_name": "invoice.pdf",
        },
    )
    assert document.status == 200
    assert api.emulator.outbox[-1].filename == "invoice.pdf"
    no_params = await api.post(
        "/messages/template", {"phone": PHONE, "template_name": "welcome", "language": "en"}
    )
    assert no_params.details == {"field_1": ["The field 1 field is required: the template body has {{1}}."]}


async def test_template_auto_generated_otp(api: Api) -> None:
    reply = await api.post(
        "/messages/template",
        {
            "phone": PHONE,
            "template_name": "otp_verification",
            "language": "en",
            "auto_generate_otp": True,
            "field_2": "10",
        },
    )
    assert reply.status == 200
    code = api.emulator.outbox[-1].code
    assert code is not None and len(code) == 6
    assert api.emulator.outbox[-1].text == f"{code} is your verification code. It expires in 10 minutes."
    assert (await api.post("/auth/verify", {"phone": PHONE, "code": code})).status == 200
    missing = await api.post(
        "/messages/template",
        {
            "phone": PHONE,
            "template_name": "otp_verification",
            "language": "en",
            "auto_generate_otp": True,
            "otp_field_number": 2,
        },
    )
    assert missing.details == {"field_1": ["The field 1 field is required: the template body has {{1}}."]}


async def test_send_media(api: Api) -> None:
    group = (await api.post("/groups", {"name": "VIP"})).data["id"]
    reply = await api.post(
        "/messages/media",
        {
            "phone": "+15551234567",
            "media_type": "document",
            "media_url": "https://cdn.example.com/files/Invoice.PDF?sig=1",
            "caption": "Your invoice",
            "filename": "invoice.pdf",
            "contact": {
                "firstname": "Ann",
                "lastname": "Lee",
                "email": "ann@x.io",
                "groups": f"{group}, 999",
            },
        },
    )
    assert reply.status == 200
    assert reply.json["message"] == "Media message sent successfully"
    data = reply.data
    assert (data["media_type"], data["media_url"], data["caption"], data["filename"]) == (
        "document",
        "https://cdn.example.com/files/Invoice.PDF?sig=1",
        "Your invoice",
        "invoice.pdf",
    )
    contact = (await api.get(f"/contacts/{data['contact_id']}")).data
    assert (contact["firstname"], contact["lastname"], contact["email"], contact["group_id"]) == (
        "Ann",
        "Lee",
        "ann@x.io",
        [group],
    )
    again = await api.post(
        "/messages/media",
        {
            "phone": "15551234567",
            "media_type": "audio",
            "media_url": "http://x.io/a.ogg",
            "contact": {"firstname": "Z"},
        },
    )
    assert again.data["contact_id"] == data["contact_id"]  # the contact details only matter on creation
    assert again.data["caption"] is None
    history = (await api.get("/messages")).data
    assert [m["type"] for m in history] == ["audio", "document"]


MEDIA = {
    "image": "https://x.io/a.png",
    "document": "https://x.io/a.pdf",
    "video": "https://x.io/a.mp4",
    "audio": "https://x.io/a.mp3",
}


@pytest.mark.parametrize("caption", ["x", "Listen to this", "c" * 1024, " "])
@pytest.mark.parametrize("media_type", sorted(MEDIA))
async def test_a_caption_is_sent_with_media_and_ignored_on_audio(
    api: Api, media_type: str, caption: str
) -> None:
    # upstream-v2.md §3.2.3: `caption` "not used for audio" -- ignored there, not a 422.
    reply = await api.post(
        "/messages/media",
        {
            "phone": "+15551234567",
            "media_type": media_type,
            "media_url": MEDIA[media_type],
            "caption": caption,
        },
    )
    assert reply.status == 200, reply.text
    used = None if media_type == "audio" or not caption.strip() else caption
    assert reply.data["caption"] == used
    assert api.emulator.outbox[-1].caption == used
    assert (await api.get(f"/messages/{reply.data['chat_message_id']}")).data["message"] == used


@pytest.mark.parametrize(
    ("changes", "details"),
    [
        ({"phone": "1" * 16}, {"phone": ["The phone may not be greater than 15 characters."]}),
        (
            {"media_url": None},
            {"media_url": ["The media url field is required when media file is not present."]},
        ),
        ({"media_url": "ftp://x.io/a.jpg"}, {"media_url": ["The media url format is invalid."]}),
        (
            {"media_url": "https://x.io/a.gif"},
            {"media_url": ["The media url must be a file of type: jpg, jpeg, png, webp."]},
        ),
        ({"caption": "c" * 1025}, {"caption": ["The caption may not be greater than 1024 characters."]}),
        (
            {"media_type": "audio", "media_url": "https://x.io/a.mp3", "caption": "c" * 1025},
            {"caption": ["The caption may not be greater than 1024 characters."]},
        ),
        ({"filename": "f" * 256}, {"filename": ["The filename may not be greater than 255 characters."]}),
        ({"contact": "Ann"}, {"contact": ["The contact must be an object."]}),
        (
            {"contact": {"email": "nope"}},
            {"contact.email": ["The contact.email must be a valid email address."]},
        ),
        (
            {"contact": {"groups": "1,x"}},
            {"contact.groups": ["The contact groups must be a comma-separated list of group IDs."]},
        ),
    ],
)
async def test_send_media_validation(api: Api, changes: dict[str, Any], details: dict[str, Any]) -> None:
    body = {"phone": "+15551234567", "media_type": "image", "media_url": "https://x.io/pic.jpg"}
    body.update(changes)
    reply = await api.post("/messages/media", body)
    assert reply.status == 422
    assert reply.code == "VALIDATION_ERROR"
    assert reply.details == details


@pytest.mark.parametrize("media_type", ["sticker", "IMAGE", "images", "text", "0"])
async def test_send_media_wrong_type_is_invalid_media_type(api: Api, media_type: str) -> None:
    body = {"phone": "+15551234567", "media_type": media_type, "media_url": "https://x.io/pic.jpg"}
    reply = await api.post("/messages/media", body)
    assert reply.status == 422
    assert reply.code == "INVALID_MEDIA_TYPE"
    assert reply.details == {"media_type": ["The media type must be one of: image, document, video, audio."]}
    # The field rules come first: with another bad field it is a plain VALIDATION_ERROR.
    both = await api.post("/messages/media", {**body, "phone": "1" * 16})
    assert both.code == "VALIDATION_ERROR"
    assert set(both.details) == {"phone"}
    assert api.emulator.outbox == []


@pytest.mark.parametrize(
    ("media_type", "extension"),
    [("image", "webp"), ("document", "xlsx"), ("video", "3gp"), ("audio", "opus"), ("document", "csv")],
)
async def test_media_extensions(api: Api, media_type: str, extension: str) -> None:
    body = {"phone": "+15551234567", "media_type": media_type, "media_url": f"https://x.io/file.{extension}"}
    assert (await api.post("/messages/media", body)).status == 200


async def test_send_interactive_buttons(api: Api) -> None:
    reply = await api.post(
        "/messages/interactive",
        {
            "phone": PHONE,
            "type": "button",
            "header_text": "Appointment",
            "body_text": "Confirm your appointment?",
            "footer_text": "Reply anytime",
            "buttons": [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}],
        },
    )
    assert reply.status == 200
    assert reply.json["message"] == "Interactive message sent successfully"
    assert reply.data["type"] == "button"
    sent = api.emulator.outbox[-1]
    assert (sent.kind, sent.interactive_type, sent.text) == (
        "interactive",
        "button",
        "Confirm your appointment?",
    )


async def test_send_interactive_list(api: Api) -> None:
    body = {
        "phone": PHONE,
        "type": "list",
        "body_text": "Pick a slot",
        "list_button_text": "View slots",
        "sections": [
            {"title": "Morning", "rows": [{"id": "9", "title": "09:00", "description": "Front desk"}]},
            {"title": "Afternoon", "rows": [{"id": "14", "title": "14:00"}]},
        ],
    }
    reply = await api.post("/messages/interactive", body)
    assert reply.status == 200
    assert reply.data["type"] == "list"


BUTTON = {"phone": PHONE, "type": "button", "body_text": "Hi", "buttons": [{"id": "a", "title": "A"}]}
LIST = {
    "phone": PHONE,
    "type": "list",
    "body_text": "Hi",
    "list_button_text": "Open",
    "sections": [{"title": "S", "rows": [{"id": "r", "title": "R"}]}],
}


@pytest.mark.parametrize(
    ("base", "changes", "details"),
    [
        (BUTTON, {"type": "carousel"}, {"type": ["The selected type is invalid."]}),
        (BUTTON, {"body_text": None}, {"body_text": ["The body text field is required."]}),
        (
            BUTTON,
            {"body_text": "b" * 1025},
            {"body_text": ["The body text may not be greater than 1024 characters."]},
        ),
        (
            BUTTON,
            {"header_text": "h" * 61},
            {"header_text": ["The header text may not be greater than 60 characters."]},
        ),
        (
            BUTTON,
            {"footer_text": "f" * 61},
            {"footer_text": ["The footer text may not be greater than 60 characters."]},
        ),
        (BUTTON, {"buttons": []}, {"buttons": ["The buttons field is required."]}),
        (
            BUTTON,
            {"buttons": [{"id": str(i), "title": str(i)} for i in range(4)]},
            {"buttons": ["The buttons may not have more than 3 items."]},
        ),
        (
            BUTTON,
            {"buttons": [{"id": "a", "title": "t" * 21}]},
            {"buttons.0.title": ["The buttons.0.title may not be greater than 20 characters."]},
        ),
        (BUTTON, {"buttons": [{"title": "A"}]}, {"buttons.0.id": ["The buttons.0.id field is required."]}),
        (
            BUTTON,
            {"buttons": [{"id": "a", "title": "Same"}, {"id": "b", "title": "Same"}]},
            {"buttons.1.title": ["The buttons.1.title field has a duplicate value."]},
        ),
        (
            BUTTON,
            {"buttons": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]},
            {"buttons.1.id": ["The buttons.1.id field has a duplicate value."]},
        ),
        (BUTTON, {"buttons": ["x"]}, {"buttons.0": ["The buttons.0 must be an object."]}),
        (LIST, {"list_button_text": None}, {"list_button_text": ["The list button text field is required."]}),
        (
            LIST,
            {"list_button_text": "l" * 21},
            {"list_button_text": ["The list button text may not be greater than 20 characters."]},
        ),
        (LIST, {"sections": None}, {"sections": ["The sections field is required."]}),
        (
            LIST,
            {"sections": [{"title": str(i), "rows": [{"id": str(i), "title": "r"}]} for i in range(11)]},
            {"sections": ["The sections may not have more than 10 items."]},
        ),
        (
            LIST,
            {
                "sections": [
                    {"title": "A", "rows": [{"id": f"{s}{i}", "title": "r"} for i in range(6)]} for s in "ab"
                ]
            },
            {"sections": ["The sections may not contain more than 10 rows in total."]},
        ),
        (
            LIST,
            {"sections": [{"title": "t" * 25, "rows": [{"id": "r", "title": "R"}]}]},
            {"sections.0.title": ["The sections.0.title may not be greater than 24 characters."]},
        ),
        (
            LIST,
            {"sections": [{"title": "S"}]},
            {"sections.0.rows": ["The sections.0.rows field is required."]},
        ),
        (
            LIST,
            {
                "sections": [
                    {"title": "S", "rows": [{"id": "r" * 201, "title": "t" * 25, "description": "d" * 73}]}
                ]
            },
            {
                "sections.0.rows.0.id": ["The sections.0.rows.0.id may not be greater than 200 characters."],
                "sections.0.rows.0.title": [
                    "The sections.0.rows.0.title may not be greater than 24 characters."
                ],
                "sections.0.rows.0.description": [
                    "The sections.0.rows.0.description may not be greater than 72 characters."
                ],
            },
        ),
        (
            LIST,
            {"sections": [{"title": "S", "rows": [{"id": "r", "title": "A"}, {"id": "r", "title": "B"}]}]},
            {"sections.0.rows.1.id": ["The sections.0.rows.1.id field has a duplicate value."]},
        ),
    ],
)
async def test_send_interactive_validation(
    api: Api, base: dict[str, Any], changes: dict[str, Any], details: dict[str, Any]
) -> None:
    body = dict(base)
    body.update(changes)
    reply = await api.post("/messages/interactive", body)
    assert reply.status == 422
    assert reply.details == details


async def test_message_history(api: Api) -> None:
    emulator = api.emulator
    for text in ("first", "second", "third"):
        await api.post("/messages/text", {"phone": PHONE, "message": text})
        emulator.clock.advance(1)
    await api.post("/messages/text", {"phone": "+15550000000", "message": "elsewhere"})
    inbound_id = emulator.receive_message(PHONE, "a reply")
    listing = await api.get("/messages")
    assert listing.json["message"] == "Messages retrieved successfully"
    assert [m["message"] for m in listing.data] == ["a reply", "elsewhere", "third", "second", "first"]
    item = listing.data[2]
    assert set(item) == {
        "id",
        "interaction_id",
        "sender_id",
        "type",
        "message",
        "status",
        "message_id",
        "sent_at",
        "is_read",
    }
    assert (item["type"], item["status"], item["sender_id"], item["is_read"]) == (
        "text",
        "sent",
        "15550000001",
        False,
    )
    assert item["sent_at"] == "2026-01-01T08:00:02+00:00"
    chat = item["interaction_id"]
    assert [
        m["message"]
        for m in (await api.get("/messages", params={"sort": "created_at", "per_page": "2"})).data
    ] == [
        "first",
        "second",
    ]
    page2 = await api.get("/messages", params={"per_page": "2", "page": "2"})
    assert [m["message"] for m in page2.data] == ["third", "second"]
    assert page2.json["meta"]["pagination"]["total"] == 5

    async def texts(**params: str) -> list[str]:
        return [m["message"] for m in (await api.get("/messages", params=params)).data]

    assert await texts(**{"filter[interaction_id]": str(chat)}) == ["a reply", "third", "second", "first"]
    assert await texts(**{"filter[direction]": "inbound"}) == ["a reply"]
    assert await texts(**{"filter[direction][ne]": "inbound", "search": "ir"}) == ["third", "first"]
    assert await texts(**{"filter[status][in]": "delivered,read"}) == ["a reply"]
    assert await texts(**{"filter[type][not_in]": "text"}) == []
    assert await texts(q="ELSE") == ["elsewhere"]
    assert (await api.get("/messages", params={"filter[contact_id]": "1"})).status == 422
    projected = await api.get("/messages", params={"fields": "message,status", "per_page": "1"})
    assert projected.data == [{"id": inbound_id, "message": "a reply", "status": "delivered"}]

    detail = await api.get(f"/messages/{item['id']}")
    assert detail.json["message"] == "Message retrieved successfully"
    assert detail.data == {
        **item,
        "status_message": None,
        "ref_message_id": None,
        "url": None,
        "staff_id": None,
    }
    missing = await api.get("/messages/999")
    assert missing.status == 404
    assert missing.json["error"]["message"] == "Message not found"
    assert (await api.get("/messages/wamid.X")).status == 404


async def test_history_order_survives_a_clock_set_backwards(api: Api) -> None:
    await api.post("/messages/text", {"phone": PHONE, "message": "now"})
    api.emulator.clock.advance(-3600)
    await api.post("/messages/text", {"phone": PHONE, "message": "an hour ago"})
    listing = await api.get("/messages")
    assert [m["message"] for m in listing.data] == ["now", "an hour ago"]
