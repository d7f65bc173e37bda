"""Hand-written result models for answers the spec gives no ``data`` schema."""

from __future__ import annotations

import attrs

from wacr.models._base import Result

__all__ = ["Deleted"]


@attrs.define(kw_only=True)
class Deleted(Result):
    """What a delete returns: the id that was deleted and the server's message.

    The delete answers carry no ``data`` (the spec's ``DeletedEnvelope``); ``response`` still
    gives the status, headers and request id.
    """

    id: int
    message: str | None = None
