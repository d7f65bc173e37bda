"""How wacr's exceptions word themselves: the text of ``str(error)`` for each family of
:mod:`wacr.errors`, and the pickling helper they share (kept apart from the class tree so that
the tree reads as a table)."""

from __future__ import annotations

import http
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, CIMultiDictProxy

from wacr._constants import IDEMPOTENT_METHODS

if TYPE_CHECKING:
    from wacr.errors import APIConnectionError, APIError, InvalidResponseError, WacrError

__all__ = [
    "ambiguous",
    "api_text",
    "connection_text",
    "field_errors_text",
    "invalid_text",
    "limit_text",
    "reduce_error",
    "short_repr",
    "status_phrase",
]

# How much of a raw body ``str(error)`` shows; the full text stays in ``error.body``.
_BODY_EXCERPT = 200
# How many field errors ``str(error)`` lists before "and N more".
_FIELDS_SHOWN = 3
_NOT_RETRIED = "the request may have been processed by the server and was not retried"


def ambiguous(status: int | None, method: str | None) -> bool:
    """Whether an answer with ``status`` to a ``method`` call may mean the work was done, so that
    sending the call again could do it twice: a 2xx (the server did it) or a 5xx, for a method
    that is not idempotent (or not known)."""
    if status is None or not (200 <= status < 300 or status >= 500):
        return False
    return method is None or method.upper() not in IDEMPOTENT_METHODS


def _rebuild(cls: type[WacrError], args: tuple[Any, ...], state: dict[str, Any]) -> WacrError:
    """Unpickle an exception without calling its keyword-only ``__init__``."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


def reduce_error(error: WacrError) -> tuple[Any, ...]:
    """``__reduce__`` of every wacr exception: keyword-only constructors break Exception's
    default pickling, so the state is kept as is (aiohttp's read-only header proxy does not
    pickle: it is copied)."""
    state = dict(error.__dict__)
    if isinstance(state.get("headers"), CIMultiDictProxy):
        state["headers"] = CIMultiDict(state["headers"])
    return (_rebuild, (type(error), error.args, state))


def short_repr(error: WacrError, *fields: str) -> str:
    """``Class(field=value, ...)`` of the fields that identify an error (never its headers)."""
    shown = ", ".join(f"{name}={getattr(error, name)!r}" for name in fields)
    return f"{type(error).__name__}({shown})"


def invalid_text(error: InvalidResponseError) -> str:
    """``str()`` of an :class:`~wacr.InvalidResponseError`."""
    text = error.message
    if error.problems:
        more = len(error.problems) - _FIELDS_SHOWN
        text = f"{text}: {'; '.join(error.problems[:_FIELDS_SHOWN])}"
        text += f"; and {more} more" if more > 0 else ""
    if error.status is not None:
        text = f"{error.status}: {text}"
    if error.may_have_been_processed:
        text = f"{text}; {_NOT_RETRIED}"
    return text + _suffix(error.method, error.url, error.request_id)


def connection_text(error: APIConnectionError) -> str:
    """``str()`` of an :class:`~wacr.APIConnectionError`."""
    text = error.message
    if error.may_have_been_processed:
        text = f"{text}; {_NOT_RETRIED}"
    return text + _suffix(error.method, error.url, None)


def api_text(error: APIError, detail: str) -> str:
    """``str()`` of an :class:`~wacr.APIError`, with its class's ``detail``."""
    head = " ".join(str(part) for part in (error.status, error.code) if part is not None)
    text = f"{head}: {error.message}" if head else error.message
    text += detail
    if error.may_have_been_processed:
        text += f"; {_NOT_RETRIED}"
    if error._show_body and error.body:
        text += f" (body: {_excerpt(error.body)})"
    if error.request_id:
        text += f" [request_id={error.request_id}]"
    return text


def field_errors_text(errors: Mapping[str, Sequence[str]]) -> str:
    """`` (field: rule; rule, field: rule, and N more)`` for a ValidationError, or ``""``."""
    if not errors:
        return ""
    parts = [f"{field}: {'; '.join(msgs)}" for field, msgs in errors.items()]
    more = len(parts) - _FIELDS_SHOWN
    text = ", ".join(parts[:_FIELDS_SHOWN]) + (f", and {more} more" if more > 0 else "")
    return f" ({text})"


def limit_text(feature: str | None, current: int | None, maximum: int | None) -> str:
    """`` (contacts: 100/100)`` for a FeatureLimitExceededError, or ``""`` without figures."""
    if feature is None and current is None and maximum is None:
        return ""
    return f" ({feature or 'limit'}: {current}/{maximum})"


def _suffix(method: str | None, url: str | None, request_id: str | None) -> str:
    parts = [" ".join(p for p in (method, url) if p)]
    if request_id:
        parts.append(f"request_id={request_id}")
    inner = ", ".join(p for p in parts if p)
    return f" [{inner}]" if inner else ""


def status_phrase(status: int | None) -> str | None:
    """The reason phrase of ``status`` ("Not Found"), ``"HTTP <n>"`` for an unknown one."""
    if status is None:
        return None
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= _BODY_EXCERPT:
        return repr(flat)
    return f"{flat[:_BODY_EXCERPT]!r}... ({len(text)} chars)"
