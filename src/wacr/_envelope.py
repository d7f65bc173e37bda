"""The API's envelope, read in one place for everyone.

Every answer is ``{"success": ..., "message": ..., "data": ..., "meta": {...}, "error": {...}}``
(``docs/decisions.md``), with a few shapes of its own: comments answer flat, batch summaries sit
in ``data`` or at the top level, list pages carry ``meta.pagination`` (or Laravel's fields in
``meta`` or at the top level). This module reads all of them: the success parts the transport
and the resources need (:func:`success_parts`, :func:`data_object`, :func:`data_list`,
:func:`summary`), the page meta (:func:`page_meta`) and error bodies (:func:`error_from_response`,
which picks the class from :mod:`wacr.errors`' code table). :func:`invalid` is the one place that
builds :class:`~wacr.errors.InvalidResponseError` for a 2xx that breaks the contract, with the
call's method, URL, status and request id.
"""

from __future__ import annotations

import email.utils
import time
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from wacr._error_text import status_phrase as _status_phrase
from wacr._numbers import integer, seconds
from wacr.errors import (
    _BY_CODE,
    _BY_STATUS,
    APIError,
    ConflictError,
    InvalidResponseError,
    Redactor,
    ServerError,
)

if TYPE_CHECKING:
    from wacr._response import ResponseInfo

__all__ = [
    "data_list",
    "data_object",
    "error_from_response",
    "invalid",
    "page_meta",
    "success_parts",
    "summary",
]

# The body has not been parsed yet (``None`` is a parsed JSON null).
_UNPARSED: Any = object()


# -- one builder of InvalidResponseError --------------------------------------------------------


def invalid(
    message: str,
    info: ResponseInfo | None = None,
    *,
    problems: Sequence[str] = (),
    status: int | None = None,
    method: str | None = None,
    url: str | None = None,
    request_id: str | None = None,
    body: str | None = None,
) -> InvalidResponseError:
    """The error for a 2xx answer that breaks the contract, with what is known of the call:
    from ``info`` when the answer got that far, else from the keywords."""
    if info is not None:
        status, method, url, request_id = info.status, info.method, info.url, info.request_id
    return InvalidResponseError(
        message, problems=problems, status=status, request_id=request_id, body=body, method=method, url=url
    )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


# -- success --------------------------------------------------------------------------------


def success_parts(envelope: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """``(meta, message, request_id)`` of a 2xx object body; each ``None`` when absent or of the
    wrong type. (Called on every 2xx: type checks by class, no helpers.)"""
    meta = envelope.get("meta")
    request_id = None
    if meta.__class__ is dict:
        request_id = meta.get("request_id")
        if request_id.__class__ is not str:
            request_id = None
    else:
        meta = None
    message = envelope.get("message")
    if message.__class__ is not str:
        message = None
    return meta, message, request_id


def _object(envelope: Any, info: ResponseInfo) -> dict[str, Any]:
    if envelope.__class__ is not dict:
        raise invalid(f"expected a JSON object, got {type(envelope).__name__}", info)
    return envelope


def data_object(envelope: Any, info: ResponseInfo, *, flat: bool = False) -> dict[str, Any]:
    """The ``data`` object of an answer (``flat``: the whole body, as comments answer)."""
    body = _object(envelope, info)
    if flat:
        return body
    data = body.get("data")
    if data.__class__ is not dict:
        raise invalid(
            "the response has no `data` object"
            if data is None
            else f"`data` is {type(data).__name__}, expected an object",
            info,
        )
    return data


def data_list(envelope: Any, info: ResponseInfo | None) -> list[Any]:
    """The ``data`` list of a list answer."""
    if not isinstance(envelope, dict):
        raise invalid(f"expected a JSON object, got {_json_type(envelope)}", info)
    data = envelope.get("data")
    if not isinstance(data, list):
        raise invalid(
            "the response has no `data` list"
            if data is None
            else f"`data` is {_json_type(data)}, expected an array",
            info,
        )
    return data


def summary(envelope: Any, info: ResponseInfo) -> tuple[dict[str, Any], str]:
    """A batch answer's summary object and where it sat (``data``, or ``$`` for the top level:
    ``docs/decisions.md``)."""
    body = _object(envelope, info)
    data = body.get("data")
    if isinstance(data, dict) and "summary" in data:
        return data, "data"
    if "summary" in body:
        return body, "$"
    raise invalid("the response has no `summary` (in `data` or at the top level)", info)


def page_meta(envelope: dict[str, Any]) -> dict[str, Any]:
    """A list answer's page fields (``current_page``, ``total_pages``, ``per_page``, ``total``,
    ``count``, ``has_more``), each ``None`` when absent, looked for in ``meta.pagination``, then
    ``meta``, then the top level (where Laravel-style APIs put them); ``total_pages`` falls back
    to ``last_page``."""
    meta = envelope.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    pagination = meta.get("pagination")
    scopes = [s for s in (pagination, meta, envelope) if isinstance(s, dict)]
    total_pages = _int_in(scopes, "total_pages")
    if total_pages is None:
        total_pages = _int_in(scopes, "last_page")
    return {
        "current_page": _int_in(scopes, "current_page"),
        "total_pages": total_pages,
        "per_page": _int_in(scopes, "per_page"),
        "total": _int_in(scopes, "total"),
        "count": _int_in(scopes, "count"),
        "has_more": next((s["has_more"] for s in scopes if isinstance(s.get("has_more"), bool)), None),
    }


def _int_in(scopes: list[dict[str, Any]], key: str) -> int | None:
    for scope in scopes:
        value = integer(scope.get(key))
        if value is not None:
            return value
    return None


# -- errors ---------------------------------------------------------------------------------

# Keys of ``error.details`` that may name a more specific code when ``error.code`` is generic.
_CODE_KEYS = ("code", "error_code", "error", "reason", "type", "status")


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str | None = None,
    url: str | None = None,
    redact: Redactor | Iterable[str] = (),
    envelope: Any = _UNPARSED,
) -> APIError:
    """Build the typed error for an error answer; never raises, whatever the body.

    Reads the envelope tolerantly: code from ``error.code`` then ``code``; message from
    ``error.message`` then ``message``; field errors from ``error.details`` when it maps fields
    to lists of messages, then ``errors``; ``retry_after`` and ``attempts_remaining`` from
    ``error.details``, ``error``, then the top level, with a ``Retry-After`` header winning;
    a number that is not in plain form (:mod:`wacr._numbers`) is absent.
    When the code is missing or only as specific as the status (``VALIDATION_ERROR`` on a 422),
    a known, more specific code named in ``error.details`` wins. A body that is not a JSON
    object still gives an error typed by status, with the raw text kept in ``body``. A 3xx says
    where it points (``Location``). ``envelope`` is the body already parsed, when it was. Every
    form of each secret in ``redact`` (a :class:`~wacr.errors.Redactor` or strings) is masked in
    everything the error stores.
    """
    text = body.decode("utf-8", errors="replace")
    if envelope is _UNPARSED:
        envelope = None
        if body.strip():
            try:
                envelope = orjson.loads(body)
            except orjson.JSONDecodeError:
                envelope = None
    top: dict[str, Any] = envelope if isinstance(envelope, dict) else {}
    error_obj = top.get("error")
    err: dict[str, Any] = error_obj if isinstance(error_obj, dict) else {}
    details = err.get("details")
    detail_map: dict[str, Any] = details if isinstance(details, dict) else {}

    code = _first_str(err.get("code"), top.get("code"))
    message = _first_str(err.get("message"), top.get("message"))
    if isinstance(error_obj, str):
        # Some stacks answer {"error": "UNAUTHORIZED"} or {"error": "Unauthenticated."}.
        if code is None and error_obj.isupper():
            code = error_obj
        elif message is None:
            message = error_obj

    by_status = _BY_STATUS.get(status)
    if by_status is not None and (code is None or _BY_CODE.get(code) is by_status):
        inner = _code_in(detail_map)
        if inner is not None and _BY_CODE[inner] is not by_status and issubclass(_BY_CODE[inner], by_status):
            code = inner

    meta = top.get("meta")
    request_id = _first_str(
        meta.get("request_id") if isinstance(meta, dict) else None,
        top.get("request_id"),
        err.get("request_id"),
    ) or _header(headers, "X-Request-Id")

    cls = _BY_CODE.get(code) if code is not None else None
    if cls is None:
        cls = by_status or (ServerError if 500 <= status <= 599 else APIError)
    elif status == 409 and not issubclass(cls, ConflictError):
        cls = ConflictError  # every 409 is a conflict, whatever code it carries
    if 300 <= status < 400 and message is None:
        message = _redirect_message(status, headers, url)

    kwargs: dict[str, Any] = {}
    scopes = (detail_map, err, top)
    for name in cls._extras:
        if name == "errors":
            kwargs[name] = _field_errors(detail_map) or _field_errors(top.get("errors")) or None
        elif name == "retry_after":
            kwargs[name] = _retry_after_header(headers)
            if kwargs[name] is None:
                kwargs[name] = seconds(_lookup(scopes, "retry_after"))
        elif name == "feature":
            kwargs[name] = _first_str(_lookup(scopes, name))
        else:  # attempts_remaining / current / maximum / contacts_count
            kwargs[name] = integer(_lookup(scopes, name))

    error = cls(
        message,
        status=status,
        code=code,
        request_id=request_id,
        details=details,
        body=text,
        headers=headers,
        method=method,
        url=url,
        **kwargs,
    )
    error._show_body = not top
    if isinstance(redact, str):
        redact = (redact,)
    redactors = [redact] if isinstance(redact, Redactor) else [Redactor(s) for s in redact if s]
    for redactor in redactors:
        redactor.scrub(error)
    return error


def _redirect_message(status: int, headers: Mapping[str, str], url: str | None) -> str:
    """What a 3xx says: where it points, and the likely cause (an ``http://`` base URL)."""
    phrase = _status_phrase(status)
    location = _header(headers, "Location")
    if location is None:
        return f"{phrase}: the server redirected without a Location; wacr does not follow redirects"
    target = location
    if url is not None:
        try:
            target = urllib.parse.urljoin(url, location)
        except ValueError:
            target = location
    text = f"{phrase}: the server redirects to {target}; wacr does not follow redirects"
    if url is not None and url.startswith("http://") and target.startswith("https://"):
        text += " (the base URL should use https://)"
    else:
        text += " (check the base URL)"
    return text


def _first_str(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return None


def _lookup(scopes: Iterable[Mapping[str, Any]], key: str) -> Any:
    for scope in scopes:
        value = scope.get(key)
        if value is not None:
            return value
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # aiohttp's headers are case-insensitive; a plain dict from a test may not be.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value or None


def _retry_after_header(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header, either delta-seconds or an HTTP date."""
    raw = _header(headers, "Retry-After")
    if raw is None:
        return None
    delay = seconds(raw)
    if delay is not None:
        return delay
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _field_errors(value: Any) -> dict[str, list[str]]:
    """The ``{field: [messages]}`` entries of a mapping (other entries are not field errors)."""
    if not isinstance(value, dict):
        return {}
    return {
        str(field): [str(m) for m in msgs]
        for field, msgs in value.items()
        if isinstance(msgs, list) and msgs and all(isinstance(m, str) for m in msgs)
    }


def _code_in(details: Mapping[str, Any]) -> str | None:
    """A known error code that ``error.details`` names: as the value of a code-like key, or as a
    key itself (``{"INVALID_CODE": "The code is wrong."}``)."""
    for key in _CODE_KEYS:
        value = details.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value.upper() in _BY_CODE:
            return value.upper()
    for key in details:
        if isinstance(key, str) and key.upper() in _BY_CODE:
            return key.upper()
    return None
