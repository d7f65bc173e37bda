"""Account: info, usage and limits reflect the emulator's state."""

from __future__ import annotations

from .conftest import Api, contact_body


async def test_account_info(api: Api) -> None:
    reply = await api.get("/account")
    data = reply.data
    assert data["id"] == 1
    assert data["name"] == "Acme Ltd"
    assert data["subdomain"] == "acme"
    assert data["status"] == "active"
    assert set(data["subscription"]) == {"plan_name", "plan_id", "status", "expires_at"}
    assert data["subscription"]["plan_name"] == "Pro"


async def test_usage_counts_contacts_and_chats(api: Api) -> None:
    first = (await api.get("/account/usage")).data
    assert first["contacts"] == {
        "current": 0,
        "limit": 10_000,
        "remaining": 10_000,
        "percentage_used": 0.0,
        "is_unlimited": False,
    }
    assert first["conversations"]["is_unlimited"] is True
    assert first["conversations"]["limit"] == -1
    assert first["conversations"]["remaining"] is None
    assert first["staff"] == {
        "current": 3,
        "limit": 5,
        "remaining": 2,
        "percentage_used": 60.0,
        "is_unlimited": False,
    }
    assert first["campaigns"]["current"] == 2

    await api.post("/contacts", contact_body())
    await api.post("/messages/text", {"phone": "+15551234567", "message": "hi"})
    await api.post("/messages/text", {"phone": "+15551234567", "message": "again"})
    later = (await api.get("/account/usage")).data
    assert later["contacts"]["current"] == 2  # one created, one auto-created by the send
    assert later["conversations"]["current"] == 1  # two messages, one chat


async def test_usage_percentage(api: Api) -> None:
    api.emulator.set_plan(contacts=3)
    await api.post("/contacts", contact_body())
    usage = (await api.get("/account/usage")).data["contacts"]
    assert usage == {
        "current": 1,
        "limit": 3,
        "remaining": 2,
        "percentage_used": 33.33,
        "is_unlimited": False,
    }


async def test_limits(api: Api) -> None:
    data = (await api.get("/account/limits")).data
    assert set(data["limits"]) == {"contacts", "conversations", "campaigns", "staff", "api_calls_per_minute"}
    assert data["limits"]["contacts"] == {
        "limit": 10_000,
        "feature_name": "Total Contacts",
        "is_unlimited": False,
    }
    assert data["limits"]["conversations"]["is_unlimited"] is True
    assert data["limits"]["api_calls_per_minute"]["limit"] == 60
    assert data["features"] == {
        "whatsapp_templates": True,
        "bulk_messaging": True,
        "chatbot": True,
        "advanced_analytics": True,
        "api_access": True,
        "custom_branding": True,
    }


async def test_limits_follow_the_configuration(api: Api) -> None:
    api.emulator.set_plan(contacts=-1, features={"chatbot": False}, plan_name="Starter")
    api.emulator.set_rate_limit(120)
    data = (await api.get("/account/limits")).data
    assert data["limits"]["contacts"] == {"limit": -1, "feature_name": "Total Contacts", "is_unlimited": True}
    assert data["limits"]["api_calls_per_minute"]["limit"] == 120
    assert data["features"]["chatbot"] is False
    account = (await api.get("/account")).data
    assert account["subscription"]["plan_name"] == "Starter"
