"""The emulator's setup face: tenants, tokens, plans, defaults and templates, as a test arranges them.

:class:`TenantSetup` is the part of :class:`~wacr.testing.Emulator` that changes who may call and
what a tenant has; every method takes the memory's lock, so it is safe from another thread while
the emulator serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wacr.testing import _test_data
from wacr.testing._clock import isoformat
from wacr.testing._memory import Memory
from wacr.testing._records import ALL_SCOPES, Token
from wacr.testing._seed import add_tenant
from wacr.testing._template_data import template_definition

__all__ = ["TenantSetup"]


class TenantSetup:
    """Arranging the emulator's tenants (mixed into :class:`~wacr.testing.Emulator`)."""

    _memory: Memory

    def add_tenant(
        self,
        name: str | None = None,
        subdomain: str | None = None,
        *,
        tenant_id: int | None = None,
        seed: bool = True,
    ) -> int:
        """Create another tenant (its own contacts, templates, plan...); returns its id."""
        with self._memory.lock:
            now = self._memory.clock.now()
            state = self._memory.state
            return add_tenant(state, now, tenant_id=tenant_id, name=name, subdomain=subdomain, seed=seed)

    def add_token(self, token: str, scopes: Iterable[str] | None = None, *, tenant_id: int = 1) -> None:
        """Accept ``token`` for ``tenant_id`` with these scopes (``None``: every scope).

        A ``tenant_id`` that does not exist yet is created (seeded), so
        ``add_token("other", tenant_id=2)`` gives an isolated second tenant.
        """
        with self._memory.lock:
            if tenant_id not in self._memory.state.tenants:
                self.add_tenant(tenant_id=tenant_id)
            granted = ALL_SCOPES if scopes is None else frozenset(scopes)
            self._memory.state.tokens[token] = Token(token, tenant_id, granted)

    def remove_token(self, token: str) -> None:
        """Stop accepting ``token`` (later calls with it get 401)."""
        with self._memory.lock:
            self._memory.state.tokens.pop(token, None)

    def set_plan(
        self,
        *,
        contacts: int | None = None,
        conversations: int | None = None,
        campaigns: int | None = None,
        staff: int | None = None,
        features: Mapping[str, bool] | None = None,
        plan_name: str | None = None,
        tenant_id: int = 1,
    ) -> None:
        """Change the plan: limits (``-1`` = unlimited; ``None`` = leave as is) and feature flags
        (merged into the current ones, e.g. ``features={"whatsapp_templates": False}``)."""
        with self._memory.lock:
            plan = self._memory.tenant(tenant_id).plan
            if contacts is not None:
                plan.contacts = contacts
            if conversations is not None:
                plan.conversations = conversations
            if campaigns is not None:
                plan.campaigns = campaigns
            if staff is not None:
                plan.staff = staff
            if features:
                plan.features.update({key: bool(value) for key, value in features.items()})
            if plan_name is not None:
                plan.plan_name = plan_name

    def set_whatsapp_configured(self, configured: bool = True, *, tenant_id: int = 1) -> None:
        """Whether the tenant has a WhatsApp Business Account connected (sends and sync need it)."""
        with self._memory.lock:
            self._memory.tenant(tenant_id).whatsapp_configured = configured

    def set_rate_limit(self, per_minute: int | None) -> None:
        """The general per-token limit in requests per minute (``None`` turns it off)."""
        if per_minute is not None and per_minute < 1:
            raise ValueError("rate limit must be at least 1 request per minute (or None)")
        with self._memory.lock:
            self._memory.state.set_rate_limit(per_minute)

    def set_auto_create_defaults(
        self, status_id: int | None, source_id: int | None, assignee_id: int | None, *, tenant_id: int = 1
    ) -> None:
        """The default lead status, source and assignee used when a send auto-creates a contact
        (``None`` unsets one: such sends then fail with 422)."""
        with self._memory.lock:
            tenant = self._memory.tenant(tenant_id)
            tenant.default_status_id = status_id
            tenant.default_source_id = source_id
            tenant.default_assignee_id = assignee_id

    def opt_out(self, phone_or_contact_id: str | int, *, opted_out: bool = True, tenant_id: int = 1) -> int:
        """Mark a contact (by id, or by phone) as opted out (or back in); returns its id.

        A phone with no contact gets one, created with the tenant's defaults.
        """
        with self._memory.lock:
            tenant = self._memory.tenant(tenant_id)
            stamp = isoformat(self._memory.clock.now())
            return _test_data.opt_out(self._memory.state, tenant, phone_or_contact_id, opted_out, stamp)

    def add_template(
        self,
        name: str,
        *,
        body: str,
        language: str = "en",
        category: str = "MARKETING",
        status: str = "APPROVED",
        header_format: str = "NONE",
        header_text: str | None = None,
        footer: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        synced: bool = True,
        tenant_id: int = 1,
    ) -> str:
        """Add (or replace, by name and language) a template in the tenant's WhatsApp Business
        Account; returns its ``template_id``.

        With ``synced=False`` it only exists remotely until ``POST /templates/sync``.
        """
        with self._memory.lock:
            tenant = self._memory.tenant(tenant_id)
            definition = template_definition(
                name,
                language=language,
                category=category,
                status=status,
                body=body,
                header_format=header_format,
                header_text=header_text,
                footer=footer,
                buttons=buttons,
            )
            stamp = isoformat(self._memory.clock.now())
            return _test_data.put_template(self._memory.state, tenant, definition, synced, stamp)
