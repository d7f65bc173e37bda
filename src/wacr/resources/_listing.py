"""One list call, checked once: what a :class:`~wacr.Paginator` asks for page n.

The list path runs one way (docs/architecture.md): ``Resource._list`` checks the arguments and
builds the query once, before any I/O, into a :class:`ListCall`; the paginator asks it for
page after page (:meth:`ListCall.page`), which sends through the transport and reads the answer
with ``_pagination.page_from_envelope``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from wacr._headers import header_problems
from wacr._pagination import Page, page_from_envelope
from wacr._validate import accepts, check_value
from wacr.errors import ValidationError, WacrError

if TYPE_CHECKING:
    from wacr._attempt import Call
    from wacr._operation import Operation
    from wacr._response import ResponseInfo
    from wacr._transport import Transport
    from wacr.resources._options import Extras

__all__ = ["ListCall", "finished"]

T = TypeVar("T")
R = TypeVar("R")


class ListCall(Generic[T]):
    """The request of one list operation with its arguments checked; ``page(n)`` fetches page n.

    Page n's query is ``page=n`` followed by the other arguments (``build_query``'s order) and
    the ``extra_query`` pairs; the same extra headers and per-call settings go with every page.
    """

    __slots__ = ("_headers", "_item_type", "_op", "_others", "_settings", "_transport", "_url", "per_page")

    def __init__(
        self,
        transport: Transport,
        op: Operation,
        item_type: type[T],
        url: str,
        params: list[tuple[str, str]] | None,
        extra: Extras | None,
        *,
        per_page: int | None,
        options: Mapping[str, Any],
    ) -> None:
        extra_names = {name for name, _ in extra.query or ()} if extra is not None else set()
        if "page" in extra_names and op.query.get("page") is not None:
            # The paginator numbers the pages itself: an extra `page` would be replaced.
            raise ValidationError(errors={"extra_query.page": ["use the page argument of a list"]})
        headers = extra.headers if extra is not None else None
        if headers:  # checked now, before any I/O, as the other arguments are
            problems = header_problems(headers, "extra_headers")
            if problems:
                raise ValidationError("invalid extra headers", errors=problems)
        self._transport = transport
        self._op = op
        self._item_type = item_type
        self._url = url
        self._headers = headers
        self._settings = (options.get("max_retries"), options.get("timeout"))
        paginated = op.query.get("page") is not None
        self._others = [pair for pair in params or () if pair[0] != "page"] if paginated else params
        if per_page is None and paginated:
            # The size the server uses when none is asked for: a full page of it may have a next.
            per_page = op.query.get("per_page", {}).get("default")
        #: The page size asked for (or the API's default), which the full-page rule reads.
        self.per_page = per_page

    def __repr__(self) -> str:
        return f"ListCall({self._op.operation_id}, per_page={self.per_page})"

    def page(self, number: int) -> Coroutine[Any, Any, Page[T]]:
        """Fetch page ``number`` (1-based; a list without pagination has one page)."""
        schema = self._op.query.get("page")
        if schema is None:
            query = self._others
        elif number.__class__ is int and accepts(schema, number):
            query = [("page", str(number)), *(self._others or ())]
        else:
            errors: dict[str, list[str]] = {}
            check_value(schema, number, "page", errors)
            raise ValidationError(errors=errors)
        max_retries, timeout = self._settings
        call = self._transport.prepare(
            self._op.method,
            self._url,
            params=query,
            headers=self._headers,
            operation=self._op.operation_id,
            max_retries=max_retries,
            timeout=timeout,
        )
        # The call's coroutine is made when the page's runs (one made now would warn, never
        # awaited, if the page's were cancelled before it started).
        return finished(self._transport, call, self._read)

    def _read(self, envelope: Any, info: ResponseInfo) -> Page[T]:
        paginated = self._op.query.get("page") is not None
        return page_from_envelope(
            envelope, self._item_type, info, per_page=self.per_page, paginated=paginated
        )


async def finished(transport: Transport, call: Call, finish: Callable[[Any, ResponseInfo], R]) -> R:
    """Send a checked call and finish its answer (every page comes this way)."""
    raw = await transport.send(call)
    try:
        return finish(raw.envelope, raw.info)
    except WacrError as error:
        transport.scrub(error)  # the answer may echo the token into a field that does not fit
        raise
