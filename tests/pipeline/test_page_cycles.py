"""A server that does not follow ``page``: pages that cycle (A, B, A, B...) or a page number that
jumps. Iteration raises :class:`wacr.InvalidResponseError` instead of looping forever or
skipping pages, after handing every item up to that point over once (``src/wacr/_pagination.py``).

The short cycles and the jumps come from a raw loopback server through ``client.sources.list``.
The cycles longer than the paginator's window of recent pages (1,024) come from a page source
of the test's own (``wacr._pagination.PageSource``: what a list call is to the paginator), as
thousands of HTTP round trips would only make the test slow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

import wacr
from tests.pipeline._canned import Answer, client_of
from wacr import Page, Paginator, ResponseInfo

TOKEN = "tok_page_cycles_8e2f6a1c3d9b"


def listing(ids: list[int], **pagination: Any) -> Answer:
    data = [{"id": i, "name": f"s{i}"} for i in ids]
    return 200, [], {"success": True, "data": data, "meta": {"request_id": "req-p", "pagination": pagination}}


async def iterate(answer: Callable[[int], Answer], *, per_page: int = 2) -> tuple[list[int], Any, list[Any]]:
    """The ids iteration handed over, the error it ended in (``None``: it ended), the pages asked."""
    ids: list[int] = []
    error: wacr.InvalidResponseError | None = None
    async with client_of(lambda page: answer(page or 1), TOKEN) as (server, client):
        try:
            async for source in client.sources.list(per_page=per_page):
                ids.append(source.id)
                assert len(ids) < 500, "runaway"
        except wacr.InvalidResponseError as caught:
            error = caught
    return ids, error, server.pages


@pytest.mark.parametrize("period", [2, 3, 7])
async def test_pages_that_cycle_are_caught_on_the_first_repeat(period: int) -> None:
    def answer(page: int) -> Answer:
        first = ((page - 1) % period) * 2 + 1
        return listing([first, first + 1], current_page=page, has_more=True)

    ids, error, pages = await iterate(answer)
    assert ids == list(range(1, 2 * period + 1))  # every item of the cycle, once
    assert pages == list(range(1, period + 2))
    assert error is not None and error.status == 200 and error.request_id == "req-p"
    assert f"page {period + 1} repeats the items of page 1: the server seems to ignore" in str(error)


async def test_the_same_page_twice_keeps_its_wording() -> None:
    ids, error, pages = await iterate(lambda page: listing([1, 2], has_more=True))
    assert ids == [1, 2] and pages == [1, 2]
    assert error is not None and "page 2 repeats the items of the page before it" in str(error)


async def test_a_page_number_that_jumps_ahead_is_caught() -> None:
    # Asked for page 2, the server says it answered page 1000: following it would skip 3..999.
    def answer(page: int) -> Answer:
        return listing([page], current_page=1000 if page == 2 else page, has_more=page < 1001)

    ids, error, pages = await iterate(answer, per_page=1)
    assert ids == [1] and pages == [1, 2]  # the jumped page's items are not handed over
    assert error is not None and error.status == 200 and error.request_id == "req-p"
    assert "asked for page 2 but the server answered page 1000" in str(error)


async def test_a_page_number_behind_is_still_caught() -> None:
    def answer(page: int) -> Answer:
        return listing([page], current_page=max(page - 1, 1), has_more=True)

    ids, error, pages = await iterate(answer, per_page=1)
    assert ids == [1] and pages == [1, 2]
    assert error is not None and "asked for page 2 but the server answered page 1" in str(error)


async def test_the_first_page_is_taken_as_it_comes_and_the_numbers_follow_the_request() -> None:
    # The first answer's number proves nothing (`await` takes it as it comes); the next pages
    # are asked for one by one from the requested start, not from what the server said.
    def answer(page: int) -> Answer:
        return listing([page], current_page=9 if page == 1 else page, has_more=page < 3)

    ids, error, pages = await iterate(answer, per_page=1)
    assert error is None and ids == [1, 2, 3] and pages == [1, 2, 3]


async def test_a_server_that_follows_page_is_read_to_the_end() -> None:
    def answer(page: int) -> Answer:
        return listing([2 * page - 1, 2 * page], current_page=page, total_pages=40)

    ids, error, pages = await iterate(answer)
    assert error is None and ids == list(range(1, 81)) and pages == list(range(1, 41))


# -- cycles longer than the window of recent pages --------------------------------------------------

INFO = ResponseInfo(200, {}, "req-long", None, None, "GET", "http://127.0.0.1/api/v2/sources", 0.0, 1)


@attrs.define
class Item:
    id: int


@attrs.define
class Cycling:
    """Pages of one item each: page n holds item ``(n - 1) % period + 1``; ``None``: no cycle."""

    period: int | None
    last: int = 100_000
    per_page: int | None = 1
    asked: list[int] = attrs.field(factory=list)

    async def page(self, number: int) -> Page[Item]:
        self.asked.append(number)
        item = number if self.period is None else (number - 1) % self.period + 1
        return Page(items=[Item(item)], has_more=number < self.last, current_page=number, response=INFO)


@pytest.mark.parametrize("period", [1024, 1025, 1500, 3000])
async def test_a_cycle_longer_than_the_window_is_still_caught(period: int) -> None:
    source = Cycling(period)
    with pytest.raises(wacr.InvalidResponseError, match="repeats the items of page") as caught:
        async for _ in Paginator(source):
            pass
    assert caught.value.request_id == "req-long"
    # Caught within a few rounds of the cycle, never running on.
    assert period < len(source.asked) <= 4 * period


async def test_a_long_list_without_a_cycle_is_not_taken_for_one() -> None:
    source = Cycling(None, last=5000)
    assert [item.id async for item in Paginator(source)] == list(range(1, 5001))
