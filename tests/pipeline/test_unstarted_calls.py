"""A call whose coroutine never runs (its task cancelled before the first step, or the coroutine
closed unawaited) leaves nothing behind: no "coroutine ... was never awaited" warning from an inner
coroutine made ahead of time, and nothing sent. Arguments are still checked when the call is made."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

import wacr
from tests.pipeline.conftest import TOKEN, Scripted

Make = Callable[[wacr.Client], Coroutine[Any, Any, Any]]

CALLS: dict[str, Make] = {
    "request GET": lambda c: c.request("GET", "/account"),
    "request POST": lambda c: c.request("POST", "/messages/text", json={"phone": "+201000000000"}),
    "send_text": lambda c: c.messages.send_text(phone="+201000000000", message="hi"),
    "account.get": lambda c: c.account.get(),
}


def _unawaited(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("observed", [False, True], ids=["bare", "with hooks"])
@pytest.mark.parametrize("name", sorted(CALLS))
async def test_a_call_cancelled_before_it_starts_leaves_no_warning(
    api: Scripted, name: str, observed: bool
) -> None:
    hooks: wacr.EventHooks | None = {"request": [lambda event: None]} if observed else None
    async with wacr.Client(TOKEN, base_url=api.url(), event_hooks=hooks) as client:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = asyncio.ensure_future(CALLS[name](client))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            closed = CALLS[name](client)
            closed.close()
            del task, closed
            gc.collect()
        assert _unawaited(caught) == []
    assert api.seen == []


async def test_arguments_are_still_checked_when_the_call_is_made(api: Scripted) -> None:
    async with wacr.Client(TOKEN, base_url=api.url()) as client:
        with pytest.raises(wacr.ValidationError, match="max_retries"):
            client.request("GET", "/account", max_retries=-1)  # raised here, not when awaited
        with pytest.raises(wacr.ValidationError, match="path"):
            client.request("GET", "https://elsewhere.example/account")
        assert (await client.request("GET", "/account")).status == 200
    assert len(api.seen) == 1
