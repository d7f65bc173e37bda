"""A result keeps its ``response`` through pickle, ``copy.copy`` and ``copy.deepcopy`` (a task
queue or a cache pickles results; the response is not an attrs field, so attrs' own state
leaves it out); against the emulator."""

from __future__ import annotations

import copy
import pickle
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import wacr
from wacr.models import InteractiveButton, Source, TextMessageResult
from wacr.testing import Emulator

COPIES: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda value: pickle.loads(pickle.dumps(value)),
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
}


@pytest.fixture
async def client(wacr_emulator: Emulator) -> AsyncIterator[wacr.Client]:
    async with wacr.Client(wacr_emulator.token, base_url=wacr_emulator.base_url, max_retries=0) as c:
        yield c


@pytest.mark.parametrize("how", sorted(COPIES))
async def test_a_result_and_the_items_of_a_page_keep_their_response(client: wacr.Client, how: str) -> None:
    made = COPIES[how]
    sent = await client.messages.send_text(phone="+201000000001", message="hi")
    copied = made(sent)
    assert isinstance(copied, TextMessageResult) and copied == sent and copied is not sent
    assert copied.response == sent.response and copied.response.request_id == sent.response.request_id

    page = await client.sources.list()  # the emulator's seeded sources
    item = page.items[0]
    copied_item = made(item)
    assert isinstance(copied_item, Source) and copied_item == item
    assert copied_item.response == page.response  # an item's response is its page's


@pytest.mark.parametrize("how", sorted(COPIES))
def test_a_model_built_by_hand_copies_without_a_response(how: str) -> None:
    button = InteractiveButton(id="yes", title="Yes")
    copied = COPIES[how](button)
    assert copied == button and copied.response is None
