"""Arguments are checked against the spec's rules before any I/O: a broken rule sends nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import wacr
from wacr import models

from .conftest import Recorder

Call = Callable[[wacr.Client], Any]

# (call, field, words expected in the field's message)
BROKEN: list[tuple[str, Call, str, str]] = [
    ("required", lambda c: c.messages.send_text(phone="+201000000000", message=None), "message", "is required"),
    ("empty", lambda c: c.groups.create(name=""), "name", "must not be empty"),
    ("min length", lambda c: c.messages.send_text(phone="+20100", message="hi"), "phone", "at least 10 characters"),
    ("max length", lambda c: c.messages.send_text(phone="+201000000000", message="x" * 4097), "message", "at most 4096"),
    ("max length media phone", lambda c: c.messages.send_media(phone="+2010000000000000", media_type="image",
                                                                 media_url="https://e.com/a.png"), "phone", "at most 15"),
    ("pattern", lambda c: c.messages.send_text(phone="+20 100 ABC 0000", message="hi"), "phone", "must match"),
    ("pattern color", lambda c: c.statuses.create(name="Hot", color="red"), "color", "must match"),
    ("enum", lambda c: c.contacts.create(firstname="A", lastname="B", phone="1", type="vip", source_id=1, status_id=1),
     "type", "must be one of lead, customer, guest"),
    ("enum media", lambda c: c.messages.send_media(phone="+201000000000", media_type="sticker",
                                                  media_url="https://e.com/a.webp"), "media_type", "must be one of"),
    ("format email", lambda c: c.contacts.update(1, email="jane.example.com"), "email", "valid email"),
    ("format uri", lambda c: c.comments.add("201000000000", comment="x", media_url="not a url"), "media_url", "URL"),
    ("minimum", lambda c: c.auth.send_otp(phone="+201000000000", template_name="t", expiry_minutes=0),
     "expiry_minutes", "at least 1"),
    ("maximum", lambda c: c.auth.send_otp(phone="+201000000000", template_name="t", code="123456", expiry_minutes=61),
     "expiry_minutes", "at most 60"),
    ("otp code too short", lambda c: c.auth.send_otp(phone="+201000000000", template_name="t", code="12345"),
     "code", "at least 6 characters"),
    ("otp code too long", lambda c: c.auth.send_otp(phone="+201000000000", template_name="t", code="1234567"),
     "code", "at most 6 characters"),
    ("otp code digits", lambda c: c.auth.send_otp(phone="+201000000000", template_name="t", code="12a456"),
     "code", "must match"),
    ("otp code unicode digits", lambda c: c.auth.send_otp(phone="+201000000000", template_name="t", code="١٢٣٤٥٦"),
     "code", "must match"),
    ("cta required", lambda c: c.messages.send_cta(phone="+201000000000", message="m", button_text="Go",
                                                    button_url=None), "button_url", "is required"),
    ("cta phone short", lambda c: c.messages.send_cta(phone="+20100000", message="m", button_text="Go",
                                                       button_url="https://e.com"), "phone", "at least 10"),
    ("cta phone long", lambda c: c.messages.send_cta(phone="+201000000000000", message="m", button_text="Go",
                                                      button_url="https://e.com"), "phone", "at most 15"),
    ("cta message", lambda c: c.messages.send_cta(phone="+201000000000", message="x" * 1025, button_text="Go",
                                                   button_url="https://e.com"), "message", "at most 1024"),
    ("cta empty message", lambda c: c.messages.send_cta(phone="+201000000000", message="", button_text="Go",
                                                         button_url="https://e.com"), "message", "must not be empty"),
    ("cta button text", lambda c: c.messages.send_cta(phone="+201000000000", message="m", button_text="x" * 26,
                                                       button_url="https://e.com"), "button_text", "at most 25"),
    ("cta button url", lambda c: c.messages.send_cta(phone="+201000000000", message="m", button_text="Go",
                                                      button_url="e.com/pricing"), "button_url", "URL"),
    ("cta button url length", lambda c: c.messages.send_cta(phone="+201000000000", message="m", button_text="Go",
                                                             button_url="https://e.com/" + "a" * 2035),
     "button_url", "at most 2048"),
    ("cta header", lambda c: c.messages.send_cta(phone="+201000000000", message="m", button_text="Go",
                                                  button_url="https://e.com", header_text="x" * 61), "header_text", "at most 60"),
    ("cta footer", lambda c: c.messages.send_cta(phone="+201000000000", message="m", button_text="Go",
                                                  button_url="https://e.com", footer_text="x" * 61), "footer_text", "at most 60"),
    ("type int", lambda c: c.messages.send_text(phone="+201000000000", message="hi", contact_id="9"), "contact_id",
     "must be an integer"),
    ("bool is not int", lambda c: c.contacts.update(1, source_id=True), "source_id", "must be an integer"),
    ("type str", lambda c: c.auth.verify_otp(phone="+201000000000", code=123456), "code", "must be a string"),
    ("type bool", lambda c: c.messages.send_template(phone="1", template_name="t", language="en", auto_generate_otp="yes"),
     "auto_generate_otp", "must be a boolean"),
    ("min items", lambda c: c.groups.add_contacts(1, []), "contact_ids", "at least 1 item"),
    ("max items", lambda c: c.messages.send_interactive(
        phone="1", type="button", body_text="?", buttons=[{"id": str(i), "title": str(i)} for i in range(4)]),
     "buttons", "at most 3 items"),
    ("nested", lambda c: c.messages.send_interactive(
        phone="1", type="list", body_text="?", list_button_text="Open",
        sections=[{"title": "S", "rows": [{"id": "a", "title": "x" * 25}]}]), "sections.0.rows.0.title", "at most 24"),
    ("nested required", lambda c: c.messages.send_interactive(
        phone="1", type="button", body_text="?", buttons=[{"id": "a"}]), "buttons.0.title", "is required"),
    ("nested unknown field", lambda c: c.contacts.batch_create([
        {"firstname": "A", "lastname": "B", "phone": "1", "type": "lead", "source_id": 1, "status_id": 1, "vip": True}]),
     "contacts.0.vip", "not a field"),
    ("required when", lambda c: c.messages.send_interactive(phone="1", type="list", body_text="?"),
     "sections", "is required when type is 'list'"),
    ("path id type", lambda c: c.contacts.get("7"), "id", "must be an integer"),
    ("path id minimum", lambda c: c.groups.delete(0), "id", "at least 1"),
    ("per_page over 100", lambda c: c.contacts.list(per_page=101), "per_page", "at most 100"),
    ("page under 1", lambda c: c.messages.list(page=0), "page", "at least 1"),
    ("sort field", lambda c: c.contacts.list(sort="-phone"), "sort", "must match"),
    ("include", lambda c: c.contacts.get(1, include=["groups", "tags"]), "include", "must match"),
    ("empty include", lambda c: c.contacts.get(1, include=""), "include", "must match"),
    ("empty colour", lambda c: c.statuses.create(name="Hot", color=""), "color", "must match"),
    ("unknown filter field", lambda c: c.contacts.list(filters={"city": "Cairo"}), "filters.city",
     "not a filter of this operation"),
    ("unknown filter operator", lambda c: c.contacts.list(filters={"created_at": {"after": "2026-01-01"}}),
     "filters.created_at", "operator"),
    ("filter value", lambda c: c.contacts.list(filters={"status_id": "three"}), "filter[status_id]",
     "must be an integer"),
    ("filter enum", lambda c: c.templates.list(filters={"status": "LIVE"}), "filter[status]", "must be one of"),
    ("messages have no created_at filter", lambda c: c.messages.list(filters={"created_at": {"gte": "2026-01-01"}}),
     "filters.created_at", "not a filter of this operation"),
    ("template filters take no range operator", lambda c: c.templates.list(filters={"status": {"gte": "APPROVED"}}),
     "filter[status][gte]", "not a parameter of this operation"),
    ("group filters are created_at only", lambda c: c.groups.list(filters={"name": "VIP"}), "filters.name",
     "filters: created_at"),
    ("created_at between two dates", lambda c: c.sources.list(filters={"created_at": {"between": ["2026-01-01"]}}),
     "filters.created_at", "exactly two values"),
    ("created_at date", lambda c: c.statuses.list(filters={"created_at": {"gt": "yesterday"}}),
     "filter[created_at][gt]", "must match"),
    ("contact phone", lambda c: c.contacts.create(firstname="A", lastname="B", phone="1" * 21, type="lead",
                                                   source_id=1, status_id=1), "phone", "at most 20 characters"),
    ("batch phone is the create rule", lambda c: c.contacts.batch_create([
        {"firstname": "A", "lastname": "B", "phone": "+" + "2" * 20, "type": "lead", "source_id": 1, "status_id": 1}]),
     "contacts.0.phone", "at most 20 characters"),
    ("batch group_id", lambda c: c.contacts.batch_create([
        {"firstname": "A", "lastname": "B", "phone": "+201000000000", "type": "lead", "source_id": 1, "status_id": 1,
         "group_id": ["3"]}]), "contacts.0.group_id.0", "must be an integer"),
    ("batch addedfrom", lambda c: c.contacts.batch_create([
        {"firstname": "A", "lastname": "B", "phone": "+201000000000", "type": "lead", "source_id": 1, "status_id": 1,
         "addedfrom": "csv"}]), "contacts.0.addedfrom", "must be an integer"),
    ("long fields", lambda c: c.contacts.list(fields=["firstname"] * 200), "fields", "at most 1000 characters"),
    ("long search", lambda c: c.messages.list(search="x" * 256), "search", "at most 255 characters"),
    ("long sort", lambda c: c.contacts.list(sort=["id"] * 100), "sort", "at most 255 characters"),
    ("long include", lambda c: c.contacts.get(1, include=["groups"] * 20), "include", "at most 100 characters"),
    ("long id list", lambda c: c.contacts.list(filters={"status_id": {"in": list(range(1, 1000))}}),
     "filter[status_id][in]", "at most 2000 characters"),
    ("long filter text", lambda c: c.messages.list(filters={"status": {"in": "s" * 10_000_000}}), "filter[status][in]",
     "at most 255 characters"),
    ("long mobile", lambda c: c.comments.list("9" * 33), "mobile", "at most 32 characters"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "field", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
async def test_broken_rule_raises_before_sending(
    call: Call, field: str, words: str, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        result = call(client)
        if isinstance(result, Awaitable):
            await result
    error = caught.value
    assert error.status is None
    assert field in error.errors, error.errors
    assert any(words in message for message in error.errors[field]), error.errors[field]
    assert field in str(error)
    assert recorder.requests == []


async def test_every_broken_field_is_reported_at_once(client: wacr.Client, recorder: Recorder) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.contacts.create(
            firstname="",
            lastname="x" * 256,
            phone="1" * 21,
            type="lead",
            source_id=0,
            status_id=1,
            email="nope",
        )
    assert set(caught.value.errors) == {"firstname", "lastname", "phone", "source_id", "email"}
    assert recorder.requests == []


async def test_list_arguments_are_checked_when_the_list_is_made(
    client: wacr.Client, recorder: Recorder
) -> None:
    # Not on the first await or iteration: a bad argument fails where it is written.
    with pytest.raises(wacr.ValidationError):
        client.contacts.list(per_page=500)
    assert recorder.requests == []


async def test_valid_edge_values_are_sent(client: wacr.Client, recorder: Recorder) -> None:
    await client.messages.send_text(phone="+1 (555) 123-4567", message="x" * 4096)
    await client.contacts.list(per_page=100, filters={"assigned_id": {"null": True}})
    await client.auth.send_otp(phone="+201000000000", template_name="t", code="000000", expiry_minutes=60)
    await client.messages.send_interactive(
        phone="1",
        type=models.InteractiveType.list,
        body_text="?",
        list_button_text="Open",
        sections=[models.InteractiveSection(title="S", rows=[models.InteractiveRow(id="a", title="x" * 24)])],
    )
    assert [r.path for r in recorder.requests] == [
        "/api/v2/messages/text",
        "/api/v2/contacts",
        "/api/v2/auth/send-otp",
        "/api/v2/messages/interactive",
    ]
    assert ("filter[assigned_id][null]", "true") in recorder.requests[1].query
    assert recorder.requests[3].body["sections"] == [{"title": "S", "rows": [{"id": "a", "title": "x" * 24}]}]


async def test_none_means_not_sent(client: wacr.Client, recorder: Recorder) -> None:
    await client.contacts.update(5, city=None, company="Acme")
    assert recorder.last.body == {"company": "Acme"}


def _string_query_parameters() -> list[tuple[str, str, dict[str, Any]]]:
    from wacr._operations import OPERATIONS

    return [
        (op_id, name, schema)
        for op_id, op in sorted(OPERATIONS.items())
        for name, schema in [*op.query.items(), *op.path_params.items()]
        if schema.get("type") == "string" and "enum" not in schema
    ]


_METHODS: dict[str, Callable[[wacr.Client], Any]] = {
    "auth_list_templates": lambda c: c.auth.list_templates,
    "comments_list": lambda c: c.comments.list,
    "comments_add": lambda c: c.comments.add,
    "contacts_list": lambda c: c.contacts.list,
    "contacts_get": lambda c: c.contacts.get,
    "groups_list": lambda c: c.groups.list,
    "messages_list": lambda c: c.messages.list,
    "sources_list": lambda c: c.sources.list,
    "statuses_list": lambda c: c.statuses.list,
    "templates_list": lambda c: c.templates.list,
    "templates_get": lambda c: c.templates.get,
}


@pytest.mark.parametrize(("op_id", "name", "schema"), _string_query_parameters(), ids=lambda v: str(v)[:40])
async def test_every_string_query_or_path_argument_is_bounded(
    op_id: str, name: str, schema: dict[str, Any], client: wacr.Client, recorder: Recorder
) -> None:
    """Over-long query arguments (fields, include, sort, search, filters...) never reach a URL."""
    limit = schema.get("maxLength")
    assert isinstance(limit, int) and limit <= 2000, (op_id, name)  # every one of them has a sane bound
    value = "1" * (limit + 1)
    method = _METHODS[op_id](client)
    if name.startswith("filter["):
        field, _, op = name[7:].rstrip("]").partition("][")
        kwargs: dict[str, Any] = {"filters": {field: {op: value} if op else value}}
        args: tuple[Any, ...] = ()
        if op_id == "contacts_get":
            args = (1,)
    elif name in ("mobile", "template_id"):
        args, kwargs = (value,), ({"comment": "x"} if op_id == "comments_add" else {})
    else:
        args, kwargs = ((1,) if op_id == "contacts_get" else ()), {name: value}
    with pytest.raises(wacr.ValidationError) as caught:
        result = method(*args, **kwargs)
        if isinstance(result, Awaitable):
            await result
    assert caught.value.status is None
    assert any(f"at most {limit} characters" in m for m in caught.value.errors[name]), caught.value.errors
    assert name in str(caught.value)
    assert recorder.requests == []
