"""The generated argument checks (wacr._checks) say yes exactly when the interpreter finds nothing.

For every request body and every path/query parameter of the operation table, values are drawn
near the schema's rules (valid ones, values just past each limit, a pattern's match with a trailing
newline, wrong types, unknown fields, missing required ones) and the fast answer is compared with
``wacr._validate``'s messages; a text parameter's answer also with JSON Schema's own (jsonschema_rs).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wacr._checks import BODIES, PARAMETERS
from wacr._operations import OPERATIONS
from wacr._validate import accepts, body_check, check_value, json_schema_regex, validate

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def near(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values on both sides of each rule of ``schema``."""
    kind = schema.get("type")
    options: list[st.SearchStrategy[Any]] = [JSON]
    if "enum" in schema:
        options.append(st.sampled_from(schema["enum"]))
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 12)
        options.append(st.text(min_size=max(low - 1, 0), max_size=min(high + 1, 300)))
        if schema.get("format") == "email":
            options.append(st.sampled_from(["a@b.co", "a@b", "a b@c.d", "@b.co"]))
        if schema.get("format") == "uri":
            options.append(st.sampled_from(["https://x.io/a", "ftp://x.io", "http://", "https://a b"]))
        if "pattern" in schema:
            # Matches as JSON Schema reads the pattern, then with a trailing newline or space, then
            # as Python's `re` reads it.
            matching = st.from_regex(json_schema_regex(schema["pattern"]), fullmatch=True)
            options.append(matching)
            options.append(st.tuples(matching, st.sampled_from(["\n", "\r\n", " "])).map("".join))
            options.append(st.from_regex(schema["pattern"], fullmatch=True))
    elif kind in ("integer", "number"):
        low, high = schema.get("minimum", -5), schema.get("maximum", 5)
        options.append(st.integers(min_value=int(low) - 2, max_value=int(high) + 2))
        if kind == "number":
            options.append(st.floats(min_value=low - 1, max_value=high + 1))
    elif kind == "array" and depth < 3:
        item = near(schema.get("items", {}), depth + 1)
        low, high = schema.get("minItems", 0), schema.get("maxItems", 3)
        options.append(st.lists(item, min_size=max(low - 1, 0), max_size=min(high + 1, 6)))
    elif (kind == "object" or "properties" in schema) and depth < 3:
        options.append(objects(schema, depth + 1))
    return st.one_of(options)


def objects(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that fill some of the schema's fields, sometimes with a field it does not know."""
    properties: dict[str, Any] = schema.get("properties", {})
    fields = {name: near(sub, depth) for name, sub in properties.items()}
    extra = st.dictionaries(st.sampled_from(["unknown", *properties]), JSON, max_size=1)
    base = st.fixed_dictionaries({}, optional=fields) if fields else st.just({})
    return st.tuples(base, extra).map(lambda parts: {**parts[1], **parts[0]})


BODY_CASES = [op_id for op_id, op in OPERATIONS.items() if op.body is not None]
PARAM_CASES = [(op_id, name) for op_id, op in OPERATIONS.items() for name in {**op.path_params, **op.query}]
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_schema_of_the_table_has_its_generated_check() -> None:
    assert sorted(BODIES) == sorted(BODY_CASES)
    assert sorted(PARAMETERS) == sorted(PARAM_CASES)


@pytest.mark.parametrize("op_id", BODY_CASES)
def test_body_checks_agree_with_the_interpreter(op_id: str) -> None:
    schema = OPERATIONS[op_id].body
    assert schema is not None
    check = body_check(schema)
    assert check is BODIES[op_id]  # the generated function, not the interpreter

    @FAST
    @given(objects(schema))
    def agree(value: dict[str, Any]) -> None:
        assert check(value) == (validate(schema, value) == {}), value

    agree()


@pytest.mark.parametrize(("op_id", "name"), PARAM_CASES)
def test_parameter_checks_agree_with_the_interpreter(op_id: str, name: str) -> None:
    op = OPERATIONS[op_id]
    schema = {**op.path_params, **op.query}[name]

    @FAST
    @given(near(schema))
    def agree(value: Any) -> None:
        errors: dict[str, list[str]] = {}
        check_value(schema, value, name, errors)
        assert PARAMETERS[op_id, name](value) == (not errors), value
        assert accepts(schema, value) == (not errors), value
        if reference is not None:  # and both with JSON Schema itself (ECMA-262 patterns)
            assert reference.is_valid(value) == (not errors), value

    # A text parameter's keywords are all JSON Schema's own (no format: wacr's are its own; `\s`
    # is Python's, src/wacr/_validate.py).
    plain = (
        schema.get("type") == "string" and "format" not in schema and "\\s" not in schema.get("pattern", "")
    )
    reference = jsonschema_rs.validator_for(schema) if plain else None
    agree()
