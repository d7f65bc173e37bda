"""A result nested in another (a contact's groups, a sync's templates, a batch's created contacts)
holds the ``response`` of the call that returned it, as page items hold their page's.

``Result.response`` is typed without ``None``, so every result a call gives must have one. The
recording server (tests/sdk/conftest.py) answers each operation whose model holds results with
those nested results filled in; every operation of that kind in the spec is called here.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import attrs
import pytest

import wacr
from wacr import models
from wacr._operations import OPERATIONS
from wacr.models._base import Model, Result, nested_results

from .conftest import Recorder, minimal

Call = Callable[[wacr.Client], Awaitable[Any]]


async def _first_page_item(client: wacr.Client) -> Any:
    return (await client.contacts.list(include=["groups"])).items[0]


# Every operation whose answer holds results, and a call of it.
CALLS: dict[str, Call] = {
    "contacts_list": _first_page_item,
    "contacts_get": lambda c: c.contacts.get(1, include=["groups"]),
    "contacts_create": lambda c: c.contacts.create(
        firstname="a", lastname="b", phone="+201000000001", type="lead", source_id=1, status_id=1
    ),
    "contacts_update": lambda c: c.contacts.update(1, city="Cairo"),
    "contacts_batch_create": lambda c: c.contacts.batch_create(
        [
            {
                "firstname": "a",
                "lastname": "b",
                "phone": "+201000000001",
                "type": "lead",
                "source_id": 1,
                "status_id": 1,
            }
        ]
    ),
    "templates_sync": lambda c: c.templates.sync(),
}


def _operations_with_nested_results() -> set[str]:
    return {
        op.operation_id
        for op in OPERATIONS.values()
        if op.data_model is not None and nested_results(getattr(models, op.data_model))
    }


def test_every_operation_with_nested_results_is_called_here() -> None:
    assert _operations_with_nested_results() == set(CALLS)


def _filled(model: type[Any]) -> dict[str, Any]:
    """A payload of ``model`` with its nested results filled in (two of a list), recursively."""
    data = minimal(model.__name__)
    hints = typing.get_type_hints(model)
    for name in nested_results(model):
        field = attrs.fields_dict(model)[name]
        inner = next(arg for arg in _args(hints[name]) if isinstance(arg, type) and issubclass(arg, Result))
        is_list = any(typing.get_origin(arg) is list for arg in _args(hints[name]))
        value = _filled(inner)
        data[field.metadata.get("json", name)] = [value, value] if is_list else value
    return data


def _args(hint: Any) -> Iterator[Any]:
    yield hint
    for arg in typing.get_args(hint):
        yield from _args(arg)


def _results_in(model: Model) -> Iterator[Model]:
    """Every result nested in ``model``, at any depth."""
    for name in nested_results(type(model)):
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            assert isinstance(item, Result), (type(model).__name__, name, item)
            yield item
            yield from _results_in(item)


@pytest.mark.parametrize("operation", sorted(CALLS))
async def test_nested_results_hold_the_calls_response(
    operation: str, recorder: Recorder, client: wacr.Client
) -> None:
    op = OPERATIONS[operation]
    assert op.data_model is not None
    model = getattr(models, op.data_model)
    data: Any = _filled(model)
    if "summary" in attrs.fields_dict(model):
        data["summary"] = {"total": 1}  # what a batch answer is recognised by
    meta: dict[str, Any] = {"request_id": f"req-{operation}"}
    if op.is_list:
        data = [data]
        meta["pagination"] = {
            "total": 1,
            "per_page": 15,
            "current_page": 1,
            "total_pages": 1,
            "has_more": False,
        }
    recorder.answers[operation] = (200, {"success": True, "data": data, "meta": meta})

    result = await CALLS[operation](client)

    nested = list(_results_in(result))
    assert nested  # the answer held some: the test proves something
    for item in nested:
        assert item.response is result.response  # the one ResponseInfo of the call
        assert item.response.request_id == f"req-{operation}"
        assert item.response.method == op.method


def test_a_result_built_by_hand_still_has_no_response() -> None:
    group = models.Group(id=1, name="g")
    contact = models.Contact(id=1, groups=[group])
    for built in (group, contact):
        with pytest.raises(AttributeError, match="built by hand"):
            _ = built.response
