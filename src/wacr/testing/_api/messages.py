"""Messages: the five sends (text, template, media, interactive, CTA) and the message history."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from datetime import timedelta
from operator import attrgetter
from typing import Any, Final
from urllib.parse import urlsplit

from wacr.testing._api._sending import (
    MEDIA_EXTENSIONS,
    PHONE_MESSAGES,
    deliver,
    merge,
    prepare,
    random_code,
    require_templates,
    validate_phone,
)
from wacr.testing._context import Ctx, Route
from wacr.testing._core import ApiError, Result, not_found
from wacr.testing._listing import project, run_list
from wacr.testing._query import MESSAGE_OPERATORS, ListSpec, parse_list_query
from wacr.testing._records import MESSAGE_FIELDS, Otp
from wacr.testing._template_data import Template, fill_placeholders, placeholder_numbers
from wacr.testing._validation import Validator

__all__ = ["ROUTES", "send_cta"]

_HEADER_URL_FIELDS: Final = {
    "IMAGE": "header_image_url",
    "VIDEO": "header_video_url",
    "DOCUMENT": "header_document_url",
}


# -- sends -------------------------------------------------------------------------------------
def send_text(ctx: Ctx) -> Result:
    v = Validator(ctx.body, PHONE_MESSAGES)
    digits = validate_phone(v, min=10, max=20, chars=True)
    text = v.string("message", required=True, max=4096)
    contact_id = v.integer("contact_id")
    v.check()
    assert text is not None
    target = prepare(ctx, digits, contact_id)
    text = merge(text, target.contact)
    data = deliver(ctx, target, kind="text", type="text", text=text)
    data["message"] = text
    return Result(data, "Message sent successfully")


def _template_checks(
    v: Validator,
    template: Template,
    header_field: str | None,
    header_urls: Mapping[str, str | None],
    fields: Mapping[int, str | None],
    otp_number: int | None,
) -> None:
    """The template's header and body variables decide what is required."""
    header = template.header_format
    needs_text = header == "TEXT" and template.resource["header_params_count"]
    if needs_text and header_field is None and not v.has("header_field_1"):
        v.add("header_field_1", "The header field 1 field is required for this template's TEXT header.")
    url_field = _HEADER_URL_FIELDS.get(header)
    if url_field is not None and header_urls[url_field] is None and not v.has(url_field):
        v.add(
            url_field,
            f"The {url_field.replace('_', ' ')} field is required for this template's {header} header.",
        )
    for number in placeholder_numbers(template.body):
        key = f"field_{number}"
        if number != otp_number and fields.get(number) is None and not v.has(key):
            v.add(key, f"The field {number} field is required: the template body has {{{{{number}}}}}.")
    if otp_number is not None and template.category != "AUTHENTICATION":
        v.add("auto_generate_otp", "OTP auto-generation is only available for AUTHENTICATION templates.")


def send_template(ctx: Ctx) -> Result:
    tenant = ctx.tenant
    v = Validator(ctx.body, PHONE_MESSAGES)
    digits = validate_phone(v)
    name = v.string("template_name", required=True)
    language = v.string("language", required=True, max=10)
    contact_id = v.integer("contact_id")
    header_field = v.string("header_field_1")
    header_urls = {key: v.string(key, url=True) for key in _HEADER_URL_FIELDS.values()}
    document_name = v.string("header_document_name", max=255)
    fields = {n: v.string(f"field_{n}") for n in range(1, 11)}
    for n in range(3):
        v.string(f"button_{n}")  # dynamic URL-button values: validated, not rendered
    auto_otp = v.boolean("auto_generate_otp")
    otp_field = v.integer("otp_field_number", min=1, max=10)
    otp_number = (otp_field or 1) if auto_otp else None
    v.check()
    assert name is not None and language is not None
    require_templates(tenant)
    template = tenant.find_template(name, language)
    if template is None or template.status != "APPROVED":
        # Upstream: a missing or unapproved template is a 404 NOT_FOUND.
        raise ApiError(
            404,
            "NOT_FOUND",
            f"Template `{name}` in language `{language}` not found or not approved.",
            {"template_name": name, "language": language},
        )
    _template_checks(v, template, header_field, header_urls, fields, otp_number)
    v.check()

    target = prepare(ctx, digits, contact_id)
    values = {n: merge(value, target.contact) for n, value in fields.items() if value is not None}
    code = None
    if otp_number is not None:
        # The server-made code becomes the active OTP, so /auth/verify can check it.
        code = values[otp_number] = random_code()
        minutes = template.resource["code_expiration_minutes"] or 10
        expires = ctx.now + timedelta(minutes=minutes)
        tenant.otps[(target.digits, "authentication")] = Otp(code, "authentication", ctx.now, expires)
    text = fill_placeholders(template.body, values)
    header_url = next((url for url in header_urls.values() if url), None)
    data = deliver(
        ctx,
        target,
        kind="template",
        type="template",
        text=text,
        url=header_url,
        template_name=template.name,
        language=template.language,
        code=code,
        media_url=header_url,
        filename=document_name,
    )
    data["template_name"] = template.name
    data["language"] = template.language
    return Result(data, "Template message sent successfully")


def send_media(ctx: Ctx) -> Result:
    v = Validator(
        ctx.body,
        {
            **PHONE_MESSAGES,
            "media_url.required": "The media url field is required when media file is not present.",
        },
    )
    digits = validate_phone(v, min=10, max=15)
    media_type = v.string("media_type", required=True)
    media_url = v.string("media_url", required=True, url=True)
    caption = v.string("caption", max=1024)
    filename = v.string("filename", max=255)
    contact_id = v.integer("contact_id")
    details = _new_contact_details(v)
    if media_type is not None and media_type not in MEDIA_EXTENSIONS:
        # Upstream: a type outside the four is 422 INVALID_MEDIA_TYPE, after the field rules.
        v.check()
        raise ApiError(
            422,
            "INVALID_MEDIA_TYPE",
            f"Invalid media type. Allowed types: {', '.join(MEDIA_EXTENSIONS)}.",
            {"media_type": [f"The media type must be one of: {', '.join(MEDIA_EXTENSIONS)}."]},
        )
    if media_type is not None and media_url is not None:
        allowed = MEDIA_EXTENSIONS[media_type]
        extension = posixpath.splitext(urlsplit(media_url).path)[1].lstrip(".").lower()
        if extension not in allowed:
            v.add("media_url", f"The media url must be a file of type: {', '.join(allowed)}.")
    if media_type == "audio":
        caption = None  # upstream §3.2.3: "not used for audio" -- ignored, not refused
    v.check()
    assert media_type is not None and media_url is not None
    target = prepare(ctx, digits, contact_id, details)
    data = deliver(
        ctx,
        target,
        kind="media",
        type=media_type,
        text=caption,
        url=media_url,
        media_type=media_type,
        media_url=media_url,
        caption=caption,
        filename=filename,
    )
    data.update(media_type=media_type, media_url=media_url, caption=caption, filename=filename)
    return Result(data, "Media message sent successfully")


def _new_contact_details(v: Validator) -> dict[str, Any]:
    contact = v.object("contact")
    if contact is None:
        return {}
    details: dict[str, Any] = {
        "firstname": v.string("contact.firstname", max=255, value=contact.get("firstname")),
        "lastname": v.string("contact.lastname", max=255, value=contact.get("lastname")),
        "email": v.string("contact.email", max=191, email=True, value=contact.get("email")),
        "country": v.string("contact.country", value=contact.get("country")),
        "assigned_id": v.integer("contact.assigned_id", value=contact.get("assigned_id")),
    }
    groups = v.string("contact.groups", value=contact.get("groups"))
    if groups is not None:
        parts = [part.strip() for part in groups.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            v.add("contact.groups", "The contact groups must be a comma-separated list of group IDs.")
        else:
            details["groups"] = [int(part) for part in parts]
    return details


def send_interactive(ctx: Ctx) -> Result:
    body = ctx.body
    v = Validator(body, PHONE_MESSAGES)
    digits = validate_phone(v)
    kind = v.string("type", required=True, choices=("button", "list"))
    text = v.string("body_text", required=True, max=1024)
    v.string("header_text", max=60)
    v.string("footer_text", max=60)
    contact_id = v.integer("contact_id")
    if kind == "button":
        _check_buttons(v)
    elif kind == "list":
        _check_sections(v)
    v.check()
    assert kind is not None
    target = prepare(ctx, digits, contact_id)
    data = deliver(ctx, target, kind="interactive", type="interactive", text=text, interactive_type=kind)
    data["type"] = kind
    return Result(data, "Interactive message sent successfully")


def send_cta(ctx: Ctx) -> Result:
    """A message with one URL button (upstream's ``POST /messages/cta``): the phone rule of media
    sends (10-15 characters), ``message`` <= 1024, ``button_text`` <= 25, ``button_url`` a URL
    <= 2048, ``header_text`` / ``footer_text`` <= 60."""
    v = Validator(ctx.body, PHONE_MESSAGES)
    digits = validate_phone(v, min=10, max=15)
    text = v.string("message", required=True, max=1024)
    button_text = v.string("button_text", required=True, max=25)
    button_url = v.string("button_url", required=True, max=2048, url=True)
    header_text = v.string("header_text", max=60)
    footer_text = v.string("footer_text", max=60)
    contact_id = v.integer("contact_id")
    v.check()
    assert text is not None and button_text is not None and button_url is not None
    target = prepare(ctx, digits, contact_id)
    data = deliver(
        ctx,
        target,
        kind="cta",
        type="interactive",
        text=text,
        url=button_url,
        interactive_type="cta_url",
        button_text=button_text,
        button_url=button_url,
        header_text=header_text,
        footer_text=footer_text,
    )
    data["button_text"] = button_text
    data["button_url"] = button_url
    return Result(data, "CTA message sent successfully")


def _distinct(v: Validator, keys_and_values: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for key, value in keys_and_values:
        if value in seen:
            v.fail(key, "distinct", "The {attribute} field has a duplicate value.")
        seen.add(value)


def _check_buttons(v: Validator) -> None:
    buttons = v.array("buttons", required=True, min=1, max=3)
    ids: list[tuple[str, str]] = []
    titles: list[tuple[str, str]] = []
    for index, button in enumerate(buttons or ()):
        key = f"buttons.{index}"
        item = v.object(key, required=True, value=button)
        if item is None:
            continue
        button_id = v.string(f"{key}.id", required=True, value=item.get("id"))
        title = v.string(f"{key}.title", required=True, max=20, value=item.get("title"))
        if button_id is not None:
            ids.append((f"{key}.id", button_id))
        if title is not None:
            titles.append((f"{key}.title", title))
    _distinct(v, ids)
    _distinct(v, titles)


def _check_sections(v: Validator) -> None:
    v.string("list_button_text", required=True, max=20)
    sections = v.array("sections", required=True, min=1, max=10)
    row_ids: list[tuple[str, str]] = []
    total_rows = 0
    for index, section in enumerate(sections or ()):
        key = f"sections.{index}"
        item = v.object(key, required=True, value=section)
        if item is None:
            continue
        v.string(f"{key}.title", required=True, max=24, value=item.get("title"))
        rows = v.array(f"{key}.rows", required=True, min=1, value=item.get("rows"))
        for row_index, row in enumerate(rows or ()):
            row_key = f"{key}.rows.{row_index}"
            total_rows += 1
            row_item = v.object(row_key, required=True, value=row)
            if row_item is None:
                continue
            row_id = v.string(f"{row_key}.id", required=True, max=200, value=row_item.get("id"))
            v.string(f"{row_key}.title", required=True, max=24, value=row_item.get("title"))
            v.string(f"{row_key}.description", max=72, value=row_item.get("description"))
            if row_id is not None:
                row_ids.append((f"{row_key}.id", row_id))
    if total_rows > 10:
        v.add("sections", "The sections may not contain more than 10 rows in total.")
    _distinct(v, row_ids)


# -- history -----------------------------------------------------------------------------------
SPEC: Final = ListSpec(
    sorts={"created_at": attrgetter("created_at"), "updated_at": attrgetter("updated_at")},
    search=(attrgetter("message"),),
    filters={
        "type": ("str", attrgetter("type")),
        "status": ("str", attrgetter("status")),
        "interaction_id": ("int", attrgetter("interaction_id")),
        "direction": ("str", attrgetter("direction")),
    },
    fields=MESSAGE_FIELDS,
    # No `created_at` filter and no range operators on messages (upstream).
    operators=MESSAGE_OPERATORS,
    # Newest first; the same second breaks ties by the later id.
    default_sort=((attrgetter("created_at"), True), (attrgetter("id"), True)),
)


def list_messages(ctx: Ctx) -> Result:
    query = parse_list_query(ctx.query, SPEC)
    tenant = ctx.tenant
    page = run_list(tenant.messages, query, SPEC, newest_first=tenant.messages_monotonic)
    data = [project(message.to_json(), query.fields) for message in page.items]
    return Result(data, "Messages retrieved successfully", pagination=page.pagination)


def get_message(ctx: Ctx) -> Result:
    message = ctx.lookup(ctx.tenant.messages_by_id)
    if message is None:
        raise not_found("Message")
    return Result(message.to_detail_json(), "Message retrieved successfully")


ROUTES = [
    Route("POST", "/messages/text", "messages:send", send_text),
    Route("POST", "/messages/template", "messages:send", send_template),
    Route("POST", "/messages/media", "messages:send", send_media),
    Route("POST", "/messages/interactive", "messages:send", send_interactive),
    Route("POST", "/messages/cta", "messages:send", send_cta),
    Route("GET", "/messages", "messages:read", list_messages),
    Route("GET", "/messages/{id}", "messages:read", get_message),
]
