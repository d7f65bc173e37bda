"""``client.contacts``: CRM contacts, one at a time and in batches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource, _seq

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import (
        BatchContact,
        BatchCreateResult,
        BatchDeleteResult,
        BatchOptions,
        Contact,
        ContactType,
        ContactTypeLiteral,
        Deleted,
    )
    from wacr.resources._options import BodyOptions, RequestOptions

    #: A contact type: the enum or one of its documented values (a typo is a type error).
    ContactTypeArg = ContactType | ContactTypeLiteral

__all__ = ["Contacts"]


class Contacts(Resource):
    """Contacts (scopes ``contacts:read``, ``contacts:write``, ``contacts:delete``)."""

    __slots__ = ()

    def list(
        self,
        *,
        page: int | None = None,
        per_page: int | None = None,
        sort: str | Sequence[str] | None = None,
        search: str | None = None,
        q: str | None = None,
        filters: Mapping[str, Any] | None = None,
        include: str | Sequence[str] | None = None,
        fields: str | Sequence[str] | None = None,
        **request_options: Unpack[RequestOptions],
    ) -> Paginator[Contact]:
        """Contacts, page by page (``GET /contacts``).

        ``await`` it for one :class:`~wacr.Page`, or ``async for`` over it for every contact
        (one page in memory at a time). ``sort``: ``id``, ``firstname``, ``lastname``,
        ``created_at``, ``updated_at`` (``-`` for descending). ``filters`` on ``type``,
        ``status_id``, ``source_id``, ``assigned_id``, ``created_at``, ``group_id``, e.g.
        ``{"status_id": 3, "created_at": {"gte": "2026-01-01"}}``. ``include``: ``groups``,
        ``source``, ``status``.
        """
        args = {
            "page": page,
            "per_page": per_page,
            "sort": sort,
            "search": search,
            "q": q,
            "include": include,
            "fields": fields,
            "filters": filters,
        }
        return self._list("contacts_list", models.Contact, args, options=request_options)

    async def create(
        self,
        *,
        firstname: str,
        lastname: str,
        phone: str,
        type: ContactTypeArg,
        source_id: int,
        status_id: int,
        email: str | None = None,
        company: str | None = None,
        description: str | None = None,
        city: str | None = None,
        state: str | None = None,
        zip: str | None = None,
        address: str | None = None,
        country_id: int | None = None,
        assigned_id: int | None = None,
        groups: Sequence[int] | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> Contact:
        """Create a contact (``POST /contacts``); the result has its ``groups`` loaded.

        ``phone`` and ``email`` are unique per tenant; ``source_id``/``status_id`` must exist.
        A full plan raises :class:`wacr.FeatureLimitExceededError`.
        """
        body = {
            "firstname": firstname,
            "lastname": lastname,
            "phone": phone,
            "type": type,
            "source_id": source_id,
            "status_id": status_id,
            "email": email,
            "company": company,
            "description": description,
            "city": city,
            "state": state,
            "zip": zip,
            "address": address,
            "country_id": country_id,
            "assigned_id": assigned_id,
            "groups": _seq(groups),
        }
        return await self._request("contacts_create", models.Contact, body=body, options=request_options)

    async def get(
        self,
        id: int,
        *,
        include: str | Sequence[str] | None = None,
        **request_options: Unpack[RequestOptions],
    ) -> Contact:
        """One contact (``GET /contacts/{id}``); ``include`` any of ``groups``, ``source``, ``status``."""
        return await self._request(
            "contacts_get",
            models.Contact,
            path={"id": id},
            query={"include": include} if include is not None else None,
            options=request_options,
        )

    async def update(
        self,
        id: int,
        *,
        firstname: str | None = None,
        lastname: str | None = None,
        phone: str | None = None,
        type: ContactTypeArg | None = None,
        source_id: int | None = None,
        status_id: int | None = None,
        email: str | None = None,
        company: str | None = None,
        description: str | None = None,
        city: str | None = None,
        state: str | None = None,
        zip: str | None = None,
        address: str | None = None,
        country_id: int | None = None,
        assigned_id: int | None = None,
        groups: Sequence[int] | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> Contact:
        """Change some fields of a contact (``PATCH /contacts/{id}``); only what you pass is sent.

        ``groups`` REPLACES every group membership; leave it out to keep them.
        """
        body = {
            "firstname": firstname,
            "lastname": lastname,
            "phone": phone,
            "type": type,
            "source_id": source_id,
            "status_id": status_id,
            "email": email,
            "company": company,
            "description": description,
            "city": city,
            "state": state,
            "zip": zip,
            "address": address,
            "country_id": country_id,
            "assigned_id": assigned_id,
            "groups": _seq(groups),
        }
        return await self._request(
            "contacts_update", models.Contact, path={"id": id}, body=body, options=request_options
        )

    async def delete(self, id: int, **request_options: Unpack[RequestOptions]) -> Deleted:
        """Delete a contact (``DELETE /contacts/{id}``)."""
        return await self._request(
            "contacts_delete", models.Deleted, path={"id": id}, options=request_options
        )

    async def batch_create(
        self,
        contacts: Sequence[BatchContact | Mapping[str, Any]],
        *,
        options: BatchOptions | Mapping[str, Any] | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> BatchCreateResult:
        """Create many contacts in one call (``POST /contacts/batch``).

        Each item is a :class:`~wacr.models.BatchContact` or a dict of its fields, checked like a
        single create. ``options``: ``continue_on_error`` (default true), ``skip_duplicates``
        (default false; an existing phone is then skipped, not failed). The result's
        ``summary``, ``created``, ``skipped`` and ``errors`` say what happened to each item.
        """
        body = {"contacts": _seq(contacts), "options": options}
        return await self._request(
            "contacts_batch_create", models.BatchCreateResult, body=body, options=request_options
        )

    async def batch_delete(
        self, ids: Sequence[int], **request_options: Unpack[BodyOptions]
    ) -> BatchDeleteResult:
        """Delete many contacts (``DELETE /contacts/batch``); unknown ids count as ``failed``."""
        return await self._request(
            "contacts_batch_delete",
            models.BatchDeleteResult,
            body={"ids": _seq(ids)},
            options=request_options,
        )
