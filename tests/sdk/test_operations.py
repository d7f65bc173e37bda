"""Every operation of the spec, called through the SDK: the method, path, query and body on the wire."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from typing_extensions import Unpack

import wacr
from wacr import models
from wacr._operations import OPERATIONS
from wacr.resources import _options as options_module
from wacr.resources._base import Resource

from .conftest import TOKEN, Recorder

Call = Callable[..., Awaitable[Any]]  # (client, **request_options)
BUTTONS = [{"id": "yes", "title": "Yes"}, models.InteractiveButton(id="no", title="No")]
SECTIONS = [{"title": "Morning", "rows": [{"id": "s9", "title": "09:00", "description": "Desk"}]}]

# operation id -> (call, method, path, query, body)
CASES: dict[str, tuple[Call, str, str, list[tuple[str, str]], Any]] = {
    "account_get": (lambda c, **o: c.account.get(**o), "GET", "/account", [], None),
    "account_usage": (lambda c, **o: c.account.usage(**o), "GET", "/account/usage", [], None),
    "account_limits": (lambda c, **o: c.account.limits(**o), "GET", "/account/limits", [], None),
    "auth_send_otp": (
        lambda c, **o: c.auth.send_otp(
            phone="+919999999999", template_name="otp_verification", code="482913", expiry_minutes=5,
            additional_params=("a", "b"), **o,
        ),
        "POST", "/auth/send-otp", [],
        {"phone": "+919999999999", "template_name": "otp_verification", "code": "482913", "expiry_minutes": 5,
         "additional_params": ["a", "b"]},
    ),
    "auth_resend_otp": (
        lambda c, **o: c.auth.resend_otp(phone="+919999999999", template_name="otp_verification", purpose="login", **o),
        "POST", "/auth/resend", [],
        {"phone": "+919999999999", "template_name": "otp_verification", "purpose": "login"},
    ),
    "auth_verify_otp": (
        lambda c, **o: c.auth.verify_otp(phone="+919999999999", code="123456", **o),
        "POST", "/auth/verify", [], {"phone": "+919999999999", "code": "123456"},
    ),
    "auth_otp_status": (
        lambda c, **o: c.auth.otp_status(phone="+919999999999", purpose="authentication", **o),
        "POST", "/auth/status", [], {"phone": "+919999999999", "purpose": "authentication"},
    ),
    "auth_list_templates": (
        lambda c, **o: c.auth.list_templates(page=2, per_page=15, sort="template_name", search="otp", filters={"language": "en"}, **o),
        "GET", "/auth/templates",
        [("page", "2"), ("per_page", "15"), ("sort", "template_name"), ("search", "otp"), ("filter[language]", "en")],
        None,
    ),
    "comments_list": (lambda c, **o: c.comments.list("919876543210", **o), "GET", "/comments/919876543210", [], None),
    "comments_add": (
        lambda c, **o: c.comments.add("919876543210", comment="<b>Follow-up</b>", ref_message_id="wamid.ABC", **o),
        "POST", "/comments/919876543210", [], {"comment": "<b>Follow-up</b>", "ref_message_id": "wamid.ABC"},
    ),
    "contacts_list": (
        lambda c, **o: c.contacts.list(
            per_page=100, sort=["firstname", "-created_at"], q="jane", include=["groups", "status"],
            fields="id,firstname", filters={"status_id": 3, "type": {"in": ["lead", "customer"]},
                                            "created_at": {"gte": "2026-01-01"}}, **o,
        ),
        "GET", "/contacts",
        [("page", "1"), ("per_page", "100"), ("sort", "firstname,-created_at"), ("q", "jane"),
         ("filter[status_id]", "3"), ("filter[type][in]", "lead,customer"), ("filter[created_at][gte]", "2026-01-01"),
         ("include", "groups,status"), ("fields", "id,firstname")],
        None,
    ),
    "contacts_create": (
        lambda c, **o: c.contacts.create(
            firstname="Jane", lastname="Doe", phone="+919876543210", type=models.ContactType.lead,
            source_id=1, status_id=2, email="jane@example.com", groups=[3, 5], **o,
        ),
        "POST", "/contacts", [],
        {"firstname": "Jane", "lastname": "Doe", "phone": "+919876543210", "type": "lead", "source_id": 1,
         "status_id": 2, "email": "jane@example.com", "groups": [3, 5]},
    ),
    "contacts_get": (lambda c, **o: c.contacts.get(7, include="groups,source", **o), "GET", "/contacts/7", [("include", "groups,source")], None),
    "contacts_update": (
        lambda c, **o: c.contacts.update(7, firstname="Test Edited", groups=[], **o),
        "PATCH", "/contacts/7", [], {"firstname": "Test Edited", "groups": []},
    ),
    "contacts_delete": (lambda c, **o: c.contacts.delete(7, **o), "DELETE", "/contacts/7", [], None),
    "contacts_batch_create": (
        lambda c, **o: c.contacts.batch_create(
            [{"firstname": "A", "lastname": "One", "phone": "+911111111111", "type": "lead", "source_id": 1, "status_id": 1},
             models.BatchContact(firstname="B", lastname="Two", phone="+912222222222", type=models.ContactType.customer,
                                 source_id=1, status_id=2)],
            options={"skip_duplicates": True}, **o,
        ),
        "POST", "/contacts/batch", [],
        {"contacts": [
            {"firstname": "A", "lastname": "One", "phone": "+911111111111", "type": "lead", "source_id": 1, "status_id": 1},
            {"firstname": "B", "lastname": "Two", "phone": "+912222222222", "type": "customer", "source_id": 1, "status_id": 2}],
         "options": {"skip_duplicates": True}},
    ),
    "contacts_batch_delete": (
        lambda c, **o: c.contacts.batch_delete([101, 102, 999], **o), "DELETE", "/contacts/batch", [], {"ids": [101, 102, 999]},
    ),
    "groups_list": (lambda c, **o: c.groups.list(sort="-name", search="vip", filters={"created_at": {"between": ["2025-01-01", "2025-12-31"]}}, **o),
                    "GET", "/groups",
                    [("page", "1"), ("sort", "-name"), ("search", "vip"), ("filter[created_at][between]", "2025-01-01,2025-12-31")], None),
    "groups_create": (lambda c, **o: c.groups.create(name="VIP", **o), "POST", "/groups", [], {"name": "VIP"}),
    "groups_get": (lambda c, **o: c.groups.get(3, **o), "GET", "/groups/3", [], None),
    "groups_update": (lambda c, **o: c.groups.update(3, name="VIP 2", **o), "PATCH", "/groups/3", [], {"name": "VIP 2"}),
    "groups_delete": (lambda c, **o: c.groups.delete(3, **o), "DELETE", "/groups/3", [], None),
    "groups_add_contacts": (lambda c, **o: c.groups.add_contacts(3, [123, 124], **o), "POST", "/groups/3/contacts", [],
                            {"contact_ids": [123, 124]}),
    "groups_remove_contacts": (lambda c, **o: c.groups.remove_contacts(3, contact_ids=(123,), **o), "DELETE", "/groups/3/contacts",
                               [], {"contact_ids": [123]}),
    "messages_send_text": (
        lambda c, **o: c.messages.send_text(phone="+1 (555) 123-4567", message="Hi @{contact_first_name}", contact_id=9, **o),
        "POST", "/messages/text", [], {"phone": "+1 (555) 123-4567", "message": "Hi @{contact_first_name}", "contact_id": 9},
    ),
    "messages_send_template": (
        lambda c, **o: c.messages.send_template(
            phone="+15551234567", template_name="order_update", language="en_US",
            header_image_url="https://example.com/banner.jpg", field_1="@{contact_first_name}", field_2="ORD-1",
            button_0="ORD-1", auto_generate_otp=False, **o,
        ),
        "POST", "/messages/template", [],
        {"phone": "+15551234567", "template_name": "order_update", "language": "en_US",
         "header_image_url": "https://example.com/banner.jpg", "field_1": "@{contact_first_name}", "field_2": "ORD-1",
         "button_0": "ORD-1", "auto_generate_otp": False},
    ),
    "messages_send_media": (
        lambda c, **o: c.messages.send_media(
            phone="15551234567", media_type="document", media_url="https://example.com/invoice.pdf",
            caption="Your invoice", filename="invoice.pdf", contact={"firstname": "Jane", "groups": "1,2"}, **o,
        ),
        "POST", "/messages/media", [],
        {"phone": "15551234567", "media_type": "document", "media_url": "https://example.com/invoice.pdf",
         "caption": "Your invoice", "filename": "invoice.pdf", "contact": {"firstname": "Jane", "groups": "1,2"}},
    ),
    "messages_send_interactive": (
        lambda c, **o: c.messages.send_interactive(phone="15551234567", type="button", body_text="Confirm?", buttons=BUTTONS, **o),
        "POST", "/messages/interactive", [],
        {"phone": "15551234567", "type": "button", "body_text": "Confirm?",
         "buttons": [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}]},
    ),
    "messages_send_cta": (
        lambda c, **o: c.messages.send_cta(
            phone="+919999999999", message="See our plans", button_text="View Pricing",
            button_url="https://example.com/pricing", footer_text="Reply STOP to opt out", **o,
        ),
        "POST", "/messages/cta", [],
        {"phone": "+919999999999", "message": "See our plans", "button_text": "View Pricing",
         "button_url": "https://example.com/pricing", "footer_text": "Reply STOP to opt out"},
    ),
    "messages_list": (
        lambda c, **o: c.messages.list(page=3, sort="-created_at", filters={"status": {"ne": "failed"}, "type": {"in": ["text", "template"]}}, **o),
        "GET", "/messages",
        [("page", "3"), ("sort", "-created_at"), ("filter[status][ne]", "failed"), ("filter[type][in]", "text,template")],
        None,
    ),
    "messages_get": (lambda c, **o: c.messages.get(42, **o), "GET", "/messages/42", [], None),
    "sources_list": (lambda c, **o: c.sources.list(per_page=50, **o), "GET", "/sources", [("page", "1"), ("per_page", "50")], None),
    "sources_create": (lambda c, **o: c.sources.create(name="Website Form", **o), "POST", "/sources", [], {"name": "Website Form"}),
    "sources_get": (lambda c, **o: c.sources.get(1, **o), "GET", "/sources/1", [], None),
    "sources_update": (lambda c, **o: c.sources.update(1, name="Updated", **o), "PATCH", "/sources/1", [], {"name": "Updated"}),
    "sources_delete": (lambda c, **o: c.sources.delete(1, **o), "DELETE", "/sources/1", [], None),
    "statuses_list": (lambda c, **o: c.statuses.list(**o), "GET", "/statuses", [("page", "1")], None),
    "statuses_create": (lambda c, **o: c.statuses.create(name="Hot Lead", color="#FF5733", **o), "POST", "/statuses", [],
                        {"name": "Hot Lead", "color": "#FF5733"}),
    "statuses_get": (lambda c, **o: c.statuses.get(2, **o), "GET", "/statuses/2", [], None),
    "statuses_update": (lambda c, **o: c.statuses.update(2, name="Warm", **o), "PATCH", "/statuses/2", [], {"name": "Warm"}),
    "statuses_delete": (lambda c, **o: c.statuses.delete(2, **o), "DELETE", "/statuses/2", [], None),
    "templates_list": (
        lambda c, **o: c.templates.list(filters={"status": "APPROVED", "category": models.TemplateCategory.MARKETING}, **o),
        "GET", "/templates", [("page", "1"), ("filter[status]", "APPROVED"), ("filter[category]", "MARKETING")], None,
    ),
    "templates_get": (lambda c, **o: c.templates.get("1234567890", **o), "GET", "/templates/1234567890", [], None),
    "templates_sync": (lambda c, **o: c.templates.sync(**o), "POST", "/templates/sync", [], None),
}  # fmt: skip


def test_every_operation_has_a_case() -> None:
    assert set(CASES) == set(OPERATIONS)


@pytest.mark.parametrize("op_id", sorted(CASES))
async def test_operation_on_the_wire(op_id: str, client: wacr.Client, recorder: Recorder) -> None:
    call, method, path, query, body = CASES[op_id]
    result = await call(client)
    seen = recorder.last
    assert len(recorder.requests) == 1
    assert (seen.method, seen.path) == (method, "/api/v2" + path)
    assert seen.query == query
    assert seen.body == body
    assert seen.headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["User-Agent"] == f"wacr/{wacr.__version__}"
    if body is not None:
        assert seen.headers["Content-Type"] == "application/json"
    op = OPERATIONS[op_id]
    assert seen.method == op.method
    # The result is the operation's model (a page of them for lists), with the call's metadata.
    if op.is_list:
        assert isinstance(result, wacr.Page)
        assert result.response is not None and result.response.status == 200
    elif op.data_model is None:
        assert isinstance(result, wacr.Deleted)
        assert result.message == "ok"
    else:
        assert isinstance(result, getattr(models, op.data_model))
    response = result.response
    assert response is not None
    assert response.method == method
    if op_id != "comments_add":
        assert response.request_id == "req-1"


def _method_for(op_id: str) -> Callable[..., Any]:
    section, _, name = op_id.partition("_")
    resource = getattr(wacr.Client("t"), section)
    assert isinstance(resource, Resource)
    return getattr(resource, name)  # type: ignore[no-any-return]


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_method_signature_follows_the_spec(op_id: str) -> None:
    """Path parameters positional, everything else keyword-only and named as the JSON field."""
    op = OPERATIONS[op_id]
    signature = inspect.signature(_method_for(op_id))
    params = signature.parameters
    positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional[: len(op.path_params)] == list(op.path_params)
    keyword = {n for n, p in params.items() if p.kind is p.KEYWORD_ONLY} | set(
        positional[len(op.path_params) :]
    )
    # The per-call options (max_retries, timeout, extra_*) are one declared `**request_options`.
    (options,) = [p for p in params.values() if p.kind is p.VAR_KEYWORD]
    kind = "BodyOptions" if op.body is not None else "RequestOptions"
    assert (options.name, options.annotation) == ("request_options", f"Unpack[{kind}]"), op_id
    expected: set[str] = set()
    if op.body is not None:
        expected |= set(op.body["properties"])
    names = {re.sub(r"\[.*", "", name) for name in op.query}
    expected |= names - {"filter", "page"} | ({"page"} if "page" in names else set())
    if any(name.startswith("filter[") for name in op.query):
        expected.add("filters")
    assert keyword == expected, op_id
    if op.body is not None:
        required = set(op.body.get("required", ()))
        for name in required:
            assert params[name].default is inspect.Parameter.empty, (op_id, name)
        for name in set(op.body["properties"]) - required:
            assert params[name].default is None, (op_id, name)
    doc = inspect.getdoc(_method_for(op_id))
    assert doc, op_id
    # The names of the annotations are imported for type checkers only (resources load no model).
    # Every public model, loaded now (vars(models) holds only the sections loaded so far).
    every_model = {name: getattr(models, name) for name in models.__all__}
    names_for_hints = {**every_model, **vars(options_module), "Unpack": Unpack, "Paginator": wacr.Paginator}
    names_for_hints["AccountInfo"] = models.Account
    names_for_hints["ContactTypeArg"] = models.ContactType | models.ContactTypeLiteral
    hints = typing.get_type_hints(_method_for(op_id), localns=names_for_hints)
    if op.is_list:
        assert hints["return"] == wacr.Paginator[getattr(models, op.data_model or "")]
    elif op.data_model is None:
        assert hints["return"] is wacr.Deleted
    else:
        assert hints["return"] is getattr(models, op.data_model)


# -- the methods the upstream export changed ---------------------------------------------------------


def _answer(recorder: Recorder, op_id: str, data: Any) -> None:
    recorder.answers[op_id] = (200, {"success": True, "data": data, "meta": {"request_id": "r-1"}})


async def test_send_cta_returns_the_send_result_with_the_button(
    client: wacr.Client, recorder: Recorder
) -> None:
    _answer(recorder, "messages_send_cta", {
        "message_id": "wamid.CTA1", "contact_id": 5, "phone": "919999999999", "button_text": "View Pricing",
        "button_url": "https://example.com/pricing", "status": "sent", "sent_at": "2026-01-01T00:00:00Z",
        "chat_id": 3, "chat_message_id": 77,
    })  # fmt: skip
    sent = await client.messages.send_cta(
        phone="+919999999999",
        message="x",
        button_text="View Pricing",
        button_url="https://example.com/pricing",
    )
    assert isinstance(sent, models.CtaMessageResult) and isinstance(sent, models.SendResult)
    assert (sent.message_id, sent.button_text, sent.button_url) == (
        "wamid.CTA1", "View Pricing", "https://example.com/pricing",
    )  # fmt: skip
    assert (sent.chat_message_id, sent.status) == (77, models.MessageStatus.sent)


async def test_send_otp_without_a_code_lets_the_server_generate_one(
    client: wacr.Client, recorder: Recorder
) -> None:
    _answer(recorder, "auth_send_otp", {
        "message_id": "wamid.OTP1", "phone": "919999999999", "template_name": "otp_verification",
        "code_sent": True, "code_auto_generated": True, "code": "604211", "expiry_minutes": 10,
    })  # fmt: skip
    sent = await client.auth.send_otp(phone="+919999999999", template_name="otp_verification")
    assert recorder.last.body == {"phone": "+919999999999", "template_name": "otp_verification"}
    assert (sent.code_auto_generated, sent.code) == (True, "604211")


async def test_send_otp_with_the_callers_code_reads_no_code_back(
    client: wacr.Client, recorder: Recorder
) -> None:
    _answer(
        recorder,
        "auth_send_otp",
        {"message_id": "wamid.OTP2", "code_sent": True, "code_auto_generated": False},
    )
    sent = await client.auth.send_otp(phone="+919999999999", template_name="otp_verification", code="482913")
    assert recorder.last.body["code"] == "482913"
    assert (sent.code_auto_generated, sent.code) == (False, None)


async def test_template_sync_reads_the_count_and_the_templates(
    client: wacr.Client, recorder: Recorder
) -> None:
    _answer(recorder, "templates_sync", {
        "synced_count": 2,
        "templates": [
            {"id": 1, "template_id": "1234567890123456", "template_name": "welcome", "status": "APPROVED"},
            {"id": 2, "template_id": "6543210987654321", "template_name": "otp_verification"},
        ],
    })  # fmt: skip
    result = await client.templates.sync()
    assert result.synced_count == 2
    assert result.templates is not None
    assert [(t.id, t.template_id, t.template_name) for t in result.templates] == [
        (1, "1234567890123456", "welcome"), (2, "6543210987654321", "otp_verification"),
    ]  # fmt: skip
    assert isinstance(result.templates[0], models.Template)
    assert result.templates[0].status is models.TemplateStatus.APPROVED


@pytest.mark.parametrize(
    ("template_id", "path"),
    [
        (1234567890123456789012, "/templates/1234567890123456789012"),  # beyond 64 bits: the digits, exactly
        (0, "/templates/0"),
        ("987654321", "/templates/987654321"),
        ("welcome_v2.en-US", "/templates/welcome_v2.en-US"),  # WA.cr ids are strings: sent as they are
    ],
)
async def test_templates_get_takes_an_int_or_a_string(
    template_id: str | int, path: str, client: wacr.Client, recorder: Recorder
) -> None:
    await client.templates.get(template_id)
    assert recorder.last.path == "/api/v2" + path


@pytest.mark.parametrize(
    ("template_id", "message"),
    [
        (True, "must be a string or an integer, not bool"),
        (-5, "must not be negative"),
        (1.5, "must be a string or an integer, not float"),
        ("", "must not be empty"),
        ("a/b", "must match"),
        ("x" * 65, "at most 64 characters"),
    ],
)
async def test_templates_get_refuses_other_ids_before_sending(
    template_id: Any, message: str, client: wacr.Client, recorder: Recorder
) -> None:
    with pytest.raises(wacr.ValidationError) as caught:
        await client.templates.get(template_id)
    assert caught.value.status is None
    assert message in caught.value.errors["template_id"][0]
    assert recorder.requests == []


async def test_pages_expose_the_upstream_pagination_keys(client: wacr.Client, recorder: Recorder) -> None:
    recorder.answers["contacts_list"] = (200, {
        "success": True, "data": [{"id": 1}, {"id": 2}],
        "meta": {"pagination": {"total": 5, "count": 2, "per_page": 2, "current_page": 1, "total_pages": 3,
                                "has_more": True}},
    })  # fmt: skip
    page = await client.contacts.list(per_page=2)
    assert (page.total, page.count, page.per_page, page.current_page, page.total_pages, page.has_more) == (
        5, 2, 2, 1, 3, True,
    )  # fmt: skip
