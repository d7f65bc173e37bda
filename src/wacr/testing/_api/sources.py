"""Sources: the tenant's named lead sources."""

from __future__ import annotations

from operator import attrgetter
from typing import Final

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
    events=True,
)


def create_source(ctx: Ctx) -> Result:
    v, name = SOURCES.validate(ctx)
    v.check()
    return SOURCES.add(ctx, Source(ctx.state.next_id("sources"), name, ctx.stamp, ctx.stamp))


def update_source(ctx: Ctx) -> Result:
    source = SOURCES.find(ctx)
    v, name = SOURCES.validate(ctx, source)
    v.check()
    return SOURCES.rename(ctx, source, name)


def delete_source(ctx: Ctx) -> Result:
    return SOURCES.delete_unused(ctx, attrgetter("source_id"))


ROUTES = [
    Route("GET", "/sources", "sources:read", SOURCES.list),
    Route("POST", "/sources", "sources:write", create_source),
    Route("GET", "/sources/{id}", "sources:read", SOURCES.get),
    Route("PATCH", "/sources/{id}", "sources:write", update_source),
    Route("DELETE", "/sources/{id}", "sources:write", delete_source),
]
