"""What a test adds to a tenant through the Python API: opted-out contacts, templates in the
WhatsApp Business Account, inbound messages."""

from __future__ import annotations

from typing import Any

from wacr.testing._api._sending import store_message
from wacr.testing._core import digits_of, new_wamid
from wacr.testing._records import Chat, Contact, Message
from wacr.testing._state import State, Tenant
from wacr.testing._template_data import sync_template

__all__ = ["opt_out", "put_template", "receive_message"]


def opt_out(state: State, tenant: Tenant, phone_or_contact_id: str | int, opted_out: bool, stamp: str) -> int:
    """Set a contact's opt-out (a phone with no contact gets one, with the tenant's defaults)."""
    contact = tenant.find_contact(phone_or_contact_id)
    if contact is None:
        if isinstance(phone_or_contact_id, int):
            raise KeyError(f"no contact {phone_or_contact_id}")
        digits = digits_of(phone_or_contact_id)
        contact = Contact(
            id=state.next_id("contacts"),
            firstname=digits,
            lastname="",
            phone=phone_or_contact_id,
            type="lead",
            status_id=tenant.default_status_id,
            source_id=tenant.default_source_id,
            created_at=stamp,
            updated_at=stamp,
            assigned_id=tenant.default_assignee_id,
            digits=digits,
        )
        tenant.add_contact(contact)
    contact.is_opted_out = opted_out
    return contact.id


def put_template(state: State, tenant: Tenant, definition: dict[str, Any], synced: bool, stamp: str) -> str:
    """Add a template definition to the WhatsApp Business Account, replacing the one with its name
    and language (it keeps that one's ``template_id``); synced into the local table if asked."""
    existing = next(
        (
            d
            for d in tenant.remote_templates.values()
            if d["name"] == definition["name"] and d["language"] == definition["language"]
        ),
        None,
    )
    template_id = existing["template_id"] if existing else state.next_template_id()
    definition["template_id"] = template_id
    tenant.remote_templates[template_id] = definition
    if synced:
        sync_template(state, tenant, definition, stamp)
    return str(template_id)


def receive_message(state: State, tenant: Tenant, phone: str, message: str, stamp: str) -> int:
    """Store an inbound WhatsApp message from ``phone`` (opening its chat); returns its id."""
    digits = digits_of(phone)
    contact_id = tenant.phones.get(digits)
    chat = tenant.chats.get(digits)
    if chat is None:
        chat = tenant.chats[digits] = Chat(state.next_id("chats"), digits, contact_id, stamp)
    record = Message(
        id=state.next_id("chat_messages"),
        interaction_id=chat.id,
        sender_id=digits,
        type="text",
        message=message,
        status="delivered",
        message_id=new_wamid(),
        sent_at=stamp,
        direction="inbound",
        contact_id=contact_id,
        created_at=stamp,
        updated_at=stamp,
    )
    store_message(tenant, record)
    return record.id
