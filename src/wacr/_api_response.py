"""``client.request(...)``: any call through the same pipeline, answered as an :class:`APIResponse`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from wacr._response import ResponseInfo
from wacr._url import check_relative_path
from wacr.errors import ValidationError

if TYPE_CHECKING:
    from wacr._attempt import Call
    from wacr._transport import Transport

__all__ = ["METHODS", "APIResponse", "send_raw"]

#: The methods ``client.request`` sends (the API uses the first five).
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


@attrs.frozen(slots=True, repr=False)
class APIResponse:
    """The answer of ``await client.request(method, path, ...)``: a 2xx, read and parsed.

    An error status raises the same typed error as any method (:class:`~wacr.APIError` and its
    subclasses), and so does a 2xx whose body says ``success: false``.
    """

    #: HTTP status code.
    status: int
    #: Response headers (read-only, case-insensitive; a header echoing the token is masked).
    headers: Mapping[str, str]
    #: The body parsed as JSON (``None`` for an empty body).
    body: Any
    #: The envelope's ``data`` when the body is an envelope object with one, else ``None``.
    data: Any
    #: Status, headers, request id, timing and attempts (as ``result.response`` of any method).
    response: ResponseInfo

    def __repr__(self) -> str:
        return f"APIResponse(status={self.status}, response={self.response!r})"


def _query(params: object) -> list[tuple[str, str]] | None:
    if params is None:
        return None
    if isinstance(params, Mapping):
        pairs: Sequence[Any] = list(params.items())
    elif isinstance(params, (list, tuple)):
        pairs = params
    else:
        raise ValidationError(
            errors={"params": [f"must be a mapping or a list of pairs, not {type(params).__name__}"]}
        )
    out: list[tuple[str, str]] = []
    errors: dict[str, list[str]] = {}
    for pair in pairs:
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and isinstance(pair[0], str) and pair[0]):
            errors.setdefault("params", []).append(f"{pair!r} is not a (name, value) pair with a string name")
            continue
        name, value = pair
        if value.__class__ is bool:
            out.append((name, "true" if value else "false"))
        elif isinstance(value, str) or value.__class__ is int:
            out.append((name, str(value)))
        elif value.__class__ is float and math.isfinite(value):
            out.append((name, repr(value)))
        else:
            errors.setdefault(f"params.{name}", []).append(
                f"must be a string, an int, a finite float or a bool, not {type(value).__name__}"
            )
    if errors:
        raise ValidationError(errors=errors)
    return out


def send_raw(
    transport: Transport,
    method: object,
    path: object,
    *,
    params: object = None,
    json: object = None,
    headers: Mapping[str, str] | None = None,
    max_retries: int | None = None,
    timeout: float | None = None,
) -> Any:
    """Check the arguments (before any I/O) and return the coroutine that makes the call."""
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValidationError(errors={"method": [f"must be one of {', '.join(sorted(METHODS))}"]})
    checked_path = check_relative_path(path)
    query = _query(params)
    body = None
    if json is not None:
        try:
            body = orjson.dumps(json)
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise ValidationError(errors={"json": [f"cannot be encoded as JSON ({exc})"]}) from None
    call = transport.prepare(
        method.upper(),
        checked_path,
        params=query,
        json=body,
        headers=headers,
        max_retries=max_retries,
        timeout=timeout,
    )
    # The call's coroutine is made when this one runs: one made now would warn, never awaited,
    # if this one were cancelled before it started.
    return _finish(transport, call)


async def _finish(transport: Transport, call: Call) -> APIResponse:
    raw = await transport.send(call)
    envelope = raw.envelope
    data = envelope.get("data") if isinstance(envelope, dict) else None
    return APIResponse(raw.status, raw.headers, envelope, data, raw.info)
