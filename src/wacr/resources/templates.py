"""``client.templates``: WhatsApp message templates synced from Meta."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wacr._pagination import Paginator
from wacr.models import Template, TemplateSyncResult
from wacr.resources._base import Resource

__all__ = ["Templates"]


class Templates(Resource):
    """Templates (scopes ``templates:read`` and ``templates:sync``)."""

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
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> Paginator[Template]:
        """Templates, page by page (``GET /templates``); filters ``status``, ``category``, ``language``."""
        args = {
            "page": page,
            "per_page": per_page,
            "sort": sort,
            "search": search,
            "q": q,
            "fields": fields,
            "filters": filters,
        }
        return self._paginate("templates_list", Template, args, max_retries=max_retries, timeout=timeout)

    async def get(
        self, template_id: str, *, max_retries: int | None = None, timeout: float | None = None
    ) -> Template:
        """One template by its WhatsApp ``template_id`` (a string, not the integer ``id``)."""
        return await self._call(
            "templates_get",
            Template,
            path={"template_id": template_id},
            max_retries=max_retries,
            timeout=timeout,
        )

    async def sync(
        self, *, max_retries: int | None = None, timeout: float | None = None
    ) -> TemplateSyncResult:
        """Refresh the local template table from the WhatsApp Business Account (``POST /templates/sync``)."""
        return await self._call(
            "templates_sync", TemplateSyncResult, max_retries=max_retries, timeout=timeout
        )
