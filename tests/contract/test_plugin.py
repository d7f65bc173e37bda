"""The pytest plugin users test their bots with: `wacr_emulator` and `wacr_client`."""

from __future__ import annotations

import wacr
from wacr.testing import Emulator


async def test_client_fixture_talks_to_the_emulator(
    wacr_client: wacr.Client, wacr_emulator: Emulator
) -> None:
    assert wacr_client.base_url == wacr_emulator.base_url
    sent = await wacr_client.messages.send_text(phone="+201000000009", message="Welcome!")
    assert [(m.phone, m.text) for m in wacr_emulator.outbox] == [("201000000009", "Welcome!")]
    assert sent.message_id == wacr_emulator.outbox[0].message_id


async def test_each_test_starts_from_the_seed(wacr_client: wacr.Client, wacr_emulator: Emulator) -> None:
    assert wacr_emulator.outbox == []  # the previous test's send is gone
    page = await wacr_client.contacts.list()
    assert page.items == [] and page.total == 0
