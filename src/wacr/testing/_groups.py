"""Groups, Sources and Statuses: the tenant's named lookup tables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from operator import attrgetter
from typing import Final, Protocol

from wacr.testing import _webhooks
from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Result, not_found
from wacr.testing._query import ListSpec, parse_list_query, project, run_list
from wacr.testing._state import Group, Source, Status
from wacr.testing._validation import Validator

__all__ = ["ROUTES"]

_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class _Named(Protocol):
    id: int
    name: str


def _spec(fields: tuple[str, ...]) -> ListSpec:
    return ListSpec(
        sorts={name: attrgetter(name) for name in ("name", "created_at", "updated_at")},
        search=(attrgetter("name"),),
        # Upstream: `filter[created_at]` with every operator, and no other filter.
        filters={"created_at": ("datetime", attrgetter("created_at"))},
        fields=fields,
    )


GROUP_SPEC: Final = _spec(("id", "name", "created_at", "updated_at", "contacts_count"))
SOURCE_SPEC: Final = _spec(("id", "name", "created_at", "updated_at"))
STATUS_SPEC: Final = _spec(("id", "name", "color", "created_at", "updated_at"))


def _name(v: Validator, rows: Iterable[_Named], current: int | None = None) -> str | None:
    name = v.string("name", required=True, max=255)
    if name is not None:
        lowered = name.lower()
        # Unique per tenant, compared case-insensitively like MySQL's default collation.
        if any(row.name.lower() == lowered and row.id != current for row in rows):
            v.fail("name", "unique", "The {attribute} has already been taken.")
    return name


# -- groups ------------------------------------------------------------------------------------
_GROUP_MESSAGES: Final = {
    "name.required": "Group name is required",
    "name.unique": "A group with this name already exists",
    "contact_ids.required": "Contact IDs are required",
    "contact_ids.array": "Contact IDs must be an array",
}


def _group(ctx: Ctx) -> Group:
    group = ctx.lookup(ctx.tenant.groups)
    if group is None:
        raise not_found("Group")
    return group


def list_groups(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, GROUP_SPEC)
    page = run_list(list(ctx.tenant.groups.values()), query, GROUP_SPEC)
    data = [project(group.to_json(), query.fields) for group in page.items]
    return Result(data, "Groups retrieved successfully", pagination=page.pagination)


def create_group(ctx: Ctx) -> Result:
    v = Validator(ctx.body, _GROUP_MESSAGES)
    name = _name(v, ctx.tenant.groups.values())
    v.check()
    assert name is not None
    group = Group(ctx.state.next_id("groups"), name, ctx.stamp, ctx.stamp)
    ctx.tenant.groups[group.id] = group
    return Result(group.to_json(), "Group created successfully", status=201)


def get_group(ctx: Ctx) -> Result:
    return Result(_group(ctx).to_json(), "Group retrieved successfully")


def update_group(ctx: Ctx) -> Result:
    group = _group(ctx)
    v = Validator(ctx.body, _GROUP_MESSAGES)
    name = _name(v, ctx.tenant.groups.values(), group.id)
    v.check()
    assert name is not None
    if name != group.name:
        group.name = name
        group.updated_at = ctx.stamp
    return Result(group.to_json(), "Group updated successfully")


def delete_group(ctx: Ctx) -> Result:
    group = _group(ctx)
    tenant = ctx.tenant
    # Deleting a group strips its id from every member's `group_id` array.
    for contact_id in group.members:
        contact = tenant.contacts.get(contact_id)
        if contact is not None:
            before = _webhooks.watch(ctx, contact)
            contact.group_ids.remove(group.id)
            _webhooks.updated(ctx, contact, before)
    del tenant.groups[group.id]
    return Result(None, "Group deleted successfully")


def _contact_ids(ctx: Ctx, *, must_exist: bool) -> list[int]:
    v = Validator(ctx.body, _GROUP_MESSAGES)
    items = v.array("contact_ids", required=True, min=1)
    ids = v.integers("contact_ids", items or [])
    if must_exist and items:
        contacts = ctx.tenant.contacts
        for index, item in enumerate(items):
            key = f"contact_ids.{index}"
            if not v.has(key) and int(item) not in contacts:
                v.add(key, "One or more contact IDs do not exist")
    v.check()
    return list(dict.fromkeys(ids))


def add_members(ctx: Ctx) -> Result:
    group = _group(ctx)
    tenant = ctx.tenant
    added = 0
    for contact_id in _contact_ids(ctx, must_exist=True):
        if contact_id not in group.members:
            contact = tenant.contacts[contact_id]
            before = _webhooks.watch(ctx, contact)
            contact.group_ids.append(group.id)
            contact.updated_at = ctx.stamp
            group.members.add(contact_id)
            _webhooks.updated(ctx, contact, before)
            added += 1
    return Result({"group_id": group.id, "contacts_added": added}, "Contacts added to group successfully")


def remove_members(ctx: Ctx) -> Result:
    group = _group(ctx)
    tenant = ctx.tenant
    removed = 0
    for contact_id in _contact_ids(ctx, must_exist=False):
        if contact_id in group.members:
            contact = tenant.contacts[contact_id]
            before = _webhooks.watch(ctx, contact)
            contact.group_ids.remove(group.id)
            contact.updated_at = ctx.stamp
            group.members.discard(contact_id)
            _webhooks.updated(ctx, contact, before)
            removed += 1
    return Result(
        {"group_id": group.id, "contacts_removed": removed}, "Contacts removed from group successfully"
    )


# -- sources -----------------------------------------------------------------------------------
_SOURCE_MESSAGES: Final = {
    "name.required": "Source name is required",
    "name.unique": "A source with this name already exists",
}


def _source(ctx: Ctx) -> Source:
    source = ctx.lookup(ctx.tenant.sources)
    if source is None:
        raise not_found("Source")
    return source


def list_sources(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, SOURCE_SPEC)
    page = run_list(list(ctx.tenant.sources.values()), query, SOURCE_SPEC)
    data = [project(source.to_json(), query.fields) for source in page.items]
    return Result(data, "Sources retrieved successfully", pagination=page.pagination)


def create_source(ctx: Ctx) -> Result:
    v = Validator(ctx.body, _SOURCE_MESSAGES)
    name = _name(v, ctx.tenant.sources.values())
    v.check()
    assert name is not None
    source = Source(ctx.state.next_id("sources"), name, ctx.stamp, ctx.stamp)
    ctx.tenant.sources[source.id] = source
    _webhooks.created(ctx, source)
    return Result(source.to_json(), "Source created successfully", status=201)


def get_source(ctx: Ctx) -> Result:
    return Result(_source(ctx).to_json(), "Source retrieved successfully")


def update_source(ctx: Ctx) -> Result:
    source = _source(ctx)
    v = Validator(ctx.body, _SOURCE_MESSAGES)
    name = _name(v, ctx.tenant.sources.values(), source.id)
    v.check()
    assert name is not None
    if name != source.name:
        before = _webhooks.watch(ctx, source)
        source.name = name
        source.updated_at = ctx.stamp
        _webhooks.updated(ctx, source, before)
    return Result(source.to_json(), "Source updated successfully")


def _refuse_if_assigned(kind: str, count: int) -> None:
    # Upstream: 409 RESOURCE_CONFLICT with the number of contacts that still use it.
    if count:
        raise ApiError(
            409,
            "RESOURCE_CONFLICT",
            f"Cannot delete this {kind}: it is assigned to {count} contact(s).",
            {"contacts_count": count},
        )


def delete_source(ctx: Ctx) -> Result:
    source = _source(ctx)
    _refuse_if_assigned("source", sum(1 for c in ctx.tenant.contacts.values() if c.source_id == source.id))
    del ctx.tenant.sources[source.id]
    _webhooks.deleted(ctx, source)
    return Result(None, "Source deleted successfully")


# -- statuses ----------------------------------------------------------------------------------
_STATUS_MESSAGES: Final = {
    "name.required": "Status name is required",
    "name.unique": "A status with this name already exists",
    "color.regex": "Color must be a valid hex color code (e.g., #FF5733)",
}


def _status(ctx: Ctx) -> Status:
    status = ctx.lookup(ctx.tenant.statuses)
    if status is None:
        raise not_found("Status")
    return status


def list_statuses(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, STATUS_SPEC)
    page = run_list(list(ctx.tenant.statuses.values()), query, STATUS_SPEC)
    data = [project(status.to_json(), query.fields) for status in page.items]
    return Result(data, "Statuses retrieved successfully", pagination=page.pagination)


def create_status(ctx: Ctx) -> Result:
    v = Validator(ctx.body, _STATUS_MESSAGES)
    name = _name(v, ctx.tenant.statuses.values())
    color = v.string("color", max=7, regex=_HEX_COLOR)
    v.check()
    assert name is not None
    status = Status(ctx.state.next_id("statuses"), name, color, ctx.stamp, ctx.stamp)
    ctx.tenant.statuses[status.id] = status
    _webhooks.created(ctx, status)
    return Result(status.to_json(), "Status created successfully", status=201)


def get_status(ctx: Ctx) -> Result:
    return Result(_status(ctx).to_json(), "Status retrieved successfully")


def update_status(ctx: Ctx) -> Result:
    status = _status(ctx)
    v = Validator(ctx.body, _STATUS_MESSAGES)
    name = _name(v, ctx.tenant.statuses.values(), status.id)
    color = v.string("color", max=7, regex=_HEX_COLOR)
    v.check()
    assert name is not None
    before = _webhooks.watch(ctx, status)
    changed = name != status.name
    status.name = name
    if "color" in ctx.body and color != status.color:
        status.color = color
        changed = True
    if changed:
        status.updated_at = ctx.stamp
        _webhooks.updated(ctx, status, before)
    return Result(status.to_json(), "Status updated successfully")


def delete_status(ctx: Ctx) -> Result:
    status = _status(ctx)
    _refuse_if_assigned("status", sum(1 for c in ctx.tenant.contacts.values() if c.status_id == status.id))
    del ctx.tenant.statuses[status.id]
    _webhooks.deleted(ctx, status)
    return Result(None, "Status deleted successfully")


ROUTES = [
    Route("GET", "/groups", "groups:read", list_groups),
    Route("POST", "/groups", "groups:write", create_group),
    Route("GET", "/groups/{id}", "groups:read", get_group),
    Route("PATCH", "/groups/{id}", "groups:write", update_group),
    Route("DELETE", "/groups/{id}", "groups:delete", delete_group),
    Route("POST", "/groups/{id}/contacts", "groups:write", add_members),
    Route("DELETE", "/groups/{id}/contacts", "groups:write", remove_members),
    Route("GET", "/sources", "sources:read", list_sources),
    Route("POST", "/sources", "sources:write", create_source),
    Route("GET", "/sources/{id}", "sources:read", get_source),
    Route("PATCH", "/sources/{id}", "sources:write", update_source),
    Route("DELETE", "/sources/{id}", "sources:write", delete_source),
    Route("GET", "/statuses", "statuses:read", list_statuses),
    Route("POST", "/statuses", "statuses:write", create_status),
    Route("GET", "/statuses/{id}", "statuses:read", get_status),
    Route("PATCH", "/statuses/{id}", "statuses:write", update_status),
    Route("DELETE", "/statuses/{id}", "statuses:write", delete_status),
]
