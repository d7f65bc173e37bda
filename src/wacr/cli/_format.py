"""Plain-text wording shared by the commands and the import engine (no click, no rich)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import wacr

__all__ = ["field_errors", "message_map", "nouns", "one_line", "plural", "ranges"]


def field_errors(errors: Mapping[str, Sequence[str]]) -> str:
    """``{"phone": ["is required"]}`` -> ``"phone: is required"`` (fields joined by ``; ``)."""
    return "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())


def one_line(error: BaseException) -> str:
    """An error as one line; the SDK's pre-send checks as ``field: message; field: message``."""
    if isinstance(error, wacr.ValidationError) and error.status is None and error.errors:
        text = field_errors(error.errors)
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def plural(number: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``2 statuses``."""
    return f"{number} {noun}" if number == 1 else f"{number} {nouns(noun)}"


def nouns(noun: str) -> str:
    """The plural of one of the command line's nouns: ``rows``, ``statuses``."""
    return noun + ("es" if noun.endswith("s") else "s")


def ranges(numbers: Iterable[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def message_map(errors: Mapping[str, Any]) -> dict[str, list[str]]:
    """A server's per-field errors (a message or a list of them per field) as lists of strings."""
    return {
        name: [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for name, messages in errors.items()
    }
