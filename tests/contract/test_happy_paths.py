"""Each of the 44 operations through the SDK against the emulator, every answer checked against the spec."""

from __future__ import annotations

import pytest

import wacr
from wacr import models

from .conftest import Contract, names

PHONE = "+201000000001"


async def test_account(contract: Contract) -> None:
    client = contract.client
    account = await client.account.get()
    assert account.id == 1 and account.subscription is not None
    usage = await client.account.usage()
    assert usage.contacts is not None and usage.contacts.current == 0
    limits = await client.account.limits()
    assert limits.limits is not None and limits.limits.contacts is not None
    assert limits.features is not None and limits.features.api_access is True
    await client.messages.send_text(phone=PHONE, message="hello")
    usage = await client.account.usage()
    assert usage.contacts is not None and usage.contacts.current == 1  # the send created the contact


async def test_otp_flow(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    templates = await client.auth.list_templates(filters={"language": "en"})
    assert [t.template_name for t in templates.items] == ["otp_verification"]
    sent = await client.auth.send_otp(
        phone=PHONE, template_name="otp_verification", code="482913", purpose="login"
    )
    assert sent.code_sent is True and sent.phone == "201000000001"
    assert emu.otp_code(PHONE, purpose="login") == "482913"
    status = await client.auth.otp_status(phone=PHONE, purpose="login")
    assert status.has_active_otp and status.attempts_remaining == 5
    with pytest.raises(wacr.InvalidCodeError) as wrong:
        await client.auth.verify_otp(phone=PHONE, code="000000", purpose="login")
    assert wrong.value.attempts_remaining == 4
    resent = await client.auth.resend_otp(phone=PHONE, template_name="otp_verification", purpose="login")
    assert resent.message_id != sent.message_id
    code = emu.otp_code(PHONE, purpose="login")
    assert code is not None and code != "482913" and len(code) == 6 and code.isdigit()
    verified = await client.auth.verify_otp(phone=PHONE, code=code, purpose="login")
    assert verified.purpose == "login" and verified.verified_at is not None
    status = await client.auth.otp_status(phone=PHONE, purpose="login")
    assert status.has_active_otp is False and status.message == "No active OTP found"


async def test_contacts_crud_and_batches(contract: Contract) -> None:
    client = contract.client
    sources, statuses = await client.sources.list(), await client.statuses.list()
    source_id, status_id = sources.items[0].id, statuses.items[0].id
    group = await client.groups.create(name="VIP")
    jane = await client.contacts.create(
        firstname="Jane",
        lastname="Doe",
        phone="+919876543210",
        type="lead",
        source_id=source_id,
        status_id=status_id,
        email="jane@example.com",
        groups=[group.id],
    )
    assert jane.group_id == [group.id] and names(jane.groups or []) == ["VIP"]
    got = await client.contacts.get(jane.id, include=["groups", "source", "status"])
    assert got.source is not None and got.source.id == source_id
    assert got.status is not None and got.status.id == status_id
    updated = await client.contacts.update(jane.id, company="Acme", type=models.ContactType.customer)
    assert (updated.company, updated.type) == ("Acme", models.ContactType.customer)
    batch = await client.contacts.batch_create(
        [
            {
                "firstname": "A",
                "lastname": "One",
                "phone": "+911111111111",
                "type": "lead",
                "source_id": source_id,
                "status_id": status_id,
            },
            {
                "firstname": "J",
                "lastname": "Dup",
                "phone": "+919876543210",
                "type": "lead",
                "source_id": source_id,
                "status_id": status_id,
            },
        ],
        options={"skip_duplicates": True},
    )
    assert batch.summary is not None
    assert (batch.summary.total, batch.summary.created, batch.summary.skipped, batch.summary.failed) == (
        2,
        1,
        1,
        0,
    )
    assert batch.skipped is not None and batch.skipped[0].index == 1
    page = await client.contacts.list(sort="-id", filters={"type": "lead"}, per_page=10)
    assert [c.firstname for c in page.items] == ["A"]
    assert page.total == 1 and page.has_more is False
    deleted = await client.contacts.batch_delete([batch.created[0].id if batch.created else 0, 999_999])
    assert deleted.summary is not None and (deleted.summary.deleted, deleted.summary.failed) == (1, 1)
    gone = await client.contacts.delete(jane.id)
    assert gone.id == jane.id and gone.message
    with pytest.raises(wacr.NotFoundError):
        await client.contacts.get(jane.id)


async def test_groups_sources_statuses(contract: Contract) -> None:
    client = contract.client
    group = await client.groups.create(name="Newsletter")
    assert (await client.groups.get(group.id)).name == "Newsletter"
    assert (await client.groups.update(group.id, name="Weekly")).name == "Weekly"
    sent = await client.messages.send_text(phone=PHONE, message="hi")
    added = await client.groups.add_contacts(group.id, [sent.contact_id or 0])
    again = await client.groups.add_contacts(group.id, [sent.contact_id or 0])
    assert (added.contacts_added, again.contacts_added) == (1, 0)  # members already in are not counted
    removed = await client.groups.remove_contacts(group.id, [sent.contact_id or 0, sent.contact_id or 0])
    assert removed.contacts_removed == 1
    assert "Weekly" in names((await client.groups.list(search="week")).items)
    await client.groups.delete(group.id)

    source = await client.sources.create(name="Website Form")
    assert (await client.sources.get(source.id)).name == "Website Form"
    assert (await client.sources.update(source.id, name="Landing page")).name == "Landing page"
    assert "Landing page" in names((await client.sources.list(sort="name")).items)
    await client.sources.delete(source.id)

    status = await client.statuses.create(name="Hot Lead", color="#FF5733")
    assert (await client.statuses.get(status.id)).color == "#FF5733"
    changed = await client.statuses.update(status.id, name="Warm Lead", color="#00FF00")
    assert (changed.name, changed.color) == ("Warm Lead", "#00FF00")
    assert "Warm Lead" in names((await client.statuses.list(per_page=100)).items)
    await client.statuses.delete(status.id)


async def test_every_message_kind_and_history(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    contact = await client.contacts.create(
        firstname="Jane", lastname="Doe", phone="+15551234567", type="lead", source_id=1, status_id=1
    )
    text = await client.messages.send_text(phone="+1 (555) 123-4567", message="Hi @{contact_first_name}")
    assert text.message == "Hi Jane" and text.contact_id == contact.id and text.phone == "15551234567"
    template = await client.messages.send_template(
        phone="+15551234567", template_name="welcome", language="en", field_1="@{contact_first_name}"
    )
    assert template.template_name == "welcome"
    media = await client.messages.send_media(
        phone="15551234567",
        media_type="document",
        media_url="https://example.com/invoice.pdf",
        caption="Invoice",
    )
    assert media.media_type == models.MediaType.document
    buttons = await client.messages.send_interactive(
        phone="15551234567",
        type="button",
        body_text="Confirm?",
        buttons=[{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}],
    )
    listing = await client.messages.send_interactive(
        phone="15551234567",
        type="list",
        body_text="Pick a slot",
        list_button_text="Slots",
        sections=[
            models.InteractiveSection(title="Morning", rows=[models.InteractiveRow(id="s9", title="09:00")])
        ],
    )
    assert (buttons.type, listing.type) == (models.InteractiveType.button, models.InteractiveType.list)
    assert [m.kind for m in emu.outbox] == ["text", "template", "media", "interactive", "interactive"]
    history = await client.messages.list(filters={"type": {"in": ["text", "template"]}})
    assert {m.type for m in history.items} == {models.MessageType.text, models.MessageType.template}
    detail = await client.messages.get(text.chat_message_id or 0)
    assert detail.message == "Hi Jane" and detail.message_id == text.message_id


async def test_templates_and_comments(contract: Contract) -> None:
    client = contract.client
    synced = await client.templates.sync()
    assert synced.synced_count is not None and synced.synced_count >= 1
    assert synced.templates is not None and len(synced.templates) == synced.synced_count
    assert all(isinstance(t.id, int) and t.template_name for t in synced.templates)
    approved = await client.templates.list(filters={"status": "APPROVED"}, sort="template_name")
    assert approved.items and all(t.status == models.TemplateStatus.APPROVED for t in approved.items)
    first = approved.items[0]
    assert first.template_id is not None
    assert (await client.templates.get(first.template_id)).id == first.id
    await client.messages.send_text(phone="+919876543210", message="hello")
    note = await client.comments.add("919876543210", comment="<b>Follow-up</b>", status_message="Sales note")
    assert note.success and note.status_message == "Sales note"
    notes = await client.comments.list("919876543210")
    assert [c.message for c in notes.items] == ["<b>Follow-up</b>"]


# -- what the upstream export added or settled ---------------------------------------------------------


async def test_cta_message(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    sent = await client.messages.send_cta(
        phone="+919999999999",
        message="See our plans",
        button_text="View Pricing",
        button_url="https://example.com/pricing",
        header_text="Plans",
        footer_text="Reply STOP to opt out",
    )
    assert (sent.button_text, sent.button_url) == ("View Pricing", "https://example.com/pricing")
    assert sent.message_id and sent.contact_id and sent.phone == "919999999999"
    assert [m.kind for m in emu.outbox] == ["cta"]
    detail = await client.messages.get(sent.chat_message_id or 0)
    assert detail.message == "See our plans" and detail.message_id == sent.message_id


async def test_otp_with_a_generated_code(contract: Contract) -> None:
    client, emu = contract.client, contract.emulator
    sent = await client.auth.send_otp(phone=PHONE, template_name="otp_verification")
    assert sent.code_auto_generated is True
    assert sent.code is not None and len(sent.code) == 6 and sent.code.isdigit()
    assert emu.otp_code(PHONE) == sent.code  # the code in the answer is the one sent on WhatsApp
    assert (await client.auth.verify_otp(phone=PHONE, code=sent.code)).phone == "201000000001"
    own = await client.auth.send_otp(phone=PHONE, template_name="otp_verification", code="246810")
    assert own.code_auto_generated is False and own.code is None  # a caller's code is not echoed


async def test_pages_carry_the_upstream_keys_and_iterate_to_the_end(contract: Contract) -> None:
    client = contract.client
    for n in range(5):
        await client.groups.create(name=f"List {n}")
    first = await client.groups.list(per_page=2, sort="name")
    keys = (first.total, first.count, first.per_page, first.current_page, first.total_pages, first.has_more)
    assert keys == (5, 2, 2, 1, 3, True)
    contract.exchanges.clear()
    assert names([g async for g in client.groups.list(per_page=2, sort="name")]) == [
        f"List {n}" for n in range(5)
    ]
    assert [e.path for e in contract.exchanges] == ["/api/v2/groups"] * 3  # one request per page, no more
    last = [p async for p in client.groups.list(per_page=2).pages()][-1]
    assert (last.count, last.current_page, last.has_more) == (1, 3, False)


@pytest.mark.parametrize("resource", ["groups", "sources", "statuses"])
async def test_created_at_filters(resource: str, contract: Contract) -> None:
    section = getattr(contract.client, resource)
    made = await section.create(name="Filtered")
    assert made.created_at is not None
    day = made.created_at.date().isoformat()
    since = await section.list(filters={"created_at": {"gte": day}}, per_page=100)
    assert "Filtered" in names(since.items)
    before = await section.list(filters={"created_at": {"lt": "2000-01-01"}})
    assert before.items == []
    between = await section.list(
        filters={"created_at": {"between": ["2000-01-01", "2999-12-31"]}}, per_page=100
    )
    assert "Filtered" in names(between.items)


async def test_contacts_fields_keeps_the_always_included_fields(contract: Contract) -> None:
    client = contract.client
    await client.contacts.create(
        firstname="Jane",
        lastname="Doe",
        phone="+919876543210",
        type="lead",
        source_id=1,
        status_id=1,
        city="Rajkot",
    )
    page = await client.contacts.list(fields="id,firstname")
    (jane,) = page.items
    # Asked for two fields; the critical ones come anyway, so the partial answer is a full Contact.
    assert (jane.firstname, jane.lastname, jane.phone, jane.type, jane.city) == (
        "Jane", "Doe", "+919876543210", models.ContactType.lead, "Rajkot",
    )  # fmt: skip
    assert jane.source_id == 1 and jane.status_id == 1 and jane.created_at is not None


async def test_batch_items_with_group_id_and_addedfrom(contract: Contract) -> None:
    client = contract.client
    group = await client.groups.create(name="Imported")
    item = {"firstname": "A", "lastname": "One", "type": "lead", "source_id": 1, "status_id": 1}
    batch = await client.contacts.batch_create(
        [
            {**item, "phone": "+911111111111", "group_id": [group.id]},
            models.BatchContact(
                firstname="B", lastname="Two", phone="+912222222222", type=models.ContactType.lead,
                source_id=1, status_id=1, addedfrom=1,
            ),
        ]
    )  # fmt: skip
    assert batch.summary is not None and batch.summary.created == 2
    created = {c.phone: c for c in batch.created or []}
    assert created["+911111111111"].group_id == [group.id]
    members = await client.contacts.list(filters={"group_id": group.id})
    assert [c.phone for c in members.items] == ["+911111111111"]


async def test_template_ids_as_int_or_string(contract: Contract) -> None:
    client = contract.client
    first = (await client.templates.list(sort="template_name")).items[0]
    assert first.template_id is not None and first.template_id.isdigit()
    by_text = await client.templates.get(first.template_id)
    by_number = await client.templates.get(int(first.template_id))
    assert by_text.id == by_number.id == first.id
    with pytest.raises(wacr.NotFoundError):
        await client.templates.get("not-a-template")


async def test_rate_limit_headers_conform_to_the_spec(limited_contract: Contract) -> None:
    client = limited_contract.client
    account = await client.account.get()
    with pytest.raises(wacr.NotFoundError):
        await client.contacts.get(999)
    # Every answer, errors included, carried the three headers; the contract checked their types.
    headers = account.response.headers if account.response else {}
    assert int(headers["X-RateLimit-Limit"]) == 1000
    assert int(headers["X-RateLimit-Remaining"]) <= 999
    assert int(headers["X-RateLimit-Reset"]) > 1_700_000_000  # a Unix time, not a delay
