"""New tenants and the seed data that makes the documented flows work at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from wacr.testing._clock import isoformat
from wacr.testing._records import Source, Status
from wacr.testing._state import State, Tenant
from wacr.testing._template_data import sync_template, template_definition

__all__ = ["add_tenant", "new_tenant", "seed_tenant"]


def seed_tenant(state: State, tenant: Tenant, now: datetime, *, seed: bool) -> None:
    """Fill a new tenant with the documented defaults (statuses, sources, templates)."""
    if not seed:
        return
    stamp = isoformat(now)
    for name, color in (("New Lead", "#25D366"), ("Qualified", "#3B82F6"), ("Customer", "#F59E0B")):
        status = Status(state.next_id("statuses"), name, color, stamp, stamp)
        tenant.statuses[status.id] = status
    for name in ("Website", "WhatsApp", "Referral"):
        source = Source(state.next_id("sources"), name, stamp, stamp)
        tenant.sources[source.id] = source
    tenant.default_status_id = next(iter(tenant.statuses))
    tenant.default_source_id = next(iter(tenant.sources))
    tenant.default_assignee_id = 1

    definitions = [
        template_definition(
            "otp_verification",
            category="AUTHENTICATION",
            body="{{1}} is your verification code. It expires in {{2}} minutes.",
        ),
        template_definition(
            "order_update",
            category="UTILITY",
            header_format="IMAGE",
            body="Hi {{1}}, your order {{2}} has shipped.",
            footer="Thank you for shopping with us",
            buttons=[{"type": "URL", "text": "Track order", "url": "https://example.com/track/{{1}}"}],
        ),
        template_definition("welcome", body="Welcome to Acme, {{1}}!"),
        template_definition(
            "appointment_reminder",
            category="UTILITY",
            header_format="TEXT",
            header_text="Reminder for {{1}}",
            body="Your appointment is on {{1}} at {{2}}.",
        ),
        template_definition(
            "invoice_ready",
            category="UTILITY",
            header_format="DOCUMENT",
            body="Your invoice {{1}} is ready.",
        ),
        template_definition("spring_sale", status="PENDING", body="Spring sale: {{1}} off everything!"),
        template_definition("flash_offer", status="REJECTED", body="Flash offer just for you!"),
    ]
    for definition in definitions:
        definition["template_id"] = state.next_template_id()
        tenant.remote_templates[definition["template_id"]] = definition
        sync_template(state, tenant, definition, stamp)


def new_tenant(
    state: State,
    now: datetime,
    *,
    tenant_id: int,
    name: str,
    subdomain: str,
    seed: bool = True,
) -> Tenant:
    """Create, seed and register a tenant."""
    tenant = Tenant(
        id=tenant_id, name=name, subdomain=subdomain, created_at=isoformat(now - timedelta(days=90))
    )
    seed_tenant(state, tenant, now, seed=seed)
    state.tenants[tenant_id] = tenant
    return tenant


def add_tenant(
    state: State, now: datetime, *, tenant_id: int | None, name: str | None, subdomain: str | None, seed: bool
) -> int:
    """Create another tenant (the next free id when ``tenant_id`` is None); returns its id."""
    if tenant_id is None:
        tenant_id = max(state.tenants, default=0) + 1
    if tenant_id in state.tenants:
        raise ValueError(f"tenant {tenant_id} already exists")
    new_tenant(
        state,
        now,
        tenant_id=tenant_id,
        name=name or f"Tenant {tenant_id}",
        subdomain=subdomain or f"tenant{tenant_id}",
        seed=seed,
    )
    return tenant_id
