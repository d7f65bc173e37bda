"""List arguments -> query parameters."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any

import pytest

from wacr._query import FILTER_OPERATORS, build_query
from wacr.errors import ValidationError


class Color(enum.Enum):
    RED = "red"


def test_nothing_given_gives_nothing() -> None:
    assert build_query() == []
    assert build_query(page=None, sort=None, filters={}) == []


def test_common_arguments_in_a_stable_order() -> None:
    assert build_query(
        fields=["id", "phone"],
        include="groups",
        search="ann",
        sort=["-created_at", "name"],
        per_page=100,
        page=2,
        q="bob",
    ) == [
        ("page", "2"),
        ("per_page", "100"),
        ("sort", "-created_at,name"),
        ("search", "ann"),
        ("q", "bob"),
        ("include", "groups"),
        ("fields", "id,phone"),
    ]


def test_filters() -> None:
    params = build_query(
        filters={
            "status_id": 3,
            "source_id": [1, 2],
            "is_opted_out": False,
            "created_at": {"gte": date(2026, 1, 1), "lt": datetime(2026, 2, 1, 8, tzinfo=timezone.utc)},
            "id": {"in": (4, 5), "between": [1, 9]},
            "email": {"null": True, "like": "%@x.com"},
            "color": Color.RED,
        },
        page=1,
    )
    assert params == [
        ("page", "1"),
        ("filter[status_id]", "3"),
        ("filter[source_id]", "1,2"),
        ("filter[is_opted_out]", "false"),
        ("filter[created_at][gte]", "2026-01-01"),
        ("filter[created_at][lt]", "2026-02-01T08:00:00+00:00"),
        ("filter[id][in]", "4,5"),
        ("filter[id][between]", "1,9"),
        ("filter[email][null]", "true"),
        ("filter[email][like]", "%@x.com"),
        ("filter[color]", "red"),
    ]


def test_none_filter_values_are_skipped_and_sets_are_sorted() -> None:
    assert build_query(filters={"a": None, "b": {"gte": None}, "c": {3, 1, 2}}) == [("filter[c]", "1,2,3")]


def test_extra_operation_parameters_pass_through() -> None:
    assert build_query(page=1, language="en", active=True) == [
        ("page", "1"),
        ("language", "en"),
        ("active", "true"),
    ]


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"created_at": {"after": "2026"}}, "filters.created_at", "unknown operator 'after'"),
        ({"id": {"between": [1, 2, 3]}}, "filters.id", "between takes exactly two values"),
        ({"id": {"gte": [1, 2]}}, "filters.id", "operator 'gte' takes a single value"),
        ({"id": []}, "filters.id", "must not be an empty list"),
        ({"id": {"in": [1, None]}}, "filters.id", "must not contain null"),
        ({"tags": {"in": [{"x": 1}]}}, "filters.tags", "cannot be sent as a query value (dict)"),
        ({"a[b]": 1}, "filters.a[b]", "is not a valid field name"),
        ({"": 1}, "filters.", "is not a valid field name"),
    ],
)
def test_bad_filters_raise_before_any_request(filters: Any, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build_query(filters=filters)
    error = caught.value
    assert error.status is None and error.code == "VALIDATION_ERROR"
    assert list(error.errors) == [field] and message in error.errors[field][0]


def test_every_bad_filter_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        build_query(filters={"a": {"x": 1}, "b": {"y": 2}}, sort=[1.5j])  # type: ignore[list-item]
    assert set(caught.value.errors) == {"filters.a", "filters.b", "sort"}


def test_operator_list_is_the_documented_one() -> None:
    assert {"gte", "lte", "gt", "lt", "ne", "like", "in", "not_in", "between", "null"} == FILTER_OPERATORS
