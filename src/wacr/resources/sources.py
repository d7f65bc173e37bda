"""``client.sources``: where contacts come from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import Deleted, Source
    from wacr.resources._options import BodyOptions, RequestOptions

__all__ = ["Sources"]


class Sources(Resource):
    """Lead sources, a contact's ``source_id`` (scopes ``sources:read``, ``sources:write``; deleting needs
    ``sources:write`` too)."""

    __slots__ = ()

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        sort: str | Sequence[str] | None = None,
        search: str | None = None,
        q: str | None = None,
        fields: str | Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        **request_options: Unpack[RequestOptions],
    ) -> Paginator[Source]:
        """Sources, page by page (``GET /sources``).

        ``filters`` on ``created_at`` with any operator: ``{"created_at": {"gte": "2026-01-01"}}``.
        """
        args = {
            "page": page,
            "per_page": per_page,
            "sort": sort,
            "search": search,
            "q": q,
            "fields": fields,
            "filters": filters,
        }
        return self._list("sources_list", models.Source, args, options=request_options)

    async def create(self, *, name: str, **request_options: Unpack[BodyOptions]) -> Source:
        """Create a source (``POST /sources``); ``name`` is unique per tenant."""
        return await self._request(
            "sources_create", models.Source, body={"name": name}, options=request_options
        )

    async def get(self, id: int, **request_options: Unpack[RequestOptions]) -> Source:
        """One source (``GET /sources/{id}``)."""
        return await self._request("sources_get", models.Source, path={"id": id}, options=request_options)

    async def update(self, id: int, *, name: str, **request_options: Unpack[BodyOptions]) -> Source:
        """Rename a source (``PATCH /sources/{id}``; ``name`` is required)."""
        return await self._request(
            "sources_update",
            models.Source,
            path={"id": id},
            body={"name": name},
            options=request_options,
        )

    async def delete(self, id: int, **request_options: Unpack[RequestOptions]) -> Deleted:
        """Delete a source (``DELETE /sources/{id}``).

        Refused while contacts still have it: :class:`wacr.ConflictError` (409
        ``RESOURCE_CONFLICT``), whose ``details`` carry ``contacts_count``.
        """
        return await self._request("sources_delete", models.Deleted, path={"id": id}, options=request_options)
