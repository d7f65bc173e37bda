"""A query key given twice takes its last value, as PHP (and so Laravel) reads a query string:
``?page=1&page=2`` is page 2, on every list endpoint and for every list parameter. Before, the
emulator took the first."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.emulator.conftest import CONTACT, Api

LISTS = ["/contacts", "/messages", "/groups", "/sources", "/statuses", "/templates", "/auth/templates"]

# A parameter of every list, with a value the emulator takes and one it refuses (a 422 says
# which value was read); and those only some lists have.
COMMON: list[tuple[str, str, str]] = [
    ("page", "2", "0"),
    ("per_page", "1", "1000"),
]


def _answer(reply: Any) -> Any:
    """The status and body, without the meta that differs between two calls (request id, time)."""
    body = orjson.loads(reply.text)
    meta = body.pop("meta", None)
    if isinstance(meta, dict) and "pagination" in meta:
        body["pagination"] = meta["pagination"]
    return reply.status, body


async def _seed(api: Api) -> None:
    for n in range(3):
        created = await api.post("/contacts", {**CONTACT, "phone": f"+2010000009{n:02d}"})
        assert created.status == 201, created.text
        sent = await api.post("/messages/text", {"phone": f"+2010000009{n:02d}", "message": f"m{n}"})
        assert sent.status == 200, sent.text
        assert (await api.post("/groups", {"name": f"g{n}"})).status == 201


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(("key", "good", "bad"), COMMON)
async def test_the_last_value_of_a_repeated_key_is_the_one_read(
    api: Api, path: str, key: str, good: str, bad: str
) -> None:
    await _seed(api)
    for first, last in ((bad, good), (good, bad)):
        repeated = await api.get(path, params=[(key, first), (key, last)])  # type: ignore[arg-type]
        once = await api.get(path, params={key: last})
        assert _answer(repeated) == _answer(once), (path, key, first, last)
    refused = await api.get(path, params=[(key, good), (key, bad)])  # type: ignore[arg-type]
    assert refused.status == 422 and key in orjson.loads(refused.text)["error"]["details"]


@pytest.mark.parametrize(
    ("key", "values"),
    [
        ("sort", ["created_at", "-created_at"]),
        ("search", ["nobody-matches-this", ""]),
        ("filter[type]", ["customer", "lead"]),
        ("include", ["groups", "nothing-known"]),
    ],
)
async def test_repeated_contact_list_parameters_read_the_last_value(
    api: Api, key: str, values: list[str]
) -> None:
    await _seed(api)
    for ordered in (values, values[::-1]):
        repeated = await api.get("/contacts", params=[(key, v) for v in ordered])  # type: ignore[arg-type]
        once = await api.get("/contacts", params={key: ordered[-1]})
        assert _answer(repeated) == _answer(once), (key, ordered)
