"""The shape groups, sources and statuses share: a tenant's table of uniquely named rows.

One :class:`NamedTable` per section finds a row by its ``{id}`` (404 naming the kind), answers
the list and the get, checks the ``name`` rule, stores a new row, and deletes a row only while no
contact uses it (sources and statuses).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, Generic, Protocol, TypeVar

from wacr.testing import _events
from wacr.testing._context import Ctx
from wacr.testing._core import ApiError, Result, not_found
from wacr.testing._listing import project, run_list
from wacr.testing._query import ListSpec, parse_list_query
from wacr.testing._records import Contact
from wacr.testing._state import Tenant
from wacr.testing._validation import Validator

__all__ = ["NamedTable"]


class _Named(Protocol):
    id: int
    name: str
    updated_at: str

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
        *,
        events: bool,
    ) -> None:
        self.kind = kind
        self.events = events  # whether changes are webhook events (sources, statuses; not groups)
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

    def validate(self, ctx: Ctx, current: R | None = None) -> tuple[Validator, str]:
        """The body's validator after the ``name`` rule (required, at most 255 characters, unique
        in the tenant), and the name; the caller adds its own rules, then calls ``check()``."""
        v = self.validator(ctx)
        name = v.string("name", required=True, max=255)
        if name is not None:
            lowered = name.lower()
            own_id = None if current is None else current.id
            # Unique per tenant, compared case-insensitively like MySQL's default collation.
            rows = self.rows(ctx.tenant).values()
            if any(row.name.lower() == lowered and row.id != own_id for row in rows):
                v.fail("name", "unique", "The {attribute} has already been taken.")
        return v, name or ""  # "" only with an error recorded: check() then refuses

    def add(self, ctx: Ctx, row: R) -> Result:
        """Store a new row: the create operation's answer (201)."""
        self.rows(ctx.tenant)[row.id] = row
        if self.events:
            _events.created(ctx, row)  # type: ignore[arg-type]  # sources and statuses only
        return Result(row.to_json(), f"{self.kind} created successfully", status=201)

    def rename(self, ctx: Ctx, row: R, name: str) -> Result:
        """The update operation of a row whose one field is its name."""
        if name != row.name:
            before = _events.watch(ctx, row) if self.events else None  # type: ignore[arg-type]
            row.name = name
            row.updated_at = ctx.stamp
            if self.events:
                _events.updated(ctx, row, before)  # type: ignore[arg-type]
        return Result(row.to_json(), f"{self.kind} updated successfully")

    def delete_unused(self, ctx: Ctx, used: Callable[[Contact], int | None]) -> Result:
        """The delete operation of a row contacts point at through ``used`` (their ``source_id``...).

        Upstream: 409 RESOURCE_CONFLICT with the number of contacts that still use it.
        """
        row = self.find(ctx)
        count = sum(1 for contact in ctx.tenant.contacts.values() if used(contact) == row.id)
        if count:
            raise ApiError(
                409,
                "RESOURCE_CONFLICT",
                f"Cannot delete this {self.kind.lower()}: it is assigned to {count} contact(s).",
                {"contacts_count": count},
            )
        del self.rows(ctx.tenant)[row.id]
        if self.events:
            _events.deleted(ctx, row)  # type: ignore[arg-type]
        return Result(None, f"{self.kind} deleted successfully")
