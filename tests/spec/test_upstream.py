"""The spec carries every fact the upstream API v2 export settled, and the generated code follows it."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest

from wacr import models
from wacr._operations import OPERATIONS
from wacr._validate import validate

from .test_spec import OPERATIONS as SPEC_OPERATIONS
from .test_spec import SPEC, resolve

OPS: dict[str, tuple[str, str, dict[str, Any]]] = {
    op["operationId"]: (p, m, op) for p, m, op in SPEC_OPERATIONS
}
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
FULL_OPERATORS = {"gte", "lte", "gt", "lt", "ne", "like", "in", "not_in", "between", "null"}


def _query_names(op_id: str) -> set[str]:
    op = OPS[op_id][2]
    return {resolve(p)["name"] for p in op.get("parameters", []) if resolve(p)["in"] == "query"}


def _filters(op_id: str) -> dict[str, set[str]]:
    """filter field -> its operators ("" for the exact match)."""
    out: dict[str, set[str]] = {}
    for name in _query_names(op_id):
        match = re.fullmatch(r"filter\[(\w+)\](?:\[(\w+)\])?", name)
        if match:
            out.setdefault(match[1], set()).add(match[2] or "")
    return out


def _properties(name: str) -> dict[str, Any]:
    schema = SCHEMAS[name]
    props: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(resolve(part).get("properties", {}))
    return props


def test_the_cta_operation() -> None:
    path, method, op = OPS["messages_send_cta"]
    assert (path, method) == ("/messages/cta", "post")
    assert op["x-required-scope"] == "messages:send"
    body = SCHEMAS["SendCtaRequest"]
    assert body["required"] == ["phone", "message", "button_text", "button_url"]
    props = body["properties"]
    assert (props["phone"]["minLength"], props["phone"]["maxLength"]) == (10, 15)
    assert props["message"]["maxLength"] == 1024
    assert props["button_text"]["maxLength"] == 25
    assert (props["button_url"]["maxLength"], props["button_url"]["format"]) == (2048, "uri")
    assert props["header_text"]["maxLength"] == props["footer_text"]["maxLength"] == 60
    assert set(props) == {
        "phone",
        "message",
        "button_text",
        "button_url",
        "header_text",
        "footer_text",
        "contact_id",
    }
    result = _properties("CtaMessageResult")
    assert {"message_id", "contact_id", "phone", "status", "sent_at", "chat_id", "chat_message_id"} <= set(
        result
    )
    assert {"button_text", "button_url"} <= set(result)
    assert OPERATIONS["messages_send_cta"].data_model == "CtaMessageResult"
    assert {a.name for a in attrs.fields(models.CtaMessageResult)} >= {
        "button_text",
        "button_url",
        "message_id",
    }


def test_pagination_meta_has_the_upstream_keys() -> None:
    props = SCHEMAS["Pagination"]["properties"]
    assert {"total", "count", "per_page", "current_page", "total_pages", "has_more"} <= set(props)
    assert "Not sent upstream" in props["last_page"]["description"]  # kept only to read other servers
    assert {a.name for a in attrs.fields(models.Pagination)} >= {"count", "total_pages"}


def test_error_envelope_has_no_top_level_message() -> None:
    envelope = SCHEMAS["ErrorEnvelope"]
    assert "message" not in envelope["properties"]
    assert envelope["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    assert {"code", "message", "details"} <= set(SCHEMAS["ErrorDetail"]["properties"])
    assert "no top-level `message`" in envelope["description"]


def test_error_details_is_an_object_read_tolerantly() -> None:
    # upstream-v2.md §2.5: "`error.details` is an object" (the template has `{}`); the SDK still
    # reads a null or a list from another server without failing, and says so.
    details = SCHEMAS["ErrorDetail"]["properties"]["details"]
    assert {key: value for key, value in details.items() if key != "description"} == {
        "type": "object",
        "additionalProperties": True,
    }
    assert "`null` or a list" in details["description"] and "tolerantly" in details["description"]


def test_send_otp_code_is_optional_6_digits_and_the_answer_says_whether_it_was_generated() -> None:
    request = SCHEMAS["SendOtpRequest"]
    assert "code" not in request["required"]
    code = request["properties"]["code"]
    assert (code["minLength"], code["maxLength"], code["pattern"]) == (6, 6, "^[0-9]{6}$")
    result = SCHEMAS["OtpSendResult"]["properties"]
    assert result["code_auto_generated"]["type"] == "boolean"
    assert "code" in result
    assert OPS["auth_send_otp"][2]["x-error-codes"]["404"] == ["RESOURCE_NOT_FOUND", "NOT_FOUND"]
    description = OPS["auth_send_otp"][2]["description"]
    assert "**Conflict:**" in description and "WA.cr" in description  # stated, not hidden


def test_template_sync_answer() -> None:
    props = SCHEMAS["TemplateSyncResult"]["properties"]
    assert set(props) == {"synced_count", "templates"}
    assert props["templates"]["items"] == {"$ref": "#/components/schemas/Template"}
    assert OPS["templates_sync"][2]["x-error-codes"]["422"] == ["WHATSAPP_NOT_CONFIGURED"]


@pytest.mark.parametrize("resource", ["sources", "statuses"])
def test_source_and_status_deletes_need_write_and_answer_409_when_in_use(resource: str) -> None:
    op = OPS[f"{resource}_delete"][2]
    assert op["x-required-scope"] == f"{resource}:write"
    assert op["x-error-codes"]["409"] == ["RESOURCE_CONFLICT"]
    assert op["responses"]["409"] == {"$ref": "#/components/responses/Conflict"}
    assert "contacts_count" in SPEC["components"]["responses"]["Conflict"]["description"]
    # Groups and contacts keep a delete scope of their own.
    assert OPS["groups_delete"][2]["x-required-scope"] == "groups:delete"
    assert OPS["contacts_delete"][2]["x-required-scope"] == "contacts:delete"


def test_new_error_codes_sit_on_the_operations_that_return_them() -> None:
    codes = {op_id: op["x-error-codes"] for op_id, (_, _, op) in OPS.items()}
    assert "INVALID_MEDIA_TYPE" in codes["messages_send_media"]["422"]
    assert "FEATURE_NOT_AVAILABLE" in codes["messages_send_template"]["403"]
    assert codes["messages_send_template"]["404"] == ["NOT_FOUND"]
    where = {
        code: {op_id for op_id, table in codes.items() if any(code in names for names in table.values())}
        for code in ("RESOURCE_NOT_FOUND", "RESOURCE_CONFLICT", "INVALID_MEDIA_TYPE")
    }
    assert where == {
        "RESOURCE_NOT_FOUND": {"auth_send_otp", "auth_resend_otp"},  # resend runs send-otp's logic
        "RESOURCE_CONFLICT": {"sources_delete", "statuses_delete"},
        "INVALID_MEDIA_TYPE": {"messages_send_media"},
    }


@pytest.mark.parametrize("op_id", ["groups_list", "sources_list", "statuses_list"])
def test_groups_sources_statuses_filter_created_at_with_every_operator(op_id: str) -> None:
    assert _filters(op_id) == {"created_at": {"", *FULL_OPERATORS}}


def test_contacts_filters() -> None:
    filters = _filters("contacts_list")
    assert set(filters) == {"type", "status_id", "source_id", "assigned_id", "created_at", "group_id"}
    assert filters["created_at"] == {"", *FULL_OPERATORS}
    assert filters["type"] >= {"", "ne", "in", "not_in", "like"}


def test_messages_filters_and_no_created_at() -> None:
    filters = _filters("messages_list")
    assert set(filters) == {"type", "status", "interaction_id", "direction"}
    assert filters["type"] == filters["status"] == filters["interaction_id"] == {"", "ne", "in", "not_in"}
    assert not any("created_at" in name for name in OPERATIONS["messages_list"].query)


def test_templates_filters() -> None:
    expected = {"", "like", "ne", "in", "not_in", "null"}
    assert _filters("templates_list") == {"status": expected, "category": expected, "language": expected}


def test_contacts_fields_rule_and_tenant_id() -> None:
    fields = SPEC["components"]["parameters"]["ContactFields"]
    always = re.findall(r"`(\w+)`", fields["description"].split("fields (", 1)[1].split(")", 1)[0])
    assert len(always) == 21 and "tenant_id" in always
    contact = set(SCHEMAS["Contact"]["properties"])
    assert set(always) <= contact  # a partial answer still parses into Contact
    assert "fields" in _query_names("contacts_list")
    assert any(
        p == {"$ref": "#/components/parameters/ContactFields"} for p in OPS["contacts_list"][2]["parameters"]
    )
    assert SCHEMAS["Contact"]["properties"]["tenant_id"]["type"] == ["integer", "null"]


def test_batch_items_take_group_id_and_addedfrom_and_the_create_phone_rule() -> None:
    item = SCHEMAS["BatchContact"]["properties"]
    assert item["group_id"] == {
        **item["group_id"],
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
    }
    assert item["addedfrom"]["type"] == "integer"
    create = SCHEMAS["CreateContactRequest"]["properties"]
    assert item["phone"] == create["phone"] == SCHEMAS["UpdateContactRequest"]["properties"]["phone"]
    phone = resolve(item["phone"])
    # Documented: max 20 and unique, no minimum and no format (F2 of the fidelity review).
    assert {key: value for key, value in phone.items() if key != "description"} == {
        "type": "string",
        "maxLength": 20,
    }
    body = OPERATIONS["contacts_batch_create"].body
    assert body is not None
    rule = body["properties"]["contacts"]["items"]["properties"]["phone"]
    assert rule == OPERATIONS["contacts_create"].body["properties"]["phone"]  # type: ignore[index]
    item = {"firstname": "A", "lastname": "B", "type": "lead", "source_id": 1, "status_id": 1}
    for phone in ("12", "5551234", "ext. 12345678", "1" * 20):  # the API takes these
        assert validate(body, {"contacts": [{**item, "phone": phone}]}) == {}, phone
    assert "contacts.0.phone" in validate(body, {"contacts": [{**item, "phone": "1" * 21}]})


def test_rate_limit_headers_on_every_answer() -> None:
    names = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
    for op_id, (_, _, op) in OPS.items():
        for status, response in op["responses"].items():
            assert names <= set(resolve(response).get("headers", {})), (op_id, status)
    assert SPEC["components"]["headers"]["RateLimitReset"]["schema"]["type"] == "integer"
    assert "Unix time" in SPEC["components"]["headers"]["RateLimitReset"]["description"]


def test_x_api_key_is_a_second_security_scheme() -> None:
    scheme = SPEC["components"]["securitySchemes"]["apiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-Key")
    assert {"bearerAuth": []} in SPEC["security"] and {"apiKeyAuth": []} in SPEC["security"]


def test_every_string_query_parameter_is_bounded() -> None:
    for op_id, op in OPERATIONS.items():
        for name, schema in {**op.query, **op.path_params}.items():
            if schema.get("type") == "string" and "enum" not in schema:
                assert 0 < schema.get("maxLength", 0) <= 2000, (op_id, name)


LINKED = {
    "contacts_create": {"contacts_get", "contacts_update", "contacts_delete"},
    "groups_create": {
        "groups_get", "groups_update", "groups_delete", "groups_add_contacts", "groups_remove_contacts",
    },
    "sources_create": {"sources_get", "sources_update", "sources_delete"},
    "statuses_create": {"statuses_get", "statuses_update", "statuses_delete"},
    "messages_send_text": {"messages_get"},
    "messages_send_template": {"messages_get"},
    "messages_send_media": {"messages_get"},
    "messages_send_interactive": {"messages_get"},
    "messages_send_cta": {"messages_get"},
}  # fmt: skip


@pytest.mark.parametrize("op_id", sorted(LINKED))
def test_links_let_ids_flow_from_creates_to_reads_updates_and_deletes(op_id: str) -> None:
    responses = OPS[op_id][2]["responses"]
    for status in (s for s in responses if s.startswith("2")):
        links = {name: resolve(link) for name, link in responses[status]["links"].items()}
        assert {link["operationId"] for link in links.values()} == LINKED[op_id]
        for link in links.values():
            ((param, expression),) = link["parameters"].items()
            assert param == "id"
            # The expression points at a field the answer's model has.
            field = expression.removeprefix("$response.body#/data/")
            data = OPERATIONS[op_id].data_model
            assert data is not None and field in {a.name for a in attrs.fields(getattr(models, data))}


def test_every_operation_names_its_upstream_source_and_states_conflicts() -> None:
    conflicts = {op_id for op_id, (_, _, op) in OPS.items() if "**Conflict:**" in op["description"]}
    # The three points where the export contradicts WA.cr outright, and the template 404.
    assert conflicts >= {"auth_send_otp", "auth_verify_otp", "templates_get", "messages_send_template"}
