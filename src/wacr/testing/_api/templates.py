"""Templates: list, get, and sync from the WhatsApp Business Account."""

from __future__ import annotations

from operator import itemgetter
from typing import Final

from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Result, not_found
from wacr.testing._listing import project, run_list
from wacr.testing._query import TEMPLATE_OPERATORS, ListSpec, parse_list_query
from wacr.testing._template_data import TEMPLATE_FIELDS, sync_template

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


ROUTES = [
    Route("GET", "/templates", "templates:read", list_templates),
    Route("POST", "/templates/sync", "templates:sync", sync_templates),
    Route("GET", "/templates/{template_id}", "templates:read", get_template),
]
