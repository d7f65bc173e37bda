"""Contacts: list, create, get, update, delete, batch create, batch delete."""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Final

from wacr.testing import _events
from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Result, digits_of, not_found, validation_error
from wacr.testing._listing import project, run_list
from wacr.testing._query import ListSpec, parse_include, parse_list_query
from wacr.testing._records import CONTACT_FIELDS, Contact
from wacr.testing._state import Tenant
from wacr.testing._validation import Validator

__all__ = ["ROUTES", "contact_json", "contact_limit_error", "create_contact", "phone_key"]

CONTACT_TYPES: Final = ("lead", "customer", "guest")
INCLUDES: Final = frozenset({"groups", "source", "status"})
#: Returned whatever ``fields=`` asks for (upstream's 21 "critical" fields): every contact field.
ALWAYS_INCLUDED: Final = frozenset(CONTACT_FIELDS)

MESSAGES: Final = {
    "firstname.required": "First name is required",
    "lastname.required": "Last name is required",
    "phone.required": "Phone number is required",
    "phone.unique": "This phone number already exists",
    "email.unique": "This email address already exists",
    "type.in": "Type must be either lead, customer, or guest",
    "source_id.exists": "The selected source does not exist or does not belong to your account",
    "status_id.exists": "The selected status does not exist or does not belong to your account",
}

SPEC: Final = ListSpec(
    sorts={name: attrgetter(name) for name in ("id", "firstname", "lastname", "created_at", "updated_at")},
    search=tuple(attrgetter(name) for name in ("firstname", "lastname", "email", "phone", "company")),
    filters={
        "type": ("str", attrgetter("type")),
        "status_id": ("int", attrgetter("status_id")),
        "source_id": ("int", attrgetter("source_id")),
        "assigned_id": ("int", attrgetter("assigned_id")),
        "created_at": ("datetime", attrgetter("created_at")),
        "group_id": ("array", attrgetter("group_ids")),
    },
    fields=CONTACT_FIELDS,
    includes=INCLUDES,
)

_OPTIONAL_STRINGS: Final = (
    ("company", 255),
    ("city", 255),
    ("state", 255),
    ("zip", 20),
    ("address", 500),
    ("description", None),
)


def contact_limit_error(tenant: Tenant) -> ApiError | None:
    """The 403 ``FEATURE_LIMIT_EXCEEDED`` when the plan's contact limit is reached."""
    limit = tenant.plan.contacts
    if limit is None or limit < 0:
        return None
    current = len(tenant.contacts)
    if current < limit:
        return None
    return ApiError(
        403,
        "FEATURE_LIMIT_EXCEEDED",
        f"Contact limit reached ({current}/{limit}). Upgrade your plan to add more contacts.",
        {"feature": "contacts", "current": current, "maximum": limit},
    )


def validate_contact(
    tenant: Tenant, data: Mapping[str, Any], *, current: Contact | None = None, batch: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check a create (``current`` None) or partial update body; returns (values, errors).

    A batch item (``batch``) takes the create fields plus ``group_id`` (group ids, like
    ``groups``: both may be sent, the contact joins the union; an unknown id fails the item
    with ``group_id.N``) and ``addedfrom`` (an integer, stored but not rendered).
    """
    v = Validator(data, MESSAGES)
    partial = current is not None
    values: dict[str, Any] = {}

    def needed(key: str) -> bool:
        # PATCH is partial, but a field that is sent must still be valid ("sometimes|required").
        return not partial or key in data

    for key in ("firstname", "lastname"):
        if needed(key):
            values[key] = v.string(key, required=True, max=255)
    if needed("phone"):
        # The spec's ContactPhone: at most 20 characters, no minimum and no format (documented).
        phone = v.string("phone", required=True, max=20)
        if phone is not None:
            owner = tenant.phones.get(phone_key(phone))
            if owner is not None and (current is None or owner != current.id):
                v.fail("phone", "unique", "The {attribute} has already been taken.")
            values["phone"] = phone
    if needed("type"):
        values["type"] = v.string("type", required=True, choices=CONTACT_TYPES)
    for key, table in (("source_id", tenant.sources), ("status_id", tenant.statuses)):
        if needed(key):
            ref = v.integer(key, required=True)
            if ref is not None and ref not in table:
                v.fail(key, "exists", "The selected {attribute} is invalid.")
            values[key] = ref
    if "email" in data:
        email = v.string("email", max=191, email=True)
        if email is not None:
            owner = tenant.emails.get(email.lower())
            if owner is not None and (current is None or owner != current.id):
                v.fail("email", "unique", "The {attribute} has already been taken.")
        values["email"] = email
    for key, limit in _OPTIONAL_STRINGS:
        if key in data:
            values[key] = v.string(key, max=limit)
    for key in ("country_id", "assigned_id"):
        if key in data:
            values[key] = v.integer(key)
    ids: list[int] = []
    for key in ("groups", "group_id") if batch else ("groups",):
        if key not in data:
            continue
        groups = v.array(key)
        for index, item in enumerate(groups or ()):
            group_id = v.integer(f"{key}.{index}", required=True, value=item)
            if group_id is not None and group_id not in tenant.groups:
                v.fail(f"{key}.{index}", "exists", "The selected {attribute} is invalid.")
            elif group_id is not None:
                ids.append(group_id)
        values["groups"] = ids
    if batch and "addedfrom" in data:
        values["addedfrom"] = v.integer("addedfrom")
    return values, v.errors


def phone_key(phone: str) -> str:
    """What a contact's phone is unique by: its digits (:func:`digits_of`), or, for a phone with none,
    its own text behind a NUL (no send reaches it: a send looks a recipient up by digits)."""
    return digits_of(phone) or "\0" + phone.strip()


def create_contact(ctx: Ctx, values: Mapping[str, Any]) -> Contact:
    """Store a new contact from validated values."""
    phone = values["phone"]
    contact = Contact(
        id=ctx.state.next_id("contacts"),
        firstname=values["firstname"],
        lastname=values.get("lastname") or "",
        phone=phone,
        type=values.get("type") or "lead",
        status_id=values.get("status_id"),
        source_id=values.get("source_id"),
        created_at=ctx.stamp,
        updated_at=ctx.stamp,
        company=values.get("company"),
        email=values.get("email"),
        description=values.get("description"),
        city=values.get("city"),
        state=values.get("state"),
        zip=values.get("zip"),
        address=values.get("address"),
        country_id=values.get("country_id"),
        assigned_id=values.get("assigned_id"),
        group_ids=list(dict.fromkeys(values.get("groups") or ())),
        digits=phone_key(phone),
        addedfrom=values.get("addedfrom"),
    )
    ctx.tenant.add_contact(contact)
    return contact


def contact_json(
    tenant: Tenant,
    contact: Contact,
    include: list[str] | tuple[str, ...] = (),
    fields: list[str] | None = None,
) -> dict[str, Any]:
    """The ContactResource (with the tenant's ``tenant_id``) and the requested relations."""
    data = {"id": contact.id, "tenant_id": tenant.id, **contact.to_json()}
    data = project(data, fields, ALWAYS_INCLUDED)
    if "groups" in include:
        data["groups"] = [
            tenant.groups[group_id].to_json(count=False)
            for group_id in contact.group_ids
            if group_id in tenant.groups
        ]
    if "source" in include:
        source = tenant.sources.get(contact.source_id) if contact.source_id is not None else None
        data["source"] = source.to_json() if source is not None else None
    if "status" in include:
        status = tenant.statuses.get(contact.status_id) if contact.status_id is not None else None
        data["status"] = status.to_json() if status is not None else None
    return data


def _get(ctx: Ctx) -> Contact:
    contact = ctx.lookup(ctx.tenant.contacts)
    if contact is None:
        raise not_found("Contact")
    return contact


def list_contacts(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, SPEC)
    page = run_list(ctx.tenant.contact_list(), query, SPEC)
    tenant = ctx.tenant
    data = [contact_json(tenant, contact, query.include, query.fields) for contact in page.items]
    return Result(data, "Contacts retrieved successfully", pagination=page.pagination)


def post_contact(ctx: Ctx) -> Result:
    values, errors = validate_contact(ctx.tenant, ctx.body)
    if errors:
        raise validation_error(errors)
    limit = contact_limit_error(ctx.tenant)
    if limit is not None:
        raise limit
    contact = create_contact(ctx, values)
    _events.created(ctx, contact)
    return Result(contact_json(ctx.tenant, contact, ("groups",)), "Contact created successfully", status=201)


def get_contact(ctx: Ctx) -> Result:
    include = parse_include(ctx.query, INCLUDES)
    contact = _get(ctx)
    return Result(contact_json(ctx.tenant, contact, include), "Contact retrieved successfully")


def patch_contact(ctx: Ctx) -> Result:
    tenant = ctx.tenant
    contact = _get(ctx)
    values, errors = validate_contact(tenant, ctx.body, current=contact)
    if errors:
        raise validation_error(errors)
    before = _events.watch(ctx, contact)
    changed = False
    for key, value in values.items():
        if key == "phone":
            if value != contact.phone:
                tenant.set_phone(contact, value, phone_key(value))
                changed = True
        elif key == "email":
            if value != contact.email:
                tenant.set_email(contact, value)
                changed = True
        elif key == "groups":
            if list(dict.fromkeys(value)) != contact.group_ids:
                tenant.set_groups(contact, value)
                changed = True
        elif getattr(contact, key) != value:
            setattr(contact, key, value)
            changed = True
    if changed:
        contact.updated_at = ctx.stamp
        _events.updated(ctx, contact, before)
    return Result(contact_json(tenant, contact, ("groups",)), "Contact updated successfully")


def delete_contact(ctx: Ctx) -> Result:
    contact = _get(ctx)
    ctx.tenant.remove_contact(contact)
    _events.deleted(ctx, contact)
    return Result(None, "Contact deleted successfully")


def batch_create(ctx: Ctx) -> Result:
    """Create up to 100 contacts. Each item has the create rules (the same phone rule) plus
    ``group_id`` (applied: the contact joins those groups) and ``addedfrom``; an item that
    breaks a rule, an unknown group id included, is reported in ``errors`` with its index
    (``group_id.N``) and the batch goes on, or rolls back with ``continue_on_error: false``."""
    tenant = ctx.tenant
    v = Validator(ctx.body)
    items = v.array("contacts", required=True, min=1, max=100)
    options = v.object("options") or {}
    continue_on_error = v.boolean("options.continue_on_error", value=options.get("continue_on_error"))
    skip_duplicates = v.boolean("options.skip_duplicates", value=options.get("skip_duplicates"))
    v.check()
    assert items is not None
    keep_going = True if continue_on_error is None else continue_on_error

    created: list[Contact] = []
    skipped: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    rolled_back = False
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            failures.append(
                {"index": index, "errors": {"contact": ["The contact must be an object."]}, "data": item}
            )
        else:
            phone = item.get("phone")
            if skip_duplicates and isinstance(phone, str) and phone_key(phone) in tenant.phones:
                skipped.append({"index": index, "reason": "Duplicate phone number", "data": item})
                continue
            values, errors = validate_contact(tenant, item, batch=True)
            limit = None if errors else contact_limit_error(tenant)
            if limit is not None:
                errors = {"contact_limit": [limit.message]}
            if not errors:
                created.append(create_contact(ctx, values))
                continue
            failures.append({"index": index, "errors": errors, "data": item})
        if not keep_going:
            # The batch runs in one transaction: the first failure undoes what it created.
            for contact in created:
                tenant.remove_contact(contact)
            created = []
            rolled_back = True
            break
    for contact in created:  # after the loop: a rolled-back batch created nothing
        _events.created(ctx, contact)

    data = {
        "summary": {
            "total": len(items),
            "created": len(created),
            "skipped": len(skipped),
            "failed": len(failures),
        },
        "created": [contact_json(tenant, contact) for contact in created],
        "skipped": skipped,
        "errors": failures,
    }
    message = "Batch create failed and was rolled back" if rolled_back else "Batch create completed"
    return Result(data, message)


def batch_delete(ctx: Ctx) -> Result:
    tenant = ctx.tenant
    v = Validator(ctx.body)
    ids = v.array("ids", required=True, min=1)
    numbers = v.integers("ids", ids or [])
    v.check()
    deleted = 0
    for contact_id in numbers:
        contact = tenant.contacts.get(contact_id)
        if contact is not None:
            tenant.remove_contact(contact)
            _events.deleted(ctx, contact)
            deleted += 1
    data = {"summary": {"total": len(numbers), "deleted": deleted, "failed": len(numbers) - deleted}}
    return Result(data, "Batch delete completed")


ROUTES = [
    Route("GET", "/contacts", "contacts:read", list_contacts),
    Route("POST", "/contacts", "contacts:write", post_contact),
    Route("POST", "/contacts/batch", "contacts:write", batch_create),
    Route("DELETE", "/contacts/batch", "contacts:delete", batch_delete),
    Route("GET", "/contacts/{id}", "contacts:read", get_contact),
    Route("PATCH", "/contacts/{id}", "contacts:write", patch_contact),
    Route("DELETE", "/contacts/{id}", "contacts:delete", delete_contact),
]
