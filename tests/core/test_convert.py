"""The converter: strict primitives, wire names, datetimes, open enums, error paths, speed path."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import orjson
import pytest

from wacr import _convert
from wacr._convert import (
    dumps,
    invalid_response_error,
    structure,
    structure_response,
    unstructure,
)
from wacr._json_types import _parse_datetime_fallback
from wacr._response import ResponseInfo
from wacr.errors import InvalidResponseError
from wacr.models._base import Model, OpenEnum

UTC = timezone.utc


class Kind(OpenEnum):
    PERSON = "person"
    COMPANY = "company"


@attrs.define(kw_only=True)
class Tag(Model):
    id: int
    label: str | None = None


@attrs.define(kw_only=True)
class Person(Model):
    id: int
    name: str
    first_name: str | None = attrs.field(default=None, metadata={"json": "firstName"})
    age: int | None = None
    score: float | None = None
    active: bool | None = None
    kind: Kind | None = None
    created_at: datetime | None = attrs.field(default=None, metadata={"json": "createdAt"})
    birthday: date | None = None
    tags: list[Tag] | None = None
    labels: list[str] | None = None
    extra: dict[str, Any] | None = None
    anything: Any = None
    raw_list: list[Any] | None = None
    ref: int | str | None = None
    ids: list[int | str] | None = None
    details: dict[str, Any] | list[Any] | None = None
    best_friend: Person | None = None


@attrs.define(kw_only=True)
class Listing(Model):
    items: list[Person]
    total: int = 0
    notes: list[str] = attrs.field(factory=list)


def person(**extra: Any) -> dict[str, Any]:
    return {"id": 1, "name": "Ann", **extra}


def problems(data: Any, cls: type[Any], path: str = "data") -> list[str]:
    with pytest.raises(Exception) as caught:
        structure(data, cls)
    error = invalid_response_error(caught.value, path=path)
    assert isinstance(error, InvalidResponseError)
    return error.problems


# -- strict primitives --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("active", "false", "expected boolean or null, got 'false'"),
        ("active", 0, "expected boolean or null, got 0"),
        ("age", "5", "expected integer or null, got '5'"),
        ("age", 5.7, "expected integer or null, got 5.7"),
        ("age", True, "expected integer or null, got true"),
        ("age", 5.0, "expected integer or null, got 5.0"),
        ("score", "1.5", "expected null or number, got '1.5'"),
        ("score", False, "expected null or number, got false"),
        ("name", 1, "expected string, got 1"),
        ("name", None, "expected string, got null"),
        ("name", ["a"], "expected string, got an array"),
        ("labels", ["a", 2], "expected string, got 2"),
        ("ids", [1, "2", 2.5], "expected integer or string, got 2.5"),
        ("ids", [True], "expected integer or string, got true"),
        ("labels", "a,b", "expected array, got 'a,b'"),
        ("extra", [1], "expected null or object, got an array"),
        ("raw_list", {"a": 1}, "expected array or null, got an object"),
        ("ref", 1.5, "expected integer or null or string, got 1.5"),
        ("ref", True, "expected integer or null or string, got true"),
    ],
)
def test_primitives_are_strict(field: str, value: Any, expected: str) -> None:
    found = problems(person(**{field: value}), Person)
    assert len(found) == 1 and found[0].endswith(expected), found
    assert found[0].startswith(f"data.{field}")


def test_valid_primitives_pass_and_int_is_accepted_for_float() -> None:
    p = structure(
        person(age=30, score=3, active=False, ref="abc", labels=["x"], ids=[1, "b"], details=[1, {"a": 2}]),
        Person,
    )
    assert p.age == 30 and p.active is False and p.ref == "abc" and p.details == [1, {"a": 2}]
    assert p.ids == [1, "b"]
    assert p.score == 3.0 and type(p.score) is float
    assert structure(person(ref=7), Person).ref == 7


def test_null_for_optional_fields_and_missing_optional_fields() -> None:
    p = structure(person(age=None, firstName=None, kind=None, tags=None), Person)
    assert p == Person(id=1, name="Ann")


def test_required_field_missing() -> None:
    assert problems({"name": "x"}, Person) == ["data.id: required field missing"]


def test_object_expected() -> None:
    assert problems(["not", "an", "object"], Person, path="data") == ["data: expected object, got an array"]
    assert problems(person(best_friend="Bob"), Person) == ["data.best_friend: expected object, got 'Bob'"]


# -- names, extra keys, pass-through --------------------------------------------------------


def test_wire_names_are_read_and_python_names_ignored() -> None:
    p = structure(person(firstName="Ann", first_name="ignored", createdAt="2026-01-01T00:00:00Z"), Person)
    assert p.first_name == "Ann" and p.created_at == datetime(2026, 1, 1, tzinfo=UTC)


def test_unknown_keys_are_ignored() -> None:
    p = structure(person(brand_new_field={"x": 1}, another=[1, 2]), Person)
    assert p == Person(id=1, name="Ann")


def test_json_native_containers_pass_through_untouched() -> None:
    extra = {"nested": {"deep": [1, 2]}}
    raw = [1, "two", None]
    anything = {"x": object()}
    p = structure(person(extra=extra, raw_list=raw, anything=anything), Person)
    assert p.extra is extra and p.raw_list is raw and p.anything is anything


# -- datetimes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T07:53:14Z", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T07:53:14z", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T07:53:14+00:00", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T09:53:14+02:00", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T02:23:14-0530", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T07:53:14.5Z", datetime(2026, 1, 1, 7, 53, 14, 500000, tzinfo=UTC)),
        ("2026-01-01T07:53:14.123Z", datetime(2026, 1, 1, 7, 53, 14, 123000, tzinfo=UTC)),
        ("2026-01-01T07:53:14.1234Z", datetime(2026, 1, 1, 7, 53, 14, 123400, tzinfo=UTC)),
        ("2026-01-01T07:53:14.123456+00:00", datetime(2026, 1, 1, 7, 53, 14, 123456, tzinfo=UTC)),
        ("2026-01-01T07:53:14.123456789Z", datetime(2026, 1, 1, 7, 53, 14, 123456, tzinfo=UTC)),
        ("2026-01-01T07:53:14", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),  # naive means UTC
        ("2026-01-01 07:53:14", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T07:53Z", datetime(2026, 1, 1, 7, 53, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_datetime_formats(text: str, expected: datetime) -> None:
    for parsed in (
        structure(person(createdAt=text), Person).created_at,  # the generated fast path
        structure(text, datetime),  # the hook
        structure(text, datetime | None),  # type: ignore[arg-type]
    ):
        assert parsed == expected and parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T07:53:14Z", datetime(2026, 1, 1, 7, 53, 14, tzinfo=UTC)),
        ("2026-01-01T07:53:14.5Z", datetime(2026, 1, 1, 7, 53, 14, 500000, tzinfo=UTC)),
        ("2026-01-01T07:53:14.1234567+05:30", datetime(2026, 1, 1, 2, 23, 14, 123456, tzinfo=UTC)),
        ("2026-01-01T07:53:14,25-0100", datetime(2026, 1, 1, 8, 53, 14, 250000, tzinfo=UTC)),
        ("2026-01-01T07:53+01", datetime(2026, 1, 1, 6, 53, tzinfo=UTC)),
        ("2026-01-01T07Z", datetime(2026, 1, 1, 7, tzinfo=UTC)),
        (" 2026-01-01 07:53:14 ", datetime(2026, 1, 1, 7, 53, 14)),
    ],
)
def test_datetime_fallback_parser_for_python_310(text: str, expected: datetime) -> None:
    # datetime.fromisoformat on 3.10 rejects these; the fallback must not.
    assert _parse_datetime_fallback(text) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00:00Z", "", 1767225600, None])
def test_bad_datetimes_name_the_field(bad: Any) -> None:
    found = problems(person(createdAt=bad), Person) if bad is not None else []
    if bad is None:
        assert structure(person(createdAt=None), Person).created_at is None
        return
    assert len(found) == 1 and found[0].startswith("data.createdAt: expected datetime"), found


def test_aware_datetime_object_is_kept_and_naive_made_utc() -> None:
    aware = datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=2)))
    assert structure(aware, datetime) is aware
    assert structure(datetime(2026, 1, 1), datetime).tzinfo is UTC


def test_dates() -> None:
    assert structure(person(birthday="1990-05-17"), Person).birthday == date(1990, 5, 17)
    assert structure("1990-05-17T10:00:00Z", date) == date(1990, 5, 17)
    assert problems(person(birthday="May 17"), Person)[0].startswith("data.birthday: expected date")


# -- enums --------------------------------------------------------------------------------------


def test_open_enum_known_and_unknown_values() -> None:
    known = structure(person(kind="company"), Person).kind
    assert known is Kind.COMPANY and known.known
    unknown = structure(person(kind="robot"), Person).kind
    assert isinstance(unknown, Kind) and unknown.value == "robot" and not unknown.known
    assert str(unknown) == "robot" and unknown == "robot"
    assert structure(["person", "alien"], list[Kind])[1].value == "alien"


def test_open_enum_rejects_non_strings() -> None:
    assert problems(person(kind=3), Person) == ["data.kind: expected Kind, got 3"]
    assert problems(person(kind=["person"]), Person) == ["data.kind: expected Kind, got an array"]


# -- nesting and error paths ----------------------------------------------------------------------


def test_nested_lists_and_models() -> None:
    data = {
        "items": [
            person(tags=[{"id": 1, "label": "vip"}, {"id": 2}]),
            person(id=2, best_friend=person(id=3, kind="person")),
        ],
        "total": 2,
    }
    listing = structure(data, Listing)
    assert listing.items[0].tags == [Tag(id=1, label="vip"), Tag(id=2)]
    friend = listing.items[1].best_friend
    assert friend is not None and friend.kind is Kind.PERSON
    assert listing.notes == [] and listing.total == 2


def test_error_paths_use_wire_names_and_indexes() -> None:
    data = {
        "items": [
            person(),
            person(),
            person(),
            person(createdAt="not a date", tags=[{"id": 1}, {"id": "2"}]),
            {"name": 5},
        ],
        "total": "2",
    }
    found = problems(data, Listing, path="data")
    assert found == [
        "data.items[3].createdAt: expected datetime (ISO 8601), got 'not a date'",
        "data.items[3].tags[1].id: expected integer, got '2'",
        "data.items[4].id: required field missing",
        "data.items[4].name: expected string, got 5",
        "data.total: expected integer, got '2'",
    ]


def test_list_of_models_error_path() -> None:
    with pytest.raises(Exception) as caught:
        structure([person(), person(age="x")], list[Person])
    error = invalid_response_error(caught.value)
    assert error.problems == ["data[1].age: expected integer or null, got 'x'"]
    assert "response does not match the API schema (1 bad field)" in str(error)


def test_structure_response_raises_invalid_response_and_attaches_info() -> None:
    info = ResponseInfo(
        status=200,
        headers={},
        request_id="r-1",
        message=None,
        meta=None,
        method="GET",
        url="https://x/api/v2/people/1",
        elapsed=0.01,
        attempts=1,
    )
    p = structure_response(person(), Person, info)
    assert p.response is info and structure(person(), Person).response is None
    with pytest.raises(InvalidResponseError) as caught:
        structure_response(person(age="x"), Person, info, path="data")
    error = caught.value
    assert error.problems == ["data.age: expected integer or null, got 'x'"]
    assert (error.status, error.request_id, error.method) == (200, "r-1", "GET")
    assert isinstance(error.__cause__, Exception)


# -- the fast path agrees with the constructor ------------------------------------------------------


def test_fast_path_builds_the_same_object_as_the_constructor() -> None:
    data = person(
        firstName="A",
        age=3,
        score=1.5,
        active=True,
        kind="person",
        createdAt="2026-01-01T00:00:00Z",
        birthday="2000-01-01",
        tags=[{"id": 1}],
        labels=["a"],
        extra={"k": "v"},
        anything=1,
        raw_list=[1],
        ref="r",
        details={"a": 1},
    )
    fast = structure(data, Person)
    built = Person(
        id=1,
        name="Ann",
        first_name="A",
        age=3,
        score=1.5,
        active=True,
        kind=Kind.PERSON,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        birthday=date(2000, 1, 1),
        tags=[Tag(id=1)],
        labels=["a"],
        extra={"k": "v"},
        anything=1,
        raw_list=[1],
        ref="r",
        details={"a": 1},
    )
    assert fast == built and repr(fast) == repr(built) and fast.response is None


@attrs.define(kw_only=True)
class Checked(Model):
    count: int = attrs.field(validator=attrs.validators.ge(0))
    seen: bool = False


@attrs.frozen(kw_only=True)
class Frozen(Model):
    id: int
    _secret: str = attrs.field(default="s", metadata={"json": "secret"})


@attrs.define(kw_only=True, slots=False)
class WithHooks:
    a: int
    b: list[int] = attrs.field(factory=list)
    c: int = attrs.field(default=attrs.Factory(lambda self: self.a * 2, takes_self=True))
    trail: list[str] = attrs.field(factory=list, init=False)

    def __attrs_post_init__(self) -> None:
        self.trail.append("post-init")


def test_classes_with_validators_hooks_and_frozen_keep_their_semantics() -> None:
    assert structure({"count": 2}, Checked) == Checked(count=2)
    with pytest.raises(Exception) as caught:
        structure({"count": -1}, Checked)
    assert invalid_response_error(caught.value).problems[0].startswith("data: ")
    frozen = structure({"id": 1, "secret": "x"}, Frozen)
    assert frozen == Frozen(id=1, secret="x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        frozen.id = 2  # type: ignore[misc]
    hooked = structure({"a": 2}, WithHooks)
    assert (hooked.a, hooked.b, hooked.c, hooked.trail) == (2, [], 4, ["post-init"])


def test_unstructure_writes_wire_names_and_omits_defaults() -> None:
    p = Person(id=1, name="Ann", first_name="A", kind=Kind.COMPANY, created_at=datetime(2026, 1, 1, 9))
    assert unstructure(p) == {
        "id": 1,
        "name": "Ann",
        "firstName": "A",
        "kind": Kind.COMPANY,
        "createdAt": datetime(2026, 1, 1, 9, tzinfo=UTC),
    }
    assert orjson.loads(dumps(p)) == {
        "id": 1,
        "name": "Ann",
        "firstName": "A",
        "kind": "company",
        "createdAt": "2026-01-01T09:00:00+00:00",
    }
    unknown = structure("robot", Kind)
    assert orjson.loads(dumps(Person(id=1, name="x", kind=unknown))) == {
        "id": 1,
        "name": "x",
        "kind": "robot",
    }


def test_round_trip() -> None:
    data = person(firstName="A", createdAt="2026-01-01T09:00:00+00:00", tags=[{"id": 1}], kind="person")
    assert orjson.loads(dumps(structure(data, Person))) == data


def test_one_hook_per_class_is_cached() -> None:
    assert _convert.converter.get_structure_hook(Person) is _convert.converter.get_structure_hook(Person)


def test_to_wire_gives_the_api_object_of_a_model() -> None:
    from wacr.models import MessageStatus, TextMessageResult, to_wire

    sent_at = datetime(2024, 2, 8, 14, 30, 25, tzinfo=UTC)
    result = TextMessageResult(message_id="wamid.1", status=MessageStatus("sent"), sent_at=sent_at)
    wire = to_wire(result)
    # Wire names, None fields left out, the enum as its value, the datetime as ISO 8601.
    assert wire == {"message_id": "wamid.1", "status": "sent", "sent_at": "2024-02-08T14:30:25+00:00"}
    assert orjson.loads(orjson.dumps(wire)) == wire
    assert to_wire(result, iso_datetimes=False)["sent_at"] == sent_at
    assert structure(to_wire(result), TextMessageResult) == result
    with pytest.raises(TypeError, match="wacr model"):
        to_wire({"message_id": "wamid.1"})  # type: ignore[arg-type]


def test_the_envelopes_are_not_exported() -> None:
    import wacr.models

    assert not [name for name in dir(wacr.models) if name.endswith("Envelope")]
    assert not hasattr(wacr.models, "ContactListEnvelope")
