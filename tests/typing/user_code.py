# ruff: noqa: F841  (assignments with annotations are the type assertions here)
"""A user's code calling every method: `make typecheck` runs mypy --strict on it.

It is never executed; it proves the public API is precisely typed (results, pages, errors).
"""

from __future__ import annotations

from datetime import datetime

import wacr
from wacr import models, webhooks


async def every_method(client: wacr.Client) -> None:
    account: models.Account = await client.account.get()
    usage: models.Usage = await client.account.usage()
    limits: models.Limits = await client.account.limits()
    sent: models.OtpSendResult = await client.auth.send_otp(phone="+1", template_name="t", code="123456")
    generated: models.OtpSendResult = await client.auth.send_otp(phone="+1", template_name="t")
    was_generated: bool | None = generated.code_auto_generated
    generated_code: str | None = generated.code
    again: models.OtpSendResult = await client.auth.resend_otp(phone="+1", template_name="t")
    verified: models.OtpVerifyResult = await client.auth.verify_otp(phone="+1", code="1")
    status: models.OtpStatus = await client.auth.otp_status(phone="+1")
    auth_page: wacr.Page[models.AuthTemplate] = await client.auth.list_templates()
    notes: wacr.Page[models.Comment] = await client.comments.list("1")
    note: models.AddCommentResult = await client.comments.add("1", comment="x")
    contact: models.Contact = await client.contacts.create(
        firstname="a", lastname="b", phone="1", type=models.ContactType.lead, source_id=1, status_id=1
    )
    contact = await client.contacts.get(contact.id, include=["groups"])
    contact = await client.contacts.update(contact.id, city="Cairo")
    deleted: wacr.Deleted = await client.contacts.delete(contact.id)
    batch: models.BatchCreateResult = await client.contacts.batch_create([{"firstname": "a"}])
    batch_deleted: models.BatchDeleteResult = await client.contacts.batch_delete([1])
    group: models.Group = await client.groups.create(name="g")
    group = await client.groups.get(group.id)
    group = await client.groups.update(group.id, name="h")
    added: models.GroupContactsAdded = await client.groups.add_contacts(group.id, [1])
    removed: models.GroupContactsRemoved = await client.groups.remove_contacts(group.id, [1])
    await client.groups.delete(group.id)
    text: models.TextMessageResult = await client.messages.send_text(phone="1", message="x")
    template: models.TemplateMessageResult = await client.messages.send_template(
        phone="1", template_name="t", language="en"
    )
    media: models.MediaMessageResult = await client.messages.send_media(
        phone="1", media_type=models.MediaType.image, media_url="https://e.com/a.png"
    )
    interactive: models.InteractiveMessageResult = await client.messages.send_interactive(
        phone="1", type="button", body_text="?", buttons=[models.InteractiveButton(id="a", title="A")]
    )
    cta: models.CtaMessageResult = await client.messages.send_cta(
        phone="1",
        message="x",
        button_text="Go",
        button_url="https://e.com",
        header_text=None,
        footer_text="f",
        contact_id=None,
        max_retries=0,
        timeout=5.0,
    )
    button: tuple[str | None, str | None] = (cta.button_text, cta.button_url)
    message: models.Message = await client.messages.get(text.chat_message_id or 1)
    source: models.Source = await client.sources.create(name="s")
    source = await client.sources.update((await client.sources.get(source.id)).id, name="t")
    await client.sources.delete(source.id)
    state: models.Status = await client.statuses.create(name="s", color="#FFFFFF")
    state = await client.statuses.update((await client.statuses.get(state.id)).id, name="t")
    await client.statuses.delete(state.id)
    synced: models.TemplateSyncResult = await client.templates.sync()
    synced_count: int | None = synced.synced_count
    synced_templates: list[models.Template] | None = synced.templates
    one: models.Template = await client.templates.get("123")
    by_number: models.Template = await client.templates.get(1234567890123456)

    # Enum arguments take the enum or a documented value as a literal; the escape hatches.
    lead: models.Contact = await client.contacts.create(
        firstname="a", lastname="b", phone="1", type="customer", source_id=1, status_id=1
    )
    video: models.MediaMessageResult = await client.messages.send_media(
        phone="1", media_type="video", media_url="https://e.com/a.mp4", extra_body={"view_once": True}
    )
    listed: models.InteractiveMessageResult = await client.messages.send_interactive(
        phone="1", type=models.InteractiveType.list, body_text="?", extra_headers={"X-Trace": "t-1"}
    )
    kind_value: models.MediaTypeLiteral = "audio"
    audio: models.MediaMessageResult = await client.messages.send_media(
        phone="1", media_type=kind_value, media_url="https://e.com/a.mp3", max_retries=1, timeout=2.5
    )
    trashed = await client.contacts.list(extra_query={"with_trashed": True, "limit": 5, "q2": "x", "r": 0.5})
    await client.contacts.delete(1, extra_headers={"X-Reason": "gdpr"}, extra_query={"force": "1"})

    # Pages and iteration infer the item type.
    page = await client.contacts.list(per_page=100, sort="-created_at", filters={"status_id": 3})
    first: models.Contact = page.items[0]
    more: bool = page.has_more
    pages_in_all: int | None = page.total_pages
    on_this_page: int | None = page.count
    in_all: int | None = page.total
    async for item in client.contacts.list(filters={"created_at": {"gte": "2026-01-01"}}):
        when: datetime | None = item.created_at
    async for summary in client.messages.list():
        kind: models.MessageType | None = summary.type
    async for sources_page in client.sources.list().pages():
        names: list[str | None] = [s.name for s in sources_page.items]
    templates = await client.templates.list(filters={"status": "APPROVED"})
    groups = await client.groups.list(filters={"created_at": {"between": ["2026-01-01", "2026-12-31"]}})
    statuses = await client.statuses.list()

    # Metadata of any call (never None on a result, a page or a page's item), and typed errors.
    info: wacr.ResponseInfo = account.response
    request_id: str | None = info.request_id
    page_info: wacr.ResponseInfo = page.response
    item_info: wacr.ResponseInfo = first.response
    deleted_info: wacr.ResponseInfo = deleted.response
    limit: wacr.RateLimit | None = cta.response.rate_limit
    if limit is not None:
        window: tuple[int, int, datetime | None] = (limit.limit, limit.remaining, limit.reset)
    try:
        await client.auth.verify_otp(phone="+1", code="1", max_retries=0, timeout=5.0)
    except wacr.InvalidCodeError as error:
        left: int | None = error.attempts_remaining
    except wacr.RateLimitError as error:
        wait: float | None = error.retry_after
    except wacr.FeatureLimitExceededError as error:
        maximum: int | None = error.maximum
    except wacr.ValidationError as error:
        problems: dict[str, list[str]] = error.errors
    except wacr.ConflictError as error:
        in_use: object = error.details
    except wacr.APIError as error:
        code: str | None = error.code
        http: int | None = error.status
    del (usage, limits, sent, again, verified, status, auth_page, notes, note, deleted, batch, batch_deleted)
    del (added, removed, template, media, interactive, message, synced, one, first, more, templates, groups)
    del (statuses, request_id, page_info, item_info, deleted_info, lead, video, listed, audio, trashed)


def hooks_and_handlers(router: webhooks.Router) -> wacr.Client:
    """Event hooks built beforehand, and webhook handlers typed by the event they receive."""

    def count(event: wacr.HookEvent) -> None: ...

    async def audit(event: wacr.HookEvent) -> None: ...

    # A dict built first, sync and async hooks together (annotated: mypy joins the two lists).
    hooks: wacr.EventHooks = {"response": [count], "retry": [audit]}
    plain = {"request": [count]}  # inferred dict[str, list[...]]: taken as it is

    @router.on("contact.created")
    async def welcome(event: webhooks.ContactCreatedEvent) -> None:
        first: str | None = event.data.resource.attributes.get("firstname")

    @router.on("contact.created", "contact.updated", when=lambda e: e.data.resource.id > 0)
    def sync_crm(event: webhooks.ContactEvent) -> None: ...

    @router.on("contact.updated", when=lambda e: "status_id" in (e.changes.modified_fields or []))
    async def moved(event: webhooks.ContactUpdatedEvent) -> None: ...

    @router.on("*")  # any event, an undocumented type too
    def log_all(event: webhooks.WebhookPayload) -> None:
        kind: str = event.event.type

    router.on("contact.*")(lambda payload: print(payload.event.id))
    router.add_handler(welcome, "contact.created")
    router.add_handler(log_all, "source.*", "*.deleted")
    del plain
    return wacr.Client(event_hooks=hooks)
