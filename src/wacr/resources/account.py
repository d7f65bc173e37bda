"""``client.account``: the tenant's account, usage and plan limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wacr import models
from wacr.resources._base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from wacr.models import Account as AccountInfo
    from wacr.models import Limits, Usage
    from wacr.resources._options import RequestOptions

__all__ = ["Account"]


class Account(Resource):
    """The authenticated tenant (scope ``account:read``)."""

    __slots__ = ()

    async def get(self, **request_options: Unpack[RequestOptions]) -> AccountInfo:
        """The tenant's account record and current subscription (``GET /account``)."""
        return await self._request("account_get", models.Account, options=request_options)

    async def usage(self, **request_options: Unpack[RequestOptions]) -> Usage:
        """Current usage against each plan limit (``GET /account/usage``)."""
        return await self._request("account_usage", models.Usage, options=request_options)

    async def limits(self, **request_options: Unpack[RequestOptions]) -> Limits:
        """The plan's limits, the token's rate limit and the feature flags (``GET /account/limits``)."""
        return await self._request("account_limits", models.Limits, options=request_options)
