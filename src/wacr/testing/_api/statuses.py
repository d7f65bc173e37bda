"""Statuses: the tenant's named lead statuses, each with a colour."""

from __future__ import annotations

import re
from typing import Final

from wacr.testing import _events
from wacr.testing._api._named import NamedTable
from wacr.testing._context import Ctx, Route
from wacr.testing._core import Result
from wacr.testing._records import Status

__all__ = ["ROUTES", "STATUSES"]

_HEX_COLOR: Final = re.compile(r"^#[0-9A-Fa-f]{6}$")

STATUSES: Final = NamedTable[Status](
    "Status",
    "Statuses",
    lambda tenant: tenant.statuses,
    ("id", "name", "color", "created_at", "updated_at"),
    {
        "name.required": "Status name is required",
        "name.unique": "A status with this name already exists",
        "color.regex": "Color must be a valid hex color code (e.g., #FF5733)",
    },
)


def create_status(ctx: Ctx) -> Result:
    v = STATUSES.validator(ctx)
    name = STATUSES.name(v, ctx)
    color = v.string("color", max=7, regex=_HEX_COLOR)
    v.check()
    assert name is not None
    status = Status(ctx.state.next_id("statuses"), name, color, ctx.stamp, ctx.stamp)
    ctx.tenant.statuses[status.id] = status
    _events.created(ctx, status)
    return Result(status.to_json(), "Status created successfully", status=201)


def update_status(ctx: Ctx) -> Result:
    status = STATUSES.find(ctx)
    v = STATUSES.validator(ctx)
    name = STATUSES.name(v, ctx, status)
    color = v.string("color", max=7, regex=_HEX_COLOR)
    v.check()
    assert name is not None
    before = _events.watch(ctx, status)
    changed = name != status.name
    status.name = name
    if "color" in ctx.body and color != status.color:
        status.color = color
        changed = True
    if changed:
        status.updated_at = ctx.stamp
        _events.updated(ctx, status, before)
    return Result(status.to_json(), "Status updated successfully")


def delete_status(ctx: Ctx) -> Result:
    status = STATUSES.find(ctx)
    STATUSES.refuse_if_assigned(sum(1 for c in ctx.tenant.contacts.values() if c.status_id == status.id))
    del ctx.tenant.statuses[status.id]
    _events.deleted(ctx, status)
    return Result(None, "Status deleted successfully")


ROUTES = [
    Route("GET", "/statuses", "statuses:read", STATUSES.list),
    Route("POST", "/statuses", "statuses:write", create_status),
    Route("GET", "/statuses/{id}", "statuses:read", STATUSES.get),
    Route("PATCH", "/statuses/{id}", "statuses:write", update_status),
    Route("DELETE", "/statuses/{id}", "statuses:write", delete_status),
]
