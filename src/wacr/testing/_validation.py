"""Laravel-like request validation with the docs' messages where they are documented.

Each check records at most one message per field (the first rule that fails), strings are trimmed
and an empty string counts as missing, as Laravel's TrimStrings and ConvertEmptyStringsToNull
middleware do; a pattern, though, judges the value as sent, as the spec's do. Optional fields
accept ``null``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

from wacr.testing._core import INT_MAX, INT_MIN, validation_error

__all__ = ["MISSING", "Validator", "is_url", "json_schema_regex"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final[Any] = _Missing()

# Rule patterns are JSON Schema's (ECMA-262), as in the spec: `$` is the end of the value. The
# client's translation (src/wacr/_validate.py) copied, since the emulator imports nothing of the
# client; tests/spec/test_patterns.py proves the two agree.
_ECMA_CLASSES = {"d": "0-9", "w": "A-Za-z0-9_"}
# The letter escapes both dialects read alike; `\s` nearly (Python's adds U+001C-U+001F and U+0085,
# ECMA's U+FEFF), kept as Python's.
_SAME_ESCAPES = frozenset("fnrtvxusS")
_QUANTIFIER = re.compile(r"[0-9]+(?:,[0-9]*)?\}")


def json_schema_regex(pattern: str) -> str:
    """``pattern`` (JSON Schema, ECMA-262) as a Python regex that finds the same strings.

    Raises ``ValueError`` on a construct whose meaning would change (``\\D`` in a class, ``[]``,
    ``\\c``, ``\\k``, ``\\p`` and the other letter escapes outside both dialects).
    """
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "\\":
            if index == len(pattern):
                raise ValueError(f"pattern ends in a backslash: {pattern!r}")
            char = pattern[index]
            index += 1
            body = _ECMA_CLASSES.get(char.lower())
            if body is not None and not (in_class and char.isupper()):
                out.append(body if in_class else f"[{'^' if char.isupper() else ''}{body}]")
            elif char in "bB" and not in_class:
                out.append(f"(?a:\\{char})")  # ECMA's word boundary is ASCII's
            elif char.isascii() and char.isalpha() and char not in _SAME_ESCAPES and char != "b":
                raise ValueError(f"\\{char} has no Python equivalent here: {pattern!r}")
            else:
                out.append("\\" + char)
        elif in_class:
            in_class = char != "]"
            out.append("\\[" if char == "[" else char)
        elif char == "[":
            if pattern.startswith(("]", "^]"), index):
                raise ValueError(f"ECMA's empty class [] / [^] has no Python equivalent: {pattern!r}")
            in_class = True
            out.append(char)
        elif char == "$":
            out.append(r"\Z")  # the end of the value, not before its final newline
        elif char == ".":
            out.append(r"[^\n\r\u2028\u2029]")
        elif char == "{" and not _QUANTIFIER.match(pattern, index):
            out.append(r"\{")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=64)
def _compiled(regex: re.Pattern[str] | str) -> re.Pattern[str]:
    return re.compile(json_schema_regex(regex if isinstance(regex, str) else regex.pattern))


_EMAIL = _compiled(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_INT = _compiled(r"^[+-]?[0-9]+$")


def is_url(value: str) -> bool:
    """A valid absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _attribute(key: str) -> str:
    return key.replace("_", " ")


class Validator:
    """Collects ``{field: [messages]}``; :meth:`check` raises the 422 when anything failed.

    ``messages`` overrides the default text per ``"field.rule"`` (``"phone.required"``), the way
    Laravel's custom messages do.
    """

    __slots__ = ("data", "errors", "messages")

    def __init__(self, data: Mapping[str, Any], messages: Mapping[str, str] | None = None) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.messages = messages or {}

    # -- recording -------------------------------------------------------------------------
    def add(self, key: str, message: str) -> None:
        """Record a message for ``key``."""
        self.errors.setdefault(key, []).append(message)

    def fail(self, key: str, rule: str, default: str, **values: Any) -> None:
        """Record the failure of ``rule`` on ``key`` (custom message first, else ``default``)."""
        message = self.messages.get(f"{key}.{rule}")
        if message is None:
            message = default.format(attribute=_attribute(key), **values)
        self.add(key, message)

    def has(self, key: str) -> bool:
        """Whether ``key`` already failed."""
        return key in self.errors

    def check(self) -> None:
        """Raise the 422 ``VALIDATION_ERROR`` when any rule failed."""
        if self.errors:
            raise validation_error(self.errors)

    # -- rules -----------------------------------------------------------------------------
    def _get(self, key: str, value: Any) -> Any:
        if value is MISSING:
            value = self.data.get(key, MISSING)
        if isinstance(value, str):
            value = value.strip() or None
        return value

    def _required(self, key: str, value: Any, required: bool) -> bool:
        """True when the value is absent; records `required` if it had to be there."""
        if value is MISSING or value is None or value == [] or value == {}:
            if required:
                self.fail(key, "required", "The {attribute} field is required.")
            return True
        return False

    def string(
        self,
        key: str,
        *,
        required: bool = False,
        min: int | None = None,
        max: int | None = None,
        regex: re.Pattern[str] | str | None = None,
        choices: tuple[str, ...] | None = None,
        email: bool = False,
        url: bool = False,
        digits: int | None = None,
        value: Any = MISSING,
    ) -> str | None:
        """A string field; returns the trimmed value, or ``None`` when absent or invalid.

        ``regex`` is read as a JSON Schema pattern; it, ``digits`` and ``email`` judge the value
        as sent, untrimmed, as the spec's patterns do (the client checks the same before sending).
        """
        raw = self.data.get(key) if value is MISSING else value
        value = self._get(key, value)
        if self._required(key, value, required):
            return None
        if not isinstance(value, str):
            self.fail(key, "string", "The {attribute} must be a string.")
            return None
        sent = raw if isinstance(raw, str) else value
        if min is not None and len(value) < min:
            self.fail(key, "min", "The {attribute} must be at least {min} characters.", min=min)
        elif max is not None and len(value) > max:
            self.fail(key, "max", "The {attribute} may not be greater than {max} characters.", max=max)
        elif regex is not None and _compiled(regex).search(sent) is None:
            self.fail(key, "regex", "The {attribute} format is invalid.")
        elif digits is not None and not (sent.isascii() and sent.isdigit() and len(sent) == digits):
            self.fail(key, "digits", "The {attribute} must be {digits} digits.", digits=digits)
        elif choices is not None and value not in choices:
            self.fail(key, "in", "The selected {attribute} is invalid.")
        elif email and _EMAIL.search(sent) is None:
            self.fail(key, "email", "The {attribute} must be a valid email address.")
        elif url and not is_url(value):
            self.fail(key, "url", "The {attribute} format is invalid.")
        else:
            return value
        return None

    def integer(
        self,
        key: str,
        *,
        required: bool = False,
        min: int | None = None,
        max: int | None = None,
        value: Any = MISSING,
    ) -> int | None:
        """An integer field (numeric strings are accepted, as Laravel does).

        The value must fit a signed 64-bit column (:data:`~wacr.testing._core.INT_MIN` ..
        :data:`~wacr.testing._core.INT_MAX`) whatever ``min``/``max`` say: a larger number (or a
        float such as ``1e300``) is a 422 naming the field, never stored.
        """
        value = self._get(key, value)
        if self._required(key, value, required):
            return None
        number: int
        if isinstance(value, bool):
            self.fail(key, "integer", "The {attribute} must be an integer.")
            return None
        # A float this large stands for an integer the JSON reader could not hold (orjson reads
        # integers beyond 64 bits as floats): out of range even when rounding made it -2**63.
        integral = isinstance(value, float) and value.is_integer() and abs(value) < 2**63
        if isinstance(value, float) and value.is_integer() and not integral:
            number = INT_MAX + 1
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and _INT.match(value):
            # A digit string too long for any column is out of range (and `int` of thousands of
            # digits is refused by Python itself).
            number = int(value) if len(value) <= 25 else INT_MAX + 1
        elif integral:
            number = int(value)
        else:
            self.fail(key, "integer", "The {attribute} must be an integer.")
            return None
        if not INT_MIN <= number <= INT_MAX:
            self.fail(
                key,
                "between",
                "The {attribute} must be between {low} and {high}.",
                low=INT_MIN if min is None else min,
                high=INT_MAX if max is None else max,
            )
        elif min is not None and number < min:
            self.fail(key, "min", "The {attribute} must be at least {min}.", min=min)
        elif max is not None and number > max:
            self.fail(key, "max", "The {attribute} may not be greater than {max}.", max=max)
        else:
            return number
        return None

    def boolean(self, key: str, *, required: bool = False, value: Any = MISSING) -> bool | None:
        """A boolean field: true/false, 1/0, "1"/"0", "true"/"false"."""
        value = self._get(key, value)
        if self._required(key, value, required):
            return None
        if isinstance(value, bool):
            return value
        if value in (0, 1, "0", "1"):
            return value in (1, "1")
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.fail(key, "boolean", "The {attribute} field must be true or false.")
        return None

    def array(
        self,
        key: str,
        *,
        required: bool = False,
        min: int | None = None,
        max: int | None = None,
        value: Any = MISSING,
    ) -> list[Any] | None:
        """A JSON array field with optional item-count bounds."""
        value = self._get(key, value)
        if self._required(key, value, required):
            return None
        if not isinstance(value, list):
            self.fail(key, "array", "The {attribute} must be an array.")
            return None
        if min is not None and len(value) < min:
            self.fail(key, "min", "The {attribute} must have at least {min} items.", min=min)
        elif max is not None and len(value) > max:
            self.fail(key, "max", "The {attribute} may not have more than {max} items.", max=max)
        else:
            return value
        return None

    def object(self, key: str, *, required: bool = False, value: Any = MISSING) -> dict[str, Any] | None:
        """A JSON object field."""
        value = self._get(key, value)
        if self._required(key, value, required):
            return None
        if not isinstance(value, dict):
            self.fail(key, "object", "The {attribute} must be an object.")
            return None
        return value

    def integers(self, key: str, items: list[Any]) -> list[int]:
        """Each item of an array must be an integer (``key.N`` messages); returns the valid ones."""
        out: list[int] = []
        for index, item in enumerate(items):
            number = self.integer(f"{key}.{index}", required=True, value=item)
            if number is not None:
                out.append(number)
        return out
