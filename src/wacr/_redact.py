"""The :class:`Redactor`: masks the API token, in every form a server may echo it (as is or
escaped for JSON, HTML, URLs...), in everything wacr shows, stores on an error or logs."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

__all__ = ["MASK", "Redactor"]

#: What replaces a secret in the text wacr shows or stores.
MASK = "[REDACTED]"
# Named character references of HTML/XML a server's error page may write a character as.
_ENTITIES = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}
_SHORT_ESCAPES = {"\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}


def _hex(number: int, width: int = 0) -> str:
    """A regex for ``number`` in hex, either case, zero-padded to ``width`` digits."""
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{number:0{width}x}")


def _char_forms(ch: str, *, first: bool = False) -> str:
    """A regex for one character as a server may write it: as is, JSON-escaped (``\\/``,
    ``\\u002f``, a surrogate pair; any run of backslashes, as when JSON is nested in a JSON
    string), percent-encoded (UTF-8) or as an HTML character reference.

    For the secret's ``first`` character, a form that starts with a run of backslashes starts
    only where the run does: the leftmost match begins there anyway, and without the guard a
    search would try every position inside a long run, each scanning the rest of it (quadratic:
    seconds for a 40 KB error body of backslashes)."""
    code = ord(ch)
    run = r"(?<!\\)\\" if first else r"\\"
    forms: list[str] = []
    if code > 0xFFFF:
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(rf"{run}+u{_hex(high, 4)}\\+u{_hex(low, 4)}")
    else:
        forms.append(rf"{run}+u{_hex(code, 4)}")
    if ch in _SHORT_ESCAPES:
        forms.append(rf"{run}+" + _SHORT_ESCAPES[ch])
    forms.append("".join(f"%{_hex(byte, 2)}" for byte in ch.encode("utf-8", "surrogatepass")))
    if ch == " ":
        forms.append(r"\+")
    forms += [f"&#0*{code};", f"&#[xX]0*{_hex(code)};"]
    if ch in _ENTITIES:
        forms.append(f"&{_ENTITIES[ch]};")
    # As is, last: the escaped forms are tried first, so that an escape that starts with the
    # character itself ("%25" for "%", "&amp;" for "&") is masked whole, not its first character.
    # (The run is optional as a whole: without one, the character may follow a backslash, as
    # when the secret ends in one and is written twice in a row.)
    forms.append(rf"(?:{run}+)?" + re.escape(ch))
    return f"(?:{'|'.join(forms)})"


class Redactor:
    """Masks one secret (the API token) in what wacr shows or stores: error messages, bodies,
    details, headers, reprs, logs.

    It works on decoded text and finds the secret written as is and in every escaped form a
    server may echo it in, each character independently: JSON escapes (PHP writes ``/`` as
    ``\\/``; ``\\uXXXX`` and surrogate pairs; the doubled backslashes of JSON inside a JSON
    string), percent-encoding and HTML character references. A successful answer is never
    passed through it: the data a call returns arrives byte for byte.

    :meth:`found` is cheap when the text holds no backslash, ``%`` or ``&`` (nor ``+`` for a
    secret with a space; then only the plain secret can be there), which keeps the per-call
    header check on the hot path small; the pattern of the escaped forms is compiled the first
    time it is needed (a few ms for a 40-character token), not when the client is made.
    """

    __slots__ = ("_compiled", "_escapes", "secret")

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("nothing to redact")
        #: The secret itself.
        self.secret: str = secret
        self._compiled: re.Pattern[str] | None = None
        # The characters an escaped form of the secret starts with: without one of them in a
        # text, only the plain secret can be there (a space is also written "+", form-encoded).
        self._escapes = ("\\", "%", "&", "+") if " " in secret else ("\\", "%", "&")

    @property
    def _pattern(self) -> re.Pattern[str]:
        pattern = self._compiled
        if pattern is None:
            secret = self.secret
            forms = [_char_forms(secret[0], first=True), *(_char_forms(ch) for ch in secret[1:])]
            pattern = self._compiled = re.compile("".join(forms))
        return pattern

    def __repr__(self) -> str:
        return "Redactor(...)"  # never the secret

    def __reduce__(self) -> Any:
        raise TypeError("a Redactor holds a secret and is not pickled")

    def found(self, text: str) -> bool:
        """Whether ``text`` holds the secret in any of its forms."""
        if self.secret in text:
            return True
        for escape in self._escapes:
            if escape in text:
                return self._pattern.search(text) is not None
        return False

    def text(self, text: str) -> str:
        """``text`` with every form of the secret replaced by :data:`MASK`."""
        if not self.found(text):
            return text
        return self._pattern.sub(MASK, text)

    def headers(self, headers: Mapping[str, str]) -> Mapping[str, str]:
        """``headers`` itself when no name or value holds the secret, else a read-only
        case-insensitive copy with it masked (so the common case costs one check, no copy)."""
        if not self.found("\n".join([*headers.keys(), *headers.values()])):
            return headers
        return CIMultiDictProxy(CIMultiDict((self.text(k), self.text(v)) for k, v in headers.items()))

    def value(self, value: Any) -> Any:
        """``value`` with the secret masked in every string inside it (dict keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (CIMultiDictProxy, CIMultiDict)):
            return self.headers(value)
        if isinstance(value, (MultiDictProxy, MultiDict)):
            return MultiDict((self.text(k), self.value(v)) for k, v in value.items())
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if type(value) is tuple:
            return tuple(self.value(item) for item in value)
        return value

    def scrub(self, error: BaseException) -> None:
        """Mask the secret in ``error``'s attributes and ``args``, in place; drop its chained
        causes and contexts when any of them shows the secret (a traceback or an error tracker
        prints them, and they are not ours to edit)."""
        state = vars(error)
        for key, value in list(state.items()):
            state[key] = self.value(value)
        error.args = tuple(self.value(arg) for arg in error.args)
        for link in _chained(error):
            if self.found(_shown(link)):
                error.__cause__ = error.__context__ = None
                error.__suppress_context__ = True
                return


def _chained(error: BaseException) -> Iterator[BaseException]:
    """Every exception chained to ``error`` (causes and contexts), not ``error`` itself."""
    seen = {id(error)}
    todo = [error.__cause__, error.__context__]
    while todo:
        link = todo.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo += [link.__cause__, link.__context__]


def _shown(error: BaseException) -> str:
    """What a log line, a traceback or a debugger shows of an exception."""
    try:
        attributes = repr(vars(error))
    except TypeError:
        attributes = ""
    return "\n".join((str(error), repr(error), repr(error.args), attributes))
