"""Query arguments are taken as they are or refused: never read loosely, joined or converted.

Against the emulator over loopback: a refused call raises a ``ValidationError`` naming the field
and the rule and leaves the emulator's request log untouched; an accepted one reaches it with
its value exactly as given. The tables run over every operation and parameter of the spec that
the rule concerns (``wacr._operations``).
"""

from __future__ import annotations

import inspect
import re
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

import wacr
from wacr._operations import OPERATIONS
from wacr._query import LIST_OPERATORS, LIST_PARAMETERS, build_query
from wacr._validate import check_value
from wacr.testing import Emulator

INT64 = 2**63


def method(client: wacr.Client, op_id: str) -> Callable[..., Any]:
    section, _, name = op_id.partition("_")
    return getattr(getattr(client, section), name)  # type: ignore[no-any-return]


async def run(call: Callable[[], Any]) -> Any:
    result = call()
    return await result if inspect.isawaitable(result) else result


async def refused(emu: Emulator, call: Callable[[], Any]) -> dict[str, list[str]]:
    """The errors of a call refused before sending (nothing reached the emulator)."""
    before = len(emu.received)
    with pytest.raises(wacr.ValidationError) as caught:
        await run(call)
    assert caught.value.status is None
    assert len(emu.received) == before, "a refused call reached the server"
    return caught.value.errors


async def sent(emu: Emulator, call: Callable[[], Any]) -> dict[str, str]:
    """The query the emulator received for an accepted call (which it answered with a 2xx)."""
    before = len(emu.received)
    await run(call)
    assert len(emu.received) == before + 1
    seen = emu.received[-1]
    assert seen.status is not None and seen.status < 300, seen
    return seen.query


def _positional(op_id: str) -> tuple[Any, ...]:
    return tuple(1 for _ in OPERATIONS[op_id].path_params)


def _filter_call(name: str, value: Any) -> dict[str, Any]:
    field, _, operator = name[len("filter[") : -1].partition("][")
    return {"filters": {field: {operator: value} if operator else value}}


QUERY_OPS = sorted(op_id for op_id, op in OPERATIONS.items() if op.query)
INTEGER_FILTERS = [
    (op_id, name)
    for op_id in QUERY_OPS
    for name, schema in OPERATIONS[op_id].query.items()
    if name.startswith("filter[") and schema.get("type") == "integer"
]
ID_LISTS = [  # `in` / `not_in` of a field whose exact-match filter is an integer
    (op_id, name)
    for op_id, plain in INTEGER_FILTERS
    if plain.count("[") == 1
    for operator in sorted(LIST_OPERATORS - {"between"})
    if (name := f"{plain[:-1]}][{operator}]") in OPERATIONS[op_id].query
]
ID_RANGES = [  # `between` of a field whose exact-match filter is an integer: two ids, in order
    (op_id, name)
    for op_id, plain in INTEGER_FILTERS
    if plain.count("[") == 1 and (name := f"{plain[:-1]}][between]") in OPERATIONS[op_id].query
]
SCALARS = [  # every query argument of one value that is not a filter
    (op_id, name, schema)
    for op_id in QUERY_OPS
    for name, schema in OPERATIONS[op_id].query.items()
    if not name.startswith("filter[") and name not in LIST_PARAMETERS
]
EXACT_FILTERS = [
    (op_id, name, schema)
    for op_id in QUERY_OPS
    for name, schema in OPERATIONS[op_id].query.items()
    if re.fullmatch(r"filter\[\w+\]", name)
]
COMMA_LISTS = [
    (op_id, name) for op_id in QUERY_OPS for name in OPERATIONS[op_id].query if name in LIST_PARAMETERS
]
_ITEM = {"sort": "created_at", "include": "groups", "fields": "id"}
_ITEMS = {
    "sort": ["-created_at", "created_at"],
    "include": ["groups", "source"],
    "fields": ["id", "created_at"],
}
_OWN_ITEMS = {("messages_list", "fields"): ["id", "message"]}


def test_the_lists_are_build_querys_sequence_arguments() -> None:
    # LIST_PARAMETERS is what build_query's signature types as a sequence; the table covers them.
    typed = {name for name, note in build_query.__annotations__.items() if "Sequence" in str(note)}
    assert typed == LIST_PARAMETERS
    assert INTEGER_FILTERS and ID_LISTS and SCALARS and EXACT_FILTERS and COMMA_LISTS


# -- integers: the API's text form, within int64 ----------------------------------------------------

_NOT_INTEGER_TEXT = ["1_0", "\u0661", "\u00b2", " 1", "1 ", "+1", "1.0", "0x1", "1e3", "", "-", "--1", "1\n"]
_BEYOND = ["9223372036854775808", "-9223372036854775809", "9" * 5000, INT64, -INT64 - 1, 10**5000]
_GOOD_INTEGERS: list[tuple[Any, str]] = [
    ("1", "1"),
    ("007", "007"),
    ("-3", "-3"),
    ("9223372036854775807", "9223372036854775807"),
    (INT64 - 1, "9223372036854775807"),
    (-INT64, "-9223372036854775808"),
    (0, "0"),
]


@pytest.mark.parametrize(("op_id", "name"), INTEGER_FILTERS)
@pytest.mark.parametrize("value", _NOT_INTEGER_TEXT, ids=repr)
async def test_integer_filter_text_outside_the_apis_form_is_refused(
    op_id: str, name: str, value: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert errors == {
        name: [f"must be an integer: ASCII digits with an optional leading '-' (got {value!r})"]
    }


@pytest.mark.parametrize(("op_id", "name"), INTEGER_FILTERS)
@pytest.mark.parametrize(
    "value", _BEYOND, ids=lambda v: f"{type(v).__name__}-{v.bit_length() if isinstance(v, int) else v[:24]}"
)
async def test_integer_filters_beyond_int64_are_refused(
    op_id: str, name: str, value: Any, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    negative = value < 0 if isinstance(value, int) else value.startswith("-")
    bound = f"at least {-INT64}" if negative else f"at most {INT64 - 1}"
    assert errors == {name: [f"must be {bound} (got an integer beyond 64 bits)"]}


@pytest.mark.parametrize(("op_id", "name"), INTEGER_FILTERS)
@pytest.mark.parametrize(("value", "kind"), [(True, "bool"), (1.0, "float"), (b"1", "bytes"), ([1], "list")])
async def test_integer_filters_of_another_type_are_refused(
    op_id: str, name: str, value: Any, kind: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert errors[name][0].startswith(f"must be an integer, not {kind}")


@pytest.mark.parametrize(("op_id", "name"), INTEGER_FILTERS)
@pytest.mark.parametrize(("value", "text"), _GOOD_INTEGERS, ids=repr)
async def test_integer_filters_in_range_are_sent_as_given(
    op_id: str, name: str, value: Any, text: str, emu: Emulator, api: wacr.Client
) -> None:
    query = await sent(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert query[name] == text


@pytest.mark.parametrize(("op_id", "name"), ID_LISTS)
@pytest.mark.parametrize(
    ("value", "field", "rule"),
    [
        (["1", "1_0"], ".1", "must be an integer: ASCII digits"),
        ("1,+2", ".1", "must be an integer: ASCII digits"),
        ("1,\u0662", ".1", "must be an integer: ASCII digits"),
        ([1, INT64], ".1", "(got an integer beyond 64 bits)"),
        ({1, 10**5000}, "", "(got an integer beyond 64 bits)"),
        ([1, True], ".1", "must be an integer, not bool"),
        ((i for i in [1]), "", "must be a string or a list, not generator"),
    ],
    ids=["list", "text-plus", "text-arabic", "2**63", "set-huge", "bool", "generator"],
)
async def test_id_lists_hold_integers_in_range(
    op_id: str, name: str, value: Any, field: str, rule: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert any(rule in message for message in errors[name + field]), errors


@pytest.mark.parametrize(("op_id", "name"), ID_LISTS)
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ([3, "1"], "3,1"),
        ((2, 1), "2,1"),
        ({3, 1, 2}, "1,2,3"),
        ("7,8", "7,8"),
        (range(1, 3), "1,2"),
        (5, "5"),
    ],
    ids=repr,
)
async def test_id_lists_are_sent(
    op_id: str, name: str, value: Any, text: str, emu: Emulator, api: wacr.Client
) -> None:
    query = await sent(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert query[name] == text


def test_every_integer_filter_with_a_list_operator_is_in_a_table() -> None:
    lists = {name for _, name in ID_LISTS + ID_RANGES}
    assert {
        f"{plain[:-1]}][{operator}]"
        for op_id, plain in INTEGER_FILTERS
        if plain.count("[") == 1
        for operator in LIST_OPERATORS
        if f"{plain[:-1]}][{operator}]" in OPERATIONS[op_id].query
    } == lists
    assert ID_RANGES  # contacts' id filters take `between` (upstream-v2.md §2.7)


@pytest.mark.parametrize(("op_id", "name"), ID_RANGES)
@pytest.mark.parametrize(
    ("value", "text"), [([3, "1"], "3,1"), ((1, 2), "1,2"), ("7,8", "7,8"), (range(4, 6), "4,5")], ids=repr
)
async def test_id_ranges_are_sent(
    op_id: str, name: str, value: Any, text: str, emu: Emulator, api: wacr.Client
) -> None:
    query = await sent(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert query[name] == text


@pytest.mark.parametrize(("op_id", "name"), ID_RANGES)
@pytest.mark.parametrize(
    ("value", "field", "rule"),
    [
        (["1", "1_0"], ".1", "must be an integer: ASCII digits"),
        ([1, INT64], ".1", "(got an integer beyond 64 bits)"),
        ([1, True], ".1", "must be an integer, not bool"),
        ({1, 2}, "", "must be a string or a list, not set"),  # a range has an order
        (5, "", "must match"),
    ],
    ids=["list", "2**63", "bool", "set", "one"],
)
async def test_id_ranges_hold_two_integers(
    op_id: str, name: str, value: Any, field: str, rule: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    assert any(rule in message for message in errors[name + field]), errors


_PATH_IDS = sorted(
    op_id for op_id, op in OPERATIONS.items() if op.path_params.get("id", {}).get("type") == "integer"
)
_REQUIRED: dict[str, dict[str, Any]] = {
    "groups_add_contacts": {"contact_ids": [1]},
    "groups_remove_contacts": {"contact_ids": [1]},
    **{f"{section}_update": {"name": "x"} for section in ("groups", "sources", "statuses")},
}


@pytest.mark.parametrize("op_id", _PATH_IDS)
@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (INT64, f"must be at most {INT64 - 1} (got an integer beyond 64 bits)"),
        (10**5000, f"must be at most {INT64 - 1} (got an integer beyond 64 bits)"),
        (-(10**5000), "must be at least 1 (got an integer beyond 64 bits)"),
        ("1", "must be an integer, not str"),
    ],
    ids=["2**63", "10**5000", "-10**5000", "text"],
)
async def test_path_ids_are_int64_and_never_written_out_huge(
    op_id: str, value: Any, rule: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(value, **_REQUIRED.get(op_id, {})))
    assert errors == {"id": [rule]}


@pytest.mark.parametrize(("op_id", "name", "schema"), [s for s in SCALARS if s[2].get("type") == "integer"])
@pytest.mark.parametrize("value", [INT64, 10**5000], ids=["2**63", "10**5000"])
async def test_page_arguments_beyond_int64_name_their_own_bound(
    op_id: str, name: str, schema: dict[str, Any], value: int, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **{name: value}))
    assert errors == {name: [f"must be at most {schema['maximum']} (got an integer beyond 64 bits)"]}


# -- one value where the spec has one value; a list only for the comma lists --------------------

_ONE_VALUE = {"integer": ("an integer", 5), "string": ("a string", "a")}


@pytest.mark.parametrize(("op_id", "name", "schema"), SCALARS, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("shape", [list, tuple, deque, set, frozenset, iter])
async def test_a_scalar_argument_takes_no_list(
    op_id: str,
    name: str,
    schema: dict[str, Any],
    shape: Callable[[Any], Any],
    emu: Emulator,
    api: wacr.Client,
) -> None:
    wanted, good = _ONE_VALUE[schema["type"]]
    value = shape([good])
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **{name: value}))
    assert errors == {name: [f"must be {wanted}, not {type(value).__name__}"]}


@pytest.mark.parametrize(("op_id", "name", "schema"), EXACT_FILTERS, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("shape", [list, tuple, frozenset])
async def test_an_exact_match_filter_takes_no_list(
    op_id: str,
    name: str,
    schema: dict[str, Any],
    shape: Callable[[Any], Any],
    emu: Emulator,
    api: wacr.Client,
) -> None:
    wanted = _ONE_VALUE[schema["type"]][0]
    value = shape(["1"])
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **_filter_call(name, value)))
    message = f"must be {wanted}, not {type(value).__name__}"
    if f"{name[:-1]}][in]" in OPERATIONS[op_id].query:
        message += " (a list goes with the in operator: {'in': [...]})"
    assert errors == {name: [message]}


@pytest.mark.parametrize(("op_id", "name"), COMMA_LISTS)
@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"x"}, "set"),
        (frozenset({"x"}), "frozenset"),
        ((i for i in ["x"]), "generator"),
        ({"x": 1}, "dict"),
        (5, "int"),
    ],
    ids=["set", "frozenset", "generator", "dict", "int"],  # stable ids (a generator's repr holds its address)
)
async def test_a_comma_list_says_what_it_takes(
    op_id: str, name: str, value: Any, kind: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **{name: value}))
    assert errors == {name: [f"must be a string or a list, not {kind}"]}


@pytest.mark.parametrize(("op_id", "name"), COMMA_LISTS)
async def test_a_comma_list_holds_strings(op_id: str, name: str, emu: Emulator, api: wacr.Client) -> None:
    errors = await refused(emu, lambda: method(api, op_id)(*_positional(op_id), **{name: [_ITEM[name], 1]}))
    assert errors == {f"{name}.1": ["must be a string, not int"]}


@pytest.mark.parametrize(("op_id", "name"), COMMA_LISTS)
@pytest.mark.parametrize("shape", [list, tuple, deque, ",".join])
async def test_a_comma_list_is_sent_joined(
    op_id: str, name: str, shape: Callable[[Any], Any], emu: Emulator, api: wacr.Client
) -> None:
    items = _OWN_ITEMS.get((op_id, name), _ITEMS[name])
    where = _positional(op_id)
    if op_id == "contacts_get":  # a contact to read
        source, status = (await api.sources.list()).items[0], (await api.statuses.list()).items[0]
        contact = await api.contacts.create(
            firstname="A",
            lastname="B",
            phone="+201000000001",
            type="lead",
            source_id=source.id,
            status_id=status.id,
        )
        where = (contact.id,)
    query = await sent(emu, lambda: method(api, op_id)(*where, **{name: shape(items)}))
    assert query[name] == ",".join(items)


async def test_between_takes_an_ordered_pair(emu: Emulator, api: wacr.Client) -> None:
    pair = {"2026-02-01", "2026-01-01"}  # a set has no order: "from,to" cannot come from it
    errors = await refused(emu, lambda: api.groups.list(filters={"created_at": {"between": pair}}))
    assert errors == {"filter[created_at][between]": ["must be a string or a list, not set"]}
    query = await sent(
        emu, lambda: api.groups.list(filters={"created_at": {"between": ("2026-01-01", "2026-02-01")}})
    )
    assert query["filter[created_at][between]"] == "2026-01-01,2026-02-01"


async def test_filters_that_are_not_a_mapping_are_refused_even_when_empty(
    emu: Emulator, api: wacr.Client
) -> None:
    value: Any
    for value in ([], "", ()):
        errors = await refused(emu, lambda: api.contacts.list(filters=value))  # noqa: B023
        assert errors == {"filters": ["must be a mapping of field names to values"]}


async def test_a_hostile_filter_key_is_named_without_writing_it_out(emu: Emulator, api: wacr.Client) -> None:
    hostile: dict[Any, Any] = {10**5000: 1}
    errors = await refused(emu, lambda: api.contacts.list(filters=hostile))
    assert list(errors) == ["filters.<int>"]


@pytest.mark.parametrize(
    ("value", "bound"), [(10**5000, "at most 60"), (-(10**5000), "at least 1")], ids=["huge", "-huge"]
)
async def test_a_body_integer_of_thousands_of_digits_names_its_bound(
    value: int, bound: str, emu: Emulator, api: wacr.Client
) -> None:
    # Python cannot write such an int out (its int-to-str limit): the rule says so instead.
    errors = await refused(
        emu,
        lambda: api.auth.send_otp(
            phone="+201000000000", template_name="otp_verification", language="en", expiry_minutes=value
        ),
    )
    assert errors == {"expiry_minutes": [f"must be {bound} (got an integer beyond 64 bits)"]}


def test_the_interpreter_words_every_rule_broken_by_a_huge_int_without_its_digits() -> None:
    errors: dict[str, list[str]] = {}
    for rule in ({"enum": [1, 2]}, {"maximum": 60}, {"minimum": 1}):
        value = -(10**5000) if "minimum" in rule else 10**5000
        check_value({"type": "integer", **rule}, value, next(iter(rule)), errors)
    assert errors == {
        "enum": ["must be one of 1, 2 (got an integer beyond 64 bits)"],
        "maximum": ["must be at most 60 (got an integer beyond 64 bits)"],
        "minimum": ["must be at least 1 (got an integer beyond 64 bits)"],
    }
