"""Templates (list, get, sync from the WhatsApp Business Account) and Comments."""

from __future__ import annotations

import posixpath
import secrets
from operator import itemgetter
from typing import Any, Final
from urllib.parse import urlsplit

from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Raw, Result, digits_of, not_found
from wacr.testing._messages import MEDIA_EXTENSIONS
from wacr.testing._query import TEMPLATE_OPERATORS, ListSpec, parse_list_query, project, run_list
from wacr.testing._state import TEMPLATE_FIELDS, Chat, sync_template
from wacr.testing._validation import Validator

__all__ = ["ROUTES"]

SPEC: Final = ListSpec(
    sorts={name: itemgetter(name) for name in ("template_name", "created_at", "updated_at")},
    search=(itemgetter("template_name"), itemgetter("category")),
    filters={
        "status": ("str", itemgetter("status")),
        "category": ("str", itemgetter("category")),
        "language": ("str", itemgetter("language")),
    },
    fields=TEMPLATE_FIELDS,
    operators=TEMPLATE_OPERATORS,
)


def list_templates(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, SPEC)
    items = [template.resource for template in ctx.tenant.iter_templates()]
    page = run_list(items, query, SPEC)
    data = [project(dict(item), query.fields) for item in page.items]
    return Result(data, "Templates retrieved successfully", pagination=page.pagination)


def get_template(ctx: Ctx) -> Result:
    wanted = ctx.params["template_id"]
    for template in ctx.tenant.iter_templates():
        if template.resource["template_id"] == wanted:
            return Result(dict(template.resource), "Template retrieved successfully")
    raise not_found("Template")


def sync_templates(ctx: Ctx) -> Result:
    tenant = ctx.tenant
    if not tenant.whatsapp_configured:
        raise ApiError(
            422,
            "WHATSAPP_NOT_CONFIGURED",
            "WhatsApp is not configured: syncing templates needs the Business Account ID and access token.",
        )
    for definition in tenant.remote_templates.values():
        sync_template(ctx.state, tenant, definition, ctx.stamp)
    # Upstream's answer: how many came from the WhatsApp Business Account, and those templates.
    wanted = set(tenant.remote_templates)
    templates = [
        dict(template.resource)
        for template in tenant.iter_templates()
        if template.resource["template_id"] in wanted
    ]
    return Result({"synced_count": len(templates), "templates": templates}, "Templates synced successfully")


# -- comments ----------------------------------------------------------------------------------
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
    Route("GET", "/templates", "templates:read", list_templates),
    Route("POST", "/templates/sync", "templates:sync", sync_templates),
    Route("GET", "/templates/{template_id}", "templates:read", get_template),
    Route("GET", "/comments/{mobile}", None, list_comments),
    Route("POST", "/comments/{mobile}", None, add_comment),
]
