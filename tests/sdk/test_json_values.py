"""Body values are JSON as given or refused: no set or generator read into a list, no object
converted to JSON on the encoder's own terms, no huge number written out.

Against the emulator over loopback, as tests/sdk/test_coercions.py: a refusal names the field and
the rule and nothing reaches the emulator; what is accepted arrives exactly as given.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import math
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

import wacr
from wacr import models
from wacr.testing import Emulator

from .test_coercions import refused, run

INT64 = 2**63
PHONE = "+201000000000"


async def body_sent(emu: Emulator, call: Callable[[], Any]) -> Any:
    """The JSON body the emulator received for an accepted call."""
    before = len(emu.received)
    await run(call)
    assert len(emu.received) == before + 1
    return emu.received[-1].json


# -- a list argument takes a list (or tuple, or another ordered Sequence), nothing else --------

_BUTTON = {"id": "a", "title": "A"}
_CONTACT: dict[str, Any] = {
    "firstname": "A",
    "lastname": "B",
    "phone": PHONE,
    "type": "lead",
    "source_id": 1,
    "status_id": 1,
}
# (method call taking the sequence, the field): every method typed Sequence[...] (resources/*.py).
SEQUENCE_ARGUMENTS: list[tuple[str, Callable[[wacr.Client, Any], Any], str]] = [
    ("groups.add_contacts", lambda c, v: c.groups.add_contacts(1, v), "contact_ids"),
    ("groups.remove_contacts", lambda c, v: c.groups.remove_contacts(1, v), "contact_ids"),
    ("contacts.batch_delete", lambda c, v: c.contacts.batch_delete(v), "ids"),
    ("contacts.batch_create", lambda c, v: c.contacts.batch_create(v), "contacts"),
    ("contacts.create", lambda c, v: c.contacts.create(**_CONTACT, groups=v), "groups"),
    ("contacts.update", lambda c, v: c.contacts.update(1, groups=v), "groups"),
    (
        "auth.send_otp",
        lambda c, v: c.auth.send_otp(phone=PHONE, template_name="t", additional_params=v),
        "additional_params",
    ),
    (
        "send_interactive buttons",
        lambda c, v: c.messages.send_interactive(phone=PHONE, type="button", body_text="?", buttons=v),
        "buttons",
    ),
    (
        "send_interactive sections",
        lambda c, v: c.messages.send_interactive(
            phone=PHONE, type="list", body_text="?", list_button_text="Open", sections=v
        ),
        "sections",
    ),
]
NOT_LISTS: list[tuple[str, Callable[[], Any], str]] = [
    ("set", lambda: {1, 2}, "set"),
    ("frozenset", lambda: frozenset({1}), "frozenset"),
    ("generator", lambda: (i for i in [1, 2]), "generator"),
    ("iterator", lambda: iter([1, 2]), "list_iterator"),
    ("dict keys", lambda: {1: 1}.keys(), "dict_keys"),
    ("dict values", lambda: {1: 1}.values(), "dict_values"),
    ("str", lambda: "12", "str"),
    ("bytes", lambda: b"\x01\x02", "bytes"),
    ("bytearray", lambda: bytearray(b"\x01"), "bytearray"),
    ("dict", lambda: {"a": 1}, "dict"),
]


@pytest.mark.parametrize(
    ("call", "field"), [a[1:] for a in SEQUENCE_ARGUMENTS], ids=[a[0] for a in SEQUENCE_ARGUMENTS]
)
@pytest.mark.parametrize(("make", "kind"), [n[1:] for n in NOT_LISTS], ids=[n[0] for n in NOT_LISTS])
async def test_a_list_argument_refuses_what_is_not_an_ordered_sequence(
    call: Callable[[wacr.Client, Any], Any],
    field: str,
    make: Callable[[], Any],
    kind: str,
    emu: Emulator,
    api: wacr.Client,
) -> None:
    errors = await refused(emu, lambda: call(api, make()))
    assert errors[field] == [f"must be a list, not {kind}"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c, v: c.contacts.batch_create([{**_CONTACT, "group_id": v}]), "contacts.0.group_id"),
        (
            lambda c, v: c.messages.send_interactive(
                phone=PHONE,
                type="list",
                body_text="?",
                list_button_text="Open",
                sections=[{"title": "S", "rows": v}],
            ),
            "sections.0.rows",
        ),
    ],
    ids=["batch group_id", "interactive rows"],
)
@pytest.mark.parametrize(("make", "kind"), [n[1:] for n in NOT_LISTS[:4]], ids=[n[0] for n in NOT_LISTS[:4]])
async def test_a_nested_list_refuses_the_same(
    call: Callable[[wacr.Client, Any], Any],
    field: str,
    make: Callable[[], Any],
    kind: str,
    emu: Emulator,
    api: wacr.Client,
) -> None:
    errors = await refused(emu, lambda: call(api, make()))
    assert errors[field] == [f"must be a list, not {kind}"]


@pytest.mark.parametrize("shape", [list, tuple, deque], ids=["list", "tuple", "deque"])
async def test_ordered_sequences_are_sent_in_their_order(
    shape: Callable[[Any], Any], emu: Emulator, api: wacr.Client
) -> None:
    source, status = (await api.sources.list()).items[0], (await api.statuses.list()).items[0]
    group = await api.groups.create(name="g")
    made = [
        await api.contacts.create(
            firstname="A",
            lastname="B",
            phone=f"+20100000000{n}",
            type="lead",
            source_id=source.id,
            status_id=status.id,
        )
        for n in range(3)
    ]
    ids = [made[2].id, made[0].id]
    assert (await body_sent(emu, lambda: api.groups.add_contacts(group.id, shape(ids)))) == {
        "contact_ids": ids
    }
    button = models.InteractiveButton(id="b", title="B")
    body = await body_sent(
        emu,
        lambda: api.messages.send_interactive(
            phone=PHONE, type="button", body_text="?", buttons=shape([_BUTTON, button])
        ),
    )
    assert body["buttons"] == [_BUTTON, {"id": "b", "title": "B"}]
    body = await body_sent(
        emu,
        lambda: api.auth.send_otp(
            phone=PHONE, template_name="otp_verification", additional_params=shape(["x", "y"])
        ),
    )
    assert body["additional_params"] == ["x", "y"]
    assert (await body_sent(emu, lambda: api.contacts.batch_delete(shape(ids)))) == {"ids": ids}
    assert (await body_sent(emu, lambda: api.contacts.batch_delete(range(1, 3)))) == {"ids": [1, 2]}


# -- template ids: bounded before they are written out ---------------------------------------------


class _Loud(int):
    def __str__(self) -> str:
        return "not-the-digits"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (10**64, "must be at most 64 characters (got an integer of more than 64 digits)"),
        (10**5000, "must be at most 64 characters (got an integer of more than 64 digits)"),
        (-(10**5000), "must not be negative"),
        (True, "must be a string or an integer, not bool"),
        (1.0, "must be a string or an integer, not float"),
    ],
    ids=["10**64", "10**5000", "-10**5000", "bool", "float"],
)
async def test_a_template_id_int_is_bounded(value: Any, rule: str, emu: Emulator, api: wacr.Client) -> None:
    assert await refused(emu, lambda: api.templates.get(value)) == {"template_id": [rule]}


async def test_a_template_id_int_is_sent_as_its_digits(emu: Emulator, api: wacr.Client) -> None:
    for value in (10**64 - 1, _Loud(1234567890123456)):
        before = len(emu.received)
        with pytest.raises(wacr.NotFoundError):
            await api.templates.get(value)
        assert [r.path for r in emu.received[before:]] == [f"/templates/{int(value)}"]


# -- extra_body: JSON values only ------------------------------------------------------------------


@dataclasses.dataclass
class Point:
    x: int


class Color(enum.Enum):
    RED = "red"


class Shade(str, enum.Enum):
    DARK = "dark"


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _cycle() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


_JSON_TYPES = "use dict, list, tuple, str, int, float, bool or None"
NOT_JSON: list[tuple[str, Any, str, str]] = [
    ("datetime", datetime.datetime(2026, 1, 1), "", "datetime is not a JSON value"),
    ("date", datetime.date(2026, 1, 1), "", "date is not a JSON value"),
    ("time", datetime.time(1), "", "time is not a JSON value"),
    ("uuid", uuid.UUID(int=1), "", "UUID is not a JSON value"),
    ("dataclass", Point(1), "", "Point is not a JSON value"),
    ("enum", Color.RED, "", "Color is not a JSON value"),
    ("decimal", decimal.Decimal(1), "", "Decimal is not a JSON value"),
    ("set", {1}, "", "set is not a JSON value"),
    ("bytes", b"x", "", "bytes is not a JSON value"),
    ("range", range(2), "", "range is not a JSON value"),
    ("generator", (i for i in [1]), "", "generator is not a JSON value"),
    ("model", models.InteractiveButton(id="a", title="A"), "", "InteractiveButton is not a JSON value"),
    (
        "nested datetime",
        {"a": [1, {"b": datetime.date(2026, 1, 1)}]},
        "extra_body.x.a.1.b",
        "date is not a JSON value",
    ),
    ("nan", math.nan, "", "NaN or infinity"),
    ("nested inf", [math.inf], "extra_body.x.0", "NaN or infinity"),
    ("2**63", INT64, "", "an integer beyond 64 bits"),
    ("huge int", 10**5000, "", "an integer beyond 64 bits"),
    ("-2**63-1", -INT64 - 1, "", "an integer beyond 64 bits"),
    ("surrogate", "\ud800", "", "a text with a lone surrogate"),
    ("surrogate key", {"\udc00": 1}, "extra_body.x.\\udc00", "a key with a lone surrogate"),
    ("int key", {1: 1}, "extra_body.x.1", "a key must be a string, not int"),
    ("huge int key", {10**5000: 1}, "extra_body.x.<int>", "a key must be a string, not int"),
    ("deep", _nested(65), "extra_body.x" + ".0" * 64, "nested deeper than 64 levels"),
    ("cycle", _cycle(), "extra_body.x" + ".0" * 64, "nested deeper than 64 levels"),
]


@pytest.mark.parametrize(
    ("value", "where", "problem"), [n[1:] for n in NOT_JSON], ids=[n[0] for n in NOT_JSON]
)
async def test_extra_body_refuses_what_is_not_json(
    value: Any, where: str, problem: str, emu: Emulator, api: wacr.Client
) -> None:
    errors = await refused(emu, lambda: api.groups.create(name="g", extra_body={"fine": 1, "x": value}))
    at = f", at {where}" if where else ""
    if problem.endswith("is not a JSON value"):
        problem += f": {_JSON_TYPES}"  # it says what is
    assert errors == {"extra_body.x": [f"cannot be sent as JSON ({problem}{at})"]}


async def test_extra_body_sends_json_values_as_given(emu: Emulator, api: wacr.Client) -> None:
    extra = {
        "plain": {"a": [1, -2.5, "t", True, None, {"b": False}]},
        "pair": (1, 2),  # a tuple is a JSON array
        "edges": [INT64 - 1, -INT64, 1e308],
        # Subclasses of str and int are taken, as for the body's own arguments (wacr/_validate.py).
        "subclasses": [Text("t"), Shade.DARK, Level.HIGH],
        Text("key"): 1,
        "deep": _nested(63),
    }
    body = await body_sent(emu, lambda: api.groups.create(name="g", extra_body=extra))
    assert body == {
        "name": "g",
        "plain": {"a": [1, -2.5, "t", True, None, {"b": False}]},
        "pair": [1, 2],
        "edges": [INT64 - 1, -INT64, 1e308],
        "subclasses": ["t", "dark", 3],
        "key": 1,
        "deep": _nested(63),
    }


async def test_an_extra_name_that_is_not_unicode_is_refused(emu: Emulator, api: wacr.Client) -> None:
    rule = "must have a name of valid Unicode text (it has a lone surrogate)"
    assert await refused(emu, lambda: api.account.get(extra_query={"\ud800": "x"})) == {
        "extra_query.\\ud800": [rule]
    }
    errors = await refused(emu, lambda: api.groups.create(name="g", extra_body={"\ud800": 1}))
    assert errors == {"extra_body.\\ud800": [rule]}


@pytest.mark.parametrize("value", [INT64, -INT64 - 1, 10**5000], ids=["2**63", "-2**63-1", "10**5000"])
async def test_extra_query_integers_are_int64(value: int, emu: Emulator, api: wacr.Client) -> None:
    bound = f"at least {-INT64}" if value < 0 else f"at most {INT64 - 1}"
    errors = await refused(emu, lambda: api.account.get(extra_query={"n": value}))
    assert errors == {"extra_query.n": [f"must be {bound} (got an integer beyond 64 bits)"]}


# -- hostile body arguments end in a ValidationError, never a crash --------------------------------


async def test_a_huge_int_in_the_body_is_refused(emu: Emulator, api: wacr.Client) -> None:
    errors = await refused(
        emu, lambda: api.auth.send_otp(phone=PHONE, template_name="t", expiry_minutes=10**5000)
    )
    assert list(errors) == ["expiry_minutes"]


async def test_a_huge_int_key_is_named_without_writing_it_out(emu: Emulator, api: wacr.Client) -> None:
    hostile: dict[Any, Any] = {**_CONTACT, 10**5000: 1}
    errors = await refused(emu, lambda: api.contacts.batch_create([hostile]))
    assert errors == {"contacts.0.<int>": ["is not a field of this request"]}


async def test_a_deeply_nested_argument_is_refused_by_its_rules(emu: Emulator, api: wacr.Client) -> None:
    deep = _nested(100_000)
    errors = await refused(
        emu, lambda: api.messages.send_interactive(phone=PHONE, type="button", body_text="?", buttons=deep)
    )
    assert errors == {"buttons.0": ["must be an object, not list"]}
    nested: Any = {}
    for _ in range(100_000):
        nested = {"a": nested}
    errors = await refused(
        emu,
        lambda: api.messages.send_media(
            phone=PHONE, media_type="image", media_url="https://e.com/a.png", contact=nested
        ),
    )
    assert errors == {"contact.a": ["is not a field of this request"]}
