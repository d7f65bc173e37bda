"""Check call arguments against the spec's rules before anything is sent.

The interpreter here is the one place that words what is wrong. The yes/no answer on the hot
path comes from ``wacr._checks``, plain functions that codegen/checks.py emits from the same
schemas (:func:`accepts`, :func:`body_check`); only a "no" comes here for the messages.

The rules are the spec's own JSON Schemas, resolved by the codegen step into
``wacr._operations`` (a small subset: types, lengths, ranges, patterns, enums, formats,
required and unknown fields, nested arrays and objects, and ``x-required-when``). Nothing
here restates a rule by hand. A broken rule is reported per field, with the field's wire path
(``sections.0.rows.2.title``), in a :class:`wacr.ValidationError` with ``status=None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

__all__ = ["EMAIL", "accepts", "body_check", "check_value", "is_http_url", "json_schema_regex", "validate"]

Schema = Mapping[str, Any]
Errors = dict[str, list[str]]

# --- JSON Schema patterns in Python -------------------------------------------------------------
# A spec pattern is an ECMA-262 regex. Python's `re` reads the same text more loosely: `$` also
# matches before a final "\n", `.` matches "\r", `\d` `\w` `\b` take any script's digits and
# letters, `{,2}` is a quantifier. json_schema_regex rewrites those, and refuses what it cannot
# carry over. codegen/checks.py emits its output; the emulator keeps a copy
# (src/wacr/testing/_validation.py, tests/spec/test_patterns.py proves both agree).
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


# Deliberately loose: the server is the judge of deliverability; this catches typos such as a
# missing "@" or a space, not exotic but valid addresses.
EMAIL = re.compile(json_schema_regex(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"))
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(json_schema_regex(pattern))


def _is_type(value: object, name: str) -> bool:
    # bool is a subclass of int: it is never accepted where a number is expected.
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return isinstance(value, (list, tuple))
    if name == "object":
        return isinstance(value, Mapping)
    if name == "null":
        return value is None
    return True


def _add(errors: Errors, path: str, message: str) -> None:
    errors.setdefault(path, []).append(message)


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL (the spec's ``format: uri``)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def check_value(schema: Schema, value: Any, path: str, errors: Errors) -> None:
    """Record in ``errors`` every rule of ``schema`` that ``value`` breaks, under ``path``."""
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_is_type(value, name) for name in names):
            wanted = " or ".join(_TYPE_NAMES.get(n, str(n)) for n in names)
            _add(errors, path, f"must be {wanted}, not {type(value).__name__}")
            return
    if value is None:
        return
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        # The value shown is cut: a megabyte of text must not make a megabyte of message.
        if isinstance(value, int) and value.bit_length() > 64:  # Python will not write it out
            shown = "an integer beyond 64 bits"
        else:
            shown = repr(value[:40] + "..." if isinstance(value, str) and len(value) > 40 else value)
        _add(errors, path, f"must be one of {', '.join(map(str, enum))} (got {shown})")
        return
    if isinstance(value, str):
        _check_string(schema, value, path, errors)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        minimum, maximum = schema.get("minimum"), schema.get("maximum")
        # An int of thousands of digits cannot even be written out (Python's int-to-str limit).
        got = "an integer beyond 64 bits" if isinstance(value, int) and value.bit_length() > 64 else value
        if minimum is not None and value < minimum:
            _add(errors, path, f"must be at least {minimum} (got {got})")
        if maximum is not None and value > maximum:
            _add(errors, path, f"must be at most {maximum} (got {got})")
    elif isinstance(value, (list, tuple)):
        _check_array(schema, value, path, errors)
    elif isinstance(value, Mapping):
        _check_object(schema, value, path, errors)


def _check_string(schema: Schema, value: str, path: str, errors: Errors) -> None:
    min_length, max_length = schema.get("minLength"), schema.get("maxLength")
    if min_length is not None and len(value) < min_length:
        if min_length == 1:
            _add(errors, path, "must not be empty")
        else:
            _add(errors, path, f"must be at least {min_length} characters (got {len(value)})")
    if max_length is not None and len(value) > max_length:
        _add(errors, path, f"must be at most {max_length} characters (got {len(value)})")
        return  # refused already; the pattern and format need not scan megabytes of it
    pattern = schema.get("pattern")
    if pattern is not None and not _regex(pattern).search(value):
        _add(errors, path, f"must match {pattern}")
    fmt = schema.get("format")
    if fmt == "email" and not EMAIL.match(value):
        _add(errors, path, "must be a valid email address")
    elif fmt == "uri" and not is_http_url(value):
        _add(errors, path, "must be an absolute http(s) URL")


def _check_array(schema: Schema, value: list[Any] | tuple[Any, ...], path: str, errors: Errors) -> None:
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    if min_items is not None and len(value) < min_items:
        noun = "item" if min_items == 1 else "items"
        _add(errors, path, f"must have at least {min_items} {noun} (got {len(value)})")
    if max_items is not None and len(value) > max_items:
        _add(errors, path, f"must have at most {max_items} items (got {len(value)})")
    items = schema.get("items")
    if items:
        for index, item in enumerate(value):
            check_value(items, item, f"{path}.{index}", errors)


def _check_object(schema: Schema, value: Mapping[str, Any], path: str, errors: Errors) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    prefix = f"{path}." if path else ""
    for name in schema.get("required", ()):
        if value.get(name) is None:
            _add(errors, prefix + name, "is required")
    for name, conditions in schema.get("x-required-when", {}).items():
        if value.get(name) is None and all(value.get(k) == v for k, v in conditions.items()):
            when = ", ".join(f"{k} is {v!r}" for k, v in conditions.items())
            _add(errors, prefix + name, f"is required when {when}")
    closed = schema.get("additionalProperties") is False
    for name, item in value.items():
        sub = properties.get(name)
        if sub is None:
            if closed:
                _add(errors, prefix + name, "is not a field of this request")
            continue
        if item is not None:
            check_value(sub, item, prefix + name, errors)


def validate(schema: Schema, value: Mapping[str, Any]) -> Errors:
    """Return the broken rules of a request body or argument set, ``{}`` when it is valid."""
    errors: Errors = {}
    _check_object(schema, value, "", errors)
    return errors


# --- the generated checks ---------------------------------------------------------------------

Check = Callable[[Any], bool]

# The generated check of each schema of the operation table, by identity; the entry keeps the
# schema so that an id is never mistaken for another schema's. Filled as schemas are checked.
_generated: dict[int, tuple[Schema, Check]] = {}
# Where each schema of the operation table sits: its operation and parameter (None: the body).
_places: dict[int, tuple[Schema, str, str | None]] = {}


def _lookup(schema: Schema) -> Check | None:
    entry = _generated.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    if not _places:
        from wacr._operations import OPERATIONS

        for op_id, op in OPERATIONS.items():
            if op.body is not None:
                _places[id(op.body)] = (op.body, op_id, None)
            for params in (op.path_params, op.query):
                for name, param in params.items():
                    _places[id(param)] = (param, op_id, name)
    place = _places.get(id(schema))
    if place is None or place[0] is not schema:
        return None
    # Only the checks of this operation's section are loaded (wacr._checks.<section>).
    from wacr._checks import BODIES, PARAMETERS

    _, op_id, parameter = place
    check = BODIES[op_id] if parameter is None else PARAMETERS[op_id, parameter]
    _generated[id(schema)] = (schema, check)
    return check


def body_check(schema: Schema) -> Check:
    """The check of a request body schema: ``True`` exactly when :func:`validate` finds nothing.

    ``False`` (or an exception, on odd input) means: call :func:`validate` for the messages. A
    schema outside the operation table gets the interpreter itself.
    """
    check = _lookup(schema)
    if check is not None:
        return check
    return lambda value: not validate(schema, value)


def accepts(schema: Schema, value: Any) -> bool:
    """Whether ``value`` keeps every rule of ``schema`` (what :func:`check_value` checks), fast."""
    check = _lookup(schema)
    if check is not None:
        try:
            return check(value)
        except Exception:
            pass  # odd input: the interpreter decides (and words it)
    errors: Errors = {}
    check_value(schema, value, "", errors)
    return not errors
