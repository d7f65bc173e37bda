"""The emulator judges every value a spec pattern rules as ECMA-262 does: a value the pattern
takes is taken, and the same value with a trailing newline is refused unless the pattern takes
that too (tests/spec/_patterns.py walks the spec; tests/spec/test_patterns.py holds the client
to the same)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.emulator.conftest import Api, Reply, contact_body
from tests.spec._patterns import BODIES, EXAMPLES, Place, places, reference, with_value
from wacr._operations import OPERATIONS


def _trims(place: Place) -> bool:
    """Where the emulator takes the newline on purpose: the list-query parser and the media send's
    `contact.groups` trim each value before its rule, as Laravel's TrimStrings does
    (src/wacr/testing/_query.py, src/wacr/testing/_api/messages.py `_new_contact_details`); the
    client refuses such a value before sending (tests/spec/test_patterns.py)."""
    return place.where == "query" or (place.op_id, place.name) == ("messages_send_media", "contact.groups")


def _cases() -> list[Any]:
    cases = []
    for place in places():
        refused = not reference(place.pattern, EXAMPLES[place.pattern] + "\n") and not _trims(place)
        cases.append(pytest.param(place, refused, id=str(place)))
    return cases


async def _path(api: Api, place: Place) -> str:
    path = OPERATIONS[place.op_id].path
    if "{id}" in path:  # an existing contact or status
        created = await api.post(
            path.split("/{")[0], contact_body(phone="+201000000009") if "contacts" in path else {"name": "S"}
        )
        assert created.status == 201, created.text
        path = path.replace("{id}", str(created.data["id"]))
    return path


def _refuses(reply: Reply, place: Place) -> bool:
    """Whether the answer refuses the value at ``place`` (and nothing else in the request)."""
    if place.where == "path":
        return reply.status != 200
    if place.op_id == "contacts_batch_create":  # per-item errors in a 200
        failures = reply.data["errors"]
        return bool(failures) and place.name.split(".")[-1] in failures[0]["errors"]
    if reply.status != 422:
        return False
    key = place.name.split("[")[0] if place.where == "query" else place.name
    assert set(reply.details) == {key}, reply.text
    return True


async def _judge(api: Api, place: Place, value: str) -> bool:
    """Whether the emulator, as it starts (seeded), refuses ``value`` at ``place``."""
    api.emulator.reset()
    return _refuses(await _send(api, place, value), place)


async def _send(api: Api, place: Place, value: str) -> Reply:
    op = OPERATIONS[place.op_id]
    if place.where == "path":
        return await api.get(op.path.replace("{template_id}", quote(value, safe="")))
    path = await _path(api, place)
    if place.where == "query":
        return await api.get(path, params={place.name: value})
    return await api.call(op.method, path, json=with_value(BODIES[place.op_id], place.name, value))


@pytest.mark.parametrize(("place", "refused"), _cases())
async def test_a_trailing_newline_is_refused_where_the_pattern_refuses_it(
    api: Api, place: Place, refused: bool
) -> None:
    example = EXAMPLES[place.pattern]
    if place.where == "path":  # a template that exists
        example = (await api.get("/templates")).data[0]["template_id"]
        assert reference(place.pattern, example)
    assert not await _judge(api, place, example)
    assert await _judge(api, place, example + "\n") is refused
