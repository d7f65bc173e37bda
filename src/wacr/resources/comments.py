"""``client.comments``: internal notes on a chat conversation (WA.cr)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wacr import models
from wacr._pagination import Paginator
from wacr.resources._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import AddCommentResult, Comment
    from wacr.resources._options import BodyOptions, RequestOptions

__all__ = ["Comments"]


class Comments(Resource):
    """Team-only notes on the conversation with a number; never sent to the customer.

    ``mobile`` is the number with country code and no ``+`` (``919876543210``) and must match
    an existing chat. A deployment without this section answers 404 (:class:`wacr.NotFoundError`).
    """

    __slots__ = ()

    def list(self, mobile: str, **request_options: Unpack[RequestOptions]) -> Paginator[Comment]:
        """Every note on the conversation, newest first (``GET /comments/{mobile}``; one page)."""
        return self._list(
            "comments_list", models.Comment, {}, path={"mobile": mobile}, options=request_options
        )

    async def add(
        self,
        mobile: str,
        *,
        comment: str,
        status_message: str | None = None,
        media_url: str | None = None,
        message_id: str | None = None,
        ref_message_id: str | None = None,
        **request_options: Unpack[BodyOptions],
    ) -> AddCommentResult:
        """Add a note (``POST /comments/{mobile}``); the answer is the flat saved note."""
        body = {
            "comment": comment,
            "status_message": status_message,
            "media_url": media_url,
            "message_id": message_id,
            "ref_message_id": ref_message_id,
        }
        return await self._request(
            "comments_add",
            models.AddCommentResult,
            path={"mobile": mobile},
            body=body,
            options=request_options,
        )
