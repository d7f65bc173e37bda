"""The shape of one API operation as the generated table (``wacr._operations``) describes it."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Operation"]

Schema = dict[str, Any]


@attrs.frozen(slots=True)
class Operation:
    """One operation of the spec: where it lives, what it takes and what it answers.

    ``query`` and ``body`` are the spec's JSON Schemas with every ``$ref`` resolved, so the
    client checks arguments against the spec's own rules without a hand-kept copy.
    """

    operation_id: str
    method: str
    path: str
    path_params: dict[str, Schema]
    query: dict[str, Schema]
    body: Schema | None
    body_model: str | None
    data_model: str | None
    is_list: bool
    success: tuple[int, ...]
    scope: str | None
    error_codes: dict[int, tuple[str, ...]]
