"""`messages.list` filters on `type` and `status` take the documented values only: the client
refuses another before sending; the emulator, like the server's exact filters, matches nothing."""

from __future__ import annotations

from typing import Any

import pytest

import wacr
from tests.emulator.conftest import Api
from wacr.testing import Emulator

BAD: list[tuple[dict[str, Any], str]] = [
    ({"type": "bogus"}, "filter[type]"),
    ({"type": {"ne": "Text"}}, "filter[type][ne]"),
    ({"type": {"in": ["text", "bogus"]}}, "filter[type][in]"),
    ({"type": {"not_in": "text,"}}, "filter[type][not_in]"),
    ({"status": "bogus"}, "filter[status]"),
    ({"status": {"ne": "seen"}}, "filter[status][ne]"),
    ({"status": {"in": ["sent", "opened"]}}, "filter[status][in]"),
    ({"status": {"not_in": "read\n"}}, "filter[status][not_in]"),
]
GOOD: list[dict[str, Any]] = [
    {"type": "interactive"},
    {"type": {"ne": "template"}},
    {"type": {"in": ["text", "image", "video", "document", "audio"]}},
    {"status": {"not_in": ["failed", "read"]}},
    {"status": "delivered", "direction": "outbound"},
]


async def test_the_client_refuses_another_value_before_sending() -> None:
    emulator = Emulator()
    async with emulator, wacr.Client(emulator.token, base_url=emulator.base_url, max_retries=0) as client:
        for filters, name in BAD:
            with pytest.raises(wacr.ValidationError) as caught:
                await client.messages.list(filters=filters)
            assert caught.value.status is None
            assert list(caught.value.errors) == [name], filters
        assert emulator.received == []
        for filters in GOOD:
            await client.messages.list(filters=filters)
        assert len(emulator.received) == len(GOOD)


@pytest.mark.parametrize(
    ("name", "value"), [("filter[type]", "bogus"), ("filter[status][in]", "sent,opened")]
)
async def test_the_emulator_filters_by_another_value_as_an_exact_filter_does(
    api: Api, name: str, value: str
) -> None:
    # The server's exact filters (Spatie's, as for contacts' `type`) match the text, valid or not:
    # an unknown value matches nothing. The client refuses it before sending (above).
    reply = await api.get("/messages", params={name: value})
    assert reply.status == 200 and reply.data == []


@pytest.mark.parametrize(("name", "value"), [("filter[type]", "text"), ("filter[status][in]", "sent,read")])
async def test_the_emulator_takes_a_documented_value(api: Api, name: str, value: str) -> None:
    assert (await api.get("/messages", params={name: value})).status == 200
