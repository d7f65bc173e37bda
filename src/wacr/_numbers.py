"""The one reader of numbers a server writes: in a JSON body (page meta, error details,
``retry_after``) or as header text (``Retry-After``, ``X-RateLimit-*``).

Python's own ``int()``/``float()`` read far more than a number: ``"1_0"``, ``"+3"``,
superscripts and other scripts' digits, ``"1e3"``, ``"nan"``; and ``int()`` raises on more than
4,300 digits. Text here is a number only in the plain ASCII form: digits, a leading ``-`` where
a negative makes sense, a decimal fraction where one does, at most 18 digits before the point
(so a whole number fits 64 bits). Spaces and tabs around it are allowed (HTTP's OWS). Anything
else is no number (``None``): the caller treats the value as absent, never as a guess.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["count", "integer", "seconds"]

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_COUNT = re.compile(r"[0-9]{1,18}")
# RFC 9110's delta-seconds is 1*DIGIT; a decimal fraction is also read (wacr's emulator and
# tests send "0.02"), nothing else (no sign, exponent, underscore or other digits).
_DECIMAL = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})?")
# Longer text cannot match any pattern above, even with spaces around: not worth stripping.
_LONGEST = 64
_LIMIT = 10**18  # 18 digits: the same bound for JSON integers as for text


def _text(value: str, pattern: re.Pattern[str]) -> str | None:
    if len(value) > _LONGEST:
        return None
    value = value.strip(" \t")
    return value if pattern.fullmatch(value) else None


def integer(value: Any) -> int | None:
    """A whole number from a JSON integer (not a boolean) or from text such as ``"3"`` or
    ``"-1"``, with fewer than 19 digits; else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if -_LIMIT < value < _LIMIT else None
    if isinstance(value, str):
        text = _text(value, _INTEGER)
        return None if text is None else int(text)
    return None


def count(value: str | None) -> int | None:
    """A non-negative whole number from header text (``"60"``, ``" 60 "``); else ``None``."""
    if value is None:
        return None
    text = _text(value, _COUNT)
    return None if text is None else int(text)


def seconds(value: Any) -> float | None:
    """Seconds from text (``"7"``, ``"0.5"``) or from a JSON number (a negative one counts as 0,
    a wait already over); else ``None`` (also for NaN, infinities and booleans)."""
    if isinstance(value, str):
        text = _text(value, _DECIMAL)
        return None if text is None else float(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return max(number, 0.0) if math.isfinite(number) else None
