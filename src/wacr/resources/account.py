"""``client.account``: the tenant's account, usage and plan limits."""

from __future__ import annotations

from wacr.models import Account as AccountInfo
from wacr.models import Limits, Usage
from wacr.resources._base import Resource

__all__ = ["Account"]


class Account(Resource):
    """The authenticated tenant (scope ``account:read``)."""

    __slots__ = ()

    async def get(self, *, max_retries: int | None = None, timeout: float | None = None) -> AccountInfo:
        """The tenant's account record and current subscription (``GET /account``)."""
        return await self._request("account_get", AccountInfo, max_retries=max_retries, timeout=timeout)

    async def usage(self, *, max_retries: int | None = None, timeout: float | None = None) -> Usage:
        """Current usage against each plan limit (``GET /account/usage``)."""
        return await self._request("account_usage", Usage, max_retries=max_retries, timeout=timeout)

    async def limits(self, *, max_retries: int | None = None, timeout: float | None = None) -> Limits:
        """The plan's limits, the token's rate limit and the feature flags (``GET /account/limits``)."""
        return await self._request("account_limits", Limits, max_retries=max_retries, timeout=timeout)
