"""What every resource shares: build a request from an operation of the spec, send it, read the answer.

One call flows: arguments -> checked against the operation's rules (``wacr._validate``) ->
the transport (auth, JSON, retries) -> the envelope's ``data`` -> the generated model via the
one converter, with the call's :class:`~wacr.ResponseInfo` attached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

import attrs
import orjson

from wacr import _convert
from wacr._pagination import Page, Paginator, page_from_envelope
from wacr._query import build_query
from wacr._validate import check_value, validate
from wacr.errors import InvalidResponseError, ValidationError
from wacr.models._base import Model
from wacr.models._extra import Deleted
from wacr.models._operations import OPERATIONS

if TYPE_CHECKING:
    from wacr._client import Client
    from wacr._operation import Operation
    from wacr._transport import RawResult

__all__ = ["ListArgs", "Resource"]

M = TypeVar("M", bound=Model)

#: The common list arguments, in the order they go on the query string.
ListArgs = Mapping[str, Any]


def _plain(value: Any) -> Any:
    """Models given as arguments (``InteractiveButton(...)``) become their wire dicts."""
    if isinstance(value, Model):
        return _convert.unstructure(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items() if item is not None}
    return value


class Resource:
    """Base of the API sections (``client.contacts``, ``client.messages``, ...)."""

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    # -- building a request -----------------------------------------------------------------

    @staticmethod
    def _path(op: Operation, args: Mapping[str, Any]) -> str:
        if not op.path_params:
            return op.path
        errors: dict[str, list[str]] = {}
        for name, schema in op.path_params.items():
            check_value(schema, args[name], name, errors)
        if errors:
            raise ValidationError(errors=errors)
        return op.path.format_map({k: quote(str(args[k]), safe="") for k in op.path_params})

    @staticmethod
    def _body(op: Operation, body: Mapping[str, Any]) -> bytes:
        assert op.body is not None
        # None means "not given": the API never needs an explicit null (see the spec's notes
        # on updates), so it is left out rather than sent.
        payload = {key: _plain(value) for key, value in body.items() if value is not None}
        errors = validate(op.body, payload)
        if errors:
            raise ValidationError(errors=errors)
        return orjson.dumps(payload)

    @staticmethod
    def _query(op: Operation, args: ListArgs) -> list[tuple[str, str]]:
        given = {key: value for key, value in args.items() if value is not None}
        filters = given.pop("filters", None)
        errors: dict[str, list[str]] = {}
        for name, value in given.items():
            schema = op.query.get(name)
            if schema is None:
                errors.setdefault(name, []).append("is not a parameter of this operation")
            elif not isinstance(value, (list, tuple)):
                check_value(schema, value, name, errors)
        if filters:
            allowed = {key[7:].split("]", 1)[0] for key in op.query if key.startswith("filter[")}
            for field in filters:
                if field not in allowed:
                    hint = ", ".join(sorted(allowed)) or "none"
                    errors.setdefault(f"filters.{field}", []).append(
                        f"is not a filter of this operation (filters: {hint})"
                    )
        if errors:
            raise ValidationError(errors=errors)
        params = build_query(filters=filters, **given)
        for name, text in params:
            schema = op.query.get(name)
            if schema is None:
                continue
            if schema.get("type") == "integer":
                try:
                    number = int(text)
                except ValueError:
                    errors.setdefault(name, []).append(f"must be an integer (got {text!r})")
                    continue
                check_value(schema, number, name, errors)
            elif schema.get("type") == "string":
                check_value(schema, text, name, errors)
        if errors:
            raise ValidationError(errors=errors)
        return params

    # -- sending ----------------------------------------------------------------------------

    async def _send(
        self,
        op_id: str,
        *,
        path: Mapping[str, Any] | None = None,
        query: ListArgs | None = None,
        body: Mapping[str, Any] | None = None,
        max_retries: int | None,
        timeout: float | None,
    ) -> RawResult:
        op = OPERATIONS[op_id]
        url = self._path(op, path or {})
        params = self._query(op, query) if query else None
        payload = self._body(op, body if body is not None else {}) if op.body is not None else None
        return await self._client._transport.request(
            op.method, url, params=params, json=payload, max_retries=max_retries, timeout=timeout
        )

    async def _call(
        self,
        op_id: str,
        model: type[M],
        *,
        path: Mapping[str, Any] | None = None,
        query: ListArgs | None = None,
        body: Mapping[str, Any] | None = None,
        max_retries: int | None,
        timeout: float | None,
        flat: bool = False,
    ) -> M:
        """Send one operation and structure its ``data`` (or, for flat answers, the body)."""
        raw = await self._send(
            op_id, path=path, query=query, body=body, max_retries=max_retries, timeout=timeout
        )
        envelope = raw.envelope
        if not isinstance(envelope, dict):
            raise InvalidResponseError(
                f"expected a JSON object, got {type(envelope).__name__}", status=raw.status
            )
        if flat:
            data: Any = envelope
        else:
            data = envelope.get("data")
            if not isinstance(data, dict):
                raise InvalidResponseError(
                    "the response has no `data` object"
                    if data is None
                    else f"`data` is {type(data).__name__}, expected an object",
                    status=raw.status,
                )
        return _convert.structure_response(data, model, raw.info, path="data" if not flat else "$")

    def _paginate(
        self,
        op_id: str,
        model: type[M],
        args: ListArgs,
        *,
        path: Mapping[str, Any] | None = None,
        max_retries: int | None,
        timeout: float | None,
    ) -> Paginator[M]:
        """A lazy list: awaiting it fetches one page, iterating it fetches every page."""
        op = OPERATIONS[op_id]
        self._path(op, path or {})  # check the arguments now, before any I/O
        if args:
            self._query(op, args)
        first = args.get("page") or 1
        per_page = args.get("per_page")

        async def fetch(page: int) -> Page[M]:
            query = {**args, "page": page} if "page" in op.query else args
            raw = await self._send(op_id, path=path, query=query, max_retries=max_retries, timeout=timeout)
            return page_from_envelope(raw.envelope, model, raw.info, per_page=per_page)

        return Paginator(fetch, start_page=first, per_page=per_page)

    async def _delete(
        self, op_id: str, id: int, *, max_retries: int | None, timeout: float | None
    ) -> Deleted:
        """Send a delete; its answer has no ``data`` to structure."""
        raw = await self._send(op_id, path={"id": id}, max_retries=max_retries, timeout=timeout)
        deleted = Deleted(id=id, message=raw.info.message)
        object.__setattr__(deleted, "_response", raw.info)
        return deleted

    async def _summary(
        self,
        op_id: str,
        model: type[M],
        *,
        body: Mapping[str, Any],
        max_retries: int | None,
        timeout: float | None,
    ) -> M:
        """Batch answers: the summary sits in ``data`` or at the top level (decisions.md)."""
        raw = await self._send(op_id, body=body, max_retries=max_retries, timeout=timeout)
        envelope = raw.envelope
        if not isinstance(envelope, dict):
            raise InvalidResponseError(
                f"expected a JSON object, got {type(envelope).__name__}", status=raw.status
            )
        data = envelope.get("data")
        if isinstance(data, dict) and "summary" in data:
            return _convert.structure_response(data, model, raw.info, path="data")
        if "summary" in envelope:
            return _convert.structure_response(envelope, model, raw.info, path="$")
        raise InvalidResponseError(
            "the response has no `summary` (in `data` or at the top level)", status=raw.status
        )

    @staticmethod
    def _with(result: M, **changes: Any) -> M:
        """A copy of a result with some fields filled in, keeping its response info."""
        info = result.response
        copy: M = attrs.evolve(cast(Any, result), **changes)
        if info is not None:
            object.__setattr__(copy, "_response", info)
        return copy


def _seq(value: Sequence[Any] | None) -> list[Any] | None:
    return None if value is None else list(value)
