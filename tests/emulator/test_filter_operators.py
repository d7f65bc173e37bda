"""The emulator takes exactly the filters the spec declares (upstream-v2.md §2.7's table, see
tests/spec/test_filter_operators.py): every (field, operator) of a list answers 200 when declared
and 422 naming the operator when not. On contacts every field takes every operator, and the
answer is that operator's meaning over the stored contacts; on `group_id`, a list, a match is one
of the contact's group ids matching (`ne`/`not_in`: none of them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.emulator.conftest import Api, contact_body
from tests.spec._patterns import EXAMPLES
from tests.spec.test_filter_operators import DOCUMENTED, FULL, documented, parameter
from wacr._operations import OPERATIONS


def _value(schema: dict[str, Any]) -> str:
    """A value the parameter's schema takes, as query text."""
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return "1"
    if "pattern" in schema:
        return EXAMPLES[schema["pattern"]]
    return "a"


@pytest.mark.parametrize("op_id", sorted(DOCUMENTED))
async def test_the_emulator_takes_exactly_the_declared_filters(api: Api, op_id: str) -> None:
    op = OPERATIONS[op_id]
    fields, _ = DOCUMENTED[op_id]
    wrong = []
    for field in fields:
        plain = _value(op.query[parameter(field, "eq")])
        for operator in FULL:
            name = parameter(field, operator)
            declared = name in documented(op_id)
            value = _value(op.query[name]) if declared else plain
            reply = await api.get(op.path, params={name: value})
            if declared and reply.status != 200:
                wrong.append((name, value, reply.status, reply.text[:200]))
            if not declared and not (
                reply.status == 422
                and f"`{operator}` operator is not supported" in reply.details["filter"][0]
            ):
                wrong.append((name, value, reply.status, reply.text[:200]))
    assert wrong == []


# -- what the operators mean on contacts -----------------------------------------------------------
# Contacts with ids spread so that every comparison splits them: (status, source, assignee, groups).
ROWS: list[tuple[int, int, int | None, list[int]]] = [
    (1, 1, None, []),
    (2, 1, 3, [1]),
    (3, 2, 12, [2, 3]),
    (2, 3, 1, [3]),
    (1, 2, None, [1, 2, 3]),
    (3, 3, 21, []),
]
Pred = Callable[[Any, Any], bool]
SCALAR: dict[str, Pred] = {
    "eq": lambda have, x: have == int(x),
    "gte": lambda have, x: have >= int(x),
    "lte": lambda have, x: have <= int(x),
    "gt": lambda have, x: have > int(x),
    "lt": lambda have, x: have < int(x),
    "ne": lambda have, x: have != int(x),
    "like": lambda have, x: x in str(have),
    "in": lambda have, x: have in {int(i) for i in x.split(",")},
    "not_in": lambda have, x: have not in {int(i) for i in x.split(",")},
    "between": lambda have, x: int(x.split(",")[0]) <= have <= int(x.split(",")[1]),
}
VALUES = {
    "eq": ["1", "2", "3"],
    "gte": ["1", "2", "3", "4"],
    "lte": ["0", "1", "2", "3"],
    "gt": ["1", "2", "3"],
    "lt": ["1", "2", "3"],
    "ne": ["1", "3"],
    "like": ["1", "2"],
    "in": ["1", "1,3", "2,3"],
    "not_in": ["1", "1,3", "2,3"],
    "between": ["1,2", "2,3", "3,3", "3,1"],
    "null": ["true", "false"],
}


def _expected(field: str, operator: str, value: str, contact: dict[str, Any]) -> bool:
    have = contact[field]
    if operator == "null":
        return (have is None or have == []) == (value == "true")
    if field == "group_id":
        matches = [SCALAR[operator](member, value) for member in have]
        if operator in ("ne", "not_in"):  # not contained: none of the group ids is a value
            return all(matches)
        return any(matches)
    if have is None:  # SQL: NULL matches no comparison
        return False
    return SCALAR[operator](have, value)


async def test_every_contact_filter_operator_means_what_it_says(api: Api) -> None:
    for name in ("Two", "Three"):
        assert (await api.post("/statuses", {"name": name})).status == 201
        assert (await api.post("/sources", {"name": name})).status == 201
    for name in ("A", "B", "C"):
        assert (await api.post("/groups", {"name": name})).status == 201
    for index, (status, source, assignee, groups) in enumerate(ROWS):
        body = contact_body(
            phone=f"+2010000000{index:02d}", status_id=status, source_id=source, groups=groups
        )
        if assignee is not None:
            body["assigned_id"] = assignee
        assert (await api.post("/contacts", body)).status == 201, body
    contacts = (await api.get("/contacts", params={"per_page": "100"})).data
    assert [c["group_id"] for c in contacts] == [row[3] for row in ROWS]
    wrong = []
    for field in ("status_id", "source_id", "assigned_id", "group_id"):
        for operator in FULL:
            for value in VALUES[operator]:
                reply = await api.get(
                    "/contacts", params={parameter(field, operator): value, "per_page": "100"}
                )
                assert reply.status == 200, reply.text
                got = [c["id"] for c in reply.data]
                want = [c["id"] for c in contacts if _expected(field, operator, value, c)]
                if got != want:
                    wrong.append((parameter(field, operator), value, got, want))
    assert wrong == []


@pytest.mark.parametrize(
    ("name", "value", "types"),
    [
        ("filter[type][gte]", "guest", ["lead", "guest"]),
        ("filter[type][lt]", "guest", ["customer"]),
        ("filter[type][between]", "customer,guest", ["customer", "guest"]),
        ("filter[type][null]", "false", ["lead", "customer", "guest"]),
        ("filter[type][null]", "true", []),
    ],
)
async def test_the_type_comparisons_compare_the_text(
    api: Api, name: str, value: str, types: list[str]
) -> None:
    for index, kind in enumerate(("lead", "customer", "guest")):
        assert (
            await api.post("/contacts", contact_body(phone=f"+2010000001{index:02d}", type=kind))
        ).status == 201
    reply = await api.get("/contacts", params={name: value})
    assert [c["type"] for c in reply.data] == types


@pytest.mark.parametrize("direction", ["in", "not_in"])
async def test_messages_filter_on_a_list_of_directions(api: Api, direction: str) -> None:
    assert (await api.post("/messages/text", {"phone": "+201000000200", "message": "hi"})).status == 200
    api.emulator.receive_message("+201000000200", "hello")
    both = (await api.get("/messages", params={f"filter[direction][{direction}]": "inbound,outbound"})).data
    one = (await api.get("/messages", params={f"filter[direction][{direction}]": "inbound"})).data
    assert len(both) == (2 if direction == "in" else 0)
    assert [m["message"] for m in one] == (["hello"] if direction == "in" else ["hi"])
