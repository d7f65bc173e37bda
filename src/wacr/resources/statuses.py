"""``client.statuses``: contact lifecycle statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import Deleted, Status
    from wacr.resources._options import BodyOptions, RequestOptions

__all__ = ["Statuses"]


class Statuses(Resource):
    """Contact statuses, a contact's ``status_id`` (scopes ``statuses:read``, ``statuses:write``; deleting
    needs ``statuses:write`` too)."""

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
    ) -> Paginator[Status]:
        """Statuses, page by page (``GET /statuses``).

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
        return self._list("statuses_list", models.Status, args, options=request_options)

    async def create(
        self,
        *,
        name: str,
        color: str | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> Status:
        """Create a status (``POST /statuses``); ``color`` is ``#RRGGBB``."""
        return await self._request(
            "statuses_create",
            models.Status,
            body={"name": name, "color": color},
            options=request_options,
        )

    async def get(self, id: int, **request_options: Unpack[RequestOptions]) -> Status:
        """One status (``GET /statuses/{id}``)."""
        return await self._request("statuses_get", models.Status, path={"id": id}, options=request_options)

    async def update(
        self,
        id: int,
        *,
        name: str,
        color: str | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> Status:
        """Change a status (``PATCH /statuses/{id}``; ``name`` is required)."""
        return await self._request(
            "statuses_update",
            models.Status,
            path={"id": id},
            body={"name": name, "color": color},
            options=request_options,
        )

    async def delete(self, id: int, **request_options: Unpack[RequestOptions]) -> Deleted:
        """Delete a status (``DELETE /statuses/{id}``).

        Refused while contacts still have it: :class:`wacr.ConflictError` (409
        ``RESOURCE_CONFLICT``), whose ``details`` carry ``contacts_count``.
        """
        return await self._request(
            "statuses_delete", models.Deleted, path={"id": id}, options=request_options
        )
