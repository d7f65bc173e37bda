"""Iterating a list never runs away: lists without meta end, servers that ignore ``page`` are caught.

Every test talks to a real aiohttp server on loopback that counts the requests it gets, through
the SDK's own list methods (``client.comments.list``, ``client.contacts.list``). The property
test draws pagination metadata of every shape (missing, partial, contradictory, junk, at the
top level, in ``meta`` or in ``meta.pagination``) and checks that the number of requests is
always bounded: by 2 for a server that ignores ``page``, and by the number of pages that hold
data plus one for a server that honours it whatever its metadata claims.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wacr

TOKEN = "tok_page_runaway_5a4b3c2d1e0f"
MOBILE = "919876543210"


class Server:
    """Answers every request with what :meth:`body` builds, and counts the requests."""

    def __init__(self) -> None:
        self.pages: list[int | None] = []  # the `page` of each request (None: not sent)
        self.mode = "ignore"  # "ignore" page, or "honour" it
        self.items = 3  # ignore mode: items on the one page it always answers
        self.total = 0  # honour mode: items in the whole list
        self.size = 2  # honour mode: items per page
        self.meta: dict[str, Any] = {}
        self.placement = "pagination"
        self.echo_current_page = False

    def reset(self) -> None:
        self.pages.clear()

    def body(self, page: int | None) -> dict[str, Any]:
        number = page or 1
        if self.mode == "ignore":
            ids = list(range(1, self.items + 1))
        else:
            start = (number - 1) * self.size
            ids = list(range(start + 1, min(start + self.size, self.total) + 1))
        meta = dict(self.meta)
        if self.echo_current_page:
            meta["current_page"] = number
        envelope: dict[str, Any] = {"success": True, "data": [{"id": i} for i in ids]}
        if self.placement == "pagination":
            envelope["meta"] = {"request_id": "r", "pagination": meta}
        elif self.placement == "meta":
            envelope["meta"] = {"request_id": "r", **meta}
        elif self.placement == "top":
            envelope.update(meta)
        return envelope

    async def handle(self, request: web.BaseRequest) -> web.Response:
        raw = request.query.get("page")
        page = int(raw) if raw is not None and raw.isdigit() else None
        self.pages.append(page)
        return web.Response(body=orjson.dumps(self.body(page)), content_type="application/json")


@pytest.fixture
async def served() -> AsyncIterator[tuple[wacr.Client, Server]]:
    server = Server()
    raw = RawTestServer(server.handle, host="127.0.0.1")
    await raw.start_server()
    try:
        async with wacr.Client(TOKEN, base_url=str(raw.make_url("/api/v2")), max_retries=0) as client:
            yield client, server
    finally:
        await raw.close()


async def test_comments_without_meta_are_one_page(served: tuple[wacr.Client, Server]) -> None:
    client, server = served
    server.placement = "none"  # Get Comments answers {success, data: [...]} and nothing else
    ids = [comment.id async for comment in client.comments.list(MOBILE)]
    assert ids == [1, 2, 3]
    assert server.pages == [None]  # one request, and no `page` parameter on it


async def test_comments_stay_one_page_even_if_the_server_claims_more(
    served: tuple[wacr.Client, Server],
) -> None:
    client, server = served
    server.meta = {"has_more": True, "current_page": 1, "total_pages": 9}
    assert [comment.id async for comment in client.comments.list(MOBILE)] == [1, 2, 3]
    assert len(server.pages) == 1


async def test_a_page_without_meta_is_the_last_unless_it_is_full(served: tuple[wacr.Client, Server]) -> None:
    client, server = served
    server.mode, server.total, server.size, server.placement = "honour", 5, 2, "none"
    assert [c.id async for c in client.contacts.list(per_page=2)] == [1, 2, 3, 4, 5]
    assert server.pages == [1, 2, 3]  # full, full, short: the short page ends it
    server.reset()
    server.size = 15  # nothing asked: the API's default size (15) is what a full page means
    server.total = 20
    assert len([c async for c in client.contacts.list()]) == 20
    assert server.pages == [1, 2]


@pytest.mark.parametrize("echo", [False, True], ids=["same-page", "echoed-page-number"])
async def test_a_server_ignoring_page_is_caught_after_two_requests(
    served: tuple[wacr.Client, Server], echo: bool
) -> None:
    client, server = served
    server.meta, server.echo_current_page = {"has_more": True}, echo
    seen: list[int] = []
    with pytest.raises(wacr.InvalidResponseError) as caught:
        async for contact in client.contacts.list(per_page=3):
            seen.append(contact.id)
    assert seen == [1, 2, 3]  # every item once, none handed over twice
    assert server.pages == [1, 2]
    assert "ignore the `page` parameter" in str(caught.value)
    assert caught.value.status == 200


async def test_a_server_answering_page_one_again_is_caught(served: tuple[wacr.Client, Server]) -> None:
    client, server = served
    server.meta = {"current_page": 1, "total_pages": 5}
    with pytest.raises(wacr.InvalidResponseError, match="asked for page 2 but the server answered page 1"):
        [c async for c in client.contacts.list()]
    assert server.pages == [1, 2]


@pytest.mark.parametrize("key", ["total_pages", "last_page"])
async def test_an_answer_with_last_page_instead_of_total_pages_still_paginates(
    served: tuple[wacr.Client, Server], key: str
) -> None:
    client, server = served
    # 7 items, 2 per page, no has_more: only the page count says where the list ends.
    server.mode, server.total, server.size, server.echo_current_page = "honour", 7, 2, True
    server.meta = {key: 4, "per_page": 2}
    first = await client.contacts.list(per_page=2)
    assert (first.total_pages, first.has_more, first.current_page) == (4, True, 1)
    assert [c.id async for c in client.contacts.list(per_page=2)] == [1, 2, 3, 4, 5, 6, 7]
    assert server.pages == [1, 1, 2, 3, 4]


# -- the property: bounded requests, whatever the metadata says --------------------------------------

_NUMBER = st.one_of(st.integers(-1, 9), st.sampled_from(["3", "x", None, True, 2.5]))
_META = st.fixed_dictionaries(
    {},
    optional={
        "has_more": st.one_of(st.booleans(), st.sampled_from(["true", 1, None])),
        "current_page": _NUMBER,
        "total_pages": _NUMBER,
        "last_page": _NUMBER,
        "per_page": _NUMBER,
        "count": _NUMBER,
        "total": _NUMBER,
    },
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    own = asyncio.new_event_loop()
    yield own
    own.close()


def test_the_number_of_requests_is_always_bounded(loop: asyncio.AbstractEventLoop) -> None:
    server = Server()
    raw = RawTestServer(server.handle, host="127.0.0.1")
    loop.run_until_complete(raw.start_server())
    client = wacr.Client(TOKEN, base_url=str(raw.make_url("/api/v2")), max_retries=0)
    outcomes = {"ended": 0, "caught": 0}

    async def iterate(per_page: int | None) -> list[int]:
        ids: list[int] = []
        try:
            async for contact in client.contacts.list(per_page=per_page):
                ids.append(contact.id)
                assert len(ids) <= 1000, "runaway"
        except wacr.InvalidResponseError:
            outcomes["caught"] += 1
        else:
            outcomes["ended"] += 1
        return ids

    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        mode=st.sampled_from(["ignore", "honour"]),
        meta=_META,
        placement=st.sampled_from(["pagination", "meta", "top", "none"]),
        echo=st.booleans(),
        items=st.integers(0, 4),
        total=st.integers(0, 9),
        size=st.integers(1, 4),
        per_page=st.one_of(st.none(), st.integers(1, 5)),
    )
    def run(
        mode: str,
        meta: dict[str, Any],
        placement: str,
        echo: bool,
        items: int,
        total: int,
        size: int,
        per_page: int | None,
    ) -> None:
        server.reset()
        server.mode, server.meta, server.placement, server.echo_current_page = mode, meta, placement, echo
        server.items, server.total, server.size = items, total, size
        ids = loop.run_until_complete(iterate(per_page))
        if mode == "ignore":
            assert len(server.pages) <= 2, (server.pages, meta)
            assert ids == list(range(1, items + 1))  # its one page, once
        else:
            assert len(server.pages) <= -(-total // size) + 1, (server.pages, meta)
            assert len(ids) == len(set(ids))  # no item handed over twice
            assert set(ids) <= set(range(1, total + 1))

    try:
        run()
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(raw.close())
    # Both endings happened: the property did not pass on one path only.
    assert outcomes["ended"] and outcomes["caught"], outcomes
