"""Groups: the tenant's named contact groups and their members."""

from __future__ import annotations

from typing import Final

from wacr.testing import _events
from wacr.testing._api._named import NamedTable
from wacr.testing._context import Ctx, Route
from wacr.testing._core import Result
from wacr.testing._records import Group

__all__ = ["GROUPS", "ROUTES"]

GROUPS: Final = NamedTable[Group](
    "Group",
    "Groups",
    lambda tenant: tenant.groups,
    ("id", "name", "created_at", "updated_at", "contacts_count"),
    {
        "name.required": "Group name is required",
        "name.unique": "A group with this name already exists",
        "contact_ids.required": "Contact IDs are required",
        "contact_ids.array": "Contact IDs must be an array",
    },
    events=False,
)


def create_group(ctx: Ctx) -> Result:
    v, name = GROUPS.validate(ctx)
    v.check()
    return GROUPS.add(ctx, Group(ctx.state.next_id("groups"), name, ctx.stamp, ctx.stamp))


def update_group(ctx: Ctx) -> Result:
    group = GROUPS.find(ctx)
    v, name = GROUPS.validate(ctx, group)
    v.check()
    return GROUPS.rename(ctx, group, name)


def delete_group(ctx: Ctx) -> Result:
    group = GROUPS.find(ctx)
    tenant = ctx.tenant
    # Deleting a group strips its id from every member's `group_id` array.
    for contact_id in group.members:
        contact = tenant.contacts.get(contact_id)
        if contact is not None:
            before = _events.watch(ctx, contact)
            contact.group_ids.remove(group.id)
            _events.updated(ctx, contact, before)
    del tenant.groups[group.id]
    return Result(None, "Group deleted successfully")


def _contact_ids(ctx: Ctx, *, must_exist: bool) -> list[int]:
    v = GROUPS.validator(ctx)
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
    group = GROUPS.find(ctx)
    tenant = ctx.tenant
    added = 0
    for contact_id in _contact_ids(ctx, must_exist=True):
        if contact_id not in group.members:
            contact = tenant.contacts[contact_id]
            before = _events.watch(ctx, contact)
            contact.group_ids.append(group.id)
            contact.updated_at = ctx.stamp
            group.members.add(contact_id)
            _events.updated(ctx, contact, before)
            added += 1
    return Result({"group_id": group.id, "contacts_added": added}, "Contacts added to group successfully")


def remove_members(ctx: Ctx) -> Result:
    group = GROUPS.find(ctx)
    tenant = ctx.tenant
    removed = 0
    for contact_id in _contact_ids(ctx, must_exist=False):
        if contact_id in group.members:
            contact = tenant.contacts[contact_id]
            before = _events.watch(ctx, contact)
            contact.group_ids.remove(group.id)
            contact.updated_at = ctx.stamp
            group.members.discard(contact_id)
            _events.updated(ctx, contact, before)
            removed += 1
    return Result(
        {"group_id": group.id, "contacts_removed": removed}, "Contacts removed from group successfully"
    )


ROUTES = [
    Route("GET", "/groups", "groups:read", GROUPS.list),
    Route("POST", "/groups", "groups:write", create_group),
    Route("GET", "/groups/{id}", "groups:read", GROUPS.get),
    Route("PATCH", "/groups/{id}", "groups:write", update_group),
    Route("DELETE", "/groups/{id}", "groups:delete", delete_group),
    Route("POST", "/groups/{id}/contacts", "groups:write", add_members),
    Route("DELETE", "/groups/{id}/contacts", "groups:write", remove_members),
]
