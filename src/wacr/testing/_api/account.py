"""Account: info, usage and plan limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from wacr.testing._clock import isoformat, parse_datetime
from wacr.testing._context import Ctx, Route
from wacr.testing._core import Result

__all__ = ["ROUTES"]

_FEATURE_NAMES = {
    "contacts": "Total Contacts",
    "conversations": "Conversations per Month",
    "campaigns": "Active Campaigns",
    "staff": "Team Members",
    "api_calls_per_minute": "API Calls per Minute",
}


def get_account(ctx: Ctx) -> Result:
    tenant = ctx.tenant
    plan = tenant.plan
    active = plan.subscription_status is not None
    expires = parse_datetime(tenant.created_at) + timedelta(days=365)
    data = {
        "id": tenant.id,
        "name": tenant.name or tenant.subdomain,
        "subdomain": tenant.subdomain,
        "status": "active",
        "created_at": tenant.created_at,
        "subscription": {
            "plan_name": plan.plan_name if active else "Free",
            "plan_id": plan.plan_id if active else None,
            "status": plan.subscription_status,
            "expires_at": isoformat(expires) if active else None,
        },
    }
    return Result(data, "Account information retrieved successfully")


def _usage(current: int, limit: int | None) -> dict[str, Any]:
    if limit is None:
        return {
            "current": current,
            "limit": None,
            "remaining": None,
            "percentage_used": 0,
            "is_unlimited": False,
        }
    if limit == -1:
        return {
            "current": current,
            "limit": -1,
            "remaining": None,
            "percentage_used": 0,
            "is_unlimited": True,
        }
    percentage = round(current * 100 / limit, 2) if limit > 0 else 100.0
    return {
        "current": current,
        "limit": limit,
        "remaining": max(0, limit - current),
        "percentage_used": percentage,
        "is_unlimited": False,
    }


def get_usage(ctx: Ctx) -> Result:
    tenant = ctx.tenant
    plan = tenant.plan
    data = {
        "contacts": _usage(len(tenant.contacts), plan.contacts),
        "conversations": _usage(len(tenant.chats), plan.conversations),
        "campaigns": _usage(plan.campaigns_current, plan.campaigns),
        "staff": _usage(plan.staff_current, plan.staff),
    }
    return Result(data, "Usage statistics retrieved successfully")


def _limit(key: str, limit: int | None) -> dict[str, Any]:
    value = -1 if limit is None else limit
    return {"limit": value, "feature_name": _FEATURE_NAMES[key], "is_unlimited": value == -1}


def get_limits(ctx: Ctx) -> Result:
    plan = ctx.tenant.plan
    # The documented default (60) when the emulator's limiter is off.
    per_minute = ctx.state.rate_limit if ctx.state.rate_limit is not None else 60
    features = dict(plan.features)
    features["api_access"] = True  # the call itself succeeded
    data = {
        "limits": {
            "contacts": _limit("contacts", plan.contacts),
            "conversations": _limit("conversations", plan.conversations),
            "campaigns": _limit("campaigns", plan.campaigns),
            "staff": _limit("staff", plan.staff),
            "api_calls_per_minute": _limit("api_calls_per_minute", per_minute),
        },
        "features": features,
    }
    return Result(data, "Plan limits retrieved successfully")


ROUTES = [
    Route("GET", "/account", "account:read", get_account),
    Route("GET", "/account/usage", "account:read", get_usage),
    Route("GET", "/account/limits", "account:read", get_limits),
]
