"""The shape groups, sources and statuses share: a tenant's table of uniquely named rows.

One :class:`NamedTable` per section finds a row by its ``{id}`` (404 naming the kind), answers
the list and the get, checks the ``name`` rule, and refuses to delete a row contacts still use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, Generic, Protocol, TypeVar

from wacr.testing._context import Ctx
from wacr.testing._core import ApiError, Result, not_found
from wacr.testing._listing import project, run_list
from wacr.testing._query import ListSpec, parse_list_query
from wacr.testing._state import Tenant
from wacr.testing._validation import Validator

__all__ = ["NamedTable"]


class _Named(Protocol):
    id: int
    name: str

    def to_json(self) -> dict[str, Any]: ...


R = TypeVar("R", bound=_Named)


class NamedTable(Generic[R]):
    """One section's table: ``kind`` names it in messages ("Group"), ``plural`` in list answers."""

    def __init__(
        self,
        kind: str,
        plural: str,
        rows: Callable[[Tenant], dict[int, R]],
        fields: tuple[str, ...],
        messages: Mapping[str, str],
    ) -> None:
        self.kind = kind
        self.plural = plural
        self.rows = rows
        self.messages = messages
        self.spec = ListSpec(
            sorts={name: attrgetter(name) for name in ("name", "created_at", "updated_at")},
            search=(attrgetter("name"),),
            # Upstream: `filter[created_at]` with every operator, and no other filter.
            filters={"created_at": ("datetime", attrgetter("created_at"))},
            fields=fields,
        )

    def find(self, ctx: Ctx) -> R:
        """The row the path's ``{id}`` names (404 when there is none)."""
        row = ctx.lookup(self.rows(ctx.tenant))
        if row is None:
            raise not_found(self.kind)
        return row

    def list(self, ctx: Ctx) -> Result:
        """The list operation: one page of the tenant's rows."""
        query = parse_list_query(ctx.query, self.spec)
        page = run_list(list(self.rows(ctx.tenant).values()), query, self.spec)
        data = [project(row.to_json(), query.fields) for row in page.items]
        return Result(data, f"{self.plural} retrieved successfully", pagination=page.pagination)

    def get(self, ctx: Ctx) -> Result:
        """The get operation."""
        return Result(self.find(ctx).to_json(), f"{self.kind} retrieved successfully")

    def validator(self, ctx: Ctx) -> Validator:
        """A validator of the request body with this section's messages."""
        return Validator(ctx.body, self.messages)

    def name(self, v: Validator, ctx: Ctx, current: R | None = None) -> str | None:
        """The ``name`` rule: required, at most 255 characters, unique in the tenant."""
        name = v.string("name", required=True, max=255)
        if name is not None:
            lowered = name.lower()
            own_id = None if current is None else current.id
            # Unique per tenant, compared case-insensitively like MySQL's default collation.
            if any(
                row.name.lower() == lowered and row.id != own_id for row in self.rows(ctx.tenant).values()
            ):
                v.fail("name", "unique", "The {attribute} has already been taken.")
        return name

    def refuse_if_assigned(self, count: int) -> None:
        """Upstream: 409 RESOURCE_CONFLICT with the number of contacts that still use the row."""
        if count:
            raise ApiError(
                409,
                "RESOURCE_CONFLICT",
                f"Cannot delete this {self.kind.lower()}: it is assigned to {count} contact(s).",
                {"contacts_count": count},
            )
