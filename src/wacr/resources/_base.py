"""What every resource shares: build a request from an operation of the spec, send it, finish the answer.

One call flows one way (docs/architecture.md): arguments -> checked against the operation's rules
(``wacr._checks`` / ``wacr._validate``) -> the transport (auth, JSON, retries), which returns the
parsed answer and its :class:`~wacr.ResponseInfo` -> the envelope's ``data`` (``wacr._envelope``)
-> the operation's result model via the one converter (``wacr._convert``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

import attrs
import orjson

from wacr import _envelope
from wacr._operations import OPERATIONS
from wacr._pagination import Paginator
from wacr._query import build_query
from wacr._validate import accepts, body_check, check_value, validate
from wacr.errors import ValidationError
from wacr.models._base import Model
from wacr.models._extra import Deleted
from wacr.models._structure import STRUCTURERS
from wacr.resources._listing import ListCall, finished
from wacr.resources._options import NOT_UTF8 as _NOT_UTF8
from wacr.resources._options import extras, is_utf8

if TYPE_CHECKING:
    from wacr._client import Client
    from wacr._operation import Operation
    from wacr._response import ResponseInfo
    from wacr._transport import RawResult

__all__ = ["ListArgs", "Resource"]

M = TypeVar("M", bound=Model)

#: The common list arguments, in the order they go on the query string.
ListArgs = Mapping[str, Any]


# Argument values that are sent as they are (checked by class, not isinstance: the common case).
_AS_IS = frozenset({str, int, float, bool})
# The compiled check of each body schema (keyed by identity; the entry keeps the schema alive).
_body_checks: dict[int, tuple[Any, Callable[[Any], bool]]] = {}


def _plain(value: Any) -> Any:
    """Models given as arguments (``InteractiveButton(...)``) become their wire dicts."""
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, Model):
        from wacr import _convert  # loaded by the first model given as an argument

        return _convert.unstructure(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        # JSON keys are strings: another key can only be reported as an unknown field.
        return {
            key if key.__class__ is str else str(key): _plain(item)
            for key, item in value.items()
            if item is not None
        }
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
            value = args[name]
            if not accepts(schema, value):
                check_value(schema, value, name, errors)
        try:
            values = {k: quote(str(args[k]), safe="") for k in op.path_params}
        except UnicodeEncodeError:
            values = {}
            errors = {k: [_NOT_UTF8] for k in op.path_params if not is_utf8(str(args[k]))}
        for name, value in values.items():
            if value == "." or value == "..":  # a dot segment would point the request elsewhere
                errors[name] = ["must not be '.' or '..'"]
        if errors:
            raise ValidationError(errors=errors)
        return op.path.format_map(values)

    @staticmethod
    def _body(op: Operation, body: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> bytes:
        assert op.body is not None
        # None means "not given": the API never needs an explicit null (see the spec's notes
        # on updates), so it is left out rather than sent.
        # (A loop, not a comprehension, and the compiled check called directly: every call
        # builds a body, and on a real connection each extra function costs microseconds.)
        payload: dict[str, Any] = {}
        for key, value in body.items():
            if value is not None:
                payload[key] = value if value.__class__ in _AS_IS else _plain(value)
        schema = op.body
        entry = _body_checks.get(id(schema))
        if entry is None or entry[0] is not schema:
            entry = _body_checks[id(schema)] = (schema, body_check(schema))
        try:
            valid = entry[1](payload)
        except Exception:
            valid = False
        if not valid:
            errors = validate(schema, payload)
            if errors:
                raise ValidationError(errors=errors)
        if extra:  # after the checks: sent as given (resources/_options.py checked it is JSON)
            payload.update(extra)
        try:
            return orjson.dumps(payload)
        except orjson.JSONEncodeError:
            # Within the rules but not JSON: an integer beyond 64 bits, a lone surrogate...
            raise ValidationError(errors=_unencodable(payload, "", {}) or {"body": ["is not JSON"]}) from None

    @staticmethod
    def _query(op: Operation, args: ListArgs) -> list[tuple[str, str]]:
        given = {key: value for key, value in args.items() if value is not None}
        filters = given.pop("filters", None)
        errors: dict[str, list[str]] = {}
        for name, value in given.items():
            schema = op.query.get(name)
            if schema is None:
                errors.setdefault(name, []).append("is not a parameter of this operation")
            elif not isinstance(value, (list, tuple)) and not accepts(schema, value):
                check_value(schema, value, name, errors)
        if filters and not isinstance(filters, Mapping):
            errors["filters"] = ["must be a mapping of field names to values"]
        elif filters:
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
            if not text.isascii() and not is_utf8(text):
                errors.setdefault(name, []).append(_NOT_UTF8)
                continue
            schema = op.query.get(name)
            if schema is None:  # a filter operator the operation does not take
                errors.setdefault(name, []).append("is not a parameter of this operation")
                continue
            kind = schema.get("type")
            if kind == "integer":
                try:
                    number = int(text)
                except ValueError:
                    errors.setdefault(name, []).append(f"must be an integer (got {text!r})")
                    continue
                if not accepts(schema, number):
                    check_value(schema, number, name, errors)
            elif kind == "string" and not accepts(schema, text):
                check_value(schema, text, name, errors)
        if errors:
            raise ValidationError(errors=errors)
        return params

    # -- sending ----------------------------------------------------------------------------

    def _request(
        self,
        op_id: str,
        cast_to: type[M],
        *,
        path: Mapping[str, Any] | None = None,
        query: ListArgs | None = None,
        body: Mapping[str, Any] | None = None,
        options: Mapping[str, Any],
    ) -> Coroutine[Any, Any, M]:
        """Send one operation and finish its answer as ``cast_to`` (the operation's declared
        result model; :class:`~wacr.models.Deleted` for a delete).

        The arguments are checked now, before any I/O, then the ``options``
        (:class:`~wacr.resources.RequestOptions`) are applied; the returned coroutine sends the
        request (``wacr._transport``) and finishes the parsed answer the way the operation
        answers: its ``data`` object, a flat body (comments), a batch summary, or a deletion.
        """
        op = OPERATIONS[op_id]
        url = self._path(op, path or {}) if op.path_params else op.path
        params = self._query(op, query) if query else None
        extra = extras(op_id, options, has_body=op.body is not None) if options else None
        if op.body is not None:
            payload = self._body(op, body if body is not None else {}, extra.body if extra else None)
        else:
            payload = None
        finish = _finishers.get(op_id)
        if finish is None or finish[0] is not cast_to:
            finish = _finishers[op_id] = (cast_to, _finisher(op, cast_to))
        if extra is not None:
            params = extra.params(params)
        sending = self._client._transport.request(
            op.method,
            url,
            params=params,
            json=payload,
            headers=extra.headers if extra is not None else None,
            operation=op_id,
            max_retries=options.get("max_retries"),
            timeout=options.get("timeout"),
        )
        if op.data_model is None:  # a delete: its answer has no `data`
            return _deleted(sending, (path or {})["id"])  # type: ignore[return-value]
        return finished(sending, finish[1], self._client._transport.scrub)

    def _list(
        self,
        op_id: str,
        cast_to: type[M],
        args: ListArgs,
        *,
        path: Mapping[str, Any] | None = None,
        options: Mapping[str, Any],
    ) -> Paginator[M]:
        """A lazy list: awaiting it fetches one page, iterating it fetches every page.

        The arguments are checked and the query built once, now, before any I/O, into the
        :class:`~wacr.resources._listing.ListCall` the paginator asks for each page.
        """
        op = OPERATIONS[op_id]
        _check_result(op, cast_to)
        if not op.is_list:
            raise TypeError(f"{op_id} does not answer a list: use Resource._request")
        url = self._path(op, path or {})
        params = self._query(op, args) if args else None
        extra = extras(op_id, options, has_body=False) if options else None
        if extra is not None:
            params = extra.params(params)
        call = ListCall(
            self._client._transport,
            op,
            cast_to,
            url,
            params,
            extra,
            per_page=args.get("per_page"),
            options=options,
        )
        return Paginator(call, start_page=args.get("page") or 1)

    @staticmethod
    def _with(result: M, **changes: Any) -> M:
        """A copy of a result with some fields filled in, keeping its response info."""
        info = getattr(result, "_response", None)
        copy: M = attrs.evolve(cast(Any, result), **changes)
        if info is not None:
            object.__setattr__(copy, "_response", info)
        return copy


def _check_result(op: Operation, cast_to: type[Any]) -> None:
    """The result type a method asks for is the one the operation declares (a method's
    mistake, caught on its first call)."""
    declared = op.data_model or "Deleted"
    if cast_to.__name__ != declared:
        raise TypeError(f"{op.operation_id} answers {declared}, not {cast_to.__name__}")


def _finisher(op: Operation, model: type[M]) -> Callable[[Any, ResponseInfo], M]:
    """How an answer of ``op`` becomes ``model``: its ``data`` object, the whole body for a flat
    answer (comments), or a batch summary wherever it sits; with the call's ResponseInfo."""
    _check_result(op, model)
    if op.is_list:
        raise TypeError(f"{op.operation_id} answers a list: use Resource._list")
    flat = op.operation_id in _FLAT
    where = "$" if flat else "data"
    if "summary" in attrs.fields_dict(cast(Any, model)):

        def summary(envelope: Any, info: ResponseInfo) -> M:
            from wacr import _convert

            data, at = _envelope.summary(envelope, info)
            return _convert.structure_response(data, model, info, path=at)

        return summary

    # The model's generated fast path (wacr.models._structure), which the converter uses as its
    # hook too: the converter (cattrs) is loaded only to word what an answer that does not fit
    # gets wrong, so a call whose answer fits never loads it.
    fast = STRUCTURERS.get(model)

    def finish(envelope: Any, info: ResponseInfo) -> M:
        data = _envelope.data_object(envelope, info, flat=flat)
        if fast is None:  # a model without a fast path: the converter's own
            from wacr import _convert

            return _convert.structure_response(data, model, info, path=where)
        try:
            result: M = fast(data, model)
        except Exception as exc:
            from wacr import _convert

            raise _convert.invalid_response_error(exc, path=where, info=info) from exc
        object.__setattr__(result, "_response", info)  # works on frozen models too
        return result

    return finish


async def _deleted(sending: Coroutine[Any, Any, RawResult], id: int) -> Deleted:
    raw = await sending
    deleted = Deleted(id=id, message=raw.info.message)
    object.__setattr__(deleted, "_response", raw.info)
    return deleted


# Operations that answer a flat object, without the envelope's `data` (docs/decisions.md).
_FLAT = frozenset({"comments_add"})

# One finisher per operation, built (and its result type checked) on first use.
_finishers: dict[str, tuple[type[Any], Callable[[Any, ResponseInfo], Any]]] = {}


def _unencodable(value: Any, path: str, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Where a payload that passed the rules cannot be encoded as JSON, field by field."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _unencodable(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _unencodable(item, f"{path}.{index}", errors)
    else:
        try:
            orjson.dumps(value)
        except orjson.JSONEncodeError as exc:
            errors.setdefault(path or "body", []).append(f"cannot be sent as JSON ({exc})")
    return errors


def _seq(value: Sequence[Any] | None) -> Any:
    """A sequence argument as a list; a string, a mapping or a scalar is left as it is, for the
    spec's rules to reject (rather than, say, split a string into characters)."""
    if value is None or isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value
    return list(value)
