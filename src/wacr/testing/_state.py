"""The emulator's in-memory data: every tenant with what it owns, the tokens and the id sequences."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wacr.testing._core import digits_of
from wacr.testing._limiter import Limiter
from wacr.testing._records import Chat, Contact, Group, Message, Otp, Plan, Source, Status, Token
from wacr.testing._template_data import Template

__all__ = ["State", "Tenant"]


@dataclass(eq=False)
class Tenant:
    """One account and everything it owns."""

    id: int
    name: str
    subdomain: str
    created_at: str
    plan: Plan = field(default_factory=Plan)
    whatsapp_configured: bool = True
    whatsapp_number: str = "15550000001"
    default_status_id: int | None = None
    default_source_id: int | None = None
    default_assignee_id: int | None = None

    contacts: dict[int, Contact] = field(default_factory=dict)
    phones: dict[str, int] = field(default_factory=dict)  # digits -> contact id
    emails: dict[str, int] = field(default_factory=dict)  # lowercased email -> contact id
    groups: dict[int, Group] = field(default_factory=dict)
    sources: dict[int, Source] = field(default_factory=dict)
    statuses: dict[int, Status] = field(default_factory=dict)
    templates: dict[int, Template] = field(default_factory=dict)
    remote_templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # template_id -> def
    messages: list[Message] = field(default_factory=list)
    messages_by_id: dict[int, Message] = field(default_factory=dict)
    # False once a message was stored with an older timestamp than the one before it (a clock
    # set backwards): then the newest-first listing must really sort.
    messages_monotonic: bool = True
    chats: dict[str, Chat] = field(default_factory=dict)  # digits -> chat
    otps: dict[tuple[str, str], Otp] = field(default_factory=dict)  # (digits, purpose) -> OTP
    _contact_list: list[Contact] | None = None

    # -- contacts ----------------------------------------------------------------------------
    def contact_list(self) -> list[Contact]:
        """Contacts in insertion order (cached; a delete invalidates the cache)."""
        if self._contact_list is None:
            self._contact_list = list(self.contacts.values())
        return self._contact_list

    def add_contact(self, contact: Contact) -> None:
        """Store a new contact and index its phone and email."""
        self.contacts[contact.id] = contact
        self.phones[contact.digits] = contact.id
        if contact.email:
            self.emails[contact.email.lower()] = contact.id
        for group_id in contact.group_ids:
            self.groups[group_id].members.add(contact.id)
        if self._contact_list is not None:
            self._contact_list.append(contact)

    def remove_contact(self, contact: Contact) -> None:
        """Delete a contact, its indexes and its group memberships."""
        del self.contacts[contact.id]
        if self.phones.get(contact.digits) == contact.id:
            del self.phones[contact.digits]
        if contact.email and self.emails.get(contact.email.lower()) == contact.id:
            del self.emails[contact.email.lower()]
        for group_id in contact.group_ids:
            group = self.groups.get(group_id)
            if group is not None:
                group.members.discard(contact.id)
        self._contact_list = None

    def set_phone(self, contact: Contact, phone: str, digits: str) -> None:
        """Change a contact's phone, keeping the index in step."""
        if self.phones.get(contact.digits) == contact.id:
            del self.phones[contact.digits]
        contact.phone = phone
        contact.digits = digits
        self.phones[digits] = contact.id

    def set_email(self, contact: Contact, email: str | None) -> None:
        """Change a contact's email, keeping the index in step."""
        if contact.email and self.emails.get(contact.email.lower()) == contact.id:
            del self.emails[contact.email.lower()]
        contact.email = email
        if email:
            self.emails[email.lower()] = contact.id

    def set_groups(self, contact: Contact, group_ids: list[int]) -> None:
        """Replace a contact's memberships (``group_id`` and the groups' member sets)."""
        for group_id in contact.group_ids:
            group = self.groups.get(group_id)
            if group is not None:
                group.members.discard(contact.id)
        contact.group_ids = list(dict.fromkeys(group_ids))
        for group_id in contact.group_ids:
            self.groups[group_id].members.add(contact.id)

    def find_contact(self, phone_or_id: str | int) -> Contact | None:
        """A contact by id (int) or by the digits of a phone number (str)."""
        if isinstance(phone_or_id, int):
            return self.contacts.get(phone_or_id)
        contact_id = self.phones.get(digits_of(phone_or_id))
        return None if contact_id is None else self.contacts.get(contact_id)

    # -- templates ---------------------------------------------------------------------------
    def find_template(self, name: str, language: str) -> Template | None:
        """The local template with this name and language."""
        for template in self.templates.values():
            if template.name == name and template.language == language:
                return template
        return None

    def iter_templates(self) -> Iterator[Template]:
        """Local templates in id order."""
        return iter(self.templates.values())


class State:
    """All tenants and tokens, and the id sequences they share (ids are unique emulator-wide)."""

    def __init__(self) -> None:
        self.tenants: dict[int, Tenant] = {}
        self.tokens: dict[str, Token] = {}
        self._sequences: dict[str, Iterator[int]] = {}
        # The OTP limiters are business rules: 3 resends per 5 minutes, 10 verifies per minute.
        self.resend_limiter = Limiter(3, 300)
        self.verify_limiter = Limiter(10, 60)
        # The general per-token limit is off unless configured (requests per minute).
        self.rate_limit: int | None = None
        self.token_limiter = Limiter(60, 60)
        # Webhook events the handlers record while answering a request; the server sends them
        # after answering. None while no webhook is registered: then nothing is recorded.
        self.webhook_events: list[dict[str, Any]] | None = None

    def take_webhook_events(self) -> list[dict[str, Any]]:
        """The webhook events recorded since the last call (recording stays on)."""
        events = self.webhook_events
        if not events:
            return []
        self.webhook_events = []
        return events

    def set_rate_limit(self, per_minute: int | None) -> None:
        """Turn the per-token limit on (N requests per minute) or off (None)."""
        self.rate_limit = per_minute
        if per_minute is not None:
            self.token_limiter.max_attempts = per_minute

    def next_id(self, table: str) -> int:
        """The next id of a table (1, 2, 3, ...)."""
        sequence = self._sequences.get(table)
        if sequence is None:
            sequence = self._sequences[table] = itertools.count(1)
        return next(sequence)

    def next_template_id(self) -> str:
        """A WhatsApp-style numeric template id string."""
        return str(1_000_000_000_000_000 + self.next_id("waba_template"))
