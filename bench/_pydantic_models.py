"""Pydantic v2 models equivalent to the generated attrs models the structuring benchmark uses.

Same fields, types and defaults as ``wacr.models`` (``Contact``, ``Group``, ``Source``,
``Status``, ``Pagination``, ``ResponseMeta``, ``TextMessageResult`` and their envelopes).
Pydantic is a benchmark dependency only (the SDK never imports it).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel


class ContactType(str, Enum):
    lead = "lead"
    customer = "customer"
    guest = "guest"


class MessageStatus(str, Enum):
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"


class Group(BaseModel):
    id: int
    name: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Source(BaseModel):
    id: int
    name: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Status(BaseModel):
    id: int
    name: str | None = None
    color: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Contact(BaseModel):
    id: int
    firstname: str | None = None
    lastname: str | None = None
    company: str | None = None
    type: ContactType | None = None
    email: str | None = None
    phone: str | None = None
    status_id: int | None = None
    source_id: int | None = None
    description: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    address: str | None = None
    country_id: int | None = None
    assigned_id: int | None = None
    group_id: list[int | str] | None = None
    is_opted_out: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    groups: list[Group] | None = None
    source: Source | None = None
    status: Status | None = None


class Pagination(BaseModel):
    current_page: int | None = None
    per_page: int | None = None
    total: int | None = None
    last_page: int | None = None
    has_more: bool | None = None


class ResponseMeta(BaseModel):
    request_id: str | None = None
    timestamp: datetime | None = None
    pagination: Pagination | None = None


class ContactListEnvelope(BaseModel):
    success: bool
    message: str | None = None
    meta: ResponseMeta | None = None
    data: list[Contact]


class TextMessageResult(BaseModel):
    message_id: str
    contact_id: int | None = None
    phone: str | None = None
    status: MessageStatus | None = None
    sent_at: datetime | None = None
    chat_id: int | None = None
    chat_message_id: int | None = None
    message: str | None = None


class TextMessageResultEnvelope(BaseModel):
    success: bool
    message: str | None = None
    meta: ResponseMeta | None = None
    data: TextMessageResult
