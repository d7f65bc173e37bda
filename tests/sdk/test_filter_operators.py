"""The SDK sends every documented filter (upstream-v2.md §2.7's table, declared by the spec: see
tests/spec/test_filter_operators.py) and the emulator answers it; a filter outside the table is
refused before sending. Before, `filter[status_id][gte]`, `[between]`, `[null]` on the contact
ids, any operator on `group_id` and messages' `filter[direction][in]` were refused by the SDK
although the API takes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import wacr
from tests.spec._patterns import EXAMPLES
from tests.spec.test_filter_operators import DOCUMENTED, FULL, documented, parameter
from wacr._operations import OPERATIONS
from wacr.testing import Emulator

LISTS = sorted(DOCUMENTED)


def _lister(client: wacr.Client, op_id: str) -> Callable[..., Any]:
    return getattr(client, op_id.removesuffix("_list")).list  # type: ignore[no-any-return]


def _argument(schema: dict[str, Any]) -> Any:
    """A Python value of the parameter's kind: an int, a flag, a list for a comma list, or text."""
    if schema.get("enum") == ["true", "false"]:
        return True
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("type") == "integer":
        return 2
    if "pattern" in schema:
        text = EXAMPLES[schema["pattern"]]
        items = text.split(",")
        return [int(i) for i in items] if all(i.isdigit() for i in items) else text
    return "a"


@pytest.mark.parametrize("op_id", LISTS)
async def test_every_documented_filter_is_sent_and_answered(
    op_id: str, emu: Emulator, api: wacr.Client
) -> None:
    fields, operators = DOCUMENTED[op_id]
    for field in fields:
        for operator in operators:
            name = parameter(field, operator)
            value = _argument(OPERATIONS[op_id].query[name])
            filters = {field: value if operator == "eq" else {operator: value}}
            await _lister(api, op_id)(filters=filters)
            seen = emu.received[-1]
            assert seen.status == 200 and name in seen.query, (name, value, seen)


@pytest.mark.parametrize("op_id", LISTS)
async def test_a_filter_outside_the_table_is_refused_before_sending(
    op_id: str, emu: Emulator, api: wacr.Client
) -> None:
    fields, _ = DOCUMENTED[op_id]
    for field in fields:
        for operator in set(FULL) - {"eq"}:
            if parameter(field, operator) in documented(op_id):
                continue
            with pytest.raises(wacr.ValidationError) as caught:
                _lister(api, op_id)(filters={field: {operator: "1"}})
            assert caught.value.status is None
            assert parameter(field, operator) in caught.value.errors
    assert emu.received == []
