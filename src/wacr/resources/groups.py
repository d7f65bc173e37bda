"""``client.groups``: CRM contact lists and their membership."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource, _seq

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import Deleted, Group, GroupContactsAdded, GroupContactsRemoved
    from wacr.resources._options import BodyOptions, RequestOptions

__all__ = ["Groups"]


class Groups(Resource):
    """Contact lists, not WhatsApp group chats (scopes ``groups:read``, ``groups:write``, ``:delete``)."""

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
    ) -> Paginator[Group]:
        """Groups, page by page (``GET /groups``); ``sort`` on ``name``, ``created_at``, ``updated_at``.

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
        return self._list("groups_list", models.Group, args, options=request_options)

    async def create(self, *, name: str, **request_options: Unpack[BodyOptions]) -> Group:
        """Create a group (``POST /groups``); ``name`` is unique per tenant."""
        return await self._request(
            "groups_create", models.Group, body={"name": name}, options=request_options
        )

    async def get(self, id: int, **request_options: Unpack[RequestOptions]) -> Group:
        """One group (``GET /groups/{id}``)."""
        return await self._request("groups_get", models.Group, path={"id": id}, options=request_options)

    async def update(self, id: int, *, name: str, **request_options: Unpack[BodyOptions]) -> Group:
        """Rename a group (``PATCH /groups/{id}``; ``name`` is required)."""
        return await self._request(
            "groups_update",
            models.Group,
            path={"id": id},
            body={"name": name},
            options=request_options,
        )

    async def delete(self, id: int, **request_options: Unpack[RequestOptions]) -> Deleted:
        """Delete a group (``DELETE /groups/{id}``); its contacts are kept."""
        return await self._request("groups_delete", models.Deleted, path={"id": id}, options=request_options)

    async def add_contacts(
        self,
        id: int,
        contact_ids: Sequence[int],
        **request_options: Unpack[BodyOptions],
    ) -> GroupContactsAdded:
        """Add contacts to a group (``POST /groups/{id}/contacts``).

        ``contacts_added`` counts only new members; every id must be one of your contacts.
        """
        return await self._request(
            "groups_add_contacts",
            models.GroupContactsAdded,
            path={"id": id},
            body={"contact_ids": _seq(contact_ids)},
            options=request_options,
        )

    async def remove_contacts(
        self,
        id: int,
        contact_ids: Sequence[int],
        **request_options: Unpack[BodyOptions],
    ) -> GroupContactsRemoved:
        """Remove contacts from a group (``DELETE /groups/{id}/contacts``); non-members are skipped."""
        return await self._request(
            "groups_remove_contacts",
            models.GroupContactsRemoved,
            path={"id": id},
            body={"contact_ids": _seq(contact_ids)},
            options=request_options,
        )
