"""The list filters the spec declares are exactly upstream-v2.md §2.7's per-resource table: each
resource's filter fields, each with every operator of its row (`eq` is `filter[field]`).

The spec used to declare a hand-picked subset on contacts (no ranges, `between` or `null` on the
ids, `group_id` exact only) and no `in`/`not_in` on messages' `direction`, so the SDK refused
documented filters before sending. The emulator's side is tests/emulator/test_filter_operators.py,
the SDK's tests/sdk/test_filter_operators.py.
"""

from __future__ import annotations

import pytest

from wacr._operations import OPERATIONS

FULL = ("eq", "gte", "lte", "gt", "lt", "ne", "like", "in", "not_in", "between", "null")
#: operation -> (its filter fields, their operators), as upstream-v2.md §2.7's table gives them.
DOCUMENTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "contacts_list": (("type", "status_id", "source_id", "assigned_id", "created_at", "group_id"), FULL),
    "messages_list": (("type", "status", "interaction_id", "direction"), ("eq", "ne", "in", "not_in")),
    "templates_list": (("status", "category", "language"), ("eq", "like", "ne", "in", "not_in", "null")),
    "groups_list": (("created_at",), FULL),
    "sources_list": (("created_at",), FULL),
    "statuses_list": (("created_at",), FULL),
}


def parameter(field: str, operator: str) -> str:
    """The query parameter of one filter (``eq`` is the bare ``filter[field]``)."""
    return f"filter[{field}]" if operator == "eq" else f"filter[{field}][{operator}]"


def documented(op_id: str) -> set[str]:
    fields, operators = DOCUMENTED[op_id]
    return {parameter(field, operator) for field in fields for operator in operators}


@pytest.mark.parametrize("op_id", sorted(DOCUMENTED))
def test_the_declared_filters_are_the_documented_ones(op_id: str) -> None:
    declared = {name for name in OPERATIONS[op_id].query if name.startswith("filter[")}
    assert sorted(declared - documented(op_id)) == [], "declared, not documented"
    assert sorted(documented(op_id) - declared) == [], "documented, not declared"


@pytest.mark.parametrize("op_id", sorted(DOCUMENTED))
def test_the_operators_of_one_field_take_values_of_its_kind(op_id: str) -> None:
    # One approach per kind: a comparison takes what the exact match takes; `in`/`not_in` a comma
    # list and `between` two values of it; `null` a flag; `like` a text.
    query = OPERATIONS[op_id].query
    fields, operators = DOCUMENTED[op_id]
    for field in fields:
        exact = query[parameter(field, "eq")]
        for operator in set(operators) & {"gte", "lte", "gt", "lt", "ne"}:
            assert query[parameter(field, operator)] == exact, (field, operator)
        if "null" in operators:
            assert query[parameter(field, "null")] == {"type": "string", "enum": ["true", "false"]}
        if "like" in operators:
            assert query[parameter(field, "like")]["type"] == "string"
        if exact.get("type") == "integer":
            for operator in set(operators) & {"in", "not_in"}:
                assert query[parameter(field, operator)]["pattern"] == r"^\d+(,\d+)*$"
            if "between" in operators:
                assert query[parameter(field, "between")]["pattern"] == r"^\d+,\d+$"
