"""What wacr lets into a request URL: the length bound of every call (:func:`check_url_length`)
and the path rule of ``client.request`` (:func:`check_relative_path`): the token goes to the
base URL and nowhere else."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from yarl import URL

from wacr.errors import ValidationError

if TYPE_CHECKING:
    from wacr._attempt import Params

__all__ = ["MAX_URL_LENGTH", "QUERY_SURE", "check_relative_path", "check_url_length", "query_chars"]

#: The longest request target (path and encoded query) wacr sends: servers refuse longer ones
#: (Apache's LimitRequestLine is 8190 bytes and nginx's request-line buffer 8 KiB, both counting
#: the method and the protocol too), so a longer URL is refused before sending.
MAX_URL_LENGTH = 8000
# Below this many characters of path and query, the encoded URL cannot exceed the bound (one
# character encodes to at most 12: four UTF-8 bytes of three characters each), so it is not measured.
QUERY_SURE = 600
_EMPTY_URL = URL("http://localhost/")


def query_chars(params: Params) -> int:
    """The query's length before encoding (what ``request`` compares with ``QUERY_SURE``)."""
    items = params.items() if isinstance(params, Mapping) else params
    return sum(len(key) + len(value) + 2 for key, value in items)


def check_url_length(base_path_length: int, path: str, params: Params | None) -> None:
    """Refuse, before sending, a request whose encoded path and query exceed MAX_URL_LENGTH,
    naming the longer of the path and the longest query parameter."""
    pairs = (list(params.items()) if isinstance(params, Mapping) else list(params)) if params else []
    # Encoded as aiohttp will (yarl): the path, and the query one pair at a time to find the longest.
    raw_path = URL("http://localhost" + path).raw_path
    encoded = [_EMPTY_URL.with_query([pair]).raw_query_string for pair in pairs]
    query = sum(len(e) for e in encoded) + len(encoded) if encoded else 0  # with the "?" and "&"s
    total = base_path_length + len(raw_path) + query
    if total <= MAX_URL_LENGTH:
        return
    name, length = "path", len(raw_path)
    if pairs:
        longest = max(range(len(pairs)), key=lambda n: len(encoded[n]))
        if len(encoded[longest]) >= length:
            name, length = pairs[longest][0], len(encoded[longest])
    raise ValidationError(
        f"the request URL would be {total} characters long, above the {MAX_URL_LENGTH} that servers accept",
        errors={
            name: [
                f"too long: {length} characters once encoded, in a URL of {total} (at most {MAX_URL_LENGTH})"
            ]
        },
    )


def check_relative_path(path: object) -> str:
    """``path`` when it names a place under the base URL (``"/contacts/7"``): a string starting
    with one ``/``, with no scheme, host, query, fragment, backslash, control character, and no
    ``.`` or ``..`` segment (plain or percent-encoded) that could climb out of the base path.
    Anything else is a ValidationError naming ``path``: the token must never go elsewhere."""
    if not isinstance(path, str):
        raise ValidationError(errors={"path": [f"must be a string, not {type(path).__name__}"]})
    rule = _path_problem(path)
    if rule is not None:
        raise ValidationError(errors={"path": [rule]})
    return path


def _path_problem(path: str) -> str | None:
    if not path.startswith("/") or path.startswith("//"):
        return "must be relative to the base URL and start with a single '/' (e.g. '/contacts')"
    if "://" in path or "\\" in path:
        return "must be a path under the base URL, not a URL"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return "must not contain control characters"
    if "?" in path or "#" in path:
        return "must not contain '?' or '#': pass the query as params="
    # Decoded before it is split (and again, for a server that decodes twice): "%2e%2e%2f" is "../"
    # to a front end that decodes "%2F" before it resolves dot segments.
    text = path
    for _ in range(3):
        if any(segment in (".", "..") for segment in text.replace("\\", "/").split("/")):
            return "must not contain '.' or '..' segments, plain or encoded (they could leave the base path)"
        text, before = urllib.parse.unquote(text), text
        if text == before:
            break
    return None
