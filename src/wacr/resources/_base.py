"""What every resource shares: build a request from an operation of the spec, send it, finish the answer.

One call flows one way (docs/architecture.md): arguments -> checked against the operation's rules
(``wacr._checks`` / ``wacr._validate``) -> the transport (auth, JSON, retries), which returns the
parsed answer and its :class:`~wacr.ResponseInfo` -> the envelope's ``data`` (``wacr._envelope``)
-> the operation's result model via the one converter (``wacr._convert``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

import attrs
import orjson

from wacr import _envelope
from wacr._operations import OPERATIONS
from wacr._pagination import Paginator
from wacr._query import key_text
from wacr._validate import accepts, body_check, check_value, validate
from wacr.errors import ValidationError, WacrError
from wacr.models._base import Model, give_nested, nested_results
from wacr.models._extra import Deleted
from wacr.models._structure import STRUCTURERS
from wacr.resources._arguments import MAX_DEPTH, NOT_UTF8, check_integer, is_list, is_utf8, query_params
from wacr.resources._listing import ListCall
from wacr.resources._options import extras

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


def _plain(value: Any, depth: int = 0) -> Any:
    """Models given as arguments (``InteractiveButton(...)``) become their wire dicts, lists
    (:func:`~wacr.resources._arguments.is_list`) lists; anything else is left for the rules."""
    if value.__class__ in _AS_IS:
        return value
    if depth > MAX_DEPTH:  # deeper than any schema: the rules refuse it as it is
        return value
    if isinstance(value, Model):
        from wacr import _convert  # loaded by the first model given as an argument

        return _convert.unstructure(value)
    if isinstance(value, Mapping):
        # JSON keys are strings: another key can only be reported as an unknown field.
        return {
            key if key.__class__ is str else key_text(key): _plain(item, depth + 1)
            for key, item in value.items()
            if item is not None
        }
    if is_list(value):
        return [_plain(item, depth + 1) for item in value]
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
            if accepts(schema, value):
                continue
            if schema.get("type") == "integer":
                check_integer(schema, value, name, errors)  # words a huge int without its digits
            else:
                check_value(schema, value, name, errors)
        if errors:
            raise ValidationError(errors=errors)
        texts = {k: _path_text(args[k]) for k in op.path_params}
        try:
            values = {k: quote(text, safe="") for k, text in texts.items()}
        except UnicodeEncodeError:
            values = {}
            errors = {k: [NOT_UTF8] for k, text in texts.items() if not is_utf8(text)}
        for name, value in values.items():
            if value == "." or value == "..":  # a dot segment would point the request elsewhere
                errors[name] = ["must not be '.' or '..'"]
        if errors:
            raise ValidationError(errors=errors)
        return op.path.format_map(values)

    @staticmethod
    def _body(
        op: Operation,
        body: Mapping[str, Any],
        extra: Mapping[str, Any] | None,
        check: Callable[[Any], bool],
    ) -> bytes:
        """The JSON body of ``op``, checked against its schema (``check`` is the schema's compiled
        check, which :class:`_Plan` holds) before ``extra`` is merged in."""
        schema = op.body
        assert schema is not None
        # None means "not given": the API never needs an explicit null (see the spec's notes
        # on updates), so it is left out rather than sent.
        payload: dict[str, Any] = {}
        for key, value in body.items():
            if value is not None:
                payload[key] = value if value.__class__ in _AS_IS else _plain(value)
        try:
            valid = check(payload)
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
        return query_params(op, args)  # resources/_arguments.py

    # -- sending ----------------------------------------------------------------------------

    async def _request(
        self,
        op_id: str,
        cast_to: type[M],
        *,
        path: Mapping[str, Any] | None = None,
        query: ListArgs | None = None,
        body: Mapping[str, Any] | None = None,
        options: Mapping[str, Any],
    ) -> M:
        """Send one operation and finish its answer as ``cast_to`` (the operation's declared
        result model; :class:`~wacr.models.Deleted` for a delete).

        The arguments are checked first, before any I/O, then the ``options``
        (:class:`~wacr.resources.RequestOptions`) are applied; the request goes through the
        transport (``wacr._transport``), and the parsed answer is finished the way the
        operation answers (:class:`_Plan`): its ``data`` object, a flat body (comments), a
        batch summary, or a deletion.
        """
        plan = _plans.get(op_id)
        if plan is None or plan.result is not cast_to:
            plan = _plans[op_id] = _Plan(OPERATIONS[op_id], cast_to)
        op = plan.op
        url = self._path(op, path or {}) if op.path_params else op.path
        params = self._query(op, query) if query else None
        extra = headers = max_retries = timeout = None
        if options:
            extra = extras(op_id, options, has_body=op.body is not None)
            if extra is not None:
                params = extra.params(params)
                headers = extra.headers
            max_retries, timeout = options.get("max_retries"), options.get("timeout")
        payload = None
        if plan.check is not None:  # the operation takes a body
            payload = self._body(
                op, body if body is not None else {}, extra.body if extra else None, plan.check
            )
        transport = self._client._transport
        raw = await transport.request(
            op.method,
            url,
            params=params,
            json=payload,
            headers=headers,
            operation=op_id,
            max_retries=max_retries,
            timeout=timeout,
        )
        if plan.deletes:  # a delete: its answer has no `data`
            return plan.deleted((path or {})["id"], raw.info)  # type: ignore[return-value]
        try:
            return plan.finish(raw)  # type: ignore[no-any-return]
        except WacrError as error:
            transport.scrub(error)  # the answer may echo the token into a field that does not fit
            raise

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


class _Plan:
    """How one operation's answer becomes its result type, worked out once per operation (the
    result type checked against the operation's declaration, a method's mistake caught on its
    first call): its ``data`` object, the whole body for a flat answer (comments), a batch
    summary wherever it sits, or a deletion; with the call's ResponseInfo."""

    __slots__ = ("_fast", "_flat", "_nested", "_where", "check", "deletes", "op", "result", "summary")

    def __init__(self, op: Operation, result: type[Any]) -> None:
        _check_result(op, result)
        if op.is_list:
            raise TypeError(f"{op.operation_id} answers a list: use Resource._list")
        self.op = op
        self.result = result
        #: The compiled check of the request body (``wacr._checks``), when there is one.
        self.check = body_check(op.body) if op.body is not None else None
        self.deletes = op.data_model is None
        self.summary = not self.deletes and "summary" in attrs.fields_dict(result)
        self._flat = op.operation_id in _FLAT
        self._where = "$" if self._flat else "data"
        # The model's generated fast path (wacr.models._structure), which the converter uses as
        # its hook too: the converter (cattrs) is loaded only to word what an answer that does
        # not fit gets wrong, so a call whose answer fits never loads it.
        self._fast = STRUCTURERS.get(result)
        # Fields holding results of their own (a contact's groups): they get the call's response.
        self._nested = () if self.deletes else nested_results(result)

    def finish(self, raw: RawResult) -> Any:
        """The result of a (non-delete) answer, holding the call's ResponseInfo (made when the
        result's ``response`` is first read: ``RawResult.lazy_info``)."""
        envelope: Any = raw.envelope
        if self.summary:
            from wacr import _convert

            summary, at = _envelope.summary(envelope, raw.info)
            return _convert.structure_response(summary, self.result, raw.info, path=at)
        # The common answer, read inline (every call comes this way); anything else is read,
        # and its fault worded, by the envelope module.
        data = envelope.get("data") if envelope.__class__ is dict and not self._flat else None
        if data.__class__ is not dict:
            data = _envelope.data_object(envelope, raw.info, flat=self._flat)
        fast = self._fast
        if fast is None:  # a model without a fast path: the converter's own
            from wacr import _convert

            return _convert.structure_response(data, self.result, raw.info, path=self._where)
        try:
            result = fast(data, self.result)
        except Exception as exc:
            from wacr import _convert

            raise _convert.invalid_response_error(exc, path=self._where, info=raw.info) from exc
        if self._nested:
            info = raw.info
            object.__setattr__(result, "_response", info)
            give_nested(result, info, self._nested)
        else:
            object.__setattr__(result, "_response", raw.lazy_info)  # works on frozen models too
        return result

    @staticmethod
    def deleted(id: int, info: ResponseInfo) -> Deleted:
        """The result of a delete: the id asked for, the envelope's message."""
        deleted = Deleted(id=id, message=info.message)
        object.__setattr__(deleted, "_response", info)
        return deleted


# Operations that answer a flat object, without the envelope's `data` (docs/decisions.md).
_FLAT = frozenset({"comments_add"})

# One plan per operation, built on its first call.
_plans: dict[str, _Plan] = {}


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
    """A sequence argument (a list, a tuple, another ordered ``Sequence``: ``_arguments.is_list``)
    as a list. Anything else (a set, a generator, a string, a mapping) is left as it is, for the
    spec's rules to refuse by name ("must be a list, not set"), never converted to fit."""
    if value is None or value.__class__ is list:
        return value
    return list(value) if is_list(value) else value


def _path_text(value: Any) -> str:
    # A path value as sent: a subclass's own __str__ is not its value.
    if isinstance(value, str):
        return str.__str__(value)
    return int.__repr__(value) if isinstance(value, int) else str(value)
