"""The one rule for headers a caller adds to wacr's (per-call ``extra_headers``, the client's
``default_headers``, headers a request hook adds): well-formed, and never a credential.

wacr alone sets ``Authorization`` (and no caller may add ``X-API-Key``, the other way this API
reads a token): a header that replaced or added one could send another token, or this one to
where it does not belong. ``Host`` names the server the token is for, which wacr takes from the
base URL: another value would have a proxy, CDN or shared ingress that routes by it hand the token
to another site. ``Content-Length`` and ``Transfer-Encoding`` frame the body, which wacr encodes;
a caller's value would corrupt the request.
"""

from __future__ import annotations

from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["header_problems", "merge_headers"]

# A header name is an RFC 9110 token.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CREDENTIALS = frozenset({"authorization", "x-api-key"})
_FRAMING = frozenset({"content-length", "transfer-encoding"})


def _value_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if "\r" in value or "\n" in value or "\0" in value:
        return "must not contain CR, LF or NUL (it would start another header)"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as exc:
        return (
            f"must be latin-1 text (HTTP/1.1 header values are bytes); U+{ord(value[exc.start]):04X} at "
            f"position {exc.start + 1} is not"
        )
    return None


def header_problems(headers: object, label: str) -> dict[str, list[str]]:
    """What is wrong with ``headers`` (``{"<label>.<name>": [rule, ...]}``; empty when nothing).

    A value is never quoted in a rule: it may be a secret.
    """
    if not isinstance(headers, Mapping):
        return {label: [f"must be a mapping of header names to values, not {type(headers).__name__}"]}
    errors: dict[str, list[str]] = {}
    for name, value in headers.items():
        field = f"{label}.{name}"
        if not isinstance(name, str) or not name or not _TOKEN.issuperset(name):
            errors.setdefault(field, []).append("is not a valid header name (an RFC 9110 token)")
            continue
        lowered = name.lower()
        if lowered in _CREDENTIALS:
            errors.setdefault(field, []).append(
                "is a credential header: wacr sets the API token itself and never sends another"
            )
        elif lowered == "host":
            errors.setdefault(field, []).append(
                "names the server, which wacr takes from base_url (the token goes only there): "
                "it cannot be set"
            )
        elif lowered in _FRAMING:
            errors.setdefault(field, []).append("frames the body, which wacr encodes: it cannot be set")
        problem = _value_problem(value)
        if problem is not None:
            errors.setdefault(field, []).append(problem)
    return errors


def merge_headers(base: CIMultiDictProxy[str], extra: Mapping[str, str]) -> CIMultiDictProxy[str]:
    """``base`` with ``extra`` (already checked) over it, each extra name replacing base's."""
    merged = CIMultiDict(base)
    for name, value in extra.items():
        merged[name] = value
    return CIMultiDictProxy(merged)
