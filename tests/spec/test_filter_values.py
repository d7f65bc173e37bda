"""A filter on a field with documented values takes those values only: the exact and `ne`
operators the field's enum, `in` and `not_in` a comma list of its values (one approach for every
such filter, so the client refuses a typo before sending)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.spec.test_spec import SPEC

SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
# (path, field, the component schema of its values)
ENUM_FILTERS = [
    ("/contacts", "type", "ContactType"),
    ("/templates", "status", "TemplateStatus"),
    ("/templates", "category", "TemplateCategory"),
    ("/messages", "type", "MessageType"),
    ("/messages", "status", "MessageStatus"),
]


def _filters(path: str) -> dict[str, Any]:
    params = SPEC["paths"][path]["get"]["parameters"]
    return {p["name"]: p["schema"] for p in params if "name" in p and p["name"].startswith("filter[")}


@pytest.mark.parametrize(("path", "field", "component"), ENUM_FILTERS)
def test_a_filter_with_documented_values_takes_only_those(path: str, field: str, component: str) -> None:
    values = SCHEMAS[component]["enum"]
    one = "|".join(map(re.escape, values))
    filters = _filters(path)
    for op in ("", "[ne]", "[gte]", "[lte]", "[gt]", "[lt]"):
        if f"filter[{field}]{op}" in filters:
            assert filters[f"filter[{field}]{op}"] == {"$ref": f"#/components/schemas/{component}"}
    for op in ("[in]", "[not_in]"):
        assert filters[f"filter[{field}]{op}"] == {
            "type": "string",
            "maxLength": 255,
            "pattern": f"^({one})(,({one}))*$",
        }
    if f"filter[{field}][between]" in filters:
        assert filters[f"filter[{field}][between]"]["pattern"] == f"^({one}),({one})$"


def test_the_message_direction_filter_takes_inbound_and_outbound_only() -> None:
    # upstream's List Messages: `filter[direction]` is `inbound` or `outbound`, with exact, ne, in, not_in
    filters = _filters("/messages")
    for op in ("", "[ne]"):
        assert filters[f"filter[direction]{op}"] == {"type": "string", "enum": ["inbound", "outbound"]}
    for op in ("[in]", "[not_in]"):
        assert filters[f"filter[direction]{op}"] == {
            "type": "string",
            "maxLength": 255,
            "pattern": "^(inbound|outbound)(,(inbound|outbound))*$",
        }


def test_the_message_filters_have_the_documented_values() -> None:
    # upstream's List Messages: the values of `filter[type]` and `filter[status]`
    assert SCHEMAS["MessageType"]["enum"] == [
        "text",
        "template",
        "image",
        "video",
        "document",
        "audio",
        "interactive",
    ]
    assert SCHEMAS["MessageStatus"]["enum"] == ["sent", "delivered", "read", "failed"]
