"""Pages and the paginator: building pages from envelopes, stopping rules, one page in memory."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import pytest

from tests.core.conftest import MakeTransport, Reply, Scripted
from wacr._pagination import AsyncPager, Page, Paginator, page_from_envelope
from wacr._response import ResponseInfo
from wacr.errors import InvalidResponseError
from wacr.models._base import Model

#: What the transport attaches to the pages these tests build by hand.
INFO = ResponseInfo(
    status=200,
    headers={},
    request_id="r",
    message=None,
    meta=None,
    method="GET",
    url="https://x/api/v2/items",
    elapsed=0.01,
    attempts=1,
)


@attrs.define(kw_only=True)
class Item(Model):
    id: int
    name: str | None = None


class Source:
    """A page source (what ``Resource._list`` builds) around a fetch function."""

    def __init__(self, fetch: Callable[[int], Awaitable[Page[Item]]], per_page: int | None = None) -> None:
        self.page = fetch
        self.per_page = per_page


def envelope(ids: list[int], **pagination: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"request_id": "r"}
    if pagination:
        meta["pagination"] = pagination
    return {"success": True, "data": [{"id": i, "name": f"n{i}"} for i in ids], "meta": meta}


# -- page_from_envelope ------------------------------------------------------------------------


def test_page_from_envelope_reads_items_and_the_upstream_pagination_keys() -> None:
    page = page_from_envelope(
        envelope([1, 2], total=5, count=2, per_page=2, current_page=1, total_pages=3, has_more=True),
        Item,
        INFO,
    )
    assert page.items == [Item(id=1, name="n1"), Item(id=2, name="n2")]
    assert (page.has_more, page.current_page, page.per_page, page.total, page.count, page.total_pages) == (
        True, 1, 2, 5, 2, 3,
    )  # fmt: skip
    assert list(page) == page.items and len(page) == 2 and page.response is INFO
    assert all(item.response is INFO for item in page)  # each item carries its page's response
    assert not hasattr(page, "last_page")  # the server never sends it: exposing it was a bug


def test_a_server_sending_last_page_instead_of_total_pages_is_read_the_same_way() -> None:
    page = page_from_envelope(envelope([1], current_page=1, per_page=1, last_page=4), Item, INFO)
    assert (page.total_pages, page.has_more) == (4, True)
    # total_pages wins when a server sends both.
    both = page_from_envelope(envelope([1], current_page=2, total_pages=2, last_page=9), Item, INFO)
    assert (both.total_pages, both.has_more) == (2, False)


def test_has_more_from_the_server_wins() -> None:
    claims_no_more = envelope([1], current_page=1, total_pages=9, has_more=False)
    assert page_from_envelope(claims_no_more, Item, INFO).has_more is False
    claims_more = envelope([1], current_page=9, total_pages=9, has_more=True)
    assert page_from_envelope(claims_more, Item, INFO).has_more is True


def test_total_pages_fallback() -> None:
    assert page_from_envelope(envelope([1], current_page=1, total_pages=2), Item, INFO).has_more is True
    assert page_from_envelope(envelope([1], current_page=2, total_pages=2), Item, INFO).has_more is False


def test_without_has_more_or_total_pages_only_a_full_page_has_a_next() -> None:
    assert page_from_envelope(envelope([1, 2]), Item, INFO, per_page=2).has_more is True
    assert page_from_envelope(envelope([1]), Item, INFO, per_page=2).has_more is False
    assert page_from_envelope(envelope([]), Item, INFO, per_page=2).has_more is False
    assert page_from_envelope(envelope([1], per_page=1), Item, INFO).has_more is True  # reported per_page
    # The page size is unknown: the page cannot prove there is more, so it is the last one.
    assert page_from_envelope(envelope([1]), Item, INFO).has_more is False
    assert page_from_envelope({"success": True, "data": [{"id": 1}]}, Item, INFO).has_more is False
    assert page_from_envelope(envelope([]), Item, INFO).has_more is False


def test_a_list_without_pagination_is_one_page_whatever_the_server_says() -> None:
    claims = envelope([1, 2], current_page=1, total_pages=5, has_more=True)
    assert page_from_envelope(claims, Item, INFO, per_page=2, paginated=False).has_more is False


def test_laravel_style_pagination_at_top_level_or_in_meta() -> None:
    top = {"data": [{"id": 1}], "current_page": 1, "total_pages": 2, "per_page": "1"}
    page = page_from_envelope(top, Item, INFO)
    assert (page.has_more, page.per_page) == (True, 1)
    in_meta = {"data": [{"id": 1}], "meta": {"current_page": 2, "last_page": 2}}
    assert page_from_envelope(in_meta, Item, INFO).has_more is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([{"id": 1}], "expected a JSON object, got an array"),
        (None, "expected a JSON object, got null"),
        ({"success": True}, "no `data` list"),
        ({"data": {"id": 1}}, "`data` is an object, expected an array"),
    ],
)
def test_bad_envelopes(body: Any, message: str) -> None:
    with pytest.raises(InvalidResponseError, match=message):
        page_from_envelope(body, Item, INFO)


def test_bad_item_names_its_path() -> None:
    with pytest.raises(InvalidResponseError) as caught:
        page_from_envelope({"data": [{"id": 1}, {"id": 2}, {"id": "3"}]}, Item, INFO)
    assert caught.value.problems == ["data[2].id: expected integer, got '3'"]


# -- the paginator ------------------------------------------------------------------------------


class Server:
    """Serves ``total`` items in pages; the envelope shape is chosen per test."""

    def __init__(self, total: int, per_page: int, style: str) -> None:
        self.total, self.per_page, self.style = total, per_page, style
        self.fetched: list[int] = []
        self.refs: list[weakref.ref[Item]] = []
        self.alive_at_fetch: list[int] = []

    async def fetch(self, page: int) -> Page[Item]:
        self.fetched.append(page)
        self.alive_at_fetch.append(sum(ref() is not None for ref in self.refs))
        start = (page - 1) * self.per_page
        ids = list(range(start + 1, min(start + self.per_page, self.total) + 1))
        last_page = max(1, -(-self.total // self.per_page))
        pagination: dict[str, Any] = {}
        if self.style == "has_more":
            pagination = {"current_page": page, "has_more": page < last_page}
        elif self.style == "total_pages":
            pagination = {"current_page": page, "total_pages": last_page}
        elif self.style == "last_page":  # what Laravel's paginator sends
            pagination = {"current_page": page, "last_page": last_page}
        result = page_from_envelope(envelope(ids, **pagination), Item, INFO, per_page=self.per_page)
        self.refs.extend(weakref.ref(item) for item in result.items)
        return result


@pytest.mark.parametrize("style", ["has_more", "total_pages", "last_page", "none"])
@pytest.mark.parametrize("total", [0, 3, 10, 12])
async def test_iterates_every_item_and_stops_at_the_end(style: str, total: int) -> None:
    server = Server(total, per_page=3, style=style)
    ids = [item.id async for item in Paginator(Source(server.fetch, 3))]
    assert ids == list(range(1, total + 1))
    # Without pagination data only a short (or empty) page tells the end.
    expected = total // 3 + 1 if style == "none" else max(1, -(-total // 3))
    assert server.fetched == list(range(1, expected + 1))


async def test_one_page_in_memory() -> None:
    server = Server(total=200, per_page=10, style="has_more")
    count = 0
    async for item in Paginator(Source(server.fetch, 10)):
        count += item.id > 0
    assert count == 200 and len(server.fetched) == 20
    # When a page is fetched, at most the item the loop variable still holds is alive.
    assert max(server.alive_at_fetch) <= 1


async def test_await_gives_the_first_requested_page() -> None:
    server = Server(total=10, per_page=3, style="has_more")
    pager: AsyncPager[Item] = Paginator(Source(server.fetch, 3), start_page=2)
    page = await pager
    assert [i.id for i in page.items] == [4, 5, 6] and page.has_more
    assert server.fetched == [2]
    assert [i.id async for i in pager] == [4, 5, 6, 7, 8, 9, 10]


async def test_pages_yields_whole_pages() -> None:
    server = Server(total=7, per_page=3, style="total_pages")
    sizes = [len(page) async for page in Paginator(Source(server.fetch, 3)).pages()]
    assert sizes == [3, 3, 1]


async def test_stops_on_an_empty_page_even_if_the_server_claims_more() -> None:
    calls: list[int] = []

    async def fetch(page: int) -> Page[Item]:
        calls.append(page)
        return Page(items=[Item(id=1)] if page == 1 else [], has_more=True, current_page=page, response=INFO)

    assert [i.id async for i in Paginator(Source(fetch))] == [1]
    assert calls == [1, 2]


async def test_server_ignoring_the_page_parameter_is_an_error_not_a_loop() -> None:
    async def fetch(page: int) -> Page[Item]:
        return Page(items=[Item(id=1)], has_more=True, current_page=1, response=INFO)

    with pytest.raises(InvalidResponseError, match="asked for page 2"):
        [i async for i in Paginator(Source(fetch))]


async def test_the_same_items_again_without_a_page_number_is_an_error_not_a_loop() -> None:
    calls: list[int] = []

    async def fetch(page: int) -> Page[Item]:
        calls.append(page)
        return Page(items=[Item(id=1), Item(id=2)], has_more=True, response=INFO)

    seen: list[int] = []
    with pytest.raises(InvalidResponseError, match="page 2 repeats the items of the page before it"):
        async for item in Paginator(Source(fetch)):
            seen.append(item.id)
    assert seen == [1, 2] and calls == [1, 2]  # the first page's items, never twice


async def test_pages_that_only_share_an_edge_item_are_not_taken_for_a_repeat() -> None:
    pages = {1: [1, 2, 3], 2: [3, 4, 5], 3: [5]}  # an item inserted meanwhile shifts one over

    async def fetch(page: int) -> Page[Item]:
        return Page(
            items=[Item(id=i) for i in pages[page]], has_more=page < 3, current_page=page, response=INFO
        )

    assert [i.id async for i in Paginator(Source(fetch))] == [1, 2, 3, 3, 4, 5, 5]


async def test_paginating_over_http(api: Scripted, make_transport: MakeTransport) -> None:
    transport = make_transport()
    api.reply(
        Reply(200, envelope([1, 2], current_page=1, per_page=2, total_pages=2, has_more=True)),
        Reply(200, envelope([3], current_page=2, per_page=2, total_pages=2, has_more=False)),
    )

    async def fetch(page: int) -> Page[Item]:
        raw = await transport.request("GET", "/contacts", params=[("page", str(page)), ("per_page", "2")])
        return page_from_envelope(raw.envelope, Item, raw.info, per_page=2)

    pager = Paginator(Source(fetch, 2))
    assert [c.id async for c in pager] == [1, 2, 3]
    assert [s.query["page"] for s in api.seen] == ["1", "2"]
    first = await Paginator(Source(fetch, 2))
    assert first.response is not None and first.response.request_id == "r"
