"""Statuses: the tenant's named lead statuses, each with a colour."""

from __future__ import annotations

import re
from operator import attrgetter
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
    events=True,
)


def create_status(ctx: Ctx) -> Result:
    v, name = STATUSES.validate(ctx)
    color = v.string("color", max=7, regex=_HEX_COLOR)
    v.check()
    return STATUSES.add(ctx, Status(ctx.state.next_id("statuses"), name, color, ctx.stamp, ctx.stamp))


def update_status(ctx: Ctx) -> Result:
    status = STATUSES.find(ctx)
    v, name = STATUSES.validate(ctx, status)
    color = v.string("color", max=7, regex=_HEX_COLOR)
    v.check()
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
    return STATUSES.delete_unused(ctx, attrgetter("status_id"))


ROUTES = [
    Route("GET", "/statuses", "statuses:read", STATUSES.list),
    Route("POST", "/statuses", "statuses:write", create_status),
    Route("GET", "/statuses/{id}", "statuses:read", STATUSES.get),
    Route("PATCH", "/statuses/{id}", "statuses:write", update_status),
    Route("DELETE", "/statuses/{id}", "statuses:write", delete_status),
]
