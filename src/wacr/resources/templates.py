"""``client.templates``: WhatsApp message templates synced from Meta."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wacr import models
from wacr._operations import OPERATIONS
from wacr._pagination import Paginator
from wacr.errors import ValidationError
from wacr.resources._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import Template, TemplateSyncResult
    from wacr.resources._options import RequestOptions

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
        **request_options: Unpack[RequestOptions],
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
        return self._list("templates_list", models.Template, args, options=request_options)

    async def get(self, template_id: str | int, **request_options: Unpack[RequestOptions]) -> Template:
        """One template by its WhatsApp ``template_id`` (not the internal integer ``id``).

        WhatsApp ids are digit strings (``"1234567890123456"``); an ``int`` is sent as its
        digits. Any other non-empty id of letters, digits, ``_``, ``.`` and ``-`` (up to 64
        characters) is sent as it is, since WA.cr documents the id as a string.
        """
        if template_id.__class__ is not str:
            template_id = _template_id_text(template_id)
        return await self._request(
            "templates_get",
            models.Template,
            path={"template_id": template_id},
            options=request_options,
        )

    async def sync(self, **request_options: Unpack[RequestOptions]) -> TemplateSyncResult:
        """Refresh the local template table from the WhatsApp Business Account (``POST /templates/sync``).

        The result's ``synced_count`` is how many templates were synced and ``templates`` the
        synced templates. An account without WhatsApp settings raises
        :class:`wacr.WhatsAppNotConfiguredError`.
        """
        return await self._request("templates_sync", models.TemplateSyncResult, options=request_options)


def _template_id_text(template_id: object) -> str:
    """An ``int`` template id as its digits; anything else but a string is refused."""
    if isinstance(template_id, str):
        return template_id
    if isinstance(template_id, bool) or not isinstance(template_id, int):
        raise ValidationError(
            errors={"template_id": [f"must be a string or an integer, not {type(template_id).__name__}"]}
        )
    if template_id < 0:
        raise ValidationError(errors={"template_id": ["must not be negative"]})
    # Bounded before it is written out: str() of more than 4300 digits raises.
    longest = OPERATIONS["templates_get"].path_params["template_id"]["maxLength"]
    if template_id >= 10**longest:
        raise ValidationError(
            errors={
                "template_id": [
                    f"must be at most {longest} characters (got an integer of more than {longest} digits)"
                ]
            }
        )
    return int.__repr__(template_id)  # an int subclass's own __str__ is not its digits
