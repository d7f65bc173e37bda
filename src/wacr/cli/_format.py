"""Plain-text wording shared by the commands and the import engine (no click, no rich)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import wacr

__all__ = [
    "Reason",
    "by_reason",
    "field_errors",
    "message_map",
    "nouns",
    "one_line",
    "plural",
    "printable",
    "ranges",
]

#: Example line numbers shown per reason in the import's summary.
EXAMPLES = 5
# C0 controls, DEL and C1: a terminal acts on them (ESC starts a sequence that can clear the
# screen, set the title or write the clipboard); rich drops only a few of them. And the
# bidirectional controls, which reorder what follows on screen (a line would read otherwise than
# it holds).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What differs between rows failing the same way: the value quoted after the rule.
_GOT = re.compile(r"\s*\(got [^)]*\)")


def field_errors(errors: Mapping[str, Sequence[str]]) -> str:
    """``{"phone": ["is required"]}`` -> ``"phone: is required"`` (fields joined by ``; ``)."""
    return "; ".join(f"{name}: {', '.join(messages)}" for name, messages in errors.items())


def printable(text: str, keep: str = "") -> str:
    """``text`` safe to show on a terminal: every control character but those in ``keep`` (tab,
    newline) written as its escape, ``\\x1b`` (``\\u202e`` for a bidirectional one). Everything
    the command prints that came from the API, a file or an argument goes through here (``--json``
    is escaped by JSON itself)."""
    return _CONTROL.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


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


@dataclass
class Reason:
    """Rows that failed (or were skipped) the same way: the rule, how many, their lines."""

    outcome: str
    reason: str
    lines: list[int | None]

    @property
    def count(self) -> int:
        """How many rows."""
        return len(self.lines)

    def example_lines(self) -> str:
        """The first few lines, ``2, 7, 9 and 12 more``."""
        known = sorted(line for line in self.lines if line is not None)
        shown = ", ".join(str(line) for line in known[:EXAMPLES]) or "?"
        rest = self.count - min(len(known), EXAMPLES)
        return f"{shown} and {rest} more" if rest else shown


def by_reason(outcomes: Mapping[str, Iterable[tuple[int | None, str]]]) -> list[Reason]:
    """``{"failed": [(line, reason), ...], ...}`` grouped by outcome and reason (without the value
    each row had), in the mapping's order of outcomes, the most common reason first."""
    groups: dict[tuple[str, str], Reason] = {}
    for outcome, entries in outcomes.items():
        for line, reason in entries:
            key = (outcome, _GOT.sub("", reason))
            groups.setdefault(key, Reason(outcome, key[1], [])).lines.append(line)
    order = list(outcomes)
    return sorted(groups.values(), key=lambda r: (order.index(r.outcome), -r.count))
