"""The docs' examples of each section structure into the generated models and unstructure back to the wire."""

from __future__ import annotations

import importlib
from datetime import datetime, timezone
from typing import Any

import orjson
import pytest

from wacr import _convert, models
from wacr.models import _generated

# (model, documented example) - values from shared/api (placeholders where the docs show none).
EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    (
        "Account",
        {
            "id": 42,
            "name": "Acme Ltd",
            "subdomain": "acme",
            "status": "active",
            "created_at": "2025-01-15T10:00:00+00:00",
            "subscription": {
                "plan_name": "Pro",
                "plan_id": 3,
                "status": "active",
                "expires_at": "2026-02-15T00:00:00+00:00",
            },
        },
    ),
    (
        "Usage",
        {
            "contacts": {
                "current": 1200,
                "limit": 5000,
                "remaining": 3800,
                "percentage_used": 24.5,
                "is_unlimited": False,
            },
            "conversations": {"current": 300, "limit": -1, "percentage_used": 0.5, "is_unlimited": True},
        },
    ),
    (
        "Limits",
        {
            "limits": {
                "contacts": {"limit": 5000, "feature_name": "Total Contacts", "is_unlimited": False},
                "api_calls_per_minute": {
                    "limit": 60,
                    "feature_name": "API Calls per Minute",
                    "is_unlimited": False,
                },
            },
            "features": {
                "whatsapp_templates": True,
                "bulk_messaging": True,
                "chatbot": False,
                "advanced_analytics": False,
                "api_access": True,
                "custom_branding": False,
            },
        },
    ),
    (
        "OtpSendResult",
        {
            "message_id": "wamid.XXXX",
            "contact_id": 101,
            "phone": "919999999999",
            "template_name": "otp_verification",
            "language": "en",
            "code_sent": True,
            "expiry_minutes": 10,
            "expires_at": "2026-01-01T08:10:00+00:00",
            "status": "sent",
            "sent_at": "2026-01-01T08:00:00+00:00",
        },
    ),
    (
        "OtpStatus",
        {
            "has_active_otp": True,
            "expires_at": "2026-01-01T08:03:14+00:00",
            "expires_in_seconds": 600,
            "is_expired": False,
            "verification_attempts": 0,
            "max_attempts": 5,
            "attempts_remaining": 5,
            "created_at": "2026-01-01T07:53:14+00:00",
        },
    ),  # RASL's verbatim example
    (
        "OtpVerifyResult",
        {"phone": "919999999999", "purpose": "authentication", "verified_at": "2026-01-01T08:02:00+00:00"},
    ),
    (
        "AuthTemplate",
        {
            "id": 7,
            "template_name": "otp_verification",
            "language": "en",
            "body_text": "{{1}} is your verification code.",
            "body_params_count": 1,
            "header_format": "NONE",
            "footer_text": "This code expires in 10 minutes.",
            "status": "APPROVED",
            "created_at": "2025-06-01T12:00:00+00:00",
        },
    ),
    (
        "AddCommentResult",
        {
            "success": True,
            "message": "Comment added successfully",
            "tenant_id": 42,
            "interaction_id": 555,
            "sender_id": "919800000000",
            "status_message": "Sales note",
            "ref_message_id": "wamid.ABC",
            "chat_message_id": 98765,
        },
    ),
    (
        "Contact",
        {
            "id": 101,
            "firstname": "Jane",
            "lastname": "Doe",
            "type": "lead",
            "email": "jane@example.com",
            "phone": "+919876543210",
            "status_id": 2,
            "source_id": 1,
            "group_id": [3, 5],
            "is_opted_out": False,
            "created_at": "2026-01-01T00:00:00+00:00",
            "updated_at": "2026-01-01T00:00:00+00:00",
            "groups": [
                {
                    "id": 3,
                    "name": "VIP",
                    "created_at": "2026-01-01T00:00:00+00:00",
                    "updated_at": "2026-01-01T00:00:00+00:00",
                }
            ],
        },
    ),
    (
        "BatchCreateResult",
        {
            "success": True,
            "summary": {"total": 2, "created": 1, "skipped": 1, "failed": 0},
            "created": [{"id": 201, "firstname": "A"}],
            "skipped": [{"index": 1, "reason": "duplicate phone", "data": {"phone": "+912222222222"}}],
            "errors": [],
        },
    ),
    ("BatchDeleteResult", {"success": True, "summary": {"total": 3, "deleted": 2, "failed": 1}}),
    ("GroupContactsAdded", {"group_id": 1, "contacts_added": 3}),
    ("Source", {"id": 1, "name": "Website Form", "created_at": "2026-01-01T00:00:00+00:00"}),
    ("Status", {"id": 1, "name": "Hot Lead", "color": "#FF5733"}),
    (
        "Template",
        {
            "id": 1,
            "template_id": "1234567890",
            "template_name": "order_update",
            "name": "order_update",
            "language": "en_US",
            "category": "UTILITY",
            "status": "APPROVED",
            "header_data_format": "IMAGE",
            "body_data": "Hi {{1}}, order {{2}} shipped",
            "body_params_count": 2,
            "buttons_data": '[{"type": "URL"}]',
            "add_security_recommendation": False,
            "components": [{"type": "BODY"}],
        },
    ),
    (
        "TextMessageResult",
        {
            "message_id": "wamid.HBgLXXXXXXXX",
            "contact_id": 123,
            "phone": "15551234567",
            "message": "Hi Jane, your order shipped.",
            "status": "sent",
            "sent_at": "2025-01-01T10:00:00+00:00",
            "chat_id": 45,
            "chat_message_id": 6789,
        },
    ),
    (
        "MediaMessageResult",
        {
            "message_id": "wamid.HBgLXXXXXXXX",
            "contact_id": 123,
            "phone": "15551234567",
            "media_type": "document",
            "media_url": "https://app.wa.cr/storage/x.pdf",
            "caption": "Your invoice",
            "filename": "invoice.pdf",
            "status": "sent",
            "sent_at": "2025-01-01T10:00:00+00:00",
            "chat_id": 45,
            "chat_message_id": 6790,
        },
    ),
    ("InteractiveMessageResult", {"message_id": "wamid.X", "type": "list", "status": "sent"}),
    (
        "Message",
        {
            "id": 6789,
            "interaction_id": 45,
            "sender_id": "15550000001",
            "type": "text",
            "message": "Hi",
            "status": "read",
            "status_message": "Read by recipient",
            "message_id": "wamid.X",
            "sent_at": "2025-01-01T10:00:00+00:00",
            "is_read": True,
            "staff_id": 3,
        },
    ),
    (
        "SendInteractiveRequest",
        {
            "phone": "15551234567",
            "type": "list",
            "header_text": "Menu",
            "body_text": "Pick a slot",
            "footer_text": "Reply anytime",
            "list_button_text": "View slots",
            "sections": [
                {
                    "title": "Morning",
                    "rows": [{"id": "slot_9", "title": "09:00", "description": "Front desk"}],
                }
            ],
        },
    ),
    # The upstream export's additions (its examples; values as it shows them).
    (
        "OtpSendResult",
        {
            "message_id": "wamid.HBgMOTE5OTk5OTk5OTk5",
            "contact_id": 101,
            "phone": "919999999999",
            "template_name": "otp_verification",
            "language": "en",
            "code_sent": True,
            "code_auto_generated": True,
            "code": "604211",
            "expiry_minutes": 10,
            "expires_at": "2024-02-08T14:40:25+00:00",
            "status": "sent",
            "sent_at": "2024-02-08T14:30:25+00:00",
        },
    ),
    (
        "SendCtaRequest",
        {
            "phone": "+919999999999",
            "message": "Check out our latest pricing plans!",
            "button_text": "View Pricing",
            "button_url": "https://example.com/pricing",
            "header_text": "Special Offer",
            "footer_text": "Limited time only",
        },
    ),
    (
        "CtaMessageResult",
        {
            "message_id": "wamid.CTA",
            "contact_id": 7,
            "phone": "919999999999",
            "button_text": "View Pricing",
            "button_url": "https://example.com/pricing",
            "status": "sent",
            "sent_at": "2024-02-08T14:30:25+00:00",
            "chat_id": 3,
            "chat_message_id": 88,
        },
    ),
    ("TemplateSyncResult", {"synced_count": 1, "templates": [{"id": 1, "template_name": "welcome_message"}]}),
    (
        "Pagination",
        {"total": 45, "count": 15, "per_page": 15, "current_page": 1, "total_pages": 3, "has_more": True},
    ),
    (
        "BatchContact",
        {
            "firstname": "Jane",
            "lastname": "Doe",
            "type": "lead",
            "email": "jane@example.com",
            "phone": "+919587422363",
            "source_id": 115,
            "status_id": 287,
            "country_id": 101,
            "group_id": [12],
            "addedfrom": 1,
            "zip": "360001",
            "city": "Rajkot",
        },
    ),
    ("Contact", {"id": 5, "tenant_id": 1, "firstname": "Jane", "group_id": [12], "is_opted_out": False}),
    (
        "ErrorEnvelope",
        {
            "success": False,
            "error": {"code": "RESOURCE_CONFLICT", "message": "In use", "details": {"contacts_count": 3}},
            "meta": {
                "request_id": "00000000-0000-0000-0000-000000000000",
                "timestamp": "2024-02-08T14:30:25+00:00",
            },
        },
    ),
    (
        "WebhookPayload",
        {
            "event": {
                "id": "evt_1702468200_abc123",
                "type": "contact.created",
                "timestamp": "2025-12-12T14:30:00+00:00",
                "version": "1.0",
            },
            "tenant": {"id": 123, "name": "Acme Corporation", "domain": "acme"},
            "data": {
                "resource": {
                    "type": "contact",
                    "id": 456,
                    "attributes": {"firstname": "John", "lastname": "Doe", "type": "individual"},
                },
                "relationships": {},
            },
            "changes": {"current": {"firstname": "John"}},
            "metadata": {
                "source": "api_webhook_manager",
                "environment": "production",
                "request_id": "00000000-0000-0000-0000-000000000000",
            },
        },
    ),
]


@pytest.mark.parametrize(("name", "example"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_example_round_trips(name: str, example: dict[str, Any]) -> None:
    # The envelopes are generated but not exported: read from their section's module.
    cls = getattr(importlib.import_module(f"wacr.models._generated.{_generated.INDEX[name]}"), name)
    model = _convert.structure(example, cls)
    assert isinstance(model, cls)
    # Back to the wire: the same JSON (absent optional fields stay absent).
    assert orjson.loads(_convert.dumps(model)) == example


def test_timestamps_are_tz_aware_in_every_documented_format() -> None:
    for text in ("2026-01-01T07:58:39+00:00", "2025-12-12T14:30:00.000Z", "2024-02-08T14:30:25.000000Z"):
        source = _convert.structure({"id": 1, "created_at": text}, models.Source)
        assert source.created_at is not None and source.created_at.tzinfo is not None
        assert source.created_at.astimezone(timezone.utc).replace(microsecond=0) == datetime.fromisoformat(
            text.replace("Z", "+00:00")
        ).replace(microsecond=0)


def test_unknown_values_and_fields_pass_through() -> None:
    contact = _convert.structure({"id": 1, "type": "individual", "tags": ["x"]}, models.Contact)
    assert contact.type is not None and contact.type.value == "individual" and not contact.type.known
