"""The control API under /_emulator/ and the Python API it mirrors."""

from __future__ import annotations

from datetime import datetime, timezone

from wacr.testing import EMULATOR_KEY, Clock, Emulator, create_app

from .conftest import Api, contact_body


async def test_outbox(api: Api) -> None:
    await api.post("/messages/text", {"phone": "+15551234567", "message": "one"})
    await api.post("/messages/text", {"phone": "+15550000000", "message": "two"})
    reply = await api.get("/_emulator/outbox", token=None)
    messages = reply.json["messages"]
    assert [m["text"] for m in messages] == ["one", "two"]
    assert messages[0]["time"] == "2026-01-01T08:00:00+00:00"
    assert messages[0]["kind"] == "text"
    assert messages[0]["request"] == {"phone": "+15551234567", "message": "one"}
    filtered = await api.get("/_emulator/outbox", params={"phone": "+1 555 000 0000"}, token=None)
    assert [m["text"] for m in filtered.json["messages"]] == ["two"]
    assert (await api.delete("/_emulator/outbox", token=None)).json == {"success": True}
    assert api.emulator.outbox == []


async def test_requests_log(api: Api) -> None:
    await api.get("/contacts", params={"per_page": "5"})
    await api.post("/groups", {"name": "VIP"})
    log = (await api.get("/_emulator/requests")).json["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/contacts", 200),
        ("POST", "/groups", 201),
    ]
    assert log[0]["query"] == {"per_page": "5"}
    assert log[1]["json"] == {"name": "VIP"}
    assert log[1]["request_id"]
    assert api.emulator.received[1].json == {"name": "VIP"}
    await api.delete("/_emulator/requests")
    assert api.emulator.received == []


async def test_faults_routes(api: Api) -> None:
    created = await api.post("/_emulator/faults", {"match": "GET /account", "status": 500, "times": 2})
    assert created.status == 201
    assert created.json["faults"][0]["times"] == 2
    listed = (await api.get("/_emulator/faults")).json["faults"]
    assert [f["match"] for f in listed] == ["GET /account"]
    assert (await api.get("/account")).status == 500
    many = await api.post("/_emulator/faults", [{"match": "GET /groups", "drop": "before"}, {"delay": 0.01}])
    assert len(many.json["faults"]) == 2
    await api.delete("/_emulator/faults")
    assert api.emulator.faults == []
    assert (await api.get("/account")).status == 200
    bad = await api.post("/_emulator/faults", {"match": "*", "nope": 1})
    assert bad.status == 400
    assert "nope" in bad.json["message"]
    broken = await api.call("POST", "/_emulator/faults", data=b"{")
    assert broken.status == 400


async def test_clock_routes(api: Api) -> None:
    assert (await api.get("/_emulator/clock")).json == {"now": "2026-01-01T08:00:00+00:00", "frozen": True}
    advanced = await api.post("/_emulator/clock", {"advance": 90})
    assert advanced.json["now"] == "2026-01-01T08:01:30+00:00"
    moved = await api.post("/_emulator/clock", {"set": "2026-03-01T12:00:00Z"})
    assert moved.json == {"now": "2026-03-01T12:00:00+00:00", "frozen": True}
    assert (await api.get("/account")).json["meta"]["timestamp"] == "2026-03-01T12:00:00+00:00"
    resumed = await api.post("/_emulator/clock", {"resume": True})
    assert resumed.json["frozen"] is False


async def test_reset_route(api: Api) -> None:
    await api.post("/groups", {"name": "VIP"})
    api.emulator.add_token("extra")
    api.emulator.clock.advance(100)
    api.emulator.inject("GET /nothing", status=500)
    assert (await api.post("/_emulator/reset")).json == {"success": True}
    assert (await api.get("/groups")).data == []
    assert (await api.get("/account", token="extra")).status == 401
    assert api.emulator.clock.now() == datetime(2026, 1, 1, 8, tzinfo=timezone.utc)
    assert api.emulator.faults == []
    assert [r.path for r in api.emulator.received] == ["/groups", "/account"]


async def test_config_route(api: Api) -> None:
    reply = await api.post(
        "/_emulator/config",
        {
            "rate_limit": 100,
            "whatsapp_configured": False,
            "plan": {"contacts": 5, "features": {"chatbot": False}},
            "defaults": {"status_id": 2, "source_id": 2, "assignee_id": 9},
            "tokens": [{"token": "reader", "scopes": ["contacts:read"]}, {"token": "t2", "tenant_id": 2}],
            "opt_out": ["+15551234567"],
            "templates": [{"name": "promo", "body": "Promo {{1}}", "synced": False}],
        },
    )
    assert reply.status == 200
    config = reply.json
    assert config["rate_limit"] == 100
    tenant = config["tenants"][0]
    assert tenant["whatsapp_configured"] is False
    assert tenant["plan"]["contacts"] == 5
    assert tenant["plan"]["features"]["chatbot"] is False
    assert tenant["defaults"] == {"status_id": 2, "source_id": 2, "assignee_id": 9}
    assert {t["token"] for t in config["tokens"]} == {"test-token", "reader", "t2"}
    assert [t["id"] for t in config["tenants"]] == [1, 2]
    assert (await api.get("/contacts", token="reader")).status == 200
    assert (await api.post("/contacts", contact_body(), token="reader")).status == 403
    assert api.emulator.get_contact("+15551234567")["is_opted_out"] is True  # type: ignore[index]
    assert (await api.get("/_emulator/config")).json == config
    await api.post("/_emulator/config", {"opt_in": ["+15551234567"], "rate_limit": None})
    assert api.emulator.get_contact("15551234567")["is_opted_out"] is False  # type: ignore[index]
    assert (await api.get("/_emulator/config")).json["rate_limit"] is None
    assert (await api.post("/_emulator/config", [1])).status == 400
    assert (await api.post("/_emulator/config", {"plan": {"colour": 1}})).status == 400


async def test_inbound_route(api: Api) -> None:
    reply = await api.post("/_emulator/inbound", {"phone": "+15551234567", "message": "hello?"})
    assert reply.status == 201
    listed = (await api.get("/messages", params={"filter[direction]": "inbound"})).data
    assert [(m["id"], m["message"], m["sender_id"]) for m in listed] == [
        (reply.json["id"], "hello?", "15551234567")
    ]
    # The chat exists now, so comments work.
    assert (await api.post("/comments/15551234567", {"comment": "note"})).status == 200
    assert (await api.post("/_emulator/inbound", {"phone": "1"})).status == 400


def test_python_api_details() -> None:
    emulator = Emulator("secret", seed=False, clock=Clock(datetime(2026, 1, 1)))
    assert emulator.token == "secret"
    app = create_app(emulator)
    assert app[EMULATOR_KEY] is emulator
    assert create_app(token="x")[EMULATOR_KEY].token == "x"
    try:
        emulator.base_url  # noqa: B018
    except RuntimeError:
        pass
    else:
        raise AssertionError("base_url before start")
    second = emulator.add_tenant("Beta")
    assert second == 2
    third = emulator.add_tenant(tenant_id=7, seed=False)
    assert third == 7
    try:
        emulator.set_rate_limit(0)
    except ValueError:
        pass
    else:
        raise AssertionError("a rate limit of 0")
    try:
        emulator.opt_out(12345)
    except KeyError:
        pass
    else:
        raise AssertionError("opt_out of an unknown id")
    assert emulator.get_contact("+15550000000") is None
    assert emulator.otp_code("+15550000000") is None
    template_id = emulator.add_template("promo", body="Hi {{1}}")
    assert emulator.add_template("promo", body="Hello {{1}}") == template_id  # replaced, same id


async def test_seedless_emulator(aiohttp_client, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    emulator = Emulator(seed=False, clock=clock)
    api = Api(await aiohttp_client(emulator.app), emulator)
    assert (await api.get("/templates")).data == []
    assert (await api.get("/statuses")).data == []
    reply = await api.post("/messages/text", {"phone": "+15551234567", "message": "x"})
    assert reply.status == 422  # no defaults to auto-create the contact with
