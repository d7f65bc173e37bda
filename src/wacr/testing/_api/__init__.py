"""The API's operations, one module per section (named like :mod:`wacr.resources`).

Each section module holds its handlers and its ``ROUTES``; :data:`ROUTES` lists them all.
"""

from __future__ import annotations

from typing import Final

from wacr.testing._api import (
    account,
    auth,
    comments,
    contacts,
    groups,
    messages,
    sources,
    statuses,
    templates,
)
from wacr.testing._context import Route

__all__ = ["ROUTES"]

ROUTES: Final[tuple[Route, ...]] = (
    *account.ROUTES,
    *auth.ROUTES,
    *templates.ROUTES,
    *comments.ROUTES,
    *contacts.ROUTES,
    *groups.ROUTES,
    *sources.ROUTES,
    *statuses.ROUTES,
    *messages.ROUTES,
)
