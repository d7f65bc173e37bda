"""Sources: the tenant's named lead sources."""

from __future__ import annotations

from typing import Final

from wacr.testing import _events
from wacr.testing._api._named import NamedTable
from wacr.testing._context import Ctx, Route
from wacr.testing._core import Result
from wacr.testing._records import Source

__all__ = ["ROUTES", "SOURCES"]

SOURCES: Final = NamedTable[Source](
    "Source",
    "Sources",
    lambda tenant: tenant.sources,
    ("id", "name", "created_at", "updated_at"),
    {
        "name.required": "Source name is required",
        "name.unique": "A source with this name already exists",
    },
)


def create_source(ctx: Ctx) -> Result:
    v = SOURCES.validator(ctx)
    name = SOURCES.name(v, ctx)
    v.check()
    assert name is not None
    source = Source(ctx.state.next_id("sources"), name, ctx.stamp, ctx.stamp)
    ctx.tenant.sources[source.id] = source
    _events.created(ctx, source)
    return Result(source.to_json(), "Source created successfully", status=201)


def update_source(ctx: Ctx) -> Result:
    source = SOURCES.find(ctx)
    v = SOURCES.validator(ctx)
    name = SOURCES.name(v, ctx, source)
    v.check()
    assert name is not None
    if name != source.name:
        before = _events.watch(ctx, source)
        source.name = name
        source.updated_at = ctx.stamp
        _events.updated(ctx, source, before)
    return Result(source.to_json(), "Source updated successfully")


def delete_source(ctx: Ctx) -> Result:
    source = SOURCES.find(ctx)
    SOURCES.refuse_if_assigned(sum(1 for c in ctx.tenant.contacts.values() if c.source_id == source.id))
    del ctx.tenant.sources[source.id]
    _events.deleted(ctx, source)
    return Result(None, "Source deleted successfully")


ROUTES = [
    Route("GET", "/sources", "sources:read", SOURCES.list),
    Route("POST", "/sources", "sources:write", create_source),
    Route("GET", "/sources/{id}", "sources:read", SOURCES.get),
    Route("PATCH", "/sources/{id}", "sources:write", update_source),
    Route("DELETE", "/sources/{id}", "sources:write", delete_source),
]
