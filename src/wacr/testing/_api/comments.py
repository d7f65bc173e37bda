"""Comments: the internal notes of a chat conversation (answered outside the envelope)."""

from __future__ import annotations

import posixpath
import secrets
from operator import itemgetter
from typing import Any
from urllib.parse import urlsplit

from wacr.testing._api._sending import MEDIA_EXTENSIONS
from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Raw, digits_of, not_found
from wacr.testing._records import Chat
from wacr.testing._validation import Validator

__all__ = ["ROUTES"]


def _chat(ctx: Ctx) -> Chat:
    chat = ctx.tenant.chats.get(digits_of(ctx.params["mobile"]))
    if chat is None:
        raise not_found("Chat conversation")
    return chat


def list_comments(ctx: Ctx) -> Raw:
    chat = _chat(ctx)
    comments = sorted(chat.comments, key=itemgetter("created_at", "id"), reverse=True)
    return Raw({"success": True, "data": comments})


def _media_type(url: str) -> str:
    extension = posixpath.splitext(urlsplit(url).path)[1].lstrip(".").lower()
    for kind, extensions in MEDIA_EXTENSIONS.items():
        if extension in extensions:
            return kind
    return "document"


def add_comment(ctx: Ctx) -> Raw:
    v = Validator(ctx.body)
    text = v.string("comment", required=True, max=5000)
    label = v.string("status_message", max=255) or "Internal comment"
    media_url = v.string("media_url", url=True)
    message_id = v.string("message_id", max=255)
    ref_message_id = v.string("ref_message_id", max=255)
    if v.errors:
        # Add Comment documents an `errors` object beside the usual envelope.
        raise ApiError(422, "VALIDATION_ERROR", "Validation failed", v.errors, extra={"errors": v.errors})
    chat = _chat(ctx)
    tenant = ctx.tenant
    stored = None
    if media_url is not None:
        name = posixpath.basename(urlsplit(media_url).path) or "file"
        stored = f"{secrets.token_hex(8)}_{name}"
    comment: dict[str, Any] = {
        "id": ctx.state.next_id("chat_messages"),
        "message": text,
        "type": _media_type(media_url) if media_url else "text",
        "url": stored,
        "status_message": label,
        "message_id": message_id,
        "ref_message_id": ref_message_id,
        "sender_id": tenant.whatsapp_number,
        "created_at": ctx.stamp,
    }
    chat.comments.append(comment)
    return Raw(
        {
            "success": True,
            "message": "Comment added successfully",
            "tenant_id": tenant.id,
            "interaction_id": chat.id,
            "sender_id": tenant.whatsapp_number,
            "status_message": label,
            "url": stored,
            "message_id": message_id,
            "ref_message_id": ref_message_id,
            "chat_message_id": comment["id"],
        }
    )


ROUTES = [
    Route("GET", "/comments/{mobile}", None, list_comments),
    Route("POST", "/comments/{mobile}", None, add_comment),
]
