"""Pages of list results, and the lazy paginator list methods return.

::

    page = await client.contacts.list(per_page=100)      # one Page
    async for contact in client.contacts.list():           # every item, page after page
        ...
    async for page in client.contacts.list().pages():      # every page
        ...

The paginator keeps one page in memory at a time. It continues while the server says
``has_more``; without it, while ``current_page < last_page``; without either, until a page
comes back empty or shorter than ``per_page``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

import attrs

from wacr import _convert
from wacr._response import ResponseInfo
from wacr.errors import InvalidResponseError

__all__ = ["AsyncPager", "Page", "Paginator", "page_from_envelope"]

T = TypeVar("T")


@attrs.define(slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a list call: its ``items`` and where it sits in the whole list.

    ``has_more`` is the server's ``has_more`` when it sends one, else worked out from
    ``current_page < last_page``, else from the page being full (``per_page`` items).
    """

    #: The items of this page.
    items: list[T]
    #: Whether another page follows.
    has_more: bool
    #: This page's number (1-based), when the server says.
    current_page: int | None = None
    #: Page size, as the server reports it (else as requested).
    per_page: int | None = None
    #: Items in the whole list, when the server says.
    total: int | None = None
    #: Number of the last page, when the server says.
    last_page: int | None = None
    #: HTTP status, headers and request id of the call that fetched this page.
    response: ResponseInfo | None = attrs.field(default=None, eq=False, repr=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class Paginator(Generic[T]):
    """What a list method returns: await it for one page, iterate it for every item.

    ``await pager`` fetches the first requested page (a :class:`Page`);
    ``async for item in pager`` yields every item from that page on, fetching the next page
    only when the previous one is used up; :meth:`pages` yields whole pages. Each iteration
    starts again from the first requested page.
    """

    __slots__ = ("_fetch", "_per_page", "_start_page")

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        *,
        start_page: int = 1,
        per_page: int | None = None,
    ) -> None:
        self._fetch = fetch
        self._start_page = start_page
        self._per_page = per_page

    def __repr__(self) -> str:
        return f"Paginator(start_page={self._start_page}, per_page={self._per_page})"

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._fetch(self._start_page).__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield every page from the first requested one on."""
        number: int | None = self._start_page
        while number is not None:
            page = await self._fetch(number)
            number = _next_page(page, number)
            yield page
            del page  # hold one page at a time, also while fetching the next

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            items = page.items
            del page
            # Hand items over from the back of the reversed list so that each is released
            # as soon as the caller drops it.
            items.reverse()
            while items:
                yield items.pop()


#: Another name for :class:`Paginator`.
AsyncPager = Paginator


def _next_page(page: Page[Any], requested: int) -> int | None:
    """The page number to fetch after ``page``, or ``None`` to stop."""
    if not page.has_more or not page.items:
        return None  # an empty page ends the list even if the server claims more
    current = page.current_page if page.current_page is not None else requested
    if current < requested:
        # The server ignores the page parameter: following has_more would loop forever.
        raise InvalidResponseError(
            f"asked for page {requested} but the server answered page {current}",
            status=page.response.status if page.response else None,
            request_id=page.response.request_id if page.response else None,
        )
    return current + 1


# ``list[Model]`` per item type, built once (its hash is computed again for each new alias).
_LIST_TYPES: dict[Any, Any] = {}


def page_from_envelope(
    envelope: Any,
    item_type: type[T],
    info: ResponseInfo | None = None,
    *,
    per_page: int | None = None,
) -> Page[T]:
    """Build a :class:`Page` from a list envelope: ``data`` (a list) and ``meta.pagination``.

    ``per_page`` is the page size asked for (the short-page rule uses it when the server
    sends no pagination data). The pagination fields are also looked for directly in
    ``meta`` and at the top level, where Laravel-style APIs put them. Items that break their
    model raise :class:`~wacr.errors.InvalidResponseError` naming e.g. ``data[3].phone``.
    """
    if not isinstance(envelope, dict):
        raise _bad(f"expected a JSON object, got {_json_type(envelope)}", info)
    data = envelope.get("data")
    if not isinstance(data, list):
        raise _bad(
            "the response has no `data` list"
            if data is None
            else f"`data` is {_json_type(data)}, expected an array",
            info,
        )
    list_type = _LIST_TYPES.get(item_type)
    if list_type is None:
        list_type = _LIST_TYPES[item_type] = list[item_type]  # type: ignore[valid-type]
    items: list[T] = _convert.structure_response(data, list_type, info, path="data")

    meta = envelope.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    pagination = meta.get("pagination")
    scopes = [s for s in (pagination, meta, envelope) if isinstance(s, dict)]
    current_page = _int_in(scopes, "current_page")
    last_page = _int_in(scopes, "last_page")
    reported_per_page = _int_in(scopes, "per_page")
    has_more_value = next((s["has_more"] for s in scopes if isinstance(s.get("has_more"), bool)), None)
    if has_more_value is not None:
        has_more = has_more_value
    elif current_page is not None and last_page is not None:
        has_more = current_page < last_page
    else:
        size = per_page or reported_per_page
        has_more = bool(items) and (size is None or len(items) >= size)
    return Page(
        items=items,
        has_more=has_more,
        current_page=current_page,
        per_page=reported_per_page if reported_per_page is not None else per_page,
        total=_int_in(scopes, "total"),
        last_page=last_page,
        response=info,
    )


def _int_in(scopes: list[dict[str, Any]], key: str) -> int | None:
    for scope in scopes:
        value = scope.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def _bad(message: str, info: ResponseInfo | None) -> InvalidResponseError:
    return InvalidResponseError(
        message,
        status=info.status if info else None,
        request_id=info.request_id if info else None,
        method=info.method if info else None,
        url=info.url if info else None,
    )
