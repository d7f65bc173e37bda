"""Pages of list results, and the lazy paginator list methods return.

::

    page = await client.contacts.list(per_page=100)      # one Page
    async for contact in client.contacts.list():           # every item, page after page
        ...
    async for page in client.contacts.list().pages():      # every page
        ...

The paginator keeps one page in memory at a time. A page is the last one unless the server
says otherwise (``has_more``; without it, ``current_page < total_pages``, reading Laravel's
``last_page`` where a server sends that instead) or the page size proves there can be more (a
full page: as many items as the ``per_page`` asked for, or the API's default size). A list
operation without pagination (``comments.list``) is always one page. An empty page always ends
the list. Page numbers go up one by one from the one asked for first (``page``, default 1),
and the first answer is taken as it comes (as ``await`` takes it). A server that does not follow
``page`` makes iteration raise :class:`~wacr.errors.InvalidResponseError` instead of looping or
skipping pages. It shows in an answer, from the second on, that names another page number than
the one asked for (earlier or later), or in a page whose items repeat those of any page before
it in the iteration, not only the one just before (pages that cycle A, B, A, B; within the
bound ``_SeenPages`` states). The caller has had every item up to that point, and learns that
the rest could not be read.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, Generic, Protocol, TypeVar, cast

import attrs

from wacr import _envelope
from wacr._response import ResponseInfo
from wacr.models._base import Model, give_nested, nested_results

# The slot's own setter: works on frozen models too, and costs less than object.__setattr__.
_set_response: Callable[[Any, ResponseInfo], None] = vars(Model)["_response"].__set__

__all__ = ["AsyncPager", "Page", "PageSource", "Paginator", "page_from_envelope"]

T = TypeVar("T")


@attrs.define(slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a list call: its ``items`` and where it sits in the whole list.

    ``has_more`` is the server's ``has_more`` when it sends one, else worked out from
    ``current_page < total_pages``, else from the page being full (``per_page`` items). The
    other fields are what the server's ``meta.pagination`` says (``None`` when it says nothing).
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
    #: Items on this page, when the server says (``len(page)`` is what arrived).
    count: int | None = None
    #: How many pages the whole list has, when the server says (``total_pages``, or ``last_page``
    #: from a server that sends that instead).
    total_pages: int | None = None
    #: HTTP status, headers and request id of the call that fetched this page.
    response: ResponseInfo = attrs.field(eq=False, repr=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class PageSource(Protocol[T]):
    """What a :class:`Paginator` asks for pages: one list call with its arguments checked
    (``wacr.resources._listing.ListCall``)."""

    #: The page size asked for, or the API's default (``None``: unknown).
    per_page: int | None

    def page(self, number: int) -> Awaitable[Page[T]]:
        """Fetch page ``number`` (1-based)."""
        ...


class Paginator(Generic[T]):
    """What a list method returns: await it for one page, iterate it for every item.

    ``await pager`` fetches the first requested page (a :class:`Page`);
    ``async for item in pager`` yields every item from that page on, fetching the next page
    only when the previous one is used up; :meth:`pages` yields whole pages. Each iteration
    starts again from the first requested page.
    """

    __slots__ = ("_source", "_start_page")

    def __init__(self, source: PageSource[T], *, start_page: int = 1) -> None:
        self._source = source
        self._start_page = start_page

    def __repr__(self) -> str:
        return f"Paginator(start_page={self._start_page}, per_page={self._source.per_page})"

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._source.page(self._start_page).__await__()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield every page from the first requested one on.

        Raises :class:`~wacr.errors.InvalidResponseError` when the server answers a page that
        cannot be the one asked for (another page number, or the items of a page already seen):
        following its ``has_more`` would request the same pages forever, or skip some.
        """
        number: int | None = self._start_page
        seen = _SeenPages()
        first = True
        while number is not None:
            page = await self._source.page(number)
            following = _next_page(page, number, first=first)
            first = False
            key = _page_key(page)
            earlier = None if key is None else seen.add(key, number)
            if earlier is not None:
                where = "the page before it" if earlier == number - 1 else f"page {earlier}"
                raise _envelope.invalid(
                    f"page {number} repeats the items of {where}: "
                    "the server seems to ignore the `page` parameter",
                    page.response,
                )
            number = following
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


def _next_page(page: Page[Any], requested: int, *, first: bool) -> int | None:
    """The page number to fetch after ``page``, or ``None`` to stop."""
    if not page.items:
        return None  # an empty page ends the list even if the server claims more
    current = page.current_page
    if current is not None and current != requested and not first:
        # The server does not follow the page parameter: an earlier number would loop forever
        # (and hand its items over again), a later one would skip the pages between. (The
        # first page is taken as it comes, as `await` takes it; its number proves nothing yet.)
        raise _envelope.invalid(
            f"asked for page {requested} but the server answered page {current}", page.response
        )
    return requested + 1 if page.has_more else None


class _SeenPages:
    """The page keys one iteration has met, in bounded memory: the last :data:`_RECENT` pages
    (a cycle up to that long is caught on its first repeat), and one older key moved up at the
    1st, 2nd, 4th, 8th... page (Brent's cycle finding: a longer cycle is caught within a few
    rounds of it). At most about 110 KiB, reached after 1,024 pages; no item is kept."""

    __slots__ = ("_anchor", "_anchor_number", "_pages", "_recent")

    def __init__(self) -> None:
        self._recent: dict[bytes, int] = {}  # key -> page number, oldest first
        self._anchor: bytes | None = None
        self._anchor_number = 0
        self._pages = 0

    def add(self, key: bytes, number: int) -> int | None:
        """Remember page ``number``'s key; the number of an earlier page with that key, if any."""
        earlier = self._recent.get(key)
        if earlier is None and key == self._anchor:
            earlier = self._anchor_number
        if earlier is not None:
            return earlier
        if len(self._recent) >= _RECENT:
            del self._recent[next(iter(self._recent))]
        self._recent[key] = number
        self._pages += 1
        if self._pages & (self._pages - 1) == 0:  # a power of two
            self._anchor, self._anchor_number = key, number
        return None


#: How many of the last pages' keys an iteration keeps (a 16-byte digest and a number each).
_RECENT = 1024


def _page_key(page: Page[Any]) -> bytes | None:
    """What tells two pages apart cheaply: a digest of the size and the ids of the first and
    last items (an item's repr where it has no id, which may be long: only the digest is kept)."""
    items = page.items
    if not items:
        return None
    key = (len(items), _item_key(items[0]), _item_key(items[-1]))
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()


def _item_key(item: Any) -> Any:
    key = getattr(item, "id", None)
    if key is None or not isinstance(key, (int, str)):
        return repr(item)  # a string: the item itself is not kept alive
    return key


# ``list[Model]`` per item type, built once (its hash is computed again for each new alias).
_LIST_TYPES: dict[Any, Any] = {}


def page_from_envelope(
    envelope: Any,
    item_type: type[T],
    info: ResponseInfo,
    *,
    per_page: int | None = None,
    paginated: bool = True,
) -> Page[T]:
    """Build a :class:`Page` from a list envelope: ``data`` (a list) and ``meta.pagination``.

    ``per_page`` is the page size asked for, or the API's default size when none was asked
    (the full-page rule uses it when the server sends neither ``has_more`` nor
    ``total_pages``); ``paginated=False`` is for list operations without pagination, whose one
    answer is the whole list. The pagination fields are also looked for directly in ``meta``
    and at the top level, where Laravel-style APIs put them. Items that break their model
    raise :class:`~wacr.errors.InvalidResponseError` naming e.g. ``data[3].phone``.
    """
    data = _envelope.data_list(envelope, info)
    list_type = _LIST_TYPES.get(item_type)
    if list_type is None:
        list_type = _LIST_TYPES[item_type] = list[item_type]  # type: ignore[valid-type]
    from wacr import _convert  # the converter (cattrs) is loaded by the first list, not by import

    items: list[T] = _convert.structure_response(data, list_type, info, path="data")
    if items and isinstance(items[0], Model):
        # Each item's `response` is the page's: the call that fetched it (and so is that of the
        # results nested in it, a contact's groups).
        for item in items:
            _set_response(item, info)
        nested = nested_results(item_type)
        if nested:
            for model in cast("list[Model]", items):
                give_nested(model, info, nested)

    meta = _envelope.page_meta(envelope)
    current_page = meta["current_page"]
    total_pages = meta["total_pages"]
    reported_per_page = meta["per_page"]
    has_more_value = meta["has_more"]
    if not paginated:
        has_more = False  # there is no next page to ask for
    elif has_more_value is not None:
        has_more = has_more_value
    elif current_page is not None and total_pages is not None:
        has_more = current_page < total_pages
    else:
        # Only a full page can be followed by another; without a known size, this is the last.
        size = reported_per_page if reported_per_page is not None else per_page
        has_more = bool(items) and size is not None and size > 0 and len(items) >= size
    return Page(
        items=items,
        has_more=has_more,
        current_page=current_page,
        per_page=reported_per_page if reported_per_page is not None else per_page,
        total=meta["total"],
        count=meta["count"],
        total_pages=total_pages,
        response=info,
    )
