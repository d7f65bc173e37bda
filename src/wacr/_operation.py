"""The shape of one API operation as the generated table (``wacr._operations``) describes it."""

from __future__ import annotations

from typing import Any

__all__ = ["Operation"]

Schema = dict[str, Any]

_FIELDS = (
    "operation_id", "method", "path", "path_params", "query", "body", "body_model", "data_model",
    "is_list", "success", "scope", "error_codes",
)  # fmt: skip


class Operation:
    """One operation of the spec: where it lives, what it takes and what it answers.

    ``query`` and ``body`` are the spec's JSON Schemas with every ``$ref`` resolved, so the
    client checks arguments against the spec's own rules without a hand-kept copy. Read-only.
    (A plain slotted class: the table is built in every process that makes a call, and an
    attrs class costs more to create than the rest of the table.)
    """

    __slots__ = _FIELDS

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

    def __init__(
        self,
        *,
        operation_id: str,
        method: str,
        path: str,
        path_params: dict[str, Schema],
        query: dict[str, Schema],
        body: Schema | None,
        body_model: str | None,
        data_model: str | None,
        is_list: bool,
        success: tuple[int, ...],
        scope: str | None,
        error_codes: dict[int, tuple[str, ...]],
    ) -> None:
        values = (
            operation_id, method, path, path_params, query, body, body_model, data_model, is_list,
            success, scope, error_codes,
        )  # fmt: skip
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Operation is read-only: cannot set {name!r}")

    def __repr__(self) -> str:
        return f"Operation({self.operation_id!r}, {self.method} {self.path})"
