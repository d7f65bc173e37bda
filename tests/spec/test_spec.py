"""The OpenAPI spec is valid, complete (44 operations) and says what is documented and what is assumed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "wacr-v2.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
METHODS = {"get", "post", "patch", "put", "delete"}
OPERATIONS = [
    (path, method, op)
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
    if method in METHODS
]
OP_IDS = [op["operationId"] for _, _, op in OPERATIONS]

# design.md's public methods, as operationIds.
EXPECTED = {
    "account_get", "account_usage", "account_limits",
    "auth_send_otp", "auth_resend_otp", "auth_verify_otp", "auth_otp_status", "auth_list_templates",
    "comments_list", "comments_add",
    "contacts_list", "contacts_create", "contacts_get", "contacts_update", "contacts_delete",
    "contacts_batch_create", "contacts_batch_delete",
    "groups_list", "groups_create", "groups_get", "groups_update", "groups_delete",
    "groups_add_contacts", "groups_remove_contacts",
    "messages_send_text", "messages_send_template", "messages_send_media", "messages_send_interactive",
    "messages_send_cta",
    "messages_list", "messages_get",
    "sources_list", "sources_create", "sources_get", "sources_update", "sources_delete",
    "statuses_list", "statuses_create", "statuses_get", "statuses_update", "statuses_delete",
    "templates_list", "templates_get", "templates_sync",
}  # fmt: skip
DOCUMENTED_CODES = {
    401: {"UNAUTHORIZED"},
    403: {"INSUFFICIENT_SCOPE", "FEATURE_LIMIT_EXCEEDED", "FEATURE_NOT_AVAILABLE", "CONTACT_OPTED_OUT"},
    404: {"NOT_FOUND", "RESOURCE_NOT_FOUND"},
    409: {"RESOURCE_CONFLICT"},
    422: {
        "VALIDATION_ERROR", "WHATSAPP_NOT_CONFIGURED", "INVALID_MEDIA_TYPE",
        "OTP_NOT_FOUND", "OTP_EXPIRED", "MAX_ATTEMPTS_EXCEEDED", "INVALID_CODE",
    },
    429: {"RATE_LIMIT_EXCEEDED"},
    500: {"MESSAGE_SEND_FAILED", "INTERNAL_ERROR"},
}  # fmt: skip
SCHEMA_KEYWORDS = {
    "type", "description", "enum", "items", "properties", "required", "additionalProperties",
    "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems", "format",
    "default", "anyOf", "allOf", "oneOf", "$ref", "const", "title",
}  # fmt: skip


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_spec_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_all_44_operations_are_there_named_after_the_sdk_methods() -> None:
    assert len(OP_IDS) == 44
    assert len(set(OP_IDS)) == 44
    assert set(OP_IDS) == EXPECTED


def test_servers_cover_both_brands_and_bearer_auth() -> None:
    urls = [s["url"] for s in SPEC["servers"]]
    assert "https://app.wa.cr/api/v2" in urls
    assert "https://getrasl.io/api/v2" in urls
    assert SPEC["components"]["securitySchemes"]["bearerAuth"] == {
        **SPEC["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=OP_IDS)
def test_operation_is_complete(path: str, method: str, op: dict[str, Any]) -> None:
    tag_names = {t["name"] for t in SPEC["tags"]}
    assert op["tags"] and set(op["tags"]) <= tag_names
    assert op["summary"]
    # A reader can tell what the docs state and what is our assumption.
    assert "**Documented" in op["description"], op["operationId"]
    assert "**Assumed" in op["description"], op["operationId"]
    # ... and where the upstream export is a source (or, for Comments, says nothing).
    assert "upstream export" in op["description"].lower(), op["operationId"]
    assert "x-required-scope" in op
    assert op["x-scope-evidence"] in {"documented", "inferred", "none"}
    scope = op["x-required-scope"]
    if op["x-scope-evidence"] == "none":
        assert scope is None
    else:
        assert re.fullmatch(r"[a-z]+:(read|write|delete|send|sync)", scope), scope
    # Path parameters are declared.
    declared = [resolve(p) for p in [*SPEC["paths"][path].get("parameters", []), *op.get("parameters", [])]]
    assert {p["name"] for p in declared if p["in"] == "path"} == set(re.findall(r"{(\w+)}", path))


@pytest.mark.parametrize(("path", "method", "op"), OPERATIONS, ids=OP_IDS)
def test_operation_has_a_typed_2xx_and_its_documented_errors(
    path: str, method: str, op: dict[str, Any]
) -> None:
    responses = op["responses"]
    success = [code for code in responses if code.startswith("2")]
    assert success
    for code in success:
        schema = responses[code]["content"]["application/json"]["schema"]
        assert "$ref" in schema
        target = resolve(schema)
        parts = [target, *[resolve(p) for p in target.get("allOf", [])]]
        data = next((p["properties"]["data"] for p in parts if "data" in p.get("properties", {})), None)
        if data is None:  # the documented flat answer of Add Comment
            assert op["operationId"] == "comments_add"
            continue
        if schema["$ref"].endswith("/DeletedEnvelope"):
            assert method == "delete"
        elif data.get("type") == "array":
            assert "$ref" in data["items"]
        else:
            assert "$ref" in data, op["operationId"]
    errors = {int(code) for code in responses if code[0] in "45"}
    assert any(400 <= code < 500 for code in errors)
    assert 401 in errors
    for code in errors:
        assert resolve(responses[str(code)])["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorEnvelope"
        }
    codes = {int(k): v for k, v in op["x-error-codes"].items()}
    assert set(codes) == errors, op["operationId"]
    for status, names in codes.items():
        assert set(names) <= DOCUMENTED_CODES[status], (op["operationId"], status)
    if op["x-required-scope"] is not None:
        assert "INSUFFICIENT_SCOPE" in codes[403]


def test_every_schema_uses_only_known_keywords() -> None:
    """Catches YAML slips such as an unquoted comma splitting a flow-mapping description."""

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            is_schema = path.rsplit("/", 1)[-1] not in {"properties", "schemas"}
            for key, value in node.items():
                if key.startswith("x-"):
                    continue
                if is_schema:
                    assert key in SCHEMA_KEYWORDS, f"{path}: unknown keyword {key!r}"
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(SPEC["components"]["schemas"], "schemas")
    for _path, _method, op in OPERATIONS:
        for param in op.get("parameters", []):
            walk(param.get("schema", {}), f"{op['operationId']}/{param.get('name')}")


def test_response_schemas_allow_unknown_properties_and_requests_do_not() -> None:
    schemas = SPEC["components"]["schemas"]
    for name, schema in schemas.items():
        parts = [schema, *schema.get("allOf", [])]
        for part in parts:
            if part.get("type") != "object":
                continue
            if name.endswith("Request") or name in {
                "BatchContact", "BatchOptions", "MediaContactDetails",
                "InteractiveButton", "InteractiveRow", "InteractiveSection",
            }:  # fmt: skip
                assert part.get("additionalProperties") is False, name
            else:
                assert part.get("additionalProperties", True) is not False, name


def test_timestamps_are_date_time() -> None:
    for name, schema in SPEC["components"]["schemas"].items():
        for part in [schema, *schema.get("allOf", [])]:
            for field, prop in part.get("properties", {}).items():
                if field.endswith("_at") or field == "timestamp":
                    assert prop.get("format") == "date-time", f"{name}.{field}"


def test_webhooks_section_has_the_nine_events() -> None:
    events = {f"{r}.{a}" for r in ("contact", "source", "status") for a in ("created", "updated", "deleted")}
    assert set(SPEC["webhooks"]) == events
    for event in events:
        body = SPEC["webhooks"][event]["post"]["requestBody"]["content"]["application/json"]["schema"]
        # Each event has its own model (ContactCreatedEvent, ...), built on the shared WebhookPayload.
        resource, action = event.split(".")
        name = f"{resource.title()}{action.title()}Event"
        assert body == {"$ref": f"#/components/schemas/{name}"}
        assert resolve(body)["allOf"] == [{"$ref": f"#/components/schemas/{resource.title()}Event"}]


def test_list_operations_document_pagination_parameters() -> None:
    for _path, _method, op in OPERATIONS:
        if (
            not op["operationId"].endswith(("_list", "list_templates"))
            or op["operationId"] == "comments_list"
        ):
            continue
        names = {resolve(p)["name"] for p in op.get("parameters", [])}
        assert {"page", "per_page", "sort", "search", "q"} <= names, op["operationId"]
        per_page = next(resolve(p) for p in op["parameters"] if resolve(p)["name"] == "per_page")
        assert per_page["schema"]["maximum"] == 100
