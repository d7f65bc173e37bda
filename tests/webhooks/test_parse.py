"""parse_event: typed models per documented event, the documented example, leniency, and errors."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

import wacr
from wacr import models, webhooks

from .conftest import DOCUMENTED_EXAMPLE, event_body

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml").read_text())
NINE = [f"{r}.{a}" for r in ("contact", "source", "status") for a in ("created", "updated", "deleted")]
RESOURCE_CLASS = {
    "contact": webhooks.ContactEvent,
    "source": webhooks.SourceEvent,
    "status": webhooks.StatusEvent,
}


def test_event_types_table_follows_the_spec_webhooks_section() -> None:
    from_spec = {
        name: item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        for name, item in SPEC["webhooks"].items()
    }
    assert {name: cls.__name__ for name, cls in webhooks.EVENT_TYPES.items()} == from_spec
    for cls in webhooks.EVENT_TYPES.values():
        assert cls is getattr(models, cls.__name__)  # the generated class, not a copy


@pytest.mark.parametrize("event_type", NINE)
def test_each_documented_event_parses_into_its_own_class(event_type: str) -> None:
    body = event_body(event_type)
    event = webhooks.parse_event(orjson.dumps(body))
    assert type(event) is webhooks.EVENT_TYPES[event_type]
    resource = event_type.split(".")[0]
    assert isinstance(event, RESOURCE_CLASS[resource])
    assert isinstance(event, webhooks.ResourceEvent)
    assert isinstance(event, webhooks.WebhookPayload)
    assert event.event.type == event_type
    assert event.event.id == "evt_1767225600_a1b2c3"
    assert event.data.resource.type == resource
    assert event.data.resource.id == 7
    assert event.data.resource.attributes == body["data"]["resource"]["attributes"]
    assert event.changes.previous == body["changes"]["previous"]
    assert event.changes.current == body["changes"]["current"]
    assert event.changes.modified_fields == body["changes"]["modified_fields"]


def test_the_documented_example_parses_with_its_quirks() -> None:
    event = webhooks.parse_event(orjson.dumps(DOCUMENTED_EXAMPLE))
    assert isinstance(event, webhooks.ContactCreatedEvent)
    assert event.event.id == "evt_1702468200_abc123"
    assert event.event.version == "1.0"
    assert event.event.timestamp == datetime(2025, 12, 12, 14, 30, tzinfo=timezone.utc)
    assert (event.tenant.id, event.tenant.name, event.tenant.domain) == (123, "Acme Corporation", "acme")
    attributes = event.data.resource.attributes
    assert attributes["type"] == "individual"  # outside the contact type enum, kept as is
    assert attributes["country_id"] == 1 and attributes["city"] == "New York"
    assert event.changes.previous is None and event.changes.modified_fields is None
    assert event.metadata.source == "api_webhook_manager"
    assert event.metadata.request_id == "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-12-12T14:30:00.000Z", datetime(2025, 12, 12, 14, 30, tzinfo=timezone.utc)),
        ("2025-12-12T14:30:00+00:00", datetime(2025, 12, 12, 14, 30, tzinfo=timezone.utc)),
        ("2025-12-12T14:30:00.123456Z", datetime(2025, 12, 12, 14, 30, 0, 123456, tzinfo=timezone.utc)),
        ("2025-12-12T16:30:00+02:00", datetime(2025, 12, 12, 14, 30, tzinfo=timezone.utc)),
        ("2025-12-12T14:30:00", datetime(2025, 12, 12, 14, 30, tzinfo=timezone.utc)),  # naive means UTC
    ],
)
def test_timestamps_are_tz_aware_in_every_format(text: str, expected: datetime) -> None:
    body = event_body()
    body["event"]["timestamp"] = text
    timestamp = webhooks.parse_event(body).event.timestamp
    assert timestamp is not None and timestamp.utcoffset() is not None
    assert timestamp == expected
    if text.endswith("+02:00"):
        assert timestamp.utcoffset() == timedelta(hours=2)


def test_an_unknown_event_type_parses_into_the_generic_model_keeping_its_type() -> None:
    body = event_body("contact.merged")
    event = webhooks.parse_event(orjson.dumps(body))
    assert type(event) is webhooks.WebhookPayload
    assert event.event.type == "contact.merged"
    assert event.data is not None and event.data.resource is not None
    assert event.data.resource.attributes == body["data"]["resource"]["attributes"]


def test_the_generic_model_needs_only_the_event_header() -> None:
    event = webhooks.parse_event('{"event": {"id": "evt_1_x", "type": "ping"}}')
    assert type(event) is webhooks.WebhookPayload
    assert (event.event.id, event.event.type, event.tenant, event.data) == ("evt_1_x", "ping", None, None)


def test_extra_fields_pass_through() -> None:
    body = event_body("contact.updated")
    body["whatsapp"] = {"original_payload": {"entry": []}}  # a new top-level part
    body["event"]["source"] = "ui"
    body["tenant"]["plan"] = "pro"
    body["data"]["resource"]["attributes"]["loyalty_tier"] = "gold"
    body["data"]["relationships"] = {"groups": [{"id": 1, "name": "VIP"}]}
    body["changes"]["reason"] = "import"
    body["metadata"]["attempt"] = 2
    event = webhooks.parse_event(body)
    assert isinstance(event, webhooks.ContactUpdatedEvent)
    assert event.data.resource.attributes["loyalty_tier"] == "gold"  # open maps keep everything
    assert event.data.relationships == {"groups": [{"id": 1, "name": "VIP"}]}
    assert event.changes.modified_fields == ["name"]


def test_empty_maps_written_as_php_empty_arrays_read_as_dicts() -> None:
    body = event_body("contact.deleted")
    body["data"]["relationships"] = []
    body["changes"]["current"] = []
    body["data"]["resource"]["attributes"] = []
    original = copy.deepcopy(body)
    event = webhooks.parse_event(body)
    assert isinstance(event, webhooks.ContactDeletedEvent)
    assert event.changes.current == {}
    assert event.data.relationships == {}
    assert event.data.resource.attributes == {}
    assert body == original  # the caller's dict is left alone


def test_bytes_str_bytearray_and_dict_give_the_same_model() -> None:
    body = event_body("status.updated")
    raw = orjson.dumps(body)
    parsed = [webhooks.parse_event(x) for x in (raw, raw.decode(), bytearray(raw), memoryview(raw), body)]
    assert all(p == parsed[0] for p in parsed)


def _without(path: str) -> dict[str, Any]:
    body = event_body()
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    del node[last]
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "must be a JSON object, not an array"),
        (b"null", "must be a JSON object, not null"),
        (b'"contact.created"', "must be a JSON object, not a string"),
        (b"42", "must be a JSON object, not a number"),
        (b"{}", "event: required field missing"),
        (b'{"event": "contact.created"}', "event: expected object"),
        (b'{"event": {"type": "contact.created"}}', "event.id: required field missing"),
        (b'{"event": {"id": 5, "type": "x"}}', "event.id: expected string"),
        (b'{"event": {"id": "e", "type": "x", "timestamp": "yesterday"}}', "event.timestamp"),
        (orjson.dumps(_without("data")), "not a contact.created event: data: required field missing"),
        (orjson.dumps(_without("data.resource.id")), "data.resource.id: required field missing"),
        (orjson.dumps(_without("changes")), "changes: required field missing"),
        (orjson.dumps({**event_body(), "tenant": "acme"}), "tenant: expected object"),
        (5, "must be bytes, str or a mapping"),
    ],
)
def test_garbage_raises_webhook_error(body: Any, message: str) -> None:
    with pytest.raises(wacr.WebhookError) as caught:
        webhooks.parse_event(body)
    assert message in str(caught.value)
    assert not isinstance(caught.value, wacr.WebhookSignatureError)


def test_a_documented_event_with_a_string_id_is_rejected_not_guessed() -> None:
    body = event_body()
    body["data"]["resource"]["id"] = "456"
    with pytest.raises(wacr.WebhookError, match=r"data\.resource\.id: expected integer, got '456'"):
        webhooks.parse_event(body)
    # The generic model (an unknown type) takes string ids.
    body["event"]["type"] = "contact.archived"
    event = webhooks.parse_event(body)
    assert event.data is not None and event.data.resource is not None and event.data.resource.id == "456"


def test_parse_event_checks_the_signature_when_given_a_secret() -> None:
    raw = orjson.dumps(event_body())
    good = webhooks.sign(raw, "s3cret")
    assert isinstance(
        webhooks.parse_event(raw, secret="s3cret", signature=good), webhooks.ContactCreatedEvent
    )
    with pytest.raises(wacr.WebhookSignatureError, match="missing"):
        webhooks.parse_event(raw, secret="s3cret", signature=None)
    with pytest.raises(wacr.WebhookSignatureError, match="does not match"):
        webhooks.parse_event(raw, secret="other", signature=good)
    with pytest.raises(TypeError, match="raw body"):
        webhooks.parse_event(event_body(), secret="s3cret", signature=good)
